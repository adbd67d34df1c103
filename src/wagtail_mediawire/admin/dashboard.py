"""The wire desk's panel on the Wagtail dashboard: imported drafts waiting for review
and feeds needing attention (failing, or quiet for longer than they should be), each
linking to where it is dealt with."""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component
from wagtail.permission_policies.pages import PagePermissionPolicy

from ..ingest.health import needing_attention
from ..ingest.permissions import feeds_for
from ..ingest.queue import QueueStatus, filtered, items_for, may_use_queue
from ..models import MediaWireArticlePage

SHOWN = 10
# Withdrawals stay on the dashboard this long: long enough to be seen, then the history.
WITHDRAWN_SHOWN_FOR = timedelta(days=7)


class WireDeskPanel(Component):
    name = "mediawire_wire_desk"
    template_name = "wagtail_mediawire/admin/dashboard_panel.html"
    order = 150

    def __init__(self, request) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any = None) -> dict:
        user = self.request.user
        # Drafts the user may edit, newest import first; one query whatever is shown.
        drafts = MediaWireArticlePage.objects.filter(live=False, wire_item__isnull=False)
        if not user.is_superuser:
            editable = PagePermissionPolicy().instances_user_has_any_permission_for(
                user, {"change"}
            )
            drafts = drafts.filter(pk__in=editable.values("pk"))
        drafts = list(
            drafts.select_related("wire_item__feed")
            .defer_streamfields()
            .order_by("-wire_item__imported_at")[:SHOWN]
        )
        # What agencies said since of articles the user may edit: corrections waiting for
        # review, and recent withdrawals. One query each.
        articles = MediaWireArticlePage.objects.all()
        if not user.is_superuser:
            articles = articles.filter(pk__in=editable.values("pk"))
        corrections = list(
            articles.filter(wire_item__correction_revision__isnull=False)
            .select_related("wire_item__feed")
            .defer_streamfields()
            .order_by("-wire_item__correction_revision__created_at")[:SHOWN]
        )
        withdrawn = list(
            articles.filter(wire_item__withdrawn_at__gte=timezone.now() - WITHDRAWN_SHOWN_FOR)
            .select_related("wire_item")
            .defer_streamfields()
            .order_by("-wire_item__withdrawn_at")[:SHOWN]
        )
        # Feeds that fail or have gone quiet, of the user's sections: one query.
        attention = []
        if user.has_perm("wagtail_mediawire.change_wirefeed"):
            attention = needing_attention(feeds_for(user))
        # The way into the wire queue, with what waits there: one query.
        queue = None
        if may_use_queue(user):
            waiting = filtered(items_for(user)).filter(queue_status=QueueStatus.NEW).count()
            queue = {"url": reverse("wagtail_mediawire_wire_queue"), "new": waiting}
        return {
            "queue": queue,
            "drafts": [
                (draft, reverse("wagtailadmin_pages:edit", args=[draft.pk])) for draft in drafts
            ],
            "corrections": [
                (
                    page,
                    reverse(
                        "wagtailadmin_pages:revisions_compare",
                        args=[page.pk, "live", page.wire_item.correction_revision_id],
                    ),
                )
                for page in corrections
            ],  # fmt: skip
            "withdrawn": [
                (page, reverse("wagtailadmin_pages:edit", args=[page.pk])) for page in withdrawn
            ],
            "attention": [
                (
                    problem,
                    reverse("wagtail_mediawire_wirefeed_modeladmin_edit", args=[problem.feed.pk]),
                )
                for problem in attention
            ],
        }

    def render_html(self, parent_context: Any = None) -> str:
        context = self.get_context_data(parent_context)
        shown = ("queue", "drafts", "attention", "corrections", "withdrawn")
        if not any(context[key] for key in shown):
            return ""
        return super().render_html(parent_context)
