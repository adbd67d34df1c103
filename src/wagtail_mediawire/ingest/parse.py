"""Feed bytes to items: feedparser reads them, nh3 and Wagtail's converter clean them.

Only a stream of downloaded bytes reaches feedparser, never a URL or bytes: given a
URL, a path or bytes that look like one, it reads local files itself, with no timeout
or size limit (``download`` does that part safely).
"""

import codecs
import io
import re
import xml.sax
from calendar import timegm
from datetime import UTC, datetime
from html import unescape

import feedparser
import nh3
from bs4 import BeautifulSoup, NavigableString
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext
from feedparser.exceptions import CharacterEncodingOverride, CharacterEncodingUnknown
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

from ..blocks import RICH_TEXT_FEATURES
from ..text import xml_safe
from ..validators import safe_http_url
from .item import GUID_MAX_LENGTH, TITLE_MAX_LENGTH, FeedError, FeedItem, ParsedFeed
from .links import normalise_link as normalise_link  # where the tests and readers look

# What the paragraph block can hold (RICH_TEXT_FEATURES: bold, italic, link, lists).
ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "a", "ol", "ul", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# Dropped with everything inside them, not only their tags: their text is code, a
# form's labels or a frame's fallback, never the report.
DROPPED_WITH_CONTENT = {
    "script", "style", "form", "iframe", "noscript", "template", "object", "svg", "math",
    "textarea", "select", "button", "title", "head",
}  # fmt: skip
BLOCK_TAGS = {"p", "ol", "ul"}
HEADING = re.compile(r"<(/?)h[1-6]\b[^>]*>", re.IGNORECASE)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# An internal DTD subset, in the prolog, and the entity declarations inside it that are
# plain: text or one character reference, no other entity (a bomb's nesting) and no
# file or URL (SYSTEM, PUBLIC), which therefore stay undefined and refuse the feed.
DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE(\s[^\[>]*)\[(.*?)\]\s*>", re.DOTALL)
ENTITY = re.compile(rb"""<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>""")
PLAIN_ENTITY_VALUE = re.compile(rb"&#\w+;|[^&%<>\"]*")
# Encodings of one byte a character (Python's codec names): any byte string reads as one
# of them, so bytes that are UTF-8 but declared so read without error, as mojibake.
SINGLE_BYTE_ENCODING = re.compile(r"iso8859-\d+|cp125\d|mac-[\w-]+|koi8-\w+")
ENCODING_OVERRIDE = re.compile(r"declared as (\S+), but parsed as (\S+)")


def clean_html(html: str) -> str:
    """Agency HTML as the paragraph block stores it: allowed tags only, no script or
    style text, no event handlers or ``javascript:`` links, loose text in paragraphs."""
    html = HEADING.sub(r"<\1p>", html)
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        clean_content_tags=DROPPED_WITH_CONTENT,
    )
    # Controls escaped in the agency's HTML (``&#1;``) come out of the parsers as
    # characters, which no XML output (the section's feeds, sitemaps) can carry.
    html = _in_paragraphs(xml_safe(html))
    return EditorHTMLConverter(features=RICH_TEXT_FEATURES).to_database_format(html)


def _in_paragraphs(html: str) -> str:
    """Wrap text and inline elements that stand outside any block in ``<p>``; a blank
    line in plain text starts a new paragraph."""
    soup = BeautifulSoup(html, "html.parser")
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run).strip()
        run.clear()
        for chunk in re.split(r"\n\s*\n", text):
            if chunk.strip():
                out.append(f"<p>{chunk.strip()}</p>")

    for node in list(soup.contents):
        if isinstance(node, NavigableString):
            run.append(str(node).replace("&", "&amp;").replace("<", "&lt;"))
        elif node.name in BLOCK_TAGS:
            flush()
            if node.get_text(strip=True):
                out.append(str(node))
        else:
            run.append(str(node))
    flush()
    return "".join(out)


def plain_text(value: str) -> str:
    """A title as text: markup in it is shown as nothing, never interpreted."""
    return " ".join(xml_safe(unescape(strip_tags(value or ""))).split())


def _when(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(timegm(parsed), tz=UTC) if parsed else None


def _image_url(entry) -> str:
    candidates = [
        (link.get("href", ""), link.get("type", "")) for link in entry.get("enclosures", [])
    ]
    candidates += [
        (m.get("url", ""), m.get("type", "image/")) for m in entry.get("media_content", [])
    ]
    candidates += [(m.get("url", ""), "image/") for m in entry.get("media_thumbnail", [])]
    for url, media_type in candidates:
        if media_type.startswith("image/") and safe_http_url(url):
            return url
    return ""


def _lay_out_dtd_subset(content: bytes) -> bytes:
    """``content`` with its internal DTD subset (if any) laid out as feedparser reads it.

    feedparser keeps a subset's plain entity declarations (``<!ENTITY nbsp "&#160;">``)
    only when each starts a line: on one line, it cuts the DOCTYPE at its first ``>``
    and expat refuses what is left as a syntax error. So the subset is written again
    with one plain declaration a line, and nothing else (other declarations mean
    nothing to a feed reader).
    """
    prolog = re.search(rb"<\w", content)  # the first element; the DOCTYPE is before it
    end = prolog.start() if prolog else len(content)
    subset = DOCTYPE_SUBSET.search(content, 0, end)
    if subset is None:
        return content
    declarations = [
        b'<!ENTITY %s "%s">' % (name, double or single)
        for name, double, single in ENTITY.findall(subset[2])
        if PLAIN_ENTITY_VALUE.fullmatch(double or single)
    ]
    doctype = b"<!DOCTYPE%s [\n%s\n]>" % (subset[1].rstrip(), b"\n".join(declarations))
    return content[: subset.start()] + doctype + content[subset.end() :]


def parse_feed(content: bytes) -> list[FeedItem]:
    """The items of an RSS (0.9x, 1.0, 2.0) or Atom feed, in the feed's order (see
    :func:`read_feed`)."""
    return read_feed(content).items


def read_feed(content: bytes) -> ParsedFeed:
    """The items of an RSS (0.9x, 1.0, 2.0) or Atom feed, in the feed's order, and a
    warning when its bytes contradict the character encoding it declares.

    Raises FeedError for bytes that are not a well-formed feed: a feed that breaks the
    XML rules (an entity bomb among them) is refused whole, not guessed at.
    """
    content = _lay_out_dtd_subset(content)
    parsed = _feedparser(content)
    declared = parsed.get("encoding") or ""
    warning = ""
    if _utf8_declared_otherwise(content, declared):
        parsed = _feedparser(content, charset="utf-8")
        warning = gettext(
            "The feed declares its text as %(declared)s, but it is UTF-8: it was read as UTF-8."
        ) % {"declared": declared.upper()}
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXException):
        raise FeedError(gettext("The feed is not well-formed XML: %(error)s.") % {"error": problem})
    if not parsed.get("version"):
        raise FeedError(gettext("This is not an RSS or Atom feed."))
    return ParsedFeed(
        items=_items(parsed),
        warning=warning or _encoding_warning(problem),
        links=_links(parsed),
    )


def _links(parsed: dict) -> tuple[tuple[str, str], ...]:
    """The feed's own links with a rel other than "alternate" (a web page)."""
    return tuple(
        (str(link.get("rel", "")).lower(), str(link.get("href", "")).strip())
        for link in parsed.get("feed", {}).get("links", [])
        if link.get("href") and link.get("rel") not in (None, "alternate")
    )


def _feedparser(content: bytes, charset: str = "") -> dict:
    # A stream, never bytes: feedparser first tries bytes as a file name, so a body of
    # "/etc/passwd" would read that file. A charset given as the HTTP header's wins over
    # the XML declaration (RFC 3023).
    headers = {"content-type": f"application/xml; charset={charset}"} if charset else None
    return feedparser.parse(
        io.BytesIO(content),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )


def _utf8_declared_otherwise(content: bytes, declared: str) -> bool:
    """Whether bytes declared in a one-byte encoding are UTF-8 after all: non-ASCII text
    in such an encoding is almost never also valid UTF-8."""
    try:
        single_byte = bool(SINGLE_BYTE_ENCODING.fullmatch(codecs.lookup(declared).name))
    except LookupError:
        return False
    if not single_byte or content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encoding_warning(problem: object) -> str:
    """feedparser's word that the declared encoding could not read the bytes, for the
    editor."""
    if isinstance(problem, CharacterEncodingOverride):
        match = ENCODING_OVERRIDE.search(str(problem))
        declared, used = (match[1], match[2]) if match else ("?", "?")
        return gettext(
            "The feed declares its text as %(declared)s, but it is not: it was read as "
            "%(used)s. Check the imported text for wrong characters."
        ) % {"declared": declared.upper(), "used": used.upper()}
    if isinstance(problem, CharacterEncodingUnknown):
        return gettext(
            "The feed's character encoding is unknown. Check the imported text for wrong "
            "characters."
        )
    return ""


def _language(entry: dict, feed_language: str) -> str:
    """Atom's xml:lang on the entry's text, else the feed's (RSS's <language>)."""
    for detail in (*entry.get("content", ()), entry.get("summary_detail") or {}):
        if detail.get("language"):
            return str(detail["language"])
    return feed_language


def _subjects(entry: dict) -> tuple[tuple[str, str], ...]:
    """RSS's and Atom's categories as (code, name): the term is the code, as an IPTC
    Media Topic when it is one (an agency's ``medtop:…`` or its URI)."""
    subjects: dict[str, str] = {}
    for tag in entry.get("tags") or ():
        term = plain_text(str(tag.get("term") or ""))
        if term and term not in subjects:
            subjects[term] = plain_text(str(tag.get("label") or "")) or term
    return tuple(subjects.items())


def _items(parsed: dict) -> list[FeedItem]:
    items = []
    feed_language = str(parsed.get("feed", {}).get("language") or "")
    for entry in parsed.entries:
        content_html = ""
        if entry.get("content"):
            content_html = entry.content[0].get("value", "")
        html = clean_html(content_html or entry.get("summary", ""))
        title = plain_text(entry.get("title", ""))
        if not title:
            title = Truncator(strip_tags(html)).words(12) if html else ""
        title = title[:TITLE_MAX_LENGTH]
        items.append(
            FeedItem(
                guid=xml_safe(entry.get("id") or "").strip()[:GUID_MAX_LENGTH],
                link=(entry.get("link") or "").strip(),
                title=title,
                published_at=_when(entry),
                html=html,
                image_url=_image_url(entry),
                language=_language(entry, feed_language),
                subjects=_subjects(entry),
            )
        )
    return items
