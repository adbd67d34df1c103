from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamValue

from .publishing import NO_SOURCE_MESSAGE, has_source_url


class MediaWireArticlePageForm(WagtailAdminPageForm):
    """Refuses to publish (or submit, schedule, approve) an article with no source.

    Wagtail defers required-field validation only for "Save draft"; every other
    action (publish, schedule, submit to a workflow, a workflow action) validates
    fully, so they all go through this rule. The page model enforces it again for
    publishing paths that have no form (see ``MediaWireArticlePage.clean``).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form gives the rule its message on the field (and knows a draft from a
        # publication); the model's own check is for paths without a form.
        self.instance._source_rule_checked_by_form = True
        if self.instance.pk is None and not self.is_bound and not self.initial.get("body"):
            # A new article opens with an empty Source block, ready to fill, so that
            # the first publish does not fail for lack of one.
            stream_block = self.fields["body"].block
            source = stream_block.child_blocks["source"].get_default()
            self.initial["body"] = StreamValue(stream_block, [("source", source)])

    def clean(self):
        cleaned_data = super().clean()
        body = cleaned_data.get("body")
        # While a workflow runs, approval publishes the latest revision, so even a
        # draft saved then must keep its source.
        enforce = not self.is_deferred_validation or (
            self.instance.pk is not None and self.instance.workflow_in_progress
        )
        if enforce and "body" not in self.errors:
            if body is None or not has_source_url(body.raw_data):
                self.add_error("body", NO_SOURCE_MESSAGE)
        return cleaned_data
