from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamValue

from .source_rule import (
    NO_SOURCE_MESSAGE,
    EmbargoError,
    WithdrawnError,
    WithdrawnSourceError,
    form_requires_source,
    has_source_url,
)
from .text import xml_safe

# The editor's plain text fields, which feeds, sitemaps and the head tags carry.
TEXT_FIELDS = ("title", "summary", "seo_title", "search_description")


class MediaWireArticlePageForm(WagtailAdminPageForm):
    """The article editor: opens a new article with a Source block, and applies the
    source rule (``source_rule.py``) with its message on the body field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Text pasted from a word processor can hold controls XML forbids (a line
            # break as U+000B): dropped here, where text enters, not refused.
            self.data = self.data.copy()
            for name in TEXT_FIELDS:
                if name in self.data:
                    self.data[name] = xml_safe(self.data[name])
        if self.instance.pk is None and not self.is_bound and not self.initial.get("body"):
            # A new article opens with an empty Source block, ready to fill, so that
            # the first publish does not fail for lack of one.
            stream_block = self.fields["body"].block
            source = stream_block.child_blocks["source"].get_default()
            self.initial["body"] = StreamValue(stream_block, [("source", source)])

    def clean(self):
        cleaned_data = super().clean()
        body = cleaned_data.get("body")
        if form_requires_source(self) and "body" not in self.errors:
            if body is None or not has_source_url(body.raw_data):
                self.add_error("body", NO_SOURCE_MESSAGE)
        if form_requires_source(self) and self.instance.pk is not None:
            self._apply_agency_rules(cleaned_data)
        return cleaned_data

    def _apply_agency_rules(self, cleaned_data: dict) -> None:
        """What the agency's word forbids (ingest/lifecycle.py), said on the form."""
        body = cleaned_data.get("body")
        cited = self.instance.withdrawn_sources(body.raw_data) if body is not None else []
        if cited:
            self.add_error("body", WithdrawnSourceError(cited[0].withdrawn_reason))
        record = self.instance.wire_record()
        if record is None:
            return
        if record.is_withdrawn:
            self.add_error(None, WithdrawnError(record.withdrawn_reason))
        embargo = record.embargoed_until
        if embargo is not None and embargo > timezone.now() and "go_live_at" in self.fields:
            go_live = cleaned_data.get("go_live_at")
            if go_live is None or go_live < embargo:
                self.add_error("go_live_at", EmbargoError(embargo))
