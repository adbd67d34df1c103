"""A feed's health, as the dashboard, the Feeds listing and ``mediawire_fetch_feeds``
show it: *failing since …* with its last error, or *quiet since …*, when an active feed
has brought no new or updated item for longer than its ``quiet_after``
(``WireFeed.quiet_since``)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext

from ..models import WireFeed

# What a feed's health is read from: lists of feeds load only these.
FIELDS = (
    "name",
    "is_active",
    "last_error",
    "failing_since",
    "last_item_at",
    "created_at",
    "quiet_after",
    "fetch_interval",
)
FAILING = "failing"
QUIET = "quiet"


@dataclass(frozen=True)
class Problem:
    feed: WireFeed
    kind: str  # FAILING or QUIET
    since: datetime | None  # None: failing, from before the time was recorded


def problem(feed: WireFeed, now: datetime | None = None) -> Problem | None:
    """What is wrong with an active feed: it fails, or else it is quiet; None when
    neither (or when it is not active)."""
    if not feed.is_active:
        return None
    if feed.last_error:
        return Problem(feed, FAILING, feed.failing_since)
    since = feed.quiet_since(now)
    return Problem(feed, QUIET, since) if since is not None else None


def needing_attention(feeds: QuerySet[WireFeed], now: datetime | None = None) -> list[Problem]:
    """The active feeds of ``feeds`` that fail or are quiet, failing ones first, each
    by name: one query, the quiet test in Python over the active feeds."""
    now = now or timezone.now()
    active = feeds.filter(is_active=True).only(*FIELDS).order_by("name")
    found = [found for feed in active if (found := problem(feed, now)) is not None]
    return sorted(found, key=lambda found: found.kind != FAILING)  # stable: names stay sorted


def one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def describe(feed: WireFeed, now: datetime | None = None, *, error: bool = True) -> str:
    """The feed's problem as one line of plain text, times in the current time zone to
    the minute ("quiet since 2025-03-01 09:15+01:00"); "" when it has none. Without
    ``error``, a failing feed's line leaves its error out (the line beside it has it)."""
    found = problem(feed, now)
    if found is None:
        return ""
    when = localtime(found.since).isoformat(" ", "minutes") if found.since else ""
    if found.kind == QUIET:
        return gettext("quiet since %(when)s") % {"when": when}
    line = gettext("failing since %(when)s") % {"when": when} if when else gettext("failing")
    if error:
        line = gettext("%(state)s: %(error)s") % {"state": line, "error": one_line(feed.last_error)}
    return line
