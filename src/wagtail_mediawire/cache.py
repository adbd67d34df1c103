"""The package's cache and its version token, shared by Recent Posts, the section
feeds and the cached fragments of the package's pages (``recent``, ``syndication``,
``{% mediawire_pagecache %}``).

Entries are keyed under a version token kept in the same cache: ``invalidate()``
replaces the token, which makes every process sharing that cache (Redis, Memcached)
miss at once, without knowing which keys exist.
"""

import math
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.cache import BaseCache, caches
from django.utils import timezone
from django.utils.html import conditional_escape

from .settings import get_setting

# Named after Recent Posts, its first user: a deployment keeps the token it has.
VERSION_KEY = "wagtail_mediawire:recent:version"


def get_cache() -> BaseCache:
    return caches[get_setting("CACHE_ALIAS")]


def invalidate() -> None:
    """Forget every cached Recent Posts list and section feed, in every process
    sharing the cache."""
    get_cache().set(VERSION_KEY, uuid.uuid4().hex, None)


def version() -> str:
    """The current version token, made if the cache has none."""
    cache = get_cache()
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        token = cache.get(VERSION_KEY)
    return token


def timeout_until(valid_until: datetime | None, now: datetime) -> int:
    """``CACHE_TIMEOUT``, shortened so that an entry goes when the first of the
    articles it holds expires (``valid_until``), at least a second."""
    timeout = get_setting("CACHE_TIMEOUT")
    if valid_until is None:
        return timeout
    return max(1, min(timeout, math.ceil((valid_until - now).total_seconds())))


def still_valid(valid_until: datetime | None, now: datetime) -> bool:
    """Whether an entry holding articles that expire from ``valid_until`` may serve at
    ``now`` (a cache's own timeout may be coarser than a second)."""
    return valid_until is None or valid_until > now


# Fragments of pages ({% mediawire_pagecache %}) -------------------------------------
#
# A fragment is kept with the moment it stops being right (the first expiry among the
# articles it shows), and with its relative times as markers, so that "3 hours ago" is
# worked out at each render, never kept.


@dataclass
class _Fragment:
    valid_until: datetime | None = None


_rendering: ContextVar[_Fragment | None] = ContextVar("wagtail_mediawire_fragment", default=None)
# Private-use characters around an ISO time: nothing escapes them, no text has them.
_RELATIVE_TIME = re.compile("\ue000([^\ue000\ue001]{1,64})\ue001")


def collecting() -> bool:
    """Whether a fragment being cached is rendering (and wants ``shown_until``)."""
    return _rendering.get() is not None


def shown_until(moment: datetime | None) -> None:
    """Say that what is being rendered is right only until ``moment`` (an article it
    shows expires then): a cached fragment around it ends at that moment."""
    fragment = _rendering.get()
    if fragment is not None and moment is not None:
        if fragment.valid_until is None or moment < fragment.valid_until:
            fragment.valid_until = moment


def relative_time(value: Any) -> str:
    """``value`` as humanize's ``naturaltime`` gives it ("3 hours ago"); inside a
    fragment being cached, a marker that ``with_relative_times`` replaces at each render."""
    if _rendering.get() is not None and isinstance(value, datetime):
        return f"\ue000{value.isoformat()}\ue001"
    return naturaltime(value)


def with_relative_times(html: str) -> str:
    """``html`` with each relative time marker replaced by the relative time now."""
    if "\ue000" not in html:
        return html
    return _RELATIVE_TIME.sub(
        lambda match: conditional_escape(naturaltime(datetime.fromisoformat(match[1]))), html
    )


def cached_fragment(key: str, render: Callable[[], str]) -> str:
    """The fragment under ``key``, rendered by ``render()`` when the cache has none (or
    only one past its ``valid_until``), with its relative times as of now.

    Inside another fragment being rendered, its markers and its ``valid_until`` pass to
    the outer one, which replaces them when it is itself rendered.
    """
    cache = get_cache()
    now = timezone.now()
    entry = cache.get(key)
    if not (isinstance(entry, tuple) and len(entry) == 2 and still_valid(entry[0], now)):
        fragment = _Fragment()
        token = _rendering.set(fragment)
        try:
            html = str(render())
        finally:
            _rendering.reset(token)
        entry = (fragment.valid_until, html)
        cache.set(key, entry, timeout_until(fragment.valid_until, now))
    valid_until, html = entry
    if _rendering.get() is not None:
        shown_until(valid_until)
        return html
    return with_relative_times(html)
