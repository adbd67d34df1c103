"""The wire queue's rules, whatever shows them (the admin's Wire queue, a script):
who sees which items, what state each is in, and what publishing or discarding one does.

An item's queue status, first match wins:

discarded > killed / withheld > correction > updated at source > embargoed > published
> skipped > new.
"""

from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.actions.delete_page import DeletePageAction
from wagtail.coreutils import find_available_slug
from wagtail.log_actions import log
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.rich_text import RichText

from ..models import MediaWireArticlePage, WireItem
from .importer import source_block

MERGE_ACTION = "wagtail_mediawire.merge"

# The page permissions that let a user work on a section's articles, as the Articles
# listing reads them: whoever has one of them in a section sees its items.
QUEUE_ACTIONS = frozenset({"add", "change", "publish"})


class QueueStatus:
    DISCARDED = "discarded"
    KILLED = "killed"
    WITHHELD = "withheld"
    CORRECTION = "correction"
    UPDATED = "updated"
    EMBARGOED = "embargoed"
    PUBLISHED = "published"
    SKIPPED = "skipped"
    NEW = "new"

    # In the filter's order: what needs the desk first.
    choices = [
        (NEW, _("new")),
        (EMBARGOED, _("embargoed")),
        (UPDATED, _("updated at source")),
        (CORRECTION, _("correction")),
        (KILLED, _("killed")),
        (WITHHELD, _("withheld")),
        (PUBLISHED, _("published")),
        (SKIPPED, _("skipped")),
        (DISCARDED, _("discarded")),
    ]
    labels = dict(choices)


def _conditions(now) -> list[tuple[str, Q]]:
    """Each status and what makes it, in order of precedence."""
    withdrawn = Q(withdrawn_at__isnull=False)
    return [
        (QueueStatus.DISCARDED, Q(discarded_at__isnull=False)),
        (QueueStatus.WITHHELD, withdrawn & Q(status=WireItem.Status.WITHHELD)),
        (QueueStatus.KILLED, withdrawn),
        (QueueStatus.CORRECTION, Q(correction_revision__isnull=False)),
        (QueueStatus.UPDATED, Q(updated_at_source=True)),
        (QueueStatus.EMBARGOED, Q(embargoed_until__gt=now)),
        (QueueStatus.PUBLISHED, Q(article__live=True) | Q(merged_into__live=True)),
        (QueueStatus.SKIPPED, Q(decision=WireItem.Decision.SKIP, article__isnull=True)),
    ]


def with_queue_status(items: QuerySet[WireItem], now=None) -> QuerySet[WireItem]:
    """``items`` annotated with ``queue_status``, for filtering and ordering in the
    database: ``with_queue_status(items).filter(queue_status="embargoed")``."""
    now = now or timezone.now()
    return items.annotate(
        queue_status=Case(
            *(When(condition, then=Value(status)) for status, condition in _conditions(now)),
            default=Value(QueueStatus.NEW),
            output_field=CharField(),
        )
    )


def queue_status(item: WireItem, now=None) -> str:
    """The item's queue status, as ``with_queue_status`` finds it, from the item and its
    article (``select_related("article", "merged_into")`` for a listing)."""
    now = now or timezone.now()
    if item.discarded_at is not None:
        return QueueStatus.DISCARDED
    if item.withdrawn_at is not None:
        if item.status == WireItem.Status.WITHHELD:
            return QueueStatus.WITHHELD
        return QueueStatus.KILLED
    if item.correction_revision_id is not None:
        return QueueStatus.CORRECTION
    if item.updated_at_source:
        return QueueStatus.UPDATED
    if item.embargoed_until is not None and item.embargoed_until > now:
        return QueueStatus.EMBARGOED
    article = article_of(item)
    if article is not None and article.live:
        return QueueStatus.PUBLISHED
    if item.decision == WireItem.Decision.SKIP and item.article_id is None:
        return QueueStatus.SKIPPED
    return QueueStatus.NEW


def article_of(item: WireItem):
    """The article the desk works on for the item: its own, else the one its story was
    merged into."""
    return item.article if item.article_id is not None else item.merged_into


def status_label(item: WireItem, status: str | None = None) -> str:
    """The status as an editor reads it: "embargoed until 4 May 2026, 09:00"…"""
    status = status or queue_status(item)
    if status == QueueStatus.EMBARGOED:
        when = formats.date_format(timezone.localtime(item.embargoed_until), "DATETIME_FORMAT")
        return gettext("embargoed until %(time)s") % {"time": when}
    return str(QueueStatus.labels[status])


def filtered(items: QuerySet[WireItem], filters=None) -> QuerySet[WireItem]:
    """``items`` with their ``queue_status``, ``filters`` (a valid filter set) applied,
    and without the discarded ones unless its ``status`` asks for them."""
    items = with_queue_status(items)
    status = ""
    if filters is not None and filters.is_valid():
        items = filters.filter_queryset(items)
        status = filters.form.cleaned_data.get("status") or ""
    if status != QueueStatus.DISCARDED:
        items = items.filter(discarded_at__isnull=True)
    return items


def one_per_story(items: QuerySet[WireItem]) -> QuerySet[WireItem]:
    """Each story of ``items`` once: as its newest item among them (an item of no story
    is a story of its own)."""
    newer = items.filter(story=OuterRef("story")).filter(
        Q(received_at__gt=OuterRef("received_at"))
        | Q(received_at=OuterRef("received_at"), pk__gt=OuterRef("pk"))
    )
    return items.exclude(Exists(newer.values("pk")))


def attach_story_items(rows: list[WireItem], items: QuerySet[WireItem]) -> None:
    """Give each row (``one_per_story``'s) its ``story_items``: the other items of its
    story in ``items``, oldest first, with their feeds. One query for all the rows."""
    stories = {row.story_id for row in rows if row.story_id is not None}
    others: dict[int, list[WireItem]] = {}
    if stories:
        found = (
            items.filter(story_id__in=stories)
            .exclude(pk__in=[row.pk for row in rows])
            .select_related("feed")
            .only("pk", "story_id", "title", "link", "received_at", "feed__name")
            .order_by("received_at", "pk")
        )
        for item in found:
            others.setdefault(item.story_id, []).append(item)
    for row in rows:
        row.story_items = others.get(row.story_id, [])


def story_items(item: WireItem, user) -> list[WireItem]:
    """``item`` and the other items of its story that ``user`` sees, not discarded,
    oldest first, with their feeds and articles."""
    if item.story_id is None:
        return [item]
    found = list(
        items_for(user)
        .filter(story_id=item.story_id, discarded_at__isnull=True)
        .select_related("feed", "article", "merged_into")
        .order_by("received_at", "pk")
    )
    return found if any(other.pk == item.pk for other in found) else [item, *found]


def also_from(row: WireItem) -> str:
    """ "also from AFP, Reuters": the agencies of the row's other ``story_items``."""
    names = dict.fromkeys(str(item.feed) for item in row.story_items if item.feed_id)
    if not names:
        return ""
    return gettext("also from %(agencies)s") % {"agencies": ", ".join(names)}


def may_use_queue(user) -> bool:
    """Whether ``user`` may work on articles anywhere, and so sees a queue."""
    return user.is_active and PagePermissionPolicy().user_has_any_permission(user, QUEUE_ACTIONS)


def items_for(user, items: QuerySet[WireItem] | None = None) -> QuerySet[WireItem]:
    """The items of the sections where ``user`` may add, change or publish articles
    (every item for a superuser; an item in no section only for them)."""
    items = WireItem.objects.all() if items is None else items
    if not user.is_active:
        return items.none()
    if user.is_superuser:
        return items
    pages = PagePermissionPolicy().instances_user_has_any_permission_for(user, QUEUE_ACTIONS)
    return items.filter(section__in=pages.values("pk"))


class Outcome(NamedTuple):
    """What became of an action on an item: whether it was done, the message for the
    editor, whether a discard deleted the item's untouched draft, and the article a
    merge made."""

    ok: bool
    message: str
    deleted_draft: bool = False
    article: MediaWireArticlePage | None = None


def _title(item: WireItem) -> str:
    return str(item)[:200]


def publish(item: WireItem, user) -> Outcome:
    """Publish the latest revision of the item's article, as ``user``.

    The package's rules apply as everywhere (``MediaWireArticlePage.publish``): no
    source, a kill or withhold, an embargo refuse it; so does a user who may not
    publish the article. A refusal is an ``Outcome`` with the reason, never an error.
    """
    title = _title(item)
    if item.discarded_at is not None:
        return Outcome(False, gettext("“%(title)s” was discarded.") % {"title": title})
    article = article_of(item)
    if article is None:
        return Outcome(False, gettext("“%(title)s” has no article to publish.") % {"title": title})
    if not article.permissions_for_user(user).can_publish():
        return Outcome(
            False,
            gettext("You may not publish “%(title)s”.") % {"title": article.title},
        )
    revision = article.get_latest_revision() or article.save_revision(user=user)
    try:
        with transaction.atomic():
            revision.publish(user=user, log_action=True)
    except ValidationError as error:  # the source, withdrawal and embargo rules
        reasons = " ".join(str(message) for message in error.messages)
        return Outcome(
            False,
            gettext("“%(title)s” was not published: %(reasons)s")
            % {"title": article.title, "reasons": reasons},
        )
    except PermissionDenied:
        return Outcome(
            False,
            gettext("You may not publish “%(title)s”.") % {"title": article.title},
        )
    revision.refresh_from_db(fields=["approved_go_live_at"])
    if revision.approved_go_live_at is not None:
        when = formats.date_format(
            timezone.localtime(revision.approved_go_live_at), "DATETIME_FORMAT"
        )
        return Outcome(
            True,
            gettext("“%(title)s” is scheduled to go live on %(time)s.")
            % {"title": article.title, "time": when},
        )
    return Outcome(True, gettext("“%(title)s” is live.") % {"title": article.title})


def discard(item: WireItem, user) -> Outcome:
    """Take the item off the queue, as ``user``: it stays recorded (``discarded_at``),
    so no fetch imports it again.

    Its article goes with it only while it is the import's untouched draft; anything
    an editor has worked on, or that is live, stays. Callers check that ``user`` sees
    the item (``items_for``).
    """
    with transaction.atomic():
        item = (
            WireItem.objects.select_for_update(of=("self",))
            .select_related("article")
            .get(pk=item.pk)
        )
        title = _title(item)
        if item.discarded_at is not None:
            return Outcome(True, gettext("“%(title)s” was already discarded.") % {"title": title})
        deleted = item.untouched_draft
        if deleted:
            # The wire's own draft, not an editor's work: no page permission needed.
            DeletePageAction(item.article, user=user).execute(skip_permission_checks=True)
            item.article = None
        item.discarded_at, item.discarded_by = timezone.now(), user
        item.save(update_fields=["article", "discarded_at", "discarded_by"])
    if deleted:
        message = gettext("Discarded “%(title)s” and deleted its untouched draft.")
    elif item.article_id is not None:
        message = gettext(
            "Discarded “%(title)s”. Its article was kept: it is live, or an editor has "
            "worked on it."
        )
    else:
        message = gettext("Discarded “%(title)s”.")
    return Outcome(True, message % {"title": title}, deleted_draft=deleted)


def merge(text_item: WireItem, items: list[WireItem], user) -> Outcome:
    """One draft of a story, by ``user``: the text of ``text_item`` and a Source block
    for it and each of ``items`` (the story's other items), in ``text_item``'s section.

    Each item records the article it was merged into (``merged_into``), which the
    lifecycle follows: a kill of any of them flags the article, or takes it down
    (``WireFeed.unpublish_merged_on_kill``). The items' untouched drafts are deleted;
    an editor's work, or a live article, stays. Callers check that ``user`` sees the
    items (``items_for``).
    """
    title = _title(text_item)
    every = [text_item, *(item for item in items if item.pk != text_item.pk)]
    merged = next((item.merged_into for item in every if item.merged_into_id), None)
    if merged is not None:
        return Outcome(
            False,
            gettext("This story was merged already, into “%(title)s”.") % {"title": merged.title},
        )
    usable = [item for item in every if item.discarded_at is None and not item.is_withdrawn]
    if text_item not in usable:
        return Outcome(
            False,
            gettext("“%(title)s” was discarded, or withdrawn by its agency.") % {"title": title},
        )
    section = text_item.section or (text_item.feed.section if text_item.feed else None)
    if section is None or not section.permissions_for_user(user).can_add_subpage():
        return Outcome(False, gettext("You may not add an article to this section."))
    feed = text_item.feed
    body: list = []
    if text_item.text:
        body.append(("paragraph", RichText(text_item.text)))
    body += [source_block(item.feed, item) for item in usable]
    if feed is not None and feed.disclaimer_id:
        body.append(("disclaimer", feed.disclaimer))
    now = timezone.now()
    embargoes = [item.embargoed_until for item in usable if item.embargoed_until]
    expiries = [item.expires_at for item in usable if item.expires_at]
    with transaction.atomic():
        article = MediaWireArticlePage(
            title=text_item.title[:255],
            slug=find_available_slug(section, slugify(text_item.title)[:60] or "report"),
            live=False,
            owner=user,
            body=body,
            # The latest embargo of any of its reports, and the earliest expiry.
            go_live_at=max(embargoes) if embargoes and max(embargoes) > now else None,
            expire_at=min(expiries) if expiries else None,
        )
        section.add_child(instance=article)
        revision = article.save_revision(user=user, log_action=False)
        log(
            instance=article,
            action=MERGE_ACTION,
            revision=revision,
            user=user,
            data={"count": len(usable)},
        )
        deleted = 0
        for item in usable:
            if item.untouched_draft:
                # The wire's own draft, now part of the merged one.
                DeletePageAction(item.article, user=user).execute(skip_permission_checks=True)
                item.article = item.imported_revision = None
                deleted += 1
            item.merged_into = article
        if text_item.article is None:
            # Its text is the article's: a kill of it takes the article down as a kill
            # of an item takes down its own (410 Gone, publishing refused); a newer
            # version waits for the desk ("updated at source"), never written over.
            text_item.article, text_item.imported_revision = article, None
        for item in usable:
            item.save(update_fields=["article", "imported_revision", "merged_into"])
    message = ngettext(
        "Merged %(count)d report into the draft “%(title)s”.",
        "Merged %(count)d reports into the draft “%(title)s”.",
        len(usable),
    ) % {"count": len(usable), "title": article.title}
    return Outcome(True, message, deleted_draft=bool(deleted), article=article)
