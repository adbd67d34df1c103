"""Media Wire > Wire queue: every story the feeds brought, newest first, with what
became of it, and the desk's actions on it (open the draft, publish, merge, discard).
A story several items tell (``ingest/stories.py``) is one row: its newest item, "also
from" the others' agencies.

Wagtail's own listing (``generic.IndexView``, its filters, its bulk actions); the rules
behind each action are in ``ingest/queue.py``.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    DateColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView

from ..ingest.queue import (
    QueueStatus,
    also_from,
    article_of,
    attach_story_items,
    discard,
    filtered,
    items_for,
    may_use_queue,
    merge,
    one_per_story,
    publish,
    status_label,
    story_items,
)
from ..models import WireFeed, WireItem, WireSubject

URL_NAME = "wagtail_mediawire_wire_queue"
PER_PAGE = 50
OBJ_TYPE = "wireitem"  # the bulk actions' name for a row (its title's id, its checkbox)

# No Publish button: discarded, or withdrawn by the agency (publishing is refused).
NOT_PUBLISHABLE = {QueueStatus.DISCARDED, QueueStatus.KILLED, QueueStatus.WITHHELD}


def _urgency_choices() -> list[tuple[str, str]]:
    return [("1", _("1 (flash)"))] + [
        (str(n), _("1 to %(urgency)d") % {"urgency": n}) for n in range(2, 10)
    ]


class WireQueueFilterSet(WagtailFilterSet):
    """The side panel's filters; each lists only what the user's own items hold."""

    feed = ModelChoiceFilter(
        label=_("Agency"),
        queryset=lambda request: WireFeed.objects.filter(
            pk__in=items_for(request.user).values("feed_id")
        ).order_by("name"),
        empty_label=_("All"),
    )
    urgency = ChoiceFilter(
        label=_("Urgency"),
        choices=_urgency_choices,
        method="filter_urgency",
        empty_label=_("Any"),
        widget=forms.RadioSelect,
    )
    status = ChoiceFilter(
        label=_("Status"),
        choices=QueueStatus.choices,
        method="filter_status",
        empty_label=_("All but discarded"),
        widget=forms.RadioSelect,
    )
    language = ChoiceFilter(label=_("Language"), empty_label=_("All"))
    subject = ModelChoiceFilter(
        label=_("Subject"),
        field_name="subjects",
        queryset=lambda request: WireSubject.objects.filter(
            pk__in=items_for(request.user).values("subjects")
        ),
        empty_label=_("All"),
    )

    class Meta:
        model = WireItem
        fields = []

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        # The languages of the user's items, read when the form is shown (callable).
        self.filters["language"].extra["choices"] = lambda: [
            (code, code)
            for code in items_for(request.user)
            .exclude(language="")
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        ]

    def filter_urgency(self, queryset, name, value):
        return queryset.filter(urgency__lte=int(value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(queue_status=value)


def _permissions(item, user):
    """Wagtail's permission tester for the item's article (None without one), kept on
    the row: it reads the user's page permissions, which Wagtail caches on the user."""
    if not hasattr(item, "_queue_permissions"):
        article = article_of(item)
        item._queue_permissions = article.permissions_for_user(user) if article else None
    return item._queue_permissions


def _edit_url(item, user) -> str | None:
    permissions = _permissions(item, user)
    if permissions is not None and permissions.can_edit():
        return reverse("wagtailadmin_pages:edit", args=[article_of(item).pk])
    return None


def _may_publish(item, user) -> bool:
    """Whether the row offers Publish: there is something to publish, and the user may."""
    permissions = _permissions(item, user)
    if permissions is None or item.queue_status in NOT_PUBLISHABLE:
        return False
    article = article_of(item)
    if article.live and not article.has_unpublished_changes:
        return False
    return permissions.can_publish()


def _listing_url(request) -> str:
    """Where an action returns: the listing with its filters and page, also when the
    row was rendered by the results view (the filters' refresh)."""
    query = request.GET.copy()
    query.pop("_w_filter_fragment", None)
    return reverse(URL_NAME) + (f"?{query.urlencode()}" if query else "")


class ActionsColumn(Column):
    """Edit draft, Publish and Discard: the two that change something are POST forms."""

    cell_template_name = "wagtail_mediawire/admin/queue/actions_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        user = request.user
        context.update(
            csrf_token=get_token(request),
            next_url=_listing_url(request),
            edit_url=_edit_url(instance, user),
            publish_url=(
                reverse(f"{URL_NAME}_publish", args=[instance.pk])
                if _may_publish(instance, user)
                else None
            ),
            discard_url=(
                reverse(f"{URL_NAME}_discard", args=[instance.pk])
                if instance.discarded_at is None
                else None
            ),
            merge_url=(
                reverse(f"{URL_NAME}_merge", args=[instance.pk])
                if getattr(instance, "story_items", None) and instance.discarded_at is None
                else None
            ),
            live=getattr(article_of(instance), "live", False),
            # Screen readers hear which item each "Publish" or "Discard" is for.
            title_id=f"{OBJ_TYPE}_{instance.pk}_title",
        )
        return context


class AgencyColumn(Column):
    """The row's agency, and the story's others ("also from …")."""

    cell_template_name = "wagtail_mediawire/admin/queue/agency_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["also_from"] = also_from(instance) if hasattr(instance, "story_items") else ""
        return context


class ArticleColumn(Column):
    """The article the item became, and whether it is live."""

    cell_template_name = "wagtail_mediawire/admin/queue/article_cell.html"


class WireQueueView(IndexView):
    model = WireItem
    page_title = _("Wire queue")
    header_icon = "list-ul"
    index_url_name = URL_NAME
    index_results_url_name = f"{URL_NAME}_results"
    template_name = "wagtail_mediawire/admin/queue/index.html"
    results_template_name = "wagtail_mediawire/admin/queue/index_results.html"
    filterset_class = WireQueueFilterSet
    # The rows' own permissions (their sections), not model permissions on wire items.
    permission_policy = None
    any_permission_required = None
    paginate_by = PER_PAGE
    default_ordering = ("-received_at", "-pk")
    search_fields = ["title"]
    is_searchable = True
    verbose_name = _("wire item")
    verbose_name_plural = _("wire items")

    def dispatch(self, request, *args, **kwargs):
        if not may_use_queue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return (
            items_for(self.request.user)
            .select_related("feed", "section", "article", "merged_into")
            .defer(
                "text",
                "source_text",
                "source_title",
                "signature",
                "article__body",
                "merged_into__body",
            )
        )

    def filter_queryset(self, queryset):
        # The status is an annotation that the filters and the rows read.
        return filtered(queryset, self.filters)

    def search_queryset(self, queryset):
        # A story is shown once: as its newest item that the filters and the search
        # let through.
        return one_per_story(super().search_queryset(queryset))

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        rows = list(rows)
        attach_story_items(rows, items_for(self.request.user).filter(discarded_at__isnull=True))
        page.object_list = rows
        return paginator, page, rows, is_paginated

    @cached_property
    def columns(self):
        user = self.request.user
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type=OBJ_TYPE),
            TitleColumn(
                "title",
                label=_("Title"),
                accessor=str,
                classname="mediawire-queue-title",
                get_url=lambda item: _edit_url(item, user),
                get_title_id=lambda item: f"{OBJ_TYPE}_{item.pk}_title",
            ),
            AgencyColumn("agency", label=_("Agency"), accessor="feed"),
            Column("urgency", label=_("Urgency")),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor=lambda item: status_label(item, item.queue_status),
                primary=lambda item: item.queue_status in (QueueStatus.NEW, QueueStatus.PUBLISHED),
            ),
            DateColumn("received_at", label=_("Received")),
            Column("section", label=_("Section"), accessor="section.title"),
            ArticleColumn("article", label=_("Article"), accessor=article_of),
            Column("decided_by", label=_("Decided by")),
            ActionsColumn("actions", label=_("Actions")),
        ]


def _item_for(request, pk: int) -> WireItem:
    """The item, if ``request.user`` sees it; else 404, as for one that does not exist."""
    if not may_use_queue(request.user):
        raise PermissionDenied
    items = items_for(request.user).select_related("article", "merged_into")
    return get_object_or_404(items, pk=pk)


def _back(request):
    return redirect(get_valid_next_url_from_request(request) or reverse(URL_NAME))


def _report(request, outcome) -> None:
    (messages.success if outcome.ok else messages.error)(request, outcome.message)


@require_POST
def publish_view(request, pk: int):
    _report(request, publish(_item_for(request, pk), request.user))
    return _back(request)


@require_POST
def discard_view(request, pk: int):
    """Discard the row: the item and the other items of its story the user sees."""
    item = _item_for(request, pk)
    others = [other for other in story_items(item, request.user) if other.pk != item.pk]
    outcome = discard(item, request.user)
    _report(request, outcome)
    if outcome.ok and others:
        for other in others:
            discard(other, request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d other report of the story was discarded with it.",
                "%(count)d other reports of the story were discarded with it.",
                len(others),
            )
            % {"count": len(others)},
        )
    return _back(request)


def merge_view(request, pk: int):
    """Merge the row's story into one draft: the editor picks whose text it takes."""
    item = _item_for(request, pk)
    items = story_items(item, request.user)
    if request.method == "POST":
        chosen = next((i for i in items if str(i.pk) == request.POST.get("text_from")), None)
        if chosen is None:
            messages.error(request, _("Choose the report whose text the article takes."))
        else:
            outcome = merge(chosen, items, request.user)
            _report(request, outcome)
            if outcome.ok:
                return redirect("wagtailadmin_pages:edit", outcome.article.pk)
            return _back(request)
    return TemplateResponse(
        request,
        "wagtail_mediawire/admin/queue/merge.html",
        {
            "item": item,
            "items": items,
            "chosen": request.POST.get("text_from") or str(item.pk),
            "next_url": get_valid_next_url_from_request(request) or reverse(URL_NAME),
        },
    )


def urlpatterns() -> list:
    """The queue's admin URLs (``register_admin_urls``)."""
    return [
        path("wagtail_mediawire/wire-queue/", WireQueueView.as_view(), name=URL_NAME),
        path(
            "wagtail_mediawire/wire-queue/results/",
            WireQueueView.as_view(results_only=True),
            name=f"{URL_NAME}_results",
        ),
        path(
            "wagtail_mediawire/wire-queue/<int:pk>/publish/",
            publish_view,
            name=f"{URL_NAME}_publish",
        ),
        path(
            "wagtail_mediawire/wire-queue/<int:pk>/discard/",
            discard_view,
            name=f"{URL_NAME}_discard",
        ),
        path(
            "wagtail_mediawire/wire-queue/<int:pk>/merge/",
            merge_view,
            name=f"{URL_NAME}_merge",
        ),
    ]


class WireQueueMenuItem(MenuItem):
    """Media Wire > Wire queue, for whoever may work on articles somewhere."""

    def is_shown(self, request) -> bool:
        return may_use_queue(request.user)


def menu_item(order: int = 0) -> MenuItem:
    return WireQueueMenuItem(
        _("Wire queue"), reverse_lazy(URL_NAME), name="wire-queue", icon_name="list-ul", order=order
    )


class DiscardBulkAction(BulkAction):
    """Discard the selected items (Wagtail's bulk actions): each as ``discard`` does."""

    display_name = _("Discard")
    action_type = "discard"
    aria_label = _("Discard the selected items")
    template_name = "wagtail_mediawire/admin/queue/confirm_bulk_discard.html"
    action_priority = 30
    classes = {"serious"}
    models = [WireItem]

    @classmethod
    def get_queryset(cls, model, object_ids):
        if not isinstance(object_ids, QuerySet):  # ids from the query string: not "abc"
            object_ids = [pk for pk in object_ids if str(pk).isdigit()]
        return list(model.objects.filter(pk__in=object_ids).order_by("-received_at", "-pk"))

    def get_all_objects_in_listing_query(self, parent_id):
        # "Select all in listing": the listing's own filters are in the query string.
        filters = WireQueueFilterSet(self.request.GET, request=self.request)
        return filtered(items_for(self.request.user), filters).values_list("pk", flat=True)

    @cached_property
    def _visible(self) -> set[int]:
        ids = self.request.GET.getlist("id")
        items = filtered(items_for(self.request.user))
        if "all" not in ids:
            items = items.filter(pk__in=[pk for pk in ids if pk.isdigit()])
        return set(items.values_list("pk", flat=True))

    def check_perm(self, obj) -> bool:
        # Only the user's items, not discarded yet: one query for the whole selection.
        return may_use_queue(self.request.user) and obj.pk in self._visible

    def get_execution_context(self):
        return {"user": self.request.user}

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        # Each row is a story: its other items (that the user sees) go with it.
        every = {other.pk: other for item in objects for other in story_items(item, user)}
        outcomes = [discard(item, user) for item in every.values()]
        return len(every), sum(outcome.deleted_draft for outcome in outcomes)

    def get_success_message(self, num_parent_objects, num_child_objects):
        message = ngettext(
            "%(count)d wire item discarded.", "%(count)d wire items discarded.", num_parent_objects
        ) % {"count": num_parent_objects}
        if num_child_objects:
            message += " " + ngettext(
                "%(count)d untouched draft deleted.",
                "%(count)d untouched drafts deleted.",
                num_child_objects,
            ) % {"count": num_child_objects}
        return message
