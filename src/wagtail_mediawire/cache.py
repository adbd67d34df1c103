"""The package's cache and its version token, shared by Recent Posts and the section
feeds (``recent``, ``syndication``).

Entries are keyed under a version token kept in the same cache: ``invalidate()``
replaces the token, which makes every process sharing that cache (Redis, Memcached)
miss at once, without knowing which keys exist.
"""

import math
import uuid
from datetime import datetime

from django.core.cache import BaseCache, caches

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
