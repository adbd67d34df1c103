"""The IPTC vocabularies as each format spells them, read into the normalised item's
words, and the dates agencies write.

A value outside a vocabulary is logged and read as the nearest safe meaning (an
unknown publication status is "usable", an unknown signal is kept as written), never
refused: agencies extend the vocabularies, and one odd value must not lose a story.
"""

import logging
import re
from datetime import UTC, datetime, timedelta, timezone

from django.utils.dateparse import parse_datetime

from .item import CANCELED, USABLE, WITHHELD

logger = logging.getLogger("wagtail_mediawire")

_PUBSTATUS = {
    "usable": USABLE,
    "withheld": WITHHELD,
    "canceled": CANCELED,
    "cancelled": CANCELED,
    # NITF's docdata/@management-status and some agencies' own words.
    "embargoed": WITHHELD,
    "killed": CANCELED,
}
# Whole qcodes whose code alone means something else.
_PUBSTATUS_QCODES = {"edstat:d": CANCELED}

# Signals (IPTC's signal NewsCodes, ninjs' "signals", agencies' own), by meaning.
_SIGNALS = {
    "update": "update",
    "upd": "update",
    "correction": "correction",
    "correct": "correction",
    "cwarn": "warning",
    "kill": "kill",
    "delete": "kill",
    "del": "kill",
    "withdrawn": "kill",
    "sig:update": "update",
    "sig:correction": "correction",
    "sig:kill": "kill",
    # Reuters' editorial status "D" (deleted): remove from websites and caches.
    "edstat:d": "kill",
}


def _code(value: str) -> str:
    """A code without its scheme's prefix ("stat:canceled" → "canceled")."""
    return value.strip().rsplit(":", 1)[-1].lower()


def pubstatus(value: object, *, where: str = "") -> str:
    """``usable``, ``withheld`` or ``canceled``, from any format's spelling
    (``stat:canceled``, ``Cancelled``…); an unknown value is logged and read as usable."""
    if not isinstance(value, str) or not value.strip():
        return USABLE
    status = _PUBSTATUS_QCODES.get(value.strip().lower()) or _PUBSTATUS.get(_code(value))
    if status is None:
        logger.warning("Unknown publication status %r%s, read as usable", value, where)
        return USABLE
    return status


def signal(value: str, *, where: str = "") -> str:
    """A signal's meaning ("update", "correction", "kill"…), else the value as written
    (logged): a desk may still want to see it."""
    text = value.strip().lower()
    meaning = _SIGNALS.get(text) or _SIGNALS.get(_code(text))
    if meaning is None:
        logger.info("Unknown signal %r%s, kept as written", value, where)
        return text[:64]
    return meaning


def urgency(value: object, *, where: str = "") -> int | None:
    """IPTC urgency, 1 (most urgent) to 9; anything else (logged) is None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        if value not in (None, ""):
            logger.warning("Unreadable urgency %r%s", value, where)
        return None
    if not 1 <= number <= 9:
        logger.warning("Urgency %r%s is outside 1 to 9", value, where)
        return None
    return number


def version(value: object) -> int | None:
    """A version number (ninjs' "version" is a string, NewsML-G2's @version a number)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


_BASIC = re.compile(
    r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def wire_datetime(value: object) -> datetime | None:
    """A date or time as agencies write it, aware (UTC when it names no zone): ISO 8601
    with ``Z``, ``+00:00`` or ``+0000``, without a zone, or in the basic format
    (``20131020T192751+1100``, NITF's ``date.issue`` norm), or a date alone."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    basic = _BASIC.match(text)
    if basic:
        year, month, day, hour, minute, second, zone = basic.groups()
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0))  # fmt: skip
        return moment.replace(tzinfo=_zone(zone))
    # "+0000" (no colon) as Django's parser wants it: "+00:00".
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace(" ", "T", 1))
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            logger.warning("Unreadable date %r", value)
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _zone(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
