"""StreamField blocks of a wire article's body.

``source`` and ``disclaimer`` are part of the public contract: the page gathers
them at the end of the article instead of rendering them where they stand.
"""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from .fields import HttpURLFormField
from .validators import safe_http_url

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class SourceValue(blocks.StructValue):
    @property
    def href(self) -> str:
        """The URL if it is safe for an ``href``, else "" (the template shows text)."""
        return safe_http_url(self.get("url"))


class HttpURLBlock(blocks.FieldBlock):
    """A URL block for http and https addresses only (see ``HttpURLFormField``)."""

    def __init__(
        self,
        required: bool = True,
        help_text: str | None = None,
        max_length: int | None = None,
        min_length: int | None = None,
        validators: Any = (),
        **kwargs: Any,
    ) -> None:
        self.field = HttpURLFormField(
            required=required,
            help_text=help_text,
            max_length=max_length,
            min_length=min_length,
            validators=validators,
        )
        super().__init__(**kwargs)

    class Meta:
        icon = "link-external"


class SourceBlock(blocks.StructBlock):
    name = blocks.CharBlock(
        max_length=255,
        label=_("Source"),
        help_text=_("The agency or website the report comes from."),
    )
    url = HttpURLBlock(
        max_length=2048,
        label=_("URL"),
        help_text=_("The report's address on the source's website."),
    )
    original_headline = blocks.CharBlock(
        required=False,
        max_length=255,
        label=_("Original headline"),
        help_text=_("The source's own headline, if the desk changed it."),
    )
    published_at = blocks.DateTimeBlock(
        required=False,
        label=_("Published by the source at"),
    )

    class Meta:
        icon = "link"
        label = _("Source")
        template = "wagtail_mediawire/blocks/source_block.html"
        value_class = SourceValue
        description = _("Where the report was retrieved from: shown at the end of the article.")
        preview_value = {
            "name": "Northwind Press Agency",
            "url": "https://northwind.example/reports/harbour-reopens",
            "original_headline": "Harbour reopens after storm repairs",
        }


class DisclaimerBlock(SnippetChooserBlock):
    """Chooses a ``Disclaimer``; a deleted snippet renders nothing."""

    def __init__(self, target_model: Any = "wagtail_mediawire.Disclaimer", **kwargs):
        super().__init__(target_model, **kwargs)

    class Meta:
        icon = "warning"
        label = _("Disclaimer")
        template = "wagtail_mediawire/blocks/disclaimer_block.html"
        description = _("Replaces the section's default disclaimer under this article.")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(required=False, max_length=255, label=_("Attribution"))

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "wagtail_mediawire/blocks/quote_block.html"
        preview_value = {
            "text": "The harbour will be open to all traffic by the end of the week.",
            "attribution": "A port authority spokesperson",
        }


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, label=_("Paragraph"), icon="pilcrow"
    )
    heading = blocks.CharBlock(
        max_length=255,
        label=_("Heading"),
        icon="title",
        form_classname="title",
        template="wagtail_mediawire/blocks/heading_block.html",
    )
    quote = QuoteBlock()
    image = ImageBlock(label=_("Image"))
    embed = EmbedBlock(label=_("Embed"), icon="media")
    source = SourceBlock()
    disclaimer = DisclaimerBlock()


NO_SOURCE_MESSAGE = _(
    "Add a Source block with the report's web address before publishing. "
    "A draft can be saved without one."
)


def iter_raw_sources(raw_stream: Any) -> Iterator[dict]:
    """The raw values of the ``source`` blocks, in order, without converting others."""
    for item in raw_stream or ():
        if item and item.get("type") == "source" and isinstance(item.get("value"), dict):
            yield item["value"]


def iter_raw_paragraphs(raw_stream: Any) -> Iterator[str]:
    """The raw rich text of the ``paragraph`` blocks, in order."""
    for item in raw_stream or ():
        if item and item.get("type") == "paragraph" and isinstance(item.get("value"), str):
            yield item["value"]


def has_source_url(raw_stream: Any) -> bool:
    """Whether a body (raw StreamField data) has a Source block with a safe URL."""
    return any(safe_http_url(value.get("url")) for value in iter_raw_sources(raw_stream))
