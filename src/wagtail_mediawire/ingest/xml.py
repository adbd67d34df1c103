"""XML documents read safely: the agency formats' one XML reader (NewsML-G2, NITF).

defusedxml over the standard library's expat, rather than lxml: it is already a
Wagtail dependency (through Willow), needs no C library of its own, and refuses what
matters by construction: entity declarations (bombs, an internal subset's tricks) and
external entities are errors, and expat never reads a DTD (NITF's
``<!DOCTYPE nitf SYSTEM "nitf.dtd">`` is allowed and ignored): nothing is fetched from
the network or read from disk. Size and time are the download's limits, as for RSS.
"""

import codecs
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext

from .item import FeedError

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.DOTALL)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def read_xml(content: bytes) -> Element:
    """The document's root element; raises FeedError with a message for the editor.

    The declared encoding is read with Python's codecs, which know every spelling
    agencies use (``utf8``, ``ISO-8859-1``, ``latin1``), where expat knows a few.
    """
    text = _decoded(content)
    try:
        return fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise FeedError(
            gettext("The document declares an entity (%(name)s), which is never read.")
            % {"name": getattr(error, "name", "") or "?"}
        ) from error
    except ParseError as error:
        raise FeedError(
            gettext("The document is not well-formed XML: %(error)s.") % {"error": error}
        ) from error


def _decoded(content: bytes) -> str:
    declaration = _DECLARATION.match(content)
    encoding = "utf-8"
    if declaration:
        found = _ENCODING.search(declaration[0])
        if found:
            encoding = found[1].decode("ascii")
        content = content[declaration.end() :]
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise FeedError(
            gettext("The document declares an unknown character encoding, %(name)s.")
            % {"name": encoding}
        ) from error
    if content.startswith(codecs.BOM_UTF8):
        content, encoding = content[len(codecs.BOM_UTF8) :], "utf-8"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as error:
        raise FeedError(
            gettext("The document is not in the character encoding it declares (%(name)s).")
            % {"name": encoding}
        ) from error


def local(tag: str) -> str:
    """A tag or attribute name without its namespace ("{http://…}newsItem" → "newsItem")."""
    return tag.rsplit("}", 1)[-1]
