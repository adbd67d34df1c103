"""The agency formats a ``WireFeed`` reads, each a module with one ``read(content)``
that gives a ``ParsedFeed`` of normalised items (``ingest/item.py``), and the
detection of a document's format from its first bytes.

| format | module | what it is |
|---|---|---|
| ``rss`` | ``ingest.parse`` | RSS 0.9x, 1.0 and 2.0, Atom (feedparser) |
| ``ninjs`` | ``ninjs`` | IPTC ninjs 1.x, 2.x and 3.x (JSON), an item or a list of items |
| ``ap-media`` | ``apmedia`` | AP Media API responses: ``data.item``, ``data.items[].item`` |
| ``newsml-g2`` | ``newsml`` | IPTC NewsML-G2: ``newsItem``, ``packageItem``, ``newsMessage`` |
| ``nitf`` | ``nitf`` | IPTC NITF 3.x |
"""

import json
import re
from collections.abc import Callable
from importlib import import_module

from django.utils.translation import gettext

from ..item import FeedError, ParsedFeed

AUTO = "auto"
# Format → "module:function" of its reader, imported when first needed.
READERS: dict[str, str] = {
    "rss": "wagtail_mediawire.ingest.parse:read_feed",
    "ninjs": "wagtail_mediawire.ingest.formats.ninjs:read",
    "ap-media": "wagtail_mediawire.ingest.formats.apmedia:read",
    "newsml-g2": "wagtail_mediawire.ingest.formats.newsml:read",
    "nitf": "wagtail_mediawire.ingest.formats.nitf:read",
}
_XML = frozenset({"application/xml", "text/xml"})
_JSON = frozenset({"application/json", "text/json", "application/ld+json"})
# The media types a document of each format may be sent as (a push delivery's
# Content-Type must be one of its feed's format's).
MEDIA_TYPES: dict[str, frozenset[str]] = {
    "rss": _XML
    | {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
    },
    "ninjs": _JSON,
    "ap-media": _JSON,
    "newsml-g2": _XML
    | {
        "application/vnd.iptc.g2.newsitem+xml",
        "application/vnd.iptc.g2.newsmessage+xml",
        "application/vnd.iptc.g2.packageitem+xml",
    },
    "nitf": _XML | {"application/nitf+xml"},
}
MEDIA_TYPES[AUTO] = frozenset().union(*MEDIA_TYPES.values())
# The first element of an XML document, past its declaration, comments and DOCTYPE.
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")
_XML_ROOTS = {
    b"rss": "rss", b"feed": "rss", b"RDF": "rss",
    b"nitf": "nitf",
    b"newsItem": "newsml-g2", b"packageItem": "newsml-g2", b"newsMessage": "newsml-g2",
    b"conceptItem": "newsml-g2", b"knowledgeItem": "newsml-g2",
}  # fmt: skip
_SNIFF = 64 * 1024
# Keys any ninjs version's item has at least one of.
_NINJS_KEYS = {"uri", "type", "headline", "headlines", "body_html", "bodies", "versioncreated"}


def detect(content: bytes) -> str:
    """The format of ``content``: its first element for XML, its shape for JSON.

    Raises FeedError when it is none of the formats, with what it seems to be.
    """
    head = content[:_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return _json_format(content)
    for match in _ROOT.finditer(head):
        name = match[2]
        if head[match.start() + 1 : match.start() + 2] in (b"!", b"?"):
            continue
        if name in _XML_ROOTS:
            return _XML_ROOTS[name]
        break
    if re.match(rb"<(!doctype\s+html|html)\b", head, re.IGNORECASE):
        raise FeedError(
            gettext("This is a web page, not an RSS or Atom feed or an agency document.")
        )
    raise FeedError(
        gettext(
            "This is not an RSS or Atom feed, nor a format the desk reads (ninjs, "
            "AP Media API, NewsML-G2 or NITF)."
        )
    )


def _json_format(content: bytes) -> str:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as error:
        raise FeedError(
            gettext("The document is not valid JSON: %(error)s.") % {"error": error}
        ) from error
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        body = data["data"]
        if "item" in body or "items" in body:
            return "ap-media"
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]  # a list of ninjs items under "items"
    items = data if isinstance(data, list) else [data]
    if items and all(isinstance(item, dict) and _NINJS_KEYS & item.keys() for item in items):
        return "ninjs"
    raise FeedError(gettext("This JSON is neither ninjs nor an AP Media API response."))


def media_types(format_name: str) -> frozenset[str]:
    """What a document in ``format_name`` may be sent as (any format's, for ``auto``)."""
    return MEDIA_TYPES.get(format_name or AUTO, MEDIA_TYPES[AUTO])


def reader(format_name: str) -> Callable[[bytes], ParsedFeed]:
    module, function = READERS[format_name].split(":")
    return getattr(import_module(module), function)


def read_document(content: bytes, format_name: str = AUTO) -> ParsedFeed:
    """The items of ``content`` in ``format_name``, detected when ``auto``."""
    if format_name == AUTO or not format_name:
        format_name = detect(content)
    return reader(format_name)(content)
