"""The package's cache and its version token, shared by Recent Posts and the section
feeds (``recent``, ``syndication``).

Entries are keyed under a version token kept in the same cache: ``invalidate()``
replaces the token, which makes every process sharing that cache (Redis, Memcached)
miss at once, without knowing which keys exist.
"""

import uuid

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
