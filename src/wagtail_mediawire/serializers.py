"""What Wagtail's API v2 says about a wire article beyond its plain fields: the body,
the sources, the effective disclaimer, the section's signature and the search
engine policy.

The API serialises a page of results item by item. What these fields need from
other rows (the section, the disclaimer snippets, images chosen in the body) is
read for the whole page of results at once, so a listing makes the same number of
queries whatever its size.
"""

from collections import defaultdict
from typing import Any

from django.conf import settings
from rest_framework.fields import Field

from .policies import effective_disclaimer, effective_seo_policy

_RESULTS_KEY = "_wagtail_mediawire_results"


def _rich_text(value: str, context: dict) -> str:
    """Rich text as Wagtail's API gives its own rich text fields: database HTML,
    or the format chosen with ``?rich_text_format=`` where Wagtail offers it (8.0+)."""
    try:
        from wagtail.api.rich_text import APIRichText
    except ImportError:
        return value
    request = context.get("request")
    chosen = request.GET.get("rich_text_format") if request is not None else None
    return APIRichText.serialize(value, format=APIRichText.resolve_format(chosen))


class _Results:
    """The body blocks, sections and disclaimers of a list of articles, read in a
    fixed number of queries (one per kind of chosen object in the bodies, one for
    the sections, one for their default disclaimers, one for translations)."""

    def __init__(self, pages: list) -> None:
        self.blocks: dict[int, list[tuple[Any, Any, Any]]] = {}
        if not pages:
            return
        stream_block = pages[0].body.stream_block
        # Each block type converted once for all the pages, as a StreamValue
        # converts its own blocks (images and snippets in one query per type).
        raw_by_type: dict[str, list] = defaultdict(list)
        for page in pages:
            for item in page.body.raw_data:
                raw_by_type[item["type"]].append(item.get("value"))
        converted = {
            name: iter(stream_block.child_blocks[name].bulk_to_python(raw_values))
            for name, raw_values in raw_by_type.items()
        }
        for page in pages:
            self.blocks[page.pk] = [
                (
                    stream_block.child_blocks[item["type"]],
                    next(converted[item["type"]]),
                    item.get("id"),
                )
                for item in page.body.raw_data
            ]

        # The models through the pages and blocks at hand: the page models import this
        # module, not the other way round.
        disclaimers = stream_block.child_blocks["disclaimer"].target_model
        sections = type(pages[0]).section_model()
        parent_paths = {page.path[: -page.steplen] for page in pages}
        self.sections = {
            row["path"]: row
            for row in sections.objects.filter(path__in=parent_paths).values(
                "path", "signature", "seo_policy", "default_disclaimer_id"
            )
        }
        default_ids = {row["default_disclaimer_id"] for row in self.sections.values()} - {None}
        self.defaults = disclaimers.objects.in_bulk(default_ids) if default_ids else {}

        # An article in a locale shows the disclaimer's translation into that locale.
        self.translations: dict[tuple[Any, int], Any] = {}
        if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            chosen = [
                value
                for blocks in self.blocks.values()
                for block, value, _ in blocks
                if block.name == "disclaimer" and value is not None
            ]
            keys = {disclaimer.translation_key for disclaimer in [*chosen, *self.defaults.values()]}
            if keys:
                for disclaimer in disclaimers.objects.filter(
                    translation_key__in=keys, locale_id__in={page.locale_id for page in pages}
                ):
                    self.translations[(disclaimer.translation_key, disclaimer.locale_id)] = (
                        disclaimer
                    )

    def section(self, page) -> dict:
        return self.sections.get(page.path[: -page.steplen], {})

    def disclaimer(self, page):
        """``policies.effective_disclaimer`` with what was read for the whole page."""
        return effective_disclaimer(
            (value for block, value, _ in self.blocks[page.pk] if block.name == "disclaimer"),
            self.defaults.get(self.section(page).get("default_disclaimer_id")),
            page.locale_id,
            lambda chosen, locale_id: self.translations.get((chosen.translation_key, locale_id)),
        )


class _ArticleField(Field):
    """A read-only field computed from the whole article and its page of results."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def results(self, page) -> _Results:
        results = self.context.get(_RESULTS_KEY)
        if results is None or page.pk not in results.blocks:
            # In a listing the article's serializer is the child of a list
            # serializer holding the page of results, already fetched.
            listing = getattr(getattr(self.parent, "parent", None), "instance", None)
            pages = [page]
            if listing is not None and not hasattr(listing, "body"):
                candidates = [item for item in listing if hasattr(item, "body")]
                if any(item.pk == page.pk for item in candidates):
                    pages = candidates
            results = _Results(pages)
            self.context[_RESULTS_KEY] = results
        return results


class BodyField(_ArticleField):
    """The body as Wagtail's API gives a StreamField: type, value and id of each block."""

    def to_representation(self, page) -> list[dict]:
        return [
            {
                "type": block.name,
                "value": block.get_api_representation(value, self.context),
                "id": id,
            }
            for block, value, id in self.results(page).blocks[page.pk]
        ]


class SourcesField(_ArticleField):
    """Every source of the article, in body order: name, url, original headline and
    the time the source published it (ISO 8601, or null)."""

    def to_representation(self, page) -> list[dict]:
        sources = []
        for block, value, _ in self.results(page).blocks[page.pk]:
            if block.name != "source" or not (value.get("name") or value.href):
                continue
            published_at = value.get("published_at")
            sources.append(
                {
                    "name": value.get("name") or "",
                    "url": value.href,
                    "original_headline": value.get("original_headline") or "",
                    "published_at": published_at.isoformat() if published_at else None,
                }
            )
        return sources


class DisclaimerField(_ArticleField):
    """The disclaimer shown under the article (its own, else the section's): id and text."""

    def to_representation(self, page) -> dict | None:
        disclaimer = self.results(page).disclaimer(page)
        if disclaimer is None:
            return None
        return {"id": disclaimer.pk, "text": _rich_text(disclaimer.text, self.context)}


class SignatureField(_ArticleField):
    """The section's signature, shown at the end of the article."""

    def to_representation(self, page) -> str:
        return self.results(page).section(page).get("signature") or ""


class SeoPolicyField(_ArticleField):
    """The policy in force for the article: its own, else its section's, else ``index``."""

    def to_representation(self, page) -> str:
        return effective_seo_policy(
            page.seo_policy, self.results(page).section(page).get("seo_policy")
        )
