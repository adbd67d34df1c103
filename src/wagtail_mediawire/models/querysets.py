"""What an anonymous reader may see of the wire articles: the rule, in one home; and
the admin listings' querysets (``explorable``, ``with_status``).

Every public output asks the articles' manager for it (``for_readers``): the
section page and its three feeds, Recent Posts, Wagtail's sitemap, the Google News
sitemap and the API. An article a reader may see is

- live, and not expired: ``live`` stays True after ``expire_at`` passes until
  Wagtail's ``publish_scheduled`` runs, so the expiry is read as well;
- public: under no view restriction, except those the reader already passed to
  get where the list is shown (a section's own password covers its listing);
- in the tree being listed (a site's root, a section), and not an alias of an
  article that is live in that same tree, which would be the same story twice.
"""

from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone
from wagtail.models import PageManager, PageViewRestriction, WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.query import PageQuerySet

from .base_page import BasePage


def not_expired_q(now: datetime | None = None) -> Q:
    return Q(expire_at__isnull=True) | Q(expire_at__gt=now or timezone.now())


def is_expired(page: Any, now: datetime | None = None) -> bool:
    """Whether ``page``'s expiry has passed (``not_expired_q`` for one page in hand)."""
    return page.expire_at is not None and page.expire_at <= (now or timezone.now())


def public_q(passed_path: str | None = None) -> Q:
    """Pages under no view restriction, but those on ``passed_path`` and above it.

    A subquery, not a query of its own: for each page, a restriction on a page whose
    path starts the page's own (its ancestors, itself). The restrictions are few,
    and the lookup goes by the unique path index.
    """
    restrictions = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    if passed_path:
        step = BasePage.steplen
        above = [passed_path[:end] for end in range(step, len(passed_path) + 1, step)]
        restrictions = restrictions.exclude(page__path__in=above)
    return ~Exists(restrictions)


def not_duplicate_alias_q(scope_path: Any) -> Q:
    """Pages but aliases whose original is live in the same tree (``scope_path``).

    An alias of an article in the same listing is the same story twice; an alias
    of a page elsewhere (another site, another locale's tree) is listed.
    """
    # A join on alias_of (one row per page) rather than a subquery: PostgreSQL plans
    # NOT EXISTS as an anti-join or a hashed subplan over the whole tree (30x slower
    # at 100,000 articles); the join keeps the walk down the first_published_at index.
    duplicate = Q(alias_of__live=True, alias_of__path__startswith=scope_path)
    return Q(alias_of__isnull=True) | ~duplicate


class ArticleQuerySet(PageQuerySet):
    def for_readers(
        self, *within: Any, passed: Any = None, now: datetime | None = None
    ) -> "ArticleQuerySet":
        """The articles an anonymous reader may see under ``within``: pages (a site's
        root page and its translations, a section) or path expressions (the path of
        a page's translation). One query, whatever the view restrictions.

        ``passed`` is the page the reader is on when the list is shown behind its
        view restriction (a section, for its listing and feeds): restrictions on it
        and above it do not hide its articles. Without it, any restriction does.
        """
        paths = [getattr(tree, "path", tree) for tree in within]
        in_trees = reduce(
            or_, (Q(path__startswith=path) & not_duplicate_alias_q(path) for path in paths)
        )
        return self.live().filter(
            in_trees, not_expired_q(now), public_q(getattr(passed, "path", None))
        )

    def with_section_seo_policy(self) -> "ArticleQuerySet":
        """Each article with its section's ``seo_policy`` (``section_seo_policy``),
        read in the same query, for ``policies.effective_seo_policy``."""
        # By name, not imported: the page models import this module.
        section_model = apps.get_model("wagtail_mediawire", "MediaWireIndexPage")
        parent_path = Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * self.model.steplen)
        sections = section_model.objects.filter(path=parent_path).values("seo_policy")
        return self.annotate(section_seo_policy=Subquery(sections[:1]))

    def newest_first(self) -> "ArticleQuerySet":
        return self.order_by("-first_published_at", "-pk")


ArticleManager = PageManager.from_queryset(ArticleQuerySet)


# The admin's listings: what a user may explore, and what Wagtail's status tag reads.


def explorable(queryset: PageQuerySet, user: Any) -> PageQuerySet:
    """Only the pages ``user`` may explore, as Wagtail's own page listings and search show."""
    if user.is_active and user.is_superuser:
        return queryset
    pages = PagePermissionPolicy().explorable_instances(user)
    return queryset.filter(pk__in=pages.values("pk"))


def with_status(articles: PageQuerySet) -> PageQuerySet:
    """``articles`` with what Wagtail's ``status_string`` ("scheduled", "in moderation"…)
    reads, fetched with them: the approved schedule, and one query for the workflows."""
    # PageQuerySet.prefetch_workflow_states() follows the relation of generic Page
    # querysets, which finds nothing from a page type's own queryset.
    return articles.annotate_approved_schedule().prefetch_related(
        Prefetch(
            "_specific_workflow_states",
            queryset=WorkflowState.objects.active().select_related("current_task_state__task"),
            to_attr="_current_workflow_states",
        )
    )
