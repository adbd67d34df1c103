from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamValue

from .source_rule import NO_SOURCE_MESSAGE, form_requires_source, has_source_url


class MediaWireArticlePageForm(WagtailAdminPageForm):
    """The article editor: opens a new article with a Source block, and applies the
    source rule (``source_rule.py``) with its message on the body field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        return cleaned_data
