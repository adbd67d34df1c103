"""The normalised item every agency format becomes, and what a reader of one raises.

RSS and Atom fill the first fields only; the IPTC formats (ninjs, NewsML-G2, NITF, AP's
API) fill what a wire desk needs beyond them: versions, the publication status,
embargoes, urgency, signals, the editor's note, usage terms and expiry.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from .links import normalise_link

# What WireItem keeps of a title (title, source_title) and of a GUID: cut by the
# readers, once, so that an import and every later update store the same text.
TITLE_MAX_LENGTH = 1024
GUID_MAX_LENGTH = 1024

# IPTC's publication status (http://cv.iptc.org/newscodes/pubstatusg2/), as WireItem
# records it.
USABLE, WITHHELD, CANCELED = "usable", "withheld", "canceled"


class FeedError(Exception):
    """A feed or document that cannot be read; str(error) is a message for the editor."""


@dataclass(frozen=True)
class Rendition:
    """A picture that belongs to the item: where to get it, whose it is, on what terms."""

    url: str
    credit: str = ""
    usage_terms: str = ""
    media_type: str = ""  # "image/jpeg"…, "" when the document does not say


@dataclass(frozen=True)
class FeedItem:
    guid: str  # the agency's id for the story (a ninjs or NewsML-G2 URI, an RSS guid)
    link: str  # the item's public web address, as the agency gave it ("" if none)
    title: str  # plain text, at most TITLE_MAX_LENGTH characters
    published_at: datetime | None
    html: str  # sanitised, in Wagtail's database rich-text format
    image_url: str = ""
    version: int | None = None  # higher is newer; None: the format has no versions
    status: str = USABLE
    embargoed_until: datetime | None = None
    urgency: int | None = None  # 1 (most urgent) to 9
    signals: tuple[str, ...] = ()  # "update", "correction", "kill"… (see vocabulary.py)
    ednote: str = ""  # for editors only: never in the body or any public output
    byline: str = ""
    dateline: str = ""
    language: str = ""  # a BCP 47 tag, as the document gives it
    subjects: tuple[tuple[str, str], ...] = ()  # (code, name): IPTC Media Topics…
    usage_terms: str = ""
    expires_at: datetime | None = None
    renditions: tuple[Rendition, ...] = ()
    # "text", or what the item is instead (picture, video, graphic, audio…): an item
    # without text never becomes an empty article.
    kind: str = "text"
    notes: tuple[str, ...] = field(default=(), compare=False)  # what the reader noticed

    @property
    def normalised_link(self) -> str:
        return normalise_link(self.link)

    @property
    def fingerprint(self) -> str:
        """What the agency sent, in a few bytes: a changed title or text changes it."""
        return hashlib.sha256(f"{self.title}\n{self.html}".encode()).hexdigest()


@dataclass(frozen=True)
class ParsedFeed:
    items: list[FeedItem]
    # For the editor: the feed was read, but its text may not be what the agency wrote.
    warning: str = ""
    # Where to ask next time, when the format says (AP Media API's ``next_page``).
    next_page: str = ""
    # The document's own links (Atom's, RSS's atom:link) as (rel, URL) pairs: WebSub's
    # hub and self, which a Link header may also give.
    links: tuple[tuple[str, str], ...] = ()
