"""The "Media Wire" admin menu group, built with wagtail-modeladmin.

wagtail-modeladmin is in maintenance mode: everything that depends on it lives in
this module, so that moving to Wagtail's own PageListingViewSet is one file's change.
"""

from django.contrib import messages
from django.contrib.admin import SimpleListFilter
from django.contrib.admin import display as admin_display
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Substr
from django.shortcuts import redirect
from django.template.defaultfilters import date as date_filter
from django.urls import re_path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail_modeladmin.helpers import ButtonHelper, PageButtonHelper, PagePermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import IndexView, InstanceSpecificView

from .models import MediaWireArticlePage, MediaWireIndexPage, WireFeed
from .validators import positive_id

STATUSES = {
    "live": _("live"),
    "scheduled": _("scheduled"),
    "draft": _("draft"),
}


def _status_q(status: str) -> Q:
    now = timezone.now()
    scheduled = Q(live=False, go_live_at__gt=now)
    return {
        "live": Q(live=True),
        "scheduled": scheduled,
        "draft": Q(live=False) & ~scheduled,
    }[status]


def explorable(queryset, user):
    """Only the pages ``user`` may explore, as Wagtail's own page listings and search show."""
    if user.is_active and user.is_superuser:
        return queryset
    pages = PagePermissionPolicy().explorable_instances(user)
    return queryset.filter(pk__in=pages.values("pk"))


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
            ("imported", _("imported")),
            ("edited", _("edited after import")),
            ("updated", _("updated at source")),
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

    FILTER_PARAMS = frozenset(
        {"section", "status", "import", "source_name__exact", "source_name__isnull"}
    )

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        return {key: value for key, value in lookup_params.items() if key in self.FILTER_PARAMS}


class ArticleButtonHelper(PageButtonHelper):
    """Only "Edit" (the page editor) on each row.

    Copy, unpublish and delete stay in the page editor: deciding whether to offer
    them checks locks and workflows, a few queries per row.
    """

    def get_buttons_for_obj(self, obj, exclude=None, **kwargs):
        exclude = {*(exclude or ()), "copy", "unpublish", "delete"}
        return super().get_buttons_for_obj(obj, exclude=exclude, **kwargs)


class ArticleAdmin(ModelAdmin):
    model = MediaWireArticlePage
    menu_label = _("Articles")
    menu_icon = "doc-full"
    list_display = ("title", "section", "source_name", "status", "first_published_at")
    list_filter = (SectionFilter, "source_name", StatusFilter, ImportFilter)
    search_fields = ("title", "source_name")
    ordering = ("-first_published_at", "-pk")
    list_per_page = 50
    permission_helper_class = ArticlePermissionHelper
    button_helper_class = ArticleButtonHelper
    index_view_class = ArticleIndexView

    def get_queryset(self, request):
        # Only what the user may explore: the rows, the search, the source filter's
        # choices and the counts all come from here.
        # The section's title and the status are computed in the listing's one query,
        # so the number of queries does not grow with the page size.
        parent = Page.objects.filter(
            path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Page.steplen)
        )
        now = timezone.now()
        return (
            explorable(super().get_queryset(request), request.user)
            .defer_streamfields()
            .annotate(
                section_title=Subquery(parent.values("title")[:1]),
                status_code=Case(
                    When(live=True, then=Value("live")),
                    When(go_live_at__gt=now, then=Value("scheduled")),
                    default=Value("draft"),
                    output_field=CharField(),
                ),
            )
            .order_by(F("first_published_at").desc(nulls_first=True), "-pk")
        )

    @admin_display(description=_("section"))
    def section(self, obj) -> str:
        return obj.section_title or ""

    @admin_display(description=_("status"))
    def status(self, obj) -> str:
        return STATUSES[obj.status_code]


class FeedButtonHelper(ButtonHelper):
    """Adds "Fetch now" for users who may change the feed."""

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, **kwargs):
        buttons = super().get_buttons_for_obj(
            obj, exclude=exclude, classnames_add=classnames_add, **kwargs
        )
        if self.permission_helper.user_can_edit_obj(self.request.user, obj):
            buttons.append(
                {
                    "url": self.url_helper.get_action_url("fetch", obj.pk),
                    "label": _("Fetch now"),
                    "classname": self.finalise_classname(["button-secondary", "button-small"]),
                    "title": _("Fetch %(feed)s now") % {"feed": obj},
                }
            )
        return buttons


class FetchFeedView(InstanceSpecificView):
    """Asks, then enqueues a fetch of the feed on the site's task backend."""

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

    def post(self, request, *args, **kwargs):
        from .tasks import enqueue_fetch

        enqueue_fetch(self.instance.pk)
        messages.success(
            request,
            _("A fetch of %(feed)s has been queued; its state updates when it is done.")
            % {"feed": self.instance},
        )
        return redirect(self.index_url)


STATE_LABELS = {
    "ok": _("OK"),
    "new": _("not fetched yet"),
    "inactive": _("inactive"),
    "failing": _("failing"),
}


class WireFeedAdmin(ModelAdmin):
    model = WireFeed
    menu_label = _("Feeds")
    menu_icon = "rss"
    list_display = ("name", "section", "state", "last_fetched_at", "last_counts")
    list_filter = ("is_active",)
    search_fields = ("name", "source_name", "url")
    button_helper_class = FeedButtonHelper

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section")

    @admin_display(description=_("state"))
    def state(self, obj) -> str:
        label = STATE_LABELS[obj.state]
        if obj.state == "failing":
            since = date_filter(obj.failing_since, "DATETIME_FORMAT") if obj.failing_since else ""
            return format_html(
                '<span class="w-status w-status--label">{}</span><br>{}',
                _("failing since %(when)s") % {"when": since},
                obj.last_error[:300],
            )
        return format_html('<span class="w-status w-status--primary">{}</span>', label)

    @admin_display(description=_("last fetch"))
    def last_counts(self, obj) -> str:
        if obj.last_success_at is None:
            return ""
        return _("%(new)d new, %(updated)d updated, %(skipped)d skipped") % {
            "new": obj.last_imported,
            "updated": obj.last_updated,
            "skipped": obj.last_skipped,
        }

    def fetch_view(self, request, instance_pk):
        return FetchFeedView.as_view(model_admin=self, instance_pk=instance_pk)(request)

    def get_admin_urls_for_registration(self):
        return (
            *super().get_admin_urls_for_registration(),
            re_path(
                self.url_helper.get_action_url_pattern("fetch"),
                self.fetch_view,
                name=self.url_helper.get_action_url_name("fetch"),
            ),
        )


class MediaWireAdminGroup(ModelAdminGroup):
    menu_label = _("Media Wire")
    menu_icon = "openquote"
    menu_order = 200
    items = (ArticleAdmin, WireFeedAdmin)
