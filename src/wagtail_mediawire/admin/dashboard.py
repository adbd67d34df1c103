"""The wire desk's panel on the Wagtail dashboard: imported drafts waiting for review
and feeds whose last fetch failed, each linking to where it is dealt with."""

from typing import Any

from django.urls import reverse
from wagtail.admin.ui.components import Component
from wagtail.permission_policies.pages import PagePermissionPolicy

from ..ingest.permissions import feeds_for
from ..models import MediaWireArticlePage

SHOWN = 10


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
        failing = []
        if user.has_perm("wagtail_mediawire.change_wirefeed"):
            failing = list(
                feeds_for(user).filter(is_active=True).exclude(last_error="").order_by("name")
            )
        return {
            "drafts": [
                (draft, reverse("wagtailadmin_pages:edit", args=[draft.pk])) for draft in drafts
            ],
            "failing": [
                (feed, reverse("wagtail_mediawire_wirefeed_modeladmin_edit", args=[feed.pk]))
                for feed in failing
            ],
        }

    def render_html(self, parent_context: Any = None) -> str:
        context = self.get_context_data(parent_context)
        if not context["drafts"] and not context["failing"]:
            return ""
        return super().render_html(parent_context)
