"""The "Media Wire" admin menu group, built with wagtail-modeladmin.

wagtail-modeladmin is in maintenance mode: everything that depends on it lives in
this module, so that moving to Wagtail's own PageListingViewSet is one file's change.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import SimpleListFilter
from django.contrib.admin import display as admin_display
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Substr
from django.shortcuts import redirect
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, re_path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.models import Revision
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.search.backends import get_search_backend
from wagtail_modeladmin.helpers import (
    ButtonHelper,
    PageButtonHelper,
    PagePermissionHelper,
    PermissionHelper,
    WagtailBackendSearchHandler,
)
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import (
    CreateView,
    EditView,
    HistoryView,
    IndexView,
    InstanceSpecificView,
)

from ..ingest.permissions import feeds_for, may_add_in, sections_user_may_add_to
from ..ingest.push import SIGNATURE_HEADER, rotate_secret
from ..ingest.websub import SILENT_AFTER
from ..models import (
    Disclaimer,
    MediaWireArticlePage,
    MediaWireIndexPage,
    WebSubSubscription,
    WireFeed,
)
from ..models.base_page import BasePage
from ..models.querysets import explorable, with_status
from ..settings import get_setting
from ..tasks import enqueue_fetch
from ..text import search_text
from ..validators import positive_id
from .forms import WireFeedForm

STATUSES = {
    "live": _("Live"),
    "scheduled": _("Scheduled"),
    "draft": _("Draft"),
}


def _status_q(status: str) -> Q:
    # "Scheduled" as Wagtail means it (and shows it in the status column): a revision
    # approved to go live later, not a go-live date left on a draft.
    approved_schedule = Revision.page_revisions.filter(
        approved_go_live_at__isnull=False,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    scheduled = Q(live=False) & Q(Exists(approved_schedule))
    return {
        "live": Q(live=True),
        "scheduled": scheduled,
        "draft": Q(live=False) & ~scheduled,
    }[status]


class SectionFilter(SimpleListFilter):
    title = _("section")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        sections = MediaWireIndexPage.objects.order_by("title").only("pk", "title")
        return [(str(section.pk), section.title) for section in explorable(sections, request.user)]

    def queryset(self, request, queryset):
        section_id = positive_id(self.value())
        if section_id is None:
            return queryset  # no value, or one no section can have: ignored
        section = MediaWireIndexPage.objects.filter(pk=section_id).first()
        # A section the user may not explore lists nothing, like one that does not exist:
        # the listing below is limited to what the user may explore.
        return queryset.child_of(section) if section else queryset.none()


class SourceFilter(SimpleListFilter):
    """The agencies of the articles the user may explore, each once, none blank."""

    title = _("source")
    # The parameter Django's field filter used before: bookmarked listings still work.
    parameter_name = "source_name__exact"

    def lookups(self, request, model_admin):
        names = (
            explorable(MediaWireArticlePage.objects.exclude(source_name=""), request.user)
            .order_by("source_name")
            .values_list("source_name", flat=True)
            .distinct()
        )
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(source_name=self.value())
        return queryset


class StatusFilter(SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUSES.items())

    def queryset(self, request, queryset):
        if self.value() in STATUSES:
            return queryset.filter(_status_q(self.value()))
        return queryset


class ImportFilter(SimpleListFilter):
    """Articles from agency feeds: all of them, those an editor changed since, and those
    the agency changed since an editor did."""

    title = _("wire import")
    parameter_name = "import"

    def lookups(self, request, model_admin):
        return [
            ("imported", _("Imported")),
            ("edited", _("Edited after import")),
            ("updated", _("Updated at source")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "imported":
            return queryset.filter(wire_item__isnull=False)
        if self.value() == "edited":
            return queryset.filter(wire_item__isnull=False).exclude(
                latest_revision_id=F("wire_item__imported_revision_id")
            )
        if self.value() == "updated":
            return queryset.filter(wire_item__updated_at_source=True)
        return queryset


class ArticlePermissionHelper(PagePermissionHelper):
    """Lists articles only to users who may work on pages somewhere in the tree.

    modeladmin's own helper lists pages to anyone who can open the admin.
    """

    def user_can_list(self, user) -> bool:
        return PagePermissionPolicy().user_has_any_permission(user, {"add", "change", "publish"})


class ArticleIndexView(IndexView):
    """Reads only its own filters from the query string.

    modeladmin applies any other parameter as an ORM lookup (``?owner__email__startswith=``
    would filter on a field the listing does not show) and answers a server error for
    one it cannot use. Like Django's admin, which checks ``lookup_allowed``, this keeps
    the filters the listing offers and ignores the rest.
    """

    FILTER_PARAMS = frozenset({"section", "status", "import", "source_name__exact"})

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        return {key: value for key, value in lookup_params.items() if key in self.FILTER_PARAMS}


class ArticleButtonHelper(PageButtonHelper):
    """On each row, "Edit" (the page editor), and "View live" for live articles.

    Copy, unpublish and delete stay in the page editor: deciding whether to offer
    them checks locks and workflows, a few queries per row.
    """

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, **kwargs):
        exclude = {*(exclude or ()), "copy", "unpublish", "delete"}
        buttons = super().get_buttons_for_obj(
            obj, exclude=exclude, classnames_add=classnames_add, **kwargs
        )
        url = obj.get_url(request=self.request) if obj.live else None
        if url is not None:  # None: live, but under no site, so nowhere to view it
            buttons.append(
                {
                    "url": url,
                    "label": _("View live"),
                    "classname": self.finalise_classname(
                        ["button-secondary", *(classnames_add or ())]
                    ),
                    "title": _("View the live version of '%(title)s'") % {"title": obj.title},
                    "target": "_blank",
                    "rel": "noreferrer",
                }
            )
        return buttons


class ArticleSearchHandler(WagtailBackendSearchHandler):
    """Finds what Wagtail's own searches find: the start of a word of the title or the
    source, as the admin's page search does, and a whole word anywhere, the body
    included, as the site's search does.

    Both go through the site's search backend, over every article; the listing's own
    queryset then keeps its filters, permissions and newest-first order.
    """

    def search_queryset(self, queryset, search_term, backend=None, **kwargs):
        search_term = search_text(search_term)
        if not search_term.strip():
            return queryset
        backend = get_search_backend(backend or self.default_search_backend)
        # Only the primary key: the backend filters on the articles' own fields (the
        # listing's permission and status filters are not in its index), and no body
        # is loaded for a match.
        articles = queryset.model.objects.only("pk")
        matches = {
            article.pk
            for results in (
                backend.autocomplete(
                    search_term, articles, operator="and", order_by_relevance=False
                ),
                backend.search(search_term, articles, operator="and", order_by_relevance=False),
            )
            for article in results
        }
        return queryset.filter(pk__in=matches)


class ArticleAdmin(ModelAdmin):
    model = MediaWireArticlePage
    menu_label = _("Articles")
    menu_icon = "doc-full"
    list_display = ("title", "section", "source_name", "status", "first_published_at")
    list_filter = (SectionFilter, SourceFilter, StatusFilter, ImportFilter)
    search_handler_class = ArticleSearchHandler
    ordering = ("-first_published_at", "-pk")
    list_per_page = 50
    permission_helper_class = ArticlePermissionHelper
    button_helper_class = ArticleButtonHelper
    index_view_class = ArticleIndexView
    index_view_extra_css = ["wagtail_mediawire/css/admin-listing.css"]

    def get_queryset(self, request):
        # Only what the user may explore: the rows, the search, the source filter's
        # choices and the counts all come from here.
        # The section's title and what the status needs (a schedule, a workflow) come
        # in the listing's query and one prefetch, so the number of queries does not
        # grow with the page size.
        parent = BasePage.objects.filter(
            path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * BasePage.steplen)
        )
        articles = (
            explorable(super().get_queryset(request), request.user)
            .defer_streamfields()
            .annotate(section_title=Subquery(parent.values("title")[:1]))
        )
        return with_status(articles).order_by(F("first_published_at").desc(nulls_first=True), "-pk")

    @admin_display(description=_("section"))
    def section(self, obj) -> str:
        return obj.section_title or ""

    @admin_display(description=_("status"))
    def status(self, obj) -> str:
        # Wagtail's own tag, as its page listings show it: "live + draft",
        # "scheduled", "in moderation"…, linked to the live page.
        return render_to_string("wagtailadmin/shared/page_status_tag.html", {"page": obj})


class FeedPermissionHelper(PermissionHelper):
    """The wire feed model permissions, and for one feed, permission to add pages in
    its section: feed permissions alone never reach a section the user may not add to
    (``ingest/permissions.py``)."""

    def user_can_create(self, user) -> bool:
        return super().user_can_create(user) and sections_user_may_add_to(user).exists()

    def user_can_edit_obj(self, user, obj) -> bool:
        return super().user_can_edit_obj(user, obj) and may_add_in(user, obj.section)

    def user_can_delete_obj(self, user, obj) -> bool:
        return super().user_can_delete_obj(user, obj) and may_add_in(user, obj.section)

    def user_can_inspect_obj(self, user, obj) -> bool:
        return super().user_can_inspect_obj(user, obj) and may_add_in(user, obj.section)


class FeedButtonHelper(ButtonHelper):
    """Adds "Fetch now" for users who may change the feed."""

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, **kwargs):
        buttons = super().get_buttons_for_obj(
            obj, exclude=exclude, classnames_add=classnames_add, **kwargs
        )
        if not self.permission_helper.user_can_edit_obj(self.request.user, obj):
            return buttons
        if obj.polled:
            buttons.append(
                {
                    "url": self.url_helper.get_action_url("fetch", obj.pk),
                    "label": _("Fetch now"),
                    "classname": self.finalise_classname(["button-secondary", "button-small"]),
                    "title": _("Fetch %(feed)s now") % {"feed": obj},
                }
            )
        if obj.delivery == WireFeed.Delivery.PUSH:
            buttons.append(
                {
                    "url": self.url_helper.get_action_url("push_secret", obj.pk),
                    "label": _("New push secret"),
                    "classname": self.finalise_classname(["button-secondary", "button-small"]),
                    "title": _("A new push secret for %(feed)s") % {"feed": obj},
                }
            )
        return buttons


class FeedHistoryView(HistoryView):
    """A feed's history, for whoever may change the feed.

    modeladmin's own history view checks no permission at all.
    """

    def check_action_permitted(self, user) -> bool:
        return self.permission_helper.user_can_edit_obj(user, self.instance)


def _when(value) -> str:
    return date_filter(localtime(value), "DATETIME_FORMAT")


def websub_state(feed: WireFeed) -> str:
    """Where the feed's WebSub subscription stands, in a line."""
    try:
        subscription = feed.websub
    except WebSubSubscription.DoesNotExist:
        return _("not subscribed yet: fetched on schedule")
    now = timezone.now()
    if subscription.is_live(now):
        line = _("subscribed at %(hub)s until %(end)s") % {
            "hub": subscription.hub,
            "end": _when(subscription.lease_ends_at),
        }
    elif subscription.pending and subscription.requested_at:
        if subscription.requested_at > now - SILENT_AFTER:
            line = _("asked %(hub)s at %(when)s; waiting for it to confirm") % {
                "hub": subscription.hub,
                "when": _when(subscription.requested_at),
            }
        else:
            line = _("%(hub)s has not confirmed since %(when)s: fetched on schedule") % {
                "hub": subscription.hub,
                "when": _when(subscription.requested_at),
            }
    else:
        line = _("not subscribed: fetched on schedule")
    if subscription.error:
        line = f"{line} ({subscription.error[:300]})"
    return line


def claim_message(feed: WireFeed) -> str:
    """What holds the feed while a worker's claim lasts, or "" when nothing does."""
    if feed.fetching_since is None:
        return ""
    since = _when(feed.fetching_since)
    if feed.state == "fetching":
        return _("fetching since %(since)s") % {"since": since}
    if feed.claim_held():
        return _(
            "claimed since %(since)s (a worker may have stopped; the feed is freed at %(freed)s)"
        ) % {"since": since, "freed": _when(feed.claim_freed_at)}
    return _(
        "claimed since %(since)s by a worker that seems to have stopped; the next fetch "
        "takes the feed over"
    ) % {"since": since}


class FetchFeedView(InstanceSpecificView):
    """Asks, then enqueues a fetch of the feed on the site's task backend.

    While a worker's claim holds the feed, a queued fetch would only be skipped: the
    view says what holds it instead of saying it was queued.
    """

    page_title = _("Fetch now")

    def check_action_permitted(self, user) -> bool:
        return self.permission_helper.user_can_edit_obj(user, self.instance)

    @method_decorator(login_required)
    def dispatch(self, request, *args, **kwargs):
        if not self.check_action_permitted(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        return ["wagtail_mediawire/admin/fetch_feed.html"]

    def held_message(self) -> str:
        """Why a fetch now would be skipped, or "" when it would run."""
        feed = self.instance
        if not feed.claim_held():
            return ""
        if feed.state == "fetching":
            return _(
                "%(feed)s is being fetched (since %(since)s): its state updates when that "
                "fetch is done."
            ) % {"feed": feed, "since": _when(feed.fetching_since)}
        return _(
            "%(feed)s has been claimed since %(since)s by a worker that may have stopped. "
            "The claim is freed at %(freed)s: fetch it again then."
        ) % {"feed": feed, "since": _when(feed.fetching_since), "freed": _when(feed.claim_freed_at)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(held=self.held_message(), **kwargs)

    def post(self, request, *args, **kwargs):
        if held := self.held_message():
            messages.warning(request, _("Nothing was queued. %(why)s") % {"why": held})
            return redirect(self.index_url)
        enqueue_fetch(self.instance.pk)
        messages.success(
            request,
            _("A fetch of %(feed)s has been queued; its state updates when it is done.")
            % {"feed": self.instance},
        )
        return redirect(self.index_url)


def endpoint_url(feed: WireFeed, name: str, request=None) -> str:
    """The absolute address of one of the feed's push endpoints, or its path when no
    request or ``WAGTAILADMIN_BASE_URL`` says the host; "" when the site has not
    included ``wagtail_mediawire.urls``."""
    try:
        path = reverse(name, args=[feed.pk])
    except NoReverseMatch:
        return ""
    if request is not None:
        return request.build_absolute_uri(path)
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return base.rstrip("/") + path


def show_secret(request, model_admin, feed: WireFeed, secret: str) -> TemplateResponse:
    """The page that shows a new push secret, the one time it is shown."""
    response = TemplateResponse(
        request,
        "wagtail_mediawire/admin/push_secret.html",
        {
            "view": {"index_url": model_admin.url_helper.index_url},
            "instance": feed,
            "secret": secret,
            "push_url": endpoint_url(feed, "wagtail_mediawire_push", request),
            "header": SIGNATURE_HEADER,
            "grace_until": feed.push_secret_previous_until if feed.push_secret_previous else None,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class PushSecretView(InstanceSpecificView):
    """Asks, then gives the feed a new push secret and shows it, once. The one it
    replaces still signs deliveries for PUSH_SECRET_GRACE_SECONDS."""

    page_title = _("New push secret")

    def check_action_permitted(self, user) -> bool:
        return self.permission_helper.user_can_edit_obj(user, self.instance)

    @method_decorator(login_required)
    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        if not self.check_action_permitted(request.user):
            raise PermissionDenied
        if self.instance.delivery != WireFeed.Delivery.PUSH:
            messages.warning(request, _("%(feed)s is not a push feed.") % {"feed": self.instance})
            return redirect(self.index_url)
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        return ["wagtail_mediawire/admin/push_secret.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            push_url=endpoint_url(self.instance, "wagtail_mediawire_push", self.request),
            grace_seconds=get_setting("PUSH_SECRET_GRACE_SECONDS"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        secret = rotate_secret(self.instance)
        return show_secret(request, self.model_admin, self.instance, secret)


class _ShowsNewSecret:
    """Saving a push feed that has no secret yet gives it one, and shows it at once."""

    def form_valid(self, form):
        response = super().form_valid(form)
        feed = form.instance
        if feed.delivery == WireFeed.Delivery.PUSH and not feed.push_secret:
            return show_secret(self.request, self.model_admin, feed, rotate_secret(feed))
        return response


class FeedCreateView(_ShowsNewSecret, CreateView):
    pass


class FeedEditView(_ShowsNewSecret, EditView):
    pass


STATE_LABELS = {
    "ok": _("OK"),
    "new": _("not fetched yet"),
    "inactive": _("inactive"),
    "failing": _("failing"),
    # Not a state of its own: an active feed, neither failing nor held by a worker, that
    # brought nothing new for longer than its quiet_after.
    "quiet": _("quiet since %(when)s"),
}
NOTES_SHOWN = 5


class WireFeedAdmin(ModelAdmin):
    model = WireFeed
    menu_label = _("Feeds")
    menu_icon = "rss"
    list_display = ("name", "section", "state", "delivery_state", "last_fetched_at", "last_counts")
    list_filter = ("is_active",)
    search_fields = ("name", "source_name", "url")
    permission_helper_class = FeedPermissionHelper
    button_helper_class = FeedButtonHelper
    history_view_class = FeedHistoryView
    create_view_class = FeedCreateView
    edit_view_class = FeedEditView
    edit_handler = ObjectList(WireFeed.panels, base_form_class=WireFeedForm)

    def get_queryset(self, request):
        # Only the feeds of the user's sections: the rows, the search and the counts.
        return feeds_for(request.user, super().get_queryset(request)).select_related(
            "section", "websub"
        )

    @admin_display(description=_("state"))
    def state(self, obj) -> str:
        if obj.state in ("fetching", "stalled"):
            classname = "primary" if obj.state == "fetching" else "label"
            return format_html(
                '<span class="w-status w-status--{}">{}</span>', classname, claim_message(obj)
            )
        label = STATE_LABELS[obj.state]
        if obj.state == "failing":
            since = _when(obj.failing_since) if obj.failing_since else ""
            return format_html(
                '<span class="w-status w-status--label">{}</span><br>{}',
                _("failing since %(when)s") % {"when": since} if since else label,
                obj.last_error[:300],
            )
        # A pushed feed is never fetched, so "not fetched yet" may be quiet as well.
        quiet_since = obj.quiet_since()
        if quiet_since is not None:
            state = format_html(
                '<span class="w-status w-status--label">{}</span>',
                STATE_LABELS["quiet"] % {"when": _when(quiet_since)},
            )
        else:
            state = format_html('<span class="w-status w-status--primary">{}</span>', label)
        if obj.last_warning:
            # Read, but not as the agency said (bytes against their declared encoding…).
            return format_html(
                '{}<br><span class="w-status w-status--label">{}</span> {}',
                state,
                _("warning"),
                obj.last_warning[:300],
            )
        return state

    @admin_display(description=_("delivery"))
    def delivery_state(self, obj) -> str:
        """How the feed's items arrive, where they are pushed to, and the last delivery."""
        lines = [obj.get_delivery_display()]
        if obj.delivery == WireFeed.Delivery.PUSH:
            url = endpoint_url(obj, "wagtail_mediawire_push")
            lines.append(url or _("include wagtail_mediawire.urls in the site's URLconf"))
            if not obj.push_secret:
                lines.append(_("no push secret yet: choose “New push secret”"))
        elif obj.delivery == WireFeed.Delivery.WEBSUB:
            lines.append(websub_state(obj))
        if obj.last_delivery_at is not None:
            result = obj.last_delivery_result.splitlines()[0] if obj.last_delivery_result else ""
            lines.append(
                _("last delivery %(when)s: %(result)s")
                % {"when": _when(obj.last_delivery_at), "result": result[:300]}
            )
        elif obj.delivery != WireFeed.Delivery.POLL:
            lines.append(_("no delivery yet"))
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    @admin_display(description=_("last fetch"))
    def last_counts(self, obj) -> str:
        if obj.last_success_at is None:
            return ""
        counts = _("%(new)d new, %(updated)d updated, %(skipped)d skipped") % {
            "new": obj.last_imported,
            "updated": obj.last_updated,
            "skipped": obj.last_skipped,
        }
        return format_html("{}{}", counts, self._notes(obj))

    def _notes(self, obj) -> str:
        """The last fetch's notes (why an image or an item was not imported…), the
        first few: the count of the others is enough in a listing."""
        notes = obj.last_notes.splitlines()
        if not notes:
            return ""
        shown = format_html_join("", "<li>{}</li>", ((note[:300],) for note in notes[:NOTES_SHOWN]))
        more = len(notes) - NOTES_SHOWN
        if more > 0:
            others = ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more}
            shown += format_html("<li>{}</li>", others)
        return format_html('<ul class="mediawire-feed-notes">{}</ul>', shown)

    def fetch_view(self, request, instance_pk):
        return FetchFeedView.as_view(model_admin=self, instance_pk=instance_pk)(request)

    def push_secret_view(self, request, instance_pk):
        return PushSecretView.as_view(model_admin=self, instance_pk=instance_pk)(request)

    def get_admin_urls_for_registration(self):
        return (
            *super().get_admin_urls_for_registration(),
            *(
                re_path(
                    self.url_helper.get_action_url_pattern(action),
                    view,
                    name=self.url_helper.get_action_url_name(action),
                )
                for action, view in (
                    ("fetch", self.fetch_view),
                    ("push_secret", self.push_secret_view),
                )
            ),
        )


class MediaWireAdminGroup(ModelAdminGroup):
    """The Wire queue, Articles, Disclaimers and Feeds, in that order, each shown to
    whoever may use it.

    Disclaimers are a snippet: their viewset makes their menu item (with its own
    permission check) and this group holds it instead of the main menu.
    """

    menu_label = _("Media Wire")
    menu_icon = "openquote"
    menu_order = 200
    items = (ArticleAdmin, WireFeedAdmin)

    def get_submenu_items(self) -> list[MenuItem]:
        from .queue import menu_item as wire_queue_menu_item  # the queue is no modeladmin

        articles, feeds = self.modeladmin_instances
        items = [wire_queue_menu_item(order=0), articles.get_menu_item(order=1)]
        disclaimers = getattr(Disclaimer, "snippet_viewset", None)
        if disclaimers is not None:
            items.append(disclaimers.get_menu_item(order=2))
        items.append(feeds.get_menu_item(order=3))
        return items
