import logging
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Min, Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.admin.panels import FieldPanel, ObjectList, TabbedInterface
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import PageViewRestriction, Site
from wagtail.query import PageQuerySet
from wagtail.rich_text import get_text_for_indexing
from wagtail.search import index
from wagtail.url_routing import RouteResult

from ..blocks import RICH_TEXT_FEATURES, ArticleBodyBlock
from ..cache import collecting, shown_until
from ..forms import MediaWireArticlePageForm
from ..panels import ProvenancePanel
from ..policies import SeoPolicy, effective_disclaimer, effective_seo_policy
from ..serializers import (
    BodyField,
    DisclaimerField,
    SeoPolicyField,
    SignatureField,
    SourcesField,
)
from ..settings import get_setting
from ..source_rule import (
    EmbargoError,
    SourceRequiredError,
    WithdrawnError,
    WithdrawnSourceError,
    has_source_url,
    iter_raw_sources,
    require_source,
)
from ..syndication import serve_feed
from ..text import cut_excerpt, iter_raw_paragraphs
from ..validators import positive_id, safe_http_url, validate_http_url
from .base_page import BasePage as Page  # the site's WAGTAIL_PAGE_MODEL, else Wagtail's Page
from .disclaimer import Disclaimer
from .querysets import ArticleManager

__all__ = ["MediaWireArticlePage", "MediaWireIndexPage", "SeoPolicy"]

logger = logging.getLogger("wagtail_mediawire")

# What a stored excerpt keeps: more than any listing shows (Recent Posts shows
# RECENT_POSTS_EXCERPT_WORDS words, 14 by default), never a whole long paragraph.
EXCERPT_MAX_WORDS = 100
EXCERPT_MAX_CHARS = 1000


def _comparable_url(url: Any) -> str:
    """An address as a Source block and a wire item may both hold it."""
    return (safe_http_url(url) or "").rstrip("/").lower()


def make_excerpt(text: str) -> str:
    """``text`` on one line, cut at a word to what listings can show, with "…" where it was cut."""
    return cut_excerpt(text, EXCERPT_MAX_WORDS, EXCERPT_MAX_CHARS)


# What a withdrawn article's address shows (410 Gone); a site may override it.
WITHDRAWN_TEMPLATE = "wagtail_mediawire/pages/withdrawn.html"

# Deeper pages are treated as beyond the end (and offsets stay within any database's range).
MAX_PAGE_NUMBER = 100_000


class ListingPage:
    """A page of a section's listing, with the methods of Django's paginator page
    except those that need a total (``paginator``, ``end_index``).

    Read when first used, so that a cached listing (``{% mediawire_pagecache %}``)
    costs no query; it then tells the fragment when the first article it depends on
    expires (``shown_until``).
    """

    def __init__(self, articles: Callable[[], PageQuerySet], number: int, size: int):
        self.number, self._articles, self._size = number, articles, size

    @cached_property
    def _rows(self) -> list:
        queryset = self._articles()  # building it costs as much as the query itself
        offset = (self.number - 1) * self._size
        rows = list(queryset[offset : offset + self._size + 1])
        if collecting():
            # What this page shows changes when any article listed on it, or before
            # it, expires.
            expiries = [row.expire_at for row in rows if row.expire_at]
            if offset:
                before = queryset[:offset].aggregate(first=Min("expire_at"))
                expiries.append(before["first"])
            shown_until(min(filter(None, expiries), default=None))
        return rows

    @property
    def object_list(self) -> list:
        return self._rows[: self._size]

    @property
    def more(self) -> bool:
        """Whether an older page follows."""
        return len(self._rows) > self._size

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(request: HttpRequest) -> int:
    """The listing page a request asks for (``?page=``): anything odd means the first."""
    return min(positive_id(request.GET.get("page")) or 1, MAX_PAGE_NUMBER)


def _base_context(context: dict) -> dict:
    context["mediawire_base_template"] = get_setting("BASE_TEMPLATE")
    return context


class RestrictionsReadOnce:
    """A page's view restrictions, read once per page instance (a request's): Wagtail
    reads them before serving the page, and ``{% mediawire_pagecache %}`` asks again.

    When routing has left the page its ancestors (``_cached_parent_obj``, down from the
    site's root page), the read is one query instead of Wagtail's two: the ancestors'
    ids are known, and the tree's root is found by its path.
    """

    def get_view_restrictions(self):
        restrictions = self.__dict__.get("_mediawire_view_restrictions")
        if restrictions is None:
            restrictions = self._read_view_restrictions()
            restrictions._fetch_all()
            self.__dict__["_mediawire_view_restrictions"] = restrictions
        return restrictions

    def _read_view_restrictions(self):
        ids, page = [], self
        while True:
            if page.pk is None or page.alias_of_id is not None:
                # An alias answers with its original's restrictions: Wagtail's way.
                return super().get_view_restrictions()
            ids.append(page.pk)
            if page.depth <= 2:
                break
            page = page.__dict__.get("_cached_parent_obj")
            if page is None:
                return super().get_view_restrictions()
        root = self.path[: self.steplen]
        return PageViewRestriction.objects.filter(Q(page_id__in=ids) | Q(page__path=root))


class ArticlesRouting:
    """A section's children are articles: routing reads the one asked for in one query,
    as an article, where Wagtail reads the page and then its article row."""

    def route(self, request: HttpRequest, path_components: list[str]):
        if path_components:
            children = MediaWireArticlePage.objects.filter(
                path__startswith=self.path, depth=self.depth + 1, slug=path_components[0]
            )
            article = next(iter(children.order_by()[:1]), None)
            # Anything else (a page of another type, no page: a 404) as Wagtail routes it.
            if article is not None and article.specific_class is MediaWireArticlePage:
                article._cached_parent_obj = self
                return article.route(request, path_components[1:])
        return super().route(request, path_components)


class MediaWireIndexPage(RestrictionsReadOnce, RoutablePageMixin, ArticlesRouting, Page):
    """A wire desk section ("Media Wire"): lists its articles, newest first, and serves
    them as feeds at ``feed/`` (RSS 2.0), ``feed/atom/`` and ``feed/json/`` (JSON Feed)."""

    intro = RichTextField(_("intro"), blank=True, features=RICH_TEXT_FEATURES)
    signature = models.CharField(
        _("signature"),
        max_length=255,
        blank=True,
        help_text=_('Shown at the end of every article, e.g. "Example Media Wire".'),
    )
    default_disclaimer = models.ForeignKey(
        Disclaimer,
        verbose_name=_("default disclaimer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown under every article that does not choose its own."),
    )
    seo_policy = models.CharField(
        _("search engine policy"),
        max_length=32,
        choices=SeoPolicy.choices,
        default=SeoPolicy.INDEX,
        blank=True,  # an older form or script that does not send it means "index"
        help_text=_("For the section's articles that do not choose their own."),
    )
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("default social image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shared with links to articles that have no image of their own."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("signature"),
        FieldPanel("default_disclaimer"),
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("seo_policy"), FieldPanel("social_image")]
    api_fields = [APIField("intro"), APIField("signature"), APIField("seo_policy")]

    subpage_types = ["wagtail_mediawire.MediaWireArticlePage"]
    template = "wagtail_mediawire/pages/index_page.html"

    class Meta:
        verbose_name = _("Media Wire section")
        verbose_name_plural = _("Media Wire sections")

    def get_articles(self) -> PageQuerySet:
        """What a reader of this section may see of its articles (``for_readers``),
        newest first, without their bodies. A view restriction on the section itself
        (or above) does not hide them: whoever reads the list passed it."""
        # Articles are leaves under sections, so the section's descendants are its
        # children. The path prefix alone, without child_of's depth test, lets SQLite
        # and PostgreSQL walk the first_published_at index and stop after a page of
        # rows instead of sorting the whole section.
        return (
            MediaWireArticlePage.objects.for_readers(self, passed=self)
            .defer_streamfields()
            .newest_first()
        )

    def paginate_articles(self, request: HttpRequest) -> "ListingPage":
        """One page of the listing, from ``?page=`` (anything odd means the first).

        The section is never counted: a page fetches one row more than it shows to
        know whether there is an older page, so its cost does not grow with the
        section (a COUNT of 100,000 articles made the page 5x slower).
        """
        return ListingPage(self.get_articles, page_number(request), get_setting("INDEX_PAGE_SIZE"))

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = self.paginate_articles(request)
        return _base_context(context)

    # The feeds go through Wagtail's serving, so a view restriction on the section
    # (or above) applies to them as it does to the page.
    @path("feed/", name="feed_rss")
    def feed_rss(self, request: HttpRequest):
        return serve_feed(self, request, "rss")

    @path("feed/atom/", name="feed_atom")
    def feed_atom(self, request: HttpRequest):
        return serve_feed(self, request, "atom")

    @path("feed/json/", name="feed_json")
    def feed_json(self, request: HttpRequest):
        return serve_feed(self, request, "json")

    def get_cached_paths(self) -> list[str]:
        # What a frontend cache purge of the section covers: the page and its feeds.
        return ["/", "/feed/", "/feed/atom/", "/feed/json/"]


def _sitemap_policies(request: HttpRequest | None, article: Any) -> dict[int, str]:
    """The policy of every article a reader of the request's site may see, by id: one
    query per request, as a sitemap asks it of every article (without a request,
    only ``article``'s, from its own site)."""
    site = Site.find_for_request(request) if request is not None else article.get_site()
    if site is None:
        return {}
    cache = getattr(request, "_mediawire_sitemap_policies", {})
    if site.pk not in cache:
        rows = MediaWireArticlePage.objects.for_readers(site.root_page).with_section_seo_policy()
        if request is None:
            rows = rows.filter(pk=article.pk)
        cache[site.pk] = {
            pk: effective_seo_policy(own, ours)
            for pk, own, ours in rows.values_list("pk", "seo_policy", "section_seo_policy")
        }
        if request is not None:
            request._mediawire_sitemap_policies = cache
    return cache[site.pk]


class MediaWireArticlePage(RestrictionsReadOnce, Page):
    """A republished report. Its title is the headline the desk publishes."""

    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("Optional excerpt for listings; the first paragraph is used if blank."),
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"))
    # Copied from the first Source block on every save, for listings, filters and
    # de-duplication without loading the body.
    source_name = models.CharField(
        _("source name"), max_length=255, blank=True, editable=False, db_index=True
    )
    # Plain text of the summary, else of the first paragraph, made on save so that
    # listings (Recent Posts) never load the body.
    excerpt = models.TextField(_("excerpt"), blank=True, editable=False)
    source_url = models.CharField(
        _("source URL"),
        max_length=2048,
        blank=True,
        editable=False,
        db_index=True,
        validators=[validate_http_url],
    )

    seo_policy = models.CharField(
        _("search engine policy"),
        max_length=32,
        choices=SeoPolicy.choices,
        blank=True,
        help_text=_("Leave empty for the section's policy."),
    )
    # When the desk last published an agency's correction of it (ingest/lifecycle.py):
    # the page shows a dated correction note, its JSON-LD a CorrectionComment.
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True, editable=False)

    # Wagtail's API v2 (pages endpoint). The computed fields read what they need
    # for a whole page of results at once (see serializers.py).
    api_fields = [
        APIField("summary"),
        APIField("excerpt"),
        APIField("body", serializer=BodyField()),
        APIField("sources", serializer=SourcesField()),
        APIField("source_name"),
        APIField("source_url"),
        APIField("disclaimer", serializer=DisclaimerField()),
        APIField("signature", serializer=SignatureField()),
        APIField("seo_policy", serializer=SeoPolicyField()),
    ]

    objects = ArticleManager()

    base_form_class = MediaWireArticlePageForm
    parent_page_types = ["wagtail_mediawire.MediaWireIndexPage"]
    subpage_types: list[str] = []
    template = "wagtail_mediawire/pages/article_page.html"

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("source_name"),
        index.AutocompleteField("source_name"),
        index.FilterField("source_name"),
    ]

    content_panels = [
        ProvenancePanel(heading=_("Provenance")),
        *Page.content_panels,
        FieldPanel("summary"),
        # Sources and the disclaimer are blocks of the body, where this says so.
        FieldPanel(
            "body",
            help_text=_(
                "Every article needs a Source block with the report's web address "
                "before it is published; all sources are listed together at the end "
                "of the article. A Disclaimer block replaces the section's default "
                "disclaimer under this article."
            ),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList([*Page.promote_panels, FieldPanel("seo_policy")], heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    class Meta:
        verbose_name = _("Media Wire article")
        verbose_name_plural = _("Media Wire articles")

    def save(self, clean: bool = True, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        writes_body = update_fields is None or "body" in update_fields
        if writes_body or "summary" in update_fields:
            self.update_derived_fields()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *self.DERIVED_FIELDS}
        if clean and self.live and writes_body:
            # The source rule (source_rule.py) for a live article written directly.
            require_source(self.body.raw_data)
        super().save(clean, *args, **kwargs)

    DERIVED_FIELDS = ("source_name", "source_url", "excerpt")

    def get_cache_key_components(self) -> list:
        # The correction note changes the page without a new publication date (publish()
        # sets corrected_at just after it publishes).
        return [*super().get_cache_key_components(), self.corrected_at]

    def update_derived_fields(self) -> None:
        """Fill ``source_name``, ``source_url`` and ``excerpt`` from the content."""
        raw_body = self.body.raw_data
        first = next(iter_raw_sources(raw_body), None) or {}
        name = first.get("name")
        self.source_name = name[:255] if isinstance(name, str) else ""
        self.source_url = safe_http_url(first.get("url"))[:2048]
        if self.summary.strip():
            # The summary is plain text ("3<5" is not a tag): templates escape it.
            text = self.summary
        else:
            text = get_text_for_indexing(next(iter_raw_paragraphs(raw_body), ""))
        self.excerpt = make_excerpt(text)

    def save_revision(self, *args: Any, **kwargs: Any):
        # The revision's copy of the derived fields describes its own body (a draft's
        # source URL is looked up for duplicates); the row keeps the live version's.
        self.update_derived_fields()
        return super().save_revision(*args, **kwargs)

    def publish(
        self,
        revision,
        user=None,
        changed: bool = True,
        log_action: bool | str = True,
        previous_revision=None,
        skip_permission_checks: bool = False,
    ):
        """Publish or schedule ``revision``, only if it has a source.

        Every publishing path without a form comes here: code, bulk actions, workflow
        approval and ``publish_scheduled``. Scheduling a sourceless revision is refused
        like publishing it. A schedule that falls due without a source (set before
        this rule, or written around it) is cancelled and logged instead of raising,
        so that ``publish_scheduled`` goes on with the other pages.
        """
        record = self.wire_record()
        if record is not None and record.is_withdrawn:
            raise WithdrawnError(record.withdrawn_reason)
        action = PublishPageRevisionAction(
            revision,
            user=user,
            changed=changed,
            log_action=log_action,
            previous_revision=previous_revision,
        )
        cited = self.withdrawn_sources(action.object.body.raw_data)
        if cited:
            raise WithdrawnSourceError(cited[0].withdrawn_reason)
        if record is not None and record.correction_revision_id == revision.pk:
            self._correction_published = record
        if record is not None and record.embargoed_until is not None:
            # Live, or scheduled, before the agency's embargo: refused, naming the time.
            go_live = action.object.go_live_at
            if record.embargoed_until > timezone.now() and (
                go_live is None or go_live < record.embargoed_until
            ):
                raise EmbargoError(record.embargoed_until)
        if not has_source_url(action.object.body.raw_data):
            due = revision.approved_go_live_at
            if due is not None and due <= timezone.now():
                self._cancel_sourceless_schedule(revision)
                return None
            raise SourceRequiredError()
        result = action.execute(skip_permission_checks=skip_permission_checks)
        corrected = getattr(self, "_correction_published", None)
        if corrected is not None:
            # The desk published the agency's correction (now, not scheduled for later):
            # the page is dated corrected from now.
            now = timezone.now()
            if type(self).objects.filter(pk=self.pk, live=True).update(corrected_at=now):
                self.corrected_at = now
                type(corrected).objects.filter(pk=corrected.pk).update(correction_revision=None)
        return result

    def _cancel_sourceless_schedule(self, revision) -> None:
        logger.error(
            'Not publishing "%s" (page %s, revision %s) on schedule: it has no source. '
            "Its scheduled publication is cancelled; the page stays as it was.",
            self.title,
            self.pk,
            revision.pk,
        )
        revision.approved_go_live_at = None
        # Wagtail logs the cancellation in the page's history ("Unschedule publication").
        revision.save(update_fields=["approved_go_live_at"])

    def wire_record(self):
        """The ``WireItem`` this article (or the article it is an alias of) was made of,
        or None. One query."""
        # The item model through the article's own relation: wire.py imports this module.
        items = type(self)._meta.get_field("wire_item").related_model
        article_id = self.alias_of_id or self.pk
        if article_id is None:
            return None
        return items.objects.filter(article_id=article_id).first()

    def withdrawn_sources(self, raw_stream: Any = None) -> list:
        """The reports merged into this article (``WireItem.merged_into``) that their
        agencies killed or withheld since, and that ``raw_stream`` (else the article's
        own body) still cites by address or by agency and headline. One query."""
        if self.pk is None:
            return []
        items = type(self)._meta.get_field("merged_items").related_model
        withdrawn = list(
            items.objects.filter(
                merged_into_id=self.alias_of_id or self.pk, withdrawn_at__isnull=False
            ).select_related("feed")
        )
        if not withdrawn:
            return []
        sources = list(iter_raw_sources(self.body.raw_data if raw_stream is None else raw_stream))
        urls = {_comparable_url(value.get("url")) for value in sources} - {""}
        cited = {(value.get("name"), value.get("original_headline")) for value in sources}
        return [
            item
            for item in withdrawn
            if _comparable_url(item.link) in urls
            or ((item.feed.source_name if item.feed else ""), item.title[:255]) in cited
        ]

    def get_withdrawal(self):
        """The ``WireItem`` this article was made of, or a report merged into it that
        it still cites, if its agency killed or withheld it since; else None."""
        record = self.wire_record()
        if record is not None and record.is_withdrawn:
            return record
        cited = self.withdrawn_sources()
        return cited[0] if cited else None

    def route(self, request: HttpRequest, path_components: list[str]):
        # Unpublished because its agency withdrew it: its address says so (410 Gone)
        # instead of Wagtail's 404 for a page that is not live.
        if not path_components and not self.live and self.get_withdrawal() is not None:
            return RouteResult(self, kwargs={"withdrawn": True})
        return super().route(request, path_components)

    def serve(self, request: HttpRequest, *args: Any, withdrawn: bool = False, **kwargs: Any):
        if withdrawn:
            context = _base_context({"page": self, "section": self.section, "request": request})
            return TemplateResponse(request, WITHDRAWN_TEMPLATE, context, status=410)
        return super().serve(request, *args, **kwargs)

    @classmethod
    def section_model(cls) -> type[MediaWireIndexPage]:
        """The page type of an article's section (for modules the models import)."""
        return MediaWireIndexPage

    @cached_property
    def section(self) -> MediaWireIndexPage | None:
        """The section (parent): the one Wagtail's routing walked through, else one query.

        Serving a page, Wagtail's ``route()`` leaves the parent it came through on
        the page (``_cached_parent_obj``, which treebeard's ``get_parent`` uses too).
        """
        parent = getattr(self, "_cached_parent_obj", None)
        if isinstance(parent, MediaWireIndexPage):
            return parent
        return (
            MediaWireIndexPage.objects.parent_of(self).select_related("default_disclaimer").first()
        )

    @cached_property
    def sources(self) -> list:
        """The values of all Source blocks, in body order (empty ones left out)."""
        return [
            block.value
            for block in self.body
            if block.block_type == "source" and (block.value.get("name") or block.value.href)
        ]

    @cached_property
    def effective_disclaimer(self) -> Disclaimer | None:
        """The disclaimer shown under the article (``policies.effective_disclaimer``):
        its own Disclaimer block, else the section's default, in its locale."""
        section = self.section
        return effective_disclaimer(
            (block.value for block in self.body if block.block_type == "disclaimer"),
            section.default_disclaimer if section is not None else None,
            self.locale_id,
            _translated_disclaimer,
        )

    def get_sitemap_urls(self, request: HttpRequest | None = None) -> list:
        """In ``wagtail.contrib.sitemaps`` only if a reader may see it (``for_readers``:
        not expired, not an alias beside its original) and under the ``index`` policy:
        a copy credited to its source, or kept out of news, is not offered for indexing."""
        if _sitemap_policies(request, self).get(self.pk) != SeoPolicy.INDEX:
            return []
        return super().get_sitemap_urls(request)

    @property
    def effective_seo_policy(self) -> str:
        """The article's own policy, else its section's, else ``index``
        (``policies.effective_seo_policy``)."""
        if hasattr(self, "section_seo_policy"):  # read with the article (a listing)
            return effective_seo_policy(self.seo_policy, self.section_seo_policy)
        section = self.section if not self.seo_policy else None
        return effective_seo_policy(self.seo_policy, getattr(section, "seo_policy", ""))

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["section"] = self.section
        context["sources"] = self.sources
        # Read when the template first asks (a template calls what it is given): a page
        # served from its cached fragment reads no disclaimer.
        context["disclaimer"] = lambda: self.effective_disclaimer
        return _base_context(context)


def _translated_disclaimer(disclaimer: Disclaimer, locale_id: int | None) -> Disclaimer | None:
    return Disclaimer.objects.filter(
        translation_key=disclaimer.translation_key, locale_id=locale_id
    ).first()
