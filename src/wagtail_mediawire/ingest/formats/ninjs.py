"""IPTC ninjs (News in JSON) 1.x, 2.x and 3.x: a single item object or a JSON list of
items, read into the normalised item (``ingest/item.py``).

The three versions name the same things differently: 1.x writes ``headline``,
``body_html``, ``byline``, ``embargoed`` and objects keyed by name for ``renditions``,
``associations`` and ``altids``; 2.x keeps the lower-case names but moves to arrays
(``headlines``, ``bodies``, ``subjects``, ``renditions``, ``associations``, ``altids``)
and writes ``by``; 3.x is 2.x in camelCase (``pubStatus``, ``edNote``,
``versionCreated``, ``embargoedUntil``, ``usageTerms``, ``rightsInfo``, ``altIds``).
Keys are read case-insensitively, so one reader serves all three, and AP's API items
(``apmedia``), which are ninjs 1.x with AP's additions, reuse it.

Nothing here refuses an item for an odd value: ``vocabulary`` logs what it does not
know and reads the nearest safe meaning.
"""

import html
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext

from ...text import xml_safe
from ...validators import safe_http_url
from .. import vocabulary
from ..item import (
    GUID_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    FeedError,
    FeedItem,
    ParsedFeed,
    Rendition,
)
from ..parse import clean_html, plain_text

logger = logging.getLogger("wagtail_mediawire")

# ninjs' "type" (IPTC's ninature): what an item is when it is not text.
KINDS = {"text", "picture", "video", "graphic", "audio", "composite", "component",
         "event", "planning"}  # fmt: skip
PICTURE_KINDS = {"picture", "graphic"}
# Keys that make a JSON object a ninjs item (any version, lower-cased).
ITEM_KEYS = {"uri", "guid", "type", "headline", "headlines", "body_html", "body_text",
             "body_xhtml", "bodies", "versioncreated", "firstcreated", "pubstatus"}  # fmt: skip
# Roles of an altId or a link that name the item's public web page.
LINK_ROLES = ("canonical", "alternate", "url", "weburl", "web", "permalink", "link")
# A body without a content type is HTML when it holds one of these elements.
HTML_ELEMENT = re.compile(r"<(p|div|br|h[1-6]|ul|ol|li|b|i|em|strong|a|span|blockquote)\b",
                          re.IGNORECASE)  # fmt: skip
HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xhtml", "html", "xhtml")
# IPTC vocabularies by their scheme URI, to write a concept's code as a QCode.
SCHEMES = {
    "http://cv.iptc.org/newscodes/mediatopic/": "medtop",
    "https://cv.iptc.org/newscodes/mediatopic/": "medtop",
    "http://cv.iptc.org/newscodes/subjectcode/": "subj",
    "https://cv.iptc.org/newscodes/subjectcode/": "subj",
}


def read(content: bytes) -> ParsedFeed:
    """The items of a ninjs document: one item object, a JSON list of items, or an
    object holding its list under ``items``.

    Raises FeedError for bytes that are not JSON, or JSON with no ninjs item.
    """
    data = load_json(content)
    if isinstance(data, Mapping):
        entries = _listed(data)
        if entries is None:
            if not is_item(data):
                raise FeedError(
                    gettext("This JSON is not a ninjs item: it has none of ninjs' fields (%s).")
                    % "uri, type, headline, headlines, body_html, bodies, versioncreated"
                )
            entries = [data]
    elif isinstance(data, list):
        entries = data
    else:
        raise FeedError(gettext("This JSON is not a ninjs item or a list of ninjs items."))
    if not entries:
        raise FeedError(gettext("The ninjs document has no items."))
    items = [feed_item(entry) for entry in entries if isinstance(entry, Mapping)]
    if not items:
        raise FeedError(gettext("The ninjs document has no items: its list holds no objects."))
    skipped = len(entries) - len(items)
    warning = ""
    if skipped:
        warning = gettext(
            "%(count)d entries of the ninjs list were not items (objects) and were skipped."
        ) % {"count": skipped}
    return ParsedFeed(items=items, warning=warning)


def load_json(content: bytes) -> Any:
    """``content`` as JSON, or FeedError with what is wrong in it, for the editor."""
    try:
        return json.loads(content)
    except UnicodeDecodeError as error:
        raise FeedError(
            gettext("The document is not UTF-8 (or UTF-16/32) text, which JSON must be: %(error)s.")
            % {"error": error}
        ) from error
    except ValueError as error:
        raise FeedError(
            gettext("The document is not valid JSON: %(error)s.") % {"error": error}
        ) from error
    except RecursionError as error:
        raise FeedError(gettext("The JSON document is nested too deeply to read.")) from error


def _listed(data: Mapping) -> list | None:
    for key in ("items", "_items"):
        if isinstance(data.get(key), list) and not is_item(data):
            return data[key]
    return None


def is_item(data: Mapping) -> bool:
    return any(str(key).lower() in ITEM_KEYS for key in data)


def lowered(data: object) -> dict[str, Any]:
    """An object's keys in lower case (3.x's ``pubStatus`` is 2.x's ``pubstatus``);
    anything but an object is empty."""
    if not isinstance(data, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        out.setdefault(str(key).lower(), value)
    return out


def feed_item(entry: Mapping) -> FeedItem:
    """One ninjs item (any version) as the normalised item."""
    return FeedItem(**item_fields(entry))


def item_fields(entry: Mapping) -> dict[str, Any]:
    """The normalised item's fields for one ninjs item, as keyword arguments: readers of
    formats built on ninjs (``apmedia``) change what they read differently."""
    item = lowered(entry)
    notes: list[str] = []
    guid = text(item.get("uri")) or text(item.get("guid"))
    if not guid:
        notes.append(gettext("ninjs item without a uri: it is identified by its link only."))
    guid = guid[:GUID_MAX_LENGTH]
    where = f" in ninjs item {guid!r}" if guid else " in a ninjs item"

    body_html, body_note = body(item)
    if body_note:
        notes.append(body_note)
    kind = _kind(item, has_body=bool(body_html), where=where)
    title = headline(item)
    if not title and body_html:
        title = Truncator(plain_text(body_html)).words(12)
    renditions = pictures(item, kind=kind)
    return {
        "guid": guid,
        "link": public_link(item),
        "title": title[:TITLE_MAX_LENGTH],
        "published_at": vocabulary.wire_datetime(
            item.get("versioncreated") or item.get("firstcreated") or item.get("contentcreated")
        ),
        "html": body_html,
        "image_url": renditions[0].url if renditions else "",
        "version": vocabulary.version(item.get("version")),
        "status": vocabulary.pubstatus(item.get("pubstatus"), where=where),
        "embargoed_until": vocabulary.wire_datetime(
            item.get("embargoeduntil") or item.get("embargoed")
        ),
        "urgency": vocabulary.urgency(item.get("urgency"), where=where),
        "signals": signals(item.get("signals"), where=where),
        "ednote": long_text(item.get("ednote")),
        "byline": plain_text(text(item.get("by")) or text(item.get("byline"))),
        "dateline": dateline(item),
        "language": text(item.get("language")),
        "subjects": subjects(item),
        "usage_terms": usage_terms(item),
        "expires_at": vocabulary.wire_datetime(item.get("expires")),
        "renditions": renditions,
        "kind": kind,
        "notes": tuple(notes),
    }


# Plain values


def text(value: object) -> str:
    """A string value, stripped and XML-safe; anything else (a number, an object) is ""."""
    return xml_safe(value).strip() if isinstance(value, str) else ""


def long_text(value: object) -> str:
    """A note or terms as written, its lines kept: a string, or a list of strings (one
    a line)."""
    if isinstance(value, list):
        return "\n".join(part for part in (long_text(v) for v in value) if part)
    return "\n".join(line.strip() for line in text(value).splitlines()).strip()


def _kind(item: dict, *, has_body: bool, where: str) -> str:
    kind = text(item.get("type")).lower()
    if not kind:
        return "text"
    if kind in KINDS:
        return kind
    if has_body:
        logger.warning("Unknown ninjs type %r%s, read as text: it has a body", kind, where)
        return "text"
    logger.warning("Unknown ninjs type %r%s, kept as written", kind, where)
    return kind[:32]


# Headline and body


def _by_role(entries: object, role: str = "main") -> list[dict]:
    """An array of ``{value, role, contentType}`` objects, the wanted role first, then
    those without a role, then the others."""
    if not isinstance(entries, list):
        return []
    objects = [lowered(e) for e in entries if isinstance(e, Mapping) and text(e.get("value"))]

    def rank(entry: dict) -> int:
        given = text(entry.get("role")).lower()
        return 0 if given.rsplit(":", 1)[-1] == role else 1 if not given else 2

    return sorted(objects, key=rank)


def headline(item: dict) -> str:
    """The main headline, as plain text: 1.x's ``headline``, else the ``headlines`` entry
    whose role is main (or that has no role, or the first), else the item's title."""
    single = plain_text(text(item.get("headline")))
    if single:
        return single
    for entry in _by_role(item.get("headlines")):
        value = plain_text(entry["value"])
        if value:
            return value
    return plain_text(text(item.get("title")))


def body(item: dict) -> tuple[str, str]:
    """The body as the paragraph block stores it, and a note on how it was read ("" if
    plainly). HTML goes through ``clean_html``; plain text becomes paragraphs first."""
    for key in ("body_html", "body_xhtml"):
        value = text(item.get(key))
        if value:
            return clean_html(value), ""
    value = text(item.get("body_text"))
    if value:
        return paragraphs(value), ""
    for entry in _by_role(item.get("bodies")):
        content_type = text(entry.get("contenttype")).lower()
        value = entry["value"]
        if content_type.startswith(HTML_TYPES) or (not content_type and HTML_ELEMENT.search(value)):
            return clean_html(value), ""
        if content_type and not content_type.startswith("text/"):
            continue  # NITF, JSON… : not something the desk reads as a body
        return paragraphs(value), ""
    others = sorted(key for key in item if key.startswith("body_") and text(item[key]))
    if others:
        value = text(item[others[0]])
        html_body = clean_html(value) if HTML_ELEMENT.search(value) else paragraphs(value)
        return html_body, gettext("The body was read from %(key)s.") % {"key": others[0]}
    return "", ""


def paragraphs(value: str) -> str:
    """Plain text as paragraphs, every word kept: a blank line starts a paragraph; in
    text without blank lines, each line is one (wire copy often has one a line).
    Inside a paragraph, lines wrapped by the agency are joined with a space."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n[ \t]*\n", value):
        chunks = re.split(r"\n[ \t]*\n", value)
    else:
        chunks = value.split("\n")
    parts = [" ".join(chunk.split()) for chunk in chunks]
    return clean_html("".join(f"<p>{html.escape(p, quote=False)}</p>" for p in parts if p))


# Who, where, what about, on what terms


def dateline(item: dict) -> str:
    """``located`` (every version), else a ``dateline`` as some agencies add it: a
    string or an object with its ``text``."""
    located = plain_text(text(item.get("located")))
    if located:
        return located
    value = item.get("dateline")
    if isinstance(value, Mapping):
        value = lowered(value).get("text") or lowered(value).get("located")
    return plain_text(text(value))


def signals(value: object, *, where: str = "") -> tuple[str, ...]:
    """Signals as their meaning (``vocabulary.signal``), each once, in order: strings or
    objects with a ``uri``, ``qcode``, ``code``, ``literal`` or ``name``."""
    if isinstance(value, str | Mapping):
        value = [value]
    if not isinstance(value, list):
        return ()
    out: list[str] = []
    for entry in value:
        if isinstance(entry, Mapping):
            entry = lowered(entry)
            code = next(
                (
                    text(entry.get(k))
                    for k in ("qcode", "uri", "code", "literal", "name")
                    if text(entry.get(k))
                ),
                "",
            )
        else:
            code = text(entry)
        if code:
            if "/" in code:  # http://cv.iptc.org/newscodes/signal/update → update
                code = code.rstrip("/").rsplit("/", 1)[-1]
            meaning = vocabulary.signal(code, where=where)
            if meaning and meaning not in out:
                out.append(meaning)
    return tuple(out)


def concept_code(concept: dict) -> str:
    """A concept's code as a QCode where its scheme is IPTC's (``medtop:04000000``),
    else its code, URI or literal as written."""
    code = text(concept.get("code")) or text(concept.get("qcode"))
    scheme = text(concept.get("scheme"))
    uri = text(concept.get("uri"))
    if code and ":" not in code and scheme:
        prefix = SCHEMES.get(scheme if scheme.endswith("/") else scheme + "/")
        return f"{prefix}:{code}" if prefix else code
    if code:
        return code
    for base, prefix in SCHEMES.items():
        if uri.startswith(base) and uri[len(base) :].strip("/"):
            return f"{prefix}:{uri[len(base) :].strip('/')}"
    return uri or text(concept.get("literal"))


def subjects(item: dict) -> tuple[tuple[str, str], ...]:
    """(code, name) of 1.x's ``subject`` and 2.x/3.x's ``subjects``, each once."""
    out: list[tuple[str, str]] = []
    for key in ("subject", "subjects"):
        entries = item.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            concept = lowered(entry)
            pair = (concept_code(concept), plain_text(text(concept.get("name"))))
            if any(pair) and pair not in out:
                out.append(pair)
    return tuple(out)


def usage_terms(item: dict) -> str:
    """``usageterms`` (``usageTerms``), with ``rightsinfo``'s linked or encoded rights
    after it, one a line."""
    parts = [long_text(item.get("usageterms"))]
    rights = lowered(item.get("rightsinfo"))
    parts += [long_text(rights.get("linkedrights")), long_text(rights.get("encodedrights"))]
    return "\n".join(part for part in parts if part)


def public_link(item: dict) -> str:
    """The item's public web page: a ``links`` entry or an alternative id whose rel or
    role is canonical (then alternate, url…) and whose value is an http(s) URL, else "".
    Never the ``uri``: the schema calls it the item's identifier, not a link."""
    candidates: list[tuple[str, str]] = []
    links = item.get("links")
    if isinstance(links, Mapping):
        candidates += [(str(rel), href) for rel, href in links.items()]
    elif isinstance(links, list):
        for link in (lowered(entry) for entry in links):
            rels = link.get("rel") or link.get("role") or ""
            for rel in rels if isinstance(rels, list) else [rels]:
                candidates.append((text(rel), link.get("href") or link.get("url")))
    altids = item.get("altids")
    if isinstance(altids, Mapping):
        candidates += [(str(role), value) for role, value in altids.items()]
    elif isinstance(altids, list):
        candidates += [
            (text(alt.get("role")), alt.get("value")) for alt in (lowered(a) for a in altids)
        ]
    for wanted in LINK_ROLES:
        for role, value in candidates:
            if role.lower().rsplit(":", 1)[-1] == wanted and safe_http_url(text(value)):
                return text(value)
    return ""


# Pictures


def pictures(item: dict, *, kind: str) -> tuple[Rendition, ...]:
    """The pictures that belong to the item: its own best rendition when it is a picture
    or graphic, then the best rendition of each associated picture or graphic."""
    out: list[Rendition] = []
    if kind in PICTURE_KINDS:
        own = best_rendition(item, loose=True)
        if own:
            out.append(own)
    for associated in _associations(item.get("associations")):
        associated_kind = text(associated.get("type")).lower()
        if associated_kind and associated_kind not in PICTURE_KINDS:
            continue  # a related story, a video, a package: not a picture
        rendition = best_rendition(associated, loose=bool(associated_kind))
        if rendition and rendition.url not in {r.url for r in out}:
            out.append(rendition)
    return tuple(out)


def _associations(value: object) -> Iterable[dict]:
    if isinstance(value, Mapping):  # 1.x (and AP): keyed by name
        value = list(value.values())
    if isinstance(value, list):
        yield from (lowered(entry) for entry in value if isinstance(entry, Mapping))


def best_rendition(owner: dict, *, loose: bool) -> Rendition | None:
    """The owner's largest rendition that is an image with an http(s) address, with the
    owner's credit and usage terms; ``loose`` also takes a rendition of unstated type
    (the owner says it is a picture)."""
    renditions = owner.get("renditions")
    if isinstance(renditions, Mapping):  # 1.x (and AP): keyed by name
        renditions = list(renditions.values())
    if not isinstance(renditions, list):
        return None
    found: list[tuple[int, int, str, str]] = []
    for index, rendition in enumerate(lowered(r) for r in renditions):
        url = safe_http_url(text(rendition.get("href")))
        media_type = (text(rendition.get("mimetype")) or text(rendition.get("contenttype"))).lower()
        if not url or not (media_type.startswith("image/") or (loose and not media_type)):
            continue
        area = _number(rendition.get("width")) * _number(rendition.get("height"))
        found.append((area, -index, url, media_type))
    if not found:
        return None
    _, _, url, media_type = max(found)
    return Rendition(
        url=url, credit=credit(owner), usage_terms=usage_terms(owner), media_type=media_type
    )


def credit(owner: dict) -> str:
    """Whose a picture is: its credit line if it has one, else its creator and its
    copyright holder (or notice)."""
    line = plain_text(text(owner.get("description_creditline")) or text(owner.get("creditline")))
    if line:
        return line
    parts = [
        plain_text(text(owner.get("by")) or text(owner.get("byline"))),
        plain_text(text(owner.get("copyrightholder")) or text(owner.get("copyrightnotice"))),
    ]
    return " / ".join(dict.fromkeys(part for part in parts if part))


def _number(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return max(int(value), 0)
    return 0
