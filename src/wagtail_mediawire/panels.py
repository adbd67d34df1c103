"""Editor panels: where an imported article came from, and whether it still says what
the agency sent."""

from typing import Any

from django.urls import reverse
from wagtail.admin.panels import Panel

from .text import iter_raw_paragraphs

# The other reports of the article's story listed at most.
STORY_SHOWN = 20


def _normalised(html: str) -> str:
    return " ".join(html.split())


class ProvenancePanel(Panel):
    """Shown on imported articles only: the feed and time of import, a notice when the
    body's text no longer matches the agency's (with a link to compare the revisions),
    and the agency's newer version when it changed the report after an editor did."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_mediawire/admin/provenance_panel.html"

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.record = None
            self.merged: list = []
            self.story: list = []
            if self.instance is not None and self.instance.pk:
                # The item model through the article's own ``wire_item`` relation: the
                # page models import this module, not the other way round.
                items = type(self.instance)._meta.get_field("wire_item").related_model
                self.record = (
                    items.objects.filter(article_id=self.instance.pk).select_related("feed").first()
                )
                # The reports merged into it, else the other reports of its story.
                self.merged = list(
                    items.objects.filter(merged_into_id=self.instance.pk)
                    .select_related("feed")
                    .order_by("received_at", "pk")
                )
                if not self.merged and self.record is not None and self.record.story_id:
                    self.story = list(
                        items.objects.filter(story_id=self.record.story_id)
                        .exclude(pk=self.record.pk)
                        .select_related("feed")
                        .order_by("received_at", "pk")[:STORY_SHOWN]
                    )

        def is_shown(self) -> bool:
            return self.record is not None or bool(self.merged)

        def get_context_data(self, parent_context: dict | None = None) -> dict:
            context = super().get_context_data(parent_context)
            context["merged"], context["story"] = self.merged, self.story
            record, page = self.record, self.instance
            if record is None:
                return context
            body = "".join(iter_raw_paragraphs(page.body.raw_data))
            context["record"] = record
            context["body_differs"] = _normalised(body) != _normalised(record.text)
            context["compare_url"] = ""
            if record.imported_revision_id and page.latest_revision_id:
                context["compare_url"] = reverse(
                    "wagtailadmin_pages:revisions_compare",
                    args=[page.pk, record.imported_revision_id, "latest"],
                )
            context["correction_url"] = ""
            if record.correction_revision_id:
                # One step for the desk: the live page beside the agency's correction.
                context["correction_url"] = reverse(
                    "wagtailadmin_pages:revisions_compare",
                    args=[page.pk, "live", record.correction_revision_id],
                )
            return context
