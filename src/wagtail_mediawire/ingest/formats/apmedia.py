"""AP Media API responses (JSON): a content item, ``{"data": {"item": {...}}}``, and a
feed or search page, ``{"data": {"items": [{"item": {...}}, ...], "next_page": ...}}``,
read into the normalised item.

AP's items are ninjs 1.x with AP's additions, so ``ninjs`` maps them and this module
reads only what AP adds: ``bylines`` (a list of ``{by, title}``), ``editorialtypes``
(Kill, Correction…, read as signals beside ``signals``), ``headline_extended`` when
there is no headline, and ``datelinelocation`` when there is no ``located``.

AP's JSON usually carries no story text: it sits behind ``renditions.nitf.href``. Such
an item keeps an empty body and a note saying so, and the importer decides what to do
with it. A page's ``next_page`` is not followed here (a ``ParsedFeed`` has no place for
it).
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from ...validators import safe_http_url
from ..item import TITLE_MAX_LENGTH, FeedError, FeedItem, ParsedFeed
from ..parse import plain_text
from . import ninjs

# The kind of an AP text item whose words are a rendition of their own (NITF).
TEXT_ELSEWHERE = "text-elsewhere"


def read(content: bytes) -> ParsedFeed:
    """The items of an AP Media API response, in its order.

    Raises FeedError for bytes that are not JSON, an error answer, or JSON that is not
    an AP response. A page whose ``items`` list is empty (nothing new since the last
    request) is read as no items, not refused.
    """
    data = ninjs.load_json(content)
    if not isinstance(data, Mapping):
        raise FeedError(gettext("This JSON is not an AP Media API response: it is not an object."))
    body = data.get("data")
    if not isinstance(body, Mapping):
        error = data.get("error")
        if isinstance(error, Mapping):
            raise FeedError(
                gettext("The AP Media API answered with an error: %(code)s %(message)s")
                % {"code": error.get("code", ""), "message": ninjs.text(error.get("message"))}
            )
        raise FeedError(
            gettext("This JSON is not an AP Media API response: it has no data object.")
        )
    if isinstance(body.get("item"), Mapping):
        entries: list[Any] = [body["item"]]
    elif isinstance(body.get("items"), list):
        entries = [
            entry["item"] if isinstance(entry, Mapping) and "item" in entry else entry
            for entry in body["items"]
        ]
    else:
        raise FeedError(
            gettext(
                "This AP Media API response has no items: its data holds neither an item "
                "nor a list of items."
            )
        )
    items = [feed_item(entry) for entry in entries if isinstance(entry, Mapping)]
    warning = ""
    if len(items) < len(entries):
        warning = gettext(
            "%(count)d entries of the AP Media API response were not items and were skipped."
        ) % {"count": len(entries) - len(items)}
    next_page = body.get("next_page")
    return ParsedFeed(
        items=items,
        warning=warning,
        next_page=safe_http_url(next_page) if isinstance(next_page, str) else "",
    )


def feed_item(entry: Mapping) -> FeedItem:
    """One AP item as the normalised item: the ninjs mapping, and AP's additions."""
    fields = ninjs.item_fields(entry)
    item = ninjs.lowered(entry)
    where = f" in AP item {fields['guid']!r}"
    byline = _bylines(item.get("bylines"))
    if byline:
        fields["byline"] = byline
    if not fields["title"]:
        extended = plain_text(ninjs.text(item.get("headline_extended")))
        fields["title"] = extended[:TITLE_MAX_LENGTH]
    extra = ninjs.signals(item.get("editorialtypes"), where=where)
    fields["signals"] = tuple(dict.fromkeys(fields["signals"] + extra))
    if not fields["dateline"]:
        fields["dateline"] = _dateline(item.get("datelinelocation"))
    if fields["kind"] == "text" and not fields["html"]:
        # Its text is a rendition of its own: never an empty article (the importer skips
        # items that are not "text", with a count).
        fields["kind"] = TEXT_ELSEWHERE
        fields["notes"] += (
            gettext(
                "AP item without inline text: its NITF rendition (renditions.nitf.href) "
                "is not fetched."
            ),
        )
    return FeedItem(**fields)


def _bylines(value: object) -> str:
    """AP's ``bylines``: each ``by`` (a string is taken as it is), joined."""
    if isinstance(value, str):
        return plain_text(value)
    if not isinstance(value, list):
        return ""
    names = [
        plain_text(ninjs.text(ninjs.lowered(entry).get("by")) or ninjs.text(entry))
        for entry in value
    ]
    return ", ".join(dict.fromkeys(name for name in names if name))


def _dateline(value: object) -> str:
    location = ninjs.lowered(value)
    parts = [
        plain_text(ninjs.text(location.get(key)))
        for key in ("city", "countryareaname", "countryname")
    ]
    return ", ".join(part for part in parts if part)
