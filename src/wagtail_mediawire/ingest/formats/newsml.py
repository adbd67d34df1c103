"""IPTC NewsML-G2 (``http://iptc.org/std/nar/2006-10-01/``): a ``newsItem``, a
``packageItem``, or a ``newsMessage`` carrying several in its ``itemSet``.

Read with ``ingest.xml.read_xml`` (defusedxml: no entity, no DTD read, no network).
Elements are matched by local name within the item, as NITF's are.

Each ``newsItem`` is one item. Pictures travel as items of their own (``itemClass``
``ninat:picture``); in a ``newsMessage``, a picture that a ``packageItem`` ties to a
text item becomes that text item's rendition, and is not returned on its own, so it
never becomes an empty article. A lone picture is returned with its kind, "picture",
which the importer skips with a note; so is a package that ties nothing the message
carries (kind "package").

Decisions (docs/how-to/format-newsml-g2.md):

- every ``edNote``, whatever its role (dpa's ``dpaednoterole:public`` as well as a
  non-public constraint), goes to ``ednote``, joined one a line, never into the body;
- an empty ``<embargoed/>`` (embargoed, time to come) holds a usable item back as
  withheld; an embargo with a date keeps the item usable, with ``embargoed_until``;
- the headline is the one without a role or with role ``…:main``, else the first;
- the expiry is ``itemMeta/expires`` (NewsML-G2 2.17).
"""

import logging
import re
from dataclasses import replace
from html import escape
from xml.etree.ElementTree import Element

from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext

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
from ..parse import clean_html
from ..xml import local, read_xml
from .nitf import XML_LANG, attribute, child, children, markup_html, plain, text_of

logger = logging.getLogger("wagtail_mediawire")

_ITEMS = ("newsItem", "packageItem")
# itemClass (IPTC's ninat: and agencies' codes) → FeedItem.kind.
_KINDS = {
    "text": "text",
    "picture": "picture",
    "photo": "picture",
    "graphic": "graphic",
    "video": "video",
    "audio": "audio",
    "animated": "graphic",
    "interactive": "graphic",
    "composite": "composite",
}
_LINK_RELS = ("canonical", "irel:canonical", "irel:seealso", "seealso")
# Which of a picture's renditions the importer downloads, best first.
_RENDITION_ORDER = ("web", "preview", "highres", "print", "original")


def read(content: bytes) -> ParsedFeed:
    """The items of a NewsML-G2 document; raises FeedError for anything else."""
    root = read_xml(content)
    name = local(root.tag)
    if name == "newsMessage":
        elements = [item for box in children(root, "itemSet") for item in box if _is_item(item)]
    elif name in _ITEMS:
        elements = [root]
    else:
        raise FeedError(
            gettext("This is not a NewsML-G2 item or message: its first element is <%(name)s>.")
            % {"name": name}
        )
    return ParsedFeed(items=_tied(elements))


def _is_item(element: Element) -> bool:
    return isinstance(element.tag, str) and local(element.tag) in _ITEMS


def _tied(elements: list[Element]) -> list[FeedItem]:
    """The message's items, each picture a package ties to a text item inside it."""
    items = {id(e): _news_item(e) for e in elements if local(e.tag) == "newsItem"}
    by_guid = {item.guid: item for item in items.values() if item.guid}
    attached: dict[str, list[Rendition]] = {}  # text item's guid → pictures
    absorbed: set[str] = set()  # pictures that now belong to a text item
    untied: set[int] = set()  # packages that tie nothing the message carries
    for package in (e for e in elements if local(e.tag) == "packageItem"):
        present = [by_guid[ref] for ref in _references(package) if ref in by_guid]
        if not present:
            untied.add(id(package))
            continue
        texts = [item for item in present if item.kind == "text"]
        pictures = [item for item in present if item.kind != "text" and item.renditions]
        for text in texts:
            for picture in pictures:
                attached.setdefault(text.guid, []).extend(picture.renditions)
                absorbed.add(picture.guid)
    out: list[FeedItem] = []
    for element in elements:
        if local(element.tag) == "packageItem":
            if id(element) in untied:
                out.append(_package_item(element))
            continue
        item = items[id(element)]
        if item.guid in absorbed:
            continue
        extra = [r for r in attached.get(item.guid, []) if r not in item.renditions]
        if extra:
            renditions = item.renditions + tuple(extra)
            item = replace(item, renditions=renditions, image_url=item.image_url or _best(extra))
        out.append(item)
    return out


def _references(package: Element) -> list[str]:
    return [
        ref.get("residref", "")
        for ref in package.iter()
        if isinstance(ref.tag, str) and local(ref.tag) == "itemRef" and ref.get("residref")
    ]


# --- one item ---------------------------------------------------------------------------


def _common(element: Element) -> dict:
    """What every item kind says the same way: ids, status, dates, rights, metadata."""
    meta = child(element, "itemMeta")
    content_meta = child(element, "contentMeta")
    guid = attribute(element, "guid")[:GUID_MAX_LENGTH]
    where = f" in NewsML-G2 item {guid!r}" if guid else " in a NewsML-G2 item"
    notes: list[str] = []

    status = vocabulary.pubstatus(attribute(child(meta, "pubStatus"), "qcode"), where=where)
    embargo = None
    embargoed = child(meta, "embargoed")
    if embargoed is not None:
        embargo = vocabulary.wire_datetime(text_of(embargoed))
        if embargo is None and status == USABLE:
            status = WITHHELD
            notes.append(gettext("embargoed without a date: withheld"))
    signals: list[str] = []
    for signal in children(meta, "signal"):
        code = attribute(signal, "qcode") or attribute(signal, "uri")
        meaning = vocabulary.signal(code, where=where) if code else ""
        if meaning and meaning not in signals:
            signals.append(meaning)
    headlines = children(content_meta, "headline")
    main = [h for h in headlines if not h.get("role") or h.get("role", "").endswith(":main")]
    rights = child(element, "rightsInfo")
    return {
        "guid": guid,
        "link": _link(meta, content_meta),
        "title": plain((main or headlines or [None])[0])[:TITLE_MAX_LENGTH],
        "published_at": (
            vocabulary.wire_datetime(text_of(child(meta, "versionCreated")))
            or vocabulary.wire_datetime(text_of(child(meta, "firstCreated")))
        ),
        "version": vocabulary.version(attribute(element, "version")),
        "status": status,
        "embargoed_until": embargo,
        "urgency": vocabulary.urgency(text_of(child(content_meta, "urgency")) or None, where=where),
        "signals": tuple(signals),
        "ednote": "\n".join(filter(None, map(text_of, children(meta, "edNote")))),
        "byline": "; ".join(filter(None, map(plain, children(content_meta, "by")))),
        "dateline": plain(child(content_meta, "dateline"))
        or plain(child(content_meta, "located/name")),
        "language": (
            attribute(child(content_meta, "language"), "tag")
            or attribute(element, XML_LANG)
            or attribute(content_meta, XML_LANG)
        ),
        "subjects": tuple(_subjects(content_meta)),
        "usage_terms": " ".join(filter(None, map(text_of, children(rights, "usageTerms")))),
        "expires_at": vocabulary.wire_datetime(text_of(child(meta, "expires"))),
        "notes": tuple(notes),
    }


def _news_item(element: Element) -> FeedItem:
    fields = _common(element)
    meta = child(element, "itemMeta")
    content_meta = child(element, "contentMeta")
    content_set = child(element, "contentSet")
    html = _html(content_set)
    credit = (
        text_of(child(content_meta, "creditline"))
        or text_of(child(element, "rightsInfo/copyrightHolder/name"))
        or attribute(child(element, "rightsInfo/copyrightHolder"), "literal")
    )
    renditions = _renditions(content_set, credit, fields["usage_terms"])
    item_class = attribute(child(meta, "itemClass"), "qcode")
    kind = _KINDS.get(item_class.rsplit(":", 1)[-1].lower()) if item_class else "text"
    if kind is None:
        kind = "text" if html or not renditions else "picture"
        logger.warning(
            "Unknown item class %r%s, read as %s", item_class, f" in {fields['guid']!r}", kind
        )
    if not fields["title"] and html:
        fields["title"] = Truncator(strip_tags(html)).words(12)[:TITLE_MAX_LENGTH]
    return FeedItem(
        html=html,
        image_url=_best(renditions),
        renditions=tuple(renditions),
        kind=kind,
        **fields,
    )


def _package_item(element: Element) -> FeedItem:
    return FeedItem(html="", kind="package", **_common(element))


def _link(meta: Element | None, content_meta: Element | None) -> str:
    """The item's public web address: a canonical or see-also link, else an alternative
    id that is an http(s) URL, else ""."""
    links = {
        attribute(link, "rel").lower(): attribute(link, "href")
        for link in reversed(children(meta, "link"))
        if safe_http_url(attribute(link, "href"))
    }
    for rel in _LINK_RELS:
        if links.get(rel):
            return links[rel]
    for alt in children(content_meta, "altId"):
        if safe_http_url(text_of(alt)):
            return text_of(alt)
    return ""


def _subjects(content_meta: Element | None) -> list[tuple[str, str]]:
    subjects: list[tuple[str, str]] = []
    for subject in children(content_meta, "subject"):
        code = attribute(subject, "qcode") or attribute(subject, "uri")
        names = children(subject, "name")
        name = text_of(names[0]) if names else ""
        if code and (code, name) not in subjects:
            subjects.append((code, name))
    return subjects


def _html(content_set: Element | None) -> str:
    """The text of the item: ``inlineXML`` (XHTML, or NITF) or ``inlineData`` (plain
    text, a blank line between paragraphs; one a line when it has no blank line)."""
    for inline in children(content_set, "inlineXML"):
        for root in inline:
            if not isinstance(root.tag, str):
                continue
            name = local(root.tag)
            if name == "html":
                body = child(root, "body")
                return markup_html(body if body is not None else root)
            if name == "nitf":
                content = child(root, "body/body.content")
                return markup_html(content) if content is not None else ""
            return markup_html(inline)
    for inline in children(content_set, "inlineData"):
        text = (inline.text or "").strip()
        if not text:
            continue
        split = r"\n\s*\n" if re.search(r"\n\s*\n", text) else r"\n"
        paragraphs = [" ".join(chunk.split()) for chunk in re.split(split, text)]
        return clean_html("".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs if p))
    return ""


def _renditions(content_set: Element | None, credit: str, terms: str) -> list[Rendition]:
    renditions = []
    for remote in children(content_set, "remoteContent"):
        url = attribute(remote, "href")
        media_type = attribute(remote, "contenttype").lower()
        if safe_http_url(url) and (not media_type or media_type.startswith("image/")):
            rank = attribute(remote, "rendition").rsplit(":", 1)[-1].lower()
            renditions.append((rank, Rendition(url, credit, terms, media_type)))
    order = {name: n for n, name in enumerate(_RENDITION_ORDER)}
    renditions.sort(key=lambda pair: order.get(pair[0], len(order) + (pair[0] == "thumbnail")))
    return [rendition for _rank, rendition in renditions]


def _best(renditions) -> str:
    return renditions[0].url if renditions else ""
