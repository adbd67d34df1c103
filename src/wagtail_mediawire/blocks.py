"""StreamField blocks of a wire article's body.

``source`` and ``disclaimer`` are part of the public contract: the page gathers
them at the end of the article instead of rendering them where they stand.
"""

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from .fields import HttpURLFormField
from .text import xml_safe
from .validators import positive_id, safe_http_url

logger = logging.getLogger("wagtail_mediawire")

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class SourceValue(blocks.StructValue):
    @property
    def href(self) -> str:
        """The URL if it is safe for an ``href``, else "" (the template shows text)."""
        return safe_http_url(self.get("url"))

    @property
    def host(self) -> str:
        """The safe URL's host ("northwind.example"), else "": where the report is,
        readable without following (or hovering over) the link."""
        # The host as the URL spells it (punycode stays punycode): decoded, a
        # look-alike address could pass for the agency's own.
        return urlsplit(self.href).hostname or ""


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


def _loggable(value: Any) -> str:
    return repr(value)[:200]


def _clean_source(value: Any) -> dict:
    """A Source block's raw value with anything of the wrong type treated as absent.

    Stream data written by code (an import, a migration, a shell) is not validated:
    a ``name`` that is a number or a ``published_at`` that is no date must not make
    a save or a page fail. What is dropped is logged.
    """
    if not isinstance(value, dict):
        if value is not None:
            logger.warning(
                "Ignoring a Source block whose value is not a dict: %s", _loggable(value)
            )
        return {}
    clean = dict(value)
    for name in ("name", "url", "original_headline"):
        if clean.get(name) is not None and not isinstance(clean[name], str):
            logger.warning(
                "Ignoring a Source %s that is not text: %s", name, _loggable(clean[name])
            )
            clean[name] = ""
    published_at = clean.get("published_at")
    if published_at not in (None, "") and not _is_datetime_text(published_at):
        logger.warning(
            "Ignoring a Source published_at that is no date: %s", _loggable(published_at)
        )
        clean["published_at"] = None
    return clean


def _is_datetime_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return parse_datetime(value) is not None
    except ValueError:  # well-formed but impossible, e.g. month 13
        return False


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # How the editor's duplicate warning (source-duplicates.js) finds the input.
        self.child_blocks["url"].field.widget.attrs["data-mediawire-source-url"] = ""

    def to_python(self, value: Any) -> SourceValue:
        return super().to_python(_clean_source(value))

    def clean(self, value: Any) -> SourceValue:
        # Controls pasted from a word processor (a line break as U+000B) are dropped,
        # not refused: the name and headline reach every feed, where XML forbids them.
        for name in ("name", "original_headline"):
            if isinstance(value.get(name), str):
                value[name] = xml_safe(value[name])
        return super().clean(value)

    def bulk_to_python(self, values: Any) -> list:
        return super().bulk_to_python([_clean_source(value) for value in values])

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

    @staticmethod
    def _snippet_id(value: Any) -> int | None:
        # Anything but a snippet id (text, a dict, an id no row can have) counts as
        # no choice, so the section's default applies, instead of a database error.
        snippet_id = positive_id(value)
        if snippet_id is None and value is not None:
            logger.warning(
                "Ignoring a Disclaimer block whose value is not a snippet id: %s",
                _loggable(value),
            )
        return snippet_id

    def to_python(self, value: Any):
        return super().to_python(self._snippet_id(value))

    def bulk_to_python(self, values: Any) -> list:
        return super().bulk_to_python([self._snippet_id(value) for value in values])

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


def _is_image_id(value: Any) -> bool:
    return value is None or positive_id(value) is not None


# The raw value each block type can convert; Source and Disclaimer values are
# checked field by field by their blocks.
_RAW_SHAPES = {
    "paragraph": lambda value: isinstance(value, str),
    "heading": lambda value: isinstance(value, str),
    "quote": lambda value: isinstance(value, dict),
    "embed": lambda value: value is None or isinstance(value, str),
    "image": lambda value: (
        _is_image_id(value.get("image")) if isinstance(value, dict) else _is_image_id(value)
    ),
}


def _blank_source(value: Any) -> bool:
    return not any(value.get(name) for name in ("name", "url", "original_headline", "published_at"))


class ArticleBodyBlock(blocks.StreamBlock):
    def to_python(self, value: Any) -> blocks.StreamValue:
        """Wagtail drops items of unknown types; this drops malformed ones too, logged."""
        if isinstance(value, str) and value:
            try:
                value = json.loads(value)
            except ValueError:
                return super().to_python(value)
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            value = [item for item in value if self._is_usable(item)]
            if not value:
                return self.empty_value()
        return super().to_python(value)

    def clean(self, value: blocks.StreamValue) -> blocks.StreamValue:
        """Drops Source blocks left entirely empty before validating the rest.

        A new article opens with an empty Source block; an editor who adds and fills
        a Source block of their own would otherwise be stopped by the untouched one.
        A Source block filled in part keeps its field errors, and so does the empty
        one when nothing else is in the body: its required fields say what to fill.
        """
        kept = [
            (child.block_type, child.value, child.id)
            for child in value
            if not (child.block_type == "source" and _blank_source(child.value))
        ]
        if kept and len(kept) != len(value):
            value = blocks.StreamValue(self, kept)
        return super().clean(value)

    def _is_usable(self, item: Any) -> bool:
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            if item["type"] not in self.child_blocks:
                return False  # a block type that was removed: Wagtail drops it silently
            check = _RAW_SHAPES.get(item["type"])
            if check is None or check(item.get("value")):
                return True
        logger.warning("Ignoring a malformed item in an article body: %s", _loggable(item))
        return False

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
