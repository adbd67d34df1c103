"""IPTC NITF 3.x (``<nitf><head>…</head><body>…</body></nitf>``): one document, one item.

Read with ``ingest.xml.read_xml`` (defusedxml): the ``<!DOCTYPE nitf SYSTEM "nitf.dtd">``
every NITF file carries is allowed and never read, and an entity declaration refuses the
document. Elements are matched by local name, so NITF with or without its namespace
(``http://iptc.org/std/NITF/2006-10-18/``) reads the same.

The body's markup (NITF's, and the XHTML a NewsML-G2 item carries, see ``newsml``) is
written as HTML by :func:`markup_html` and cleaned by ``parse.clean_html``: NITF's
subheads (``hl2``) become paragraphs, its ``block``s and quotations give up their
wrappers, definition lists and table rows become paragraphs, every word is kept. A
``media`` element is a picture of the item (a ``Rendition``), not body text.

Decisions (docs/how-to/format-nitf.md):

- the embargo is ``date.release`` when it is later than ``date.issue`` (or there is no
  issue date), or whenever ``management-status`` is ``embargoed``: a date, never the
  clock, decides, so a document reads the same on every fetch. ``embargoed`` with a
  release date is a usable item under embargo; without one it is withheld.
- the version is ``du-key/@version``, the one NITF defines.
- the editor's note (``ed-msg/@info``) goes to ``ednote`` only, never into the body.
"""

import logging
from html import escape
from xml.etree.ElementTree import Element

from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext

from ...text import xml_safe
from ...validators import safe_http_url
from .. import vocabulary
from ..item import (
    GUID_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    USABLE,
    WITHHELD,
    FeedError,
    FeedItem,
    ParsedFeed,
    Rendition,
)
from ..parse import DROPPED_WITH_CONTENT, clean_html, plain_text
from ..xml import local, read_xml

logger = logging.getLogger("wagtail_mediawire")

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# How markup of the body becomes HTML (NITF's and XHTML's names; the rest is inline:
# its text is kept, its tags are not).
_AS_IS = {"p", "ul", "ol", "li", "em", "strong", "b", "i", "br", "a"}
_HEADINGS = {"hl1", "hl2", "h1", "h2", "h3", "h4", "h5", "h6"}
_PARAGRAPHS = {
    "credit", "dt", "dd", "pre", "tr", "caption", "figcaption", "tagline", "address",
}  # fmt: skip
# Blocks that only hold others, and table cells: their words stand apart from the next.
_CONTAINERS = {
    "block", "bq", "blockquote", "div", "section", "article", "body", "body.content",
    "note", "fn", "dl", "table", "thead", "tbody", "tfoot", "nitf-table", "figure",
    "header", "footer", "main", "aside", "td", "th", "hr",
}  # fmt: skip
# Pictures are renditions, not text; what a script or a form holds is never the report.
_SKIPPED = {"media", "img", "picture", "video", "audio", "source"} | DROPPED_WITH_CONTENT
# meta names that give the document's public address, and its id.
_URL_META = ("url", "link", "canonical", "og:url", "dc.identifier.url")
_ID_META = ("id", "guid", "doc-id", "docid", "dc.identifier")
_LANGUAGE_META = ("language", "lang", "dc.language", "content-language")
_PICTURE_TYPES = {"image", "photo", "picture", "graphic"}


# --- the element tree, by local names --------------------------------------------------


def children(element: Element | None, name: str) -> list[Element]:
    """``element``'s children called ``name`` (any namespace)."""
    if element is None:
        return []
    return [child for child in element if isinstance(child.tag, str) and local(child.tag) == name]


def child(element: Element | None, path: str) -> Element | None:
    """The first element at ``path`` ("head/docdata/doc-id") under ``element``."""
    for name in path.split("/"):
        found = children(element, name)
        if not found:
            return None
        element = found[0]
    return element


def text_of(element: Element | None) -> str:
    """All the text in ``element``, its whitespace collapsed."""
    if element is None:
        return ""
    return " ".join(xml_safe("".join(element.itertext())).split())


def attribute(element: Element | None, name: str) -> str:
    if element is None:
        return ""
    return " ".join(xml_safe(element.get(name) or "").split())


def plain(element: Element | None) -> str:
    """A title or a byline as plain text (``parse.plain_text``)."""
    return plain_text(escape(text_of(element)))


# --- the body ---------------------------------------------------------------------------


def markup_html(container: Element) -> str:
    """The content of ``container`` (NITF's ``body.content``, XHTML's ``body``) as clean
    HTML in Wagtail's rich-text format: every word kept, pictures left out."""
    out: list[str] = [escape(container.text or "", quote=False)]
    for node in container:
        _write(node, out)
    return clean_html("".join(out))


def _write(element: Element, out: list[str]) -> None:
    tail = escape(element.tail or "", quote=False)
    if not isinstance(element.tag, str):  # a comment or a processing instruction
        out.append(tail)
        return
    name = local(element.tag).lower()
    if name in _SKIPPED:
        out.append(tail)
        return
    if name in _AS_IS:
        start = f"<{name}>"
        if name == "a":
            start = f'<a href="{escape(element.get("href") or "")}">'
        end = "" if name == "br" else f"</{name}>"
    elif name in _HEADINGS:
        start, end = "<h2>", "</h2>"
    elif name in _PARAGRAPHS:
        start, end = "<p>", "</p>"
    elif name in _CONTAINERS:
        start, end = " ", " "
    else:  # inline (person, location, chron, q, span…): its text, not its tags
        start = end = ""
    out.append(start)
    out.append(escape(element.text or "", quote=False))
    for node in element:
        _write(node, out)
    out.append(end)
    out.append(tail)


# --- the reader -------------------------------------------------------------------------


def read(content: bytes) -> ParsedFeed:
    """The one item of a NITF document; raises FeedError for anything else."""
    root = read_xml(content)
    if local(root.tag) != "nitf":
        raise FeedError(
            gettext("This is not a NITF document: its first element is <%(name)s>, not <nitf>.")
            % {"name": local(root.tag)}
        )
    return ParsedFeed(items=[read_nitf(root)])


def read_nitf(root: Element) -> FeedItem:
    """A ``<nitf>`` element as an item (also for NITF carried in a NewsML-G2 item)."""
    head = child(root, "head")
    body = child(root, "body")
    docdata = child(head, "docdata")
    metas = {
        attribute(meta, "name").lower(): attribute(meta, "content")
        for meta in children(head, "meta")
        if meta.get("name")
    }
    notes: list[str] = []

    guid = attribute(child(docdata, "doc-id"), "id-string") or _first(metas, _ID_META)
    where = f" in NITF document {guid!r}" if guid else " in a NITF document"

    html = ""
    content = child(body, "body.content")
    if content is not None:
        html = markup_html(content)
    title = plain(child(body, "body.head/hedline/hl1")) or plain(child(head, "title"))
    if not title and html:
        title = Truncator(strip_tags(html)).words(12)

    issued = vocabulary.wire_datetime(attribute(child(docdata, "date.issue"), "norm"))
    if issued is None:
        issued = vocabulary.wire_datetime(attribute(child(head, "pubdata"), "date.publication"))
    release = vocabulary.wire_datetime(attribute(child(docdata, "date.release"), "norm"))
    management = attribute(docdata, "management-status")
    if management.lower() == "embargoed":
        status, embargo = (USABLE, release) if release else (WITHHELD, None)
        if release is None:
            notes.append(gettext("embargoed without a release date: withheld"))
    else:
        status = vocabulary.pubstatus(management, where=where)
        embargo = release if release and (issued is None or release > issued) else None

    renditions = tuple(_renditions(content))
    pictures = [r.url for r in renditions if r.media_type.startswith("image/") or not r.media_type]
    return FeedItem(
        guid=guid[:GUID_MAX_LENGTH],
        link=_link(metas, head),
        title=title[:TITLE_MAX_LENGTH],
        published_at=issued,
        html=html,
        image_url=pictures[0] if pictures else "",
        version=vocabulary.version(attribute(child(docdata, "du-key"), "version")),
        status=status,
        embargoed_until=embargo,
        urgency=vocabulary.urgency(
            attribute(child(docdata, "urgency"), "ed-urg") or None, where=where
        ),
        ednote="\n".join(
            note for note in (attribute(m, "info") for m in children(docdata, "ed-msg")) if note
        ),
        byline="; ".join(filter(None, map(plain, children(child(body, "body.head"), "byline")))),
        dateline=plain(child(body, "body.head/dateline")),
        language=_language(root, head, body, metas),
        subjects=tuple(_subjects(head)),
        usage_terms=_usage_terms(docdata),
        expires_at=vocabulary.wire_datetime(attribute(child(docdata, "date.expire"), "norm")),
        renditions=renditions,
        kind="text" if html or not renditions else "picture",
        notes=tuple(notes),
    )


def _first(metas: dict[str, str], names: tuple[str, ...]) -> str:
    return next((metas[name] for name in names if metas.get(name)), "")


def _link(metas: dict[str, str], head: Element | None) -> str:
    """A public http(s) address the document gives itself, else ""."""
    candidates = [metas.get(name, "") for name in _URL_META]
    candidates.append(attribute(child(head, "pubdata"), "ex-ref"))
    return next((url for url in candidates if safe_http_url(url)), "")


def _language(root: Element, head, body, metas: dict[str, str]) -> str:
    for element in (root, head, body):
        if element is not None and element.get(XML_LANG):
            return attribute(element, XML_LANG)
    return _first(metas, _LANGUAGE_META)


def _subjects(head: Element | None) -> list[tuple[str, str]]:
    subjects: list[tuple[str, str]] = []
    for tobject in children(head, "tobject"):
        for subject in children(tobject, "tobject.subject"):
            refnum = attribute(subject, "tobject.subject.refnum")
            if not refnum:
                continue
            ipr = attribute(subject, "tobject.subject.ipr") or "IPTC"
            scheme = "subj" if ipr.upper() == "IPTC" else ipr.lower()
            name = (
                attribute(subject, "tobject.subject.detail")
                or attribute(subject, "tobject.subject.matter")
                or attribute(subject, "tobject.subject.type")
            )
            if (f"{scheme}:{refnum}", name) not in subjects:
                subjects.append((f"{scheme}:{refnum}", name))
    return subjects


def _usage_terms(docdata: Element | None) -> str:
    """``doc.rights``' limitations and the ``doc.copyright`` notice, in one line."""
    parts = [attribute(rights, "limitations") for rights in children(docdata, "doc.rights")]
    copyright_ = child(docdata, "doc.copyright")
    holder = attribute(copyright_, "holder")
    if holder:
        year = attribute(copyright_, "year")
        parts.append(f"© {year} {holder}" if year else f"© {holder}")
    return " ".join(part for part in parts if part)


def _renditions(content: Element | None) -> list[Rendition]:
    renditions: list[Rendition] = []
    if content is None:
        return renditions
    for media in content.iter():
        if not isinstance(media.tag, str) or local(media.tag) != "media":
            continue
        kind = attribute(media, "media-type").lower()
        credit = "; ".join(filter(None, map(text_of, children(media, "media-producer"))))
        terms = next(
            (
                attribute(meta, "value")
                for meta in children(media, "media-metadata")
                if attribute(meta, "name").lower() in ("usage-terms", "rights", "copyright")
            ),
            "",
        )
        for reference in children(media, "media-reference"):
            url = attribute(reference, "source")
            media_type = attribute(reference, "mime-type").lower()
            is_picture = media_type.startswith("image/") or (
                not media_type and kind in _PICTURE_TYPES
            )
            if is_picture and safe_http_url(url):
                renditions.append(Rendition(url, credit, terms, media_type))
    return renditions
