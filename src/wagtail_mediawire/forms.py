from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .validators import safe_http_url

NO_SOURCE_MESSAGE = _(
    "Add a Source block with the report's web address before publishing. "
    "A draft can be saved without one."
)


class MediaWireArticlePageForm(WagtailAdminPageForm):
    """Refuses to publish (or submit, schedule, approve) an article with no source.

    Wagtail defers required-field validation only for "Save draft"; every other
    action (publish, schedule, submit to a workflow, a workflow action) validates
    fully, so they all go through this rule.
    """

    def clean(self):
        cleaned_data = super().clean()
        body = cleaned_data.get("body")
        if not self.is_deferred_validation and "body" not in self.errors:
            if not any(
                block.block_type == "source" and safe_http_url(block.value.get("url"))
                for block in body or ()
            ):
                self.add_error("body", NO_SOURCE_MESSAGE)
        return cleaned_data
