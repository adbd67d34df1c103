"""The Recent Posts listing: what an anonymous reader of this site may see, cached.

The cache holds data (titles, URLs, excerpts, publication times), never rendered
relative times, so "3 hours ago" is right at the moment of rendering. Entries are
keyed under a version token kept in the same cache: ``invalidate()`` replaces the
token, which makes every process sharing that cache (Redis, Memcached) miss at once.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, Site

from .models import MediaWireArticlePage, MediaWireIndexPage
from .settings import get_setting

VERSION_KEY = "wagtail_mediawire:recent:version"


@dataclass(frozen=True)
class RecentPost:
    pk: int
    title: str
    url: str
    excerpt: str
    first_published_at: datetime


def _cache():
    return caches[get_setting("CACHE_ALIAS")]


def invalidate() -> None:
    """Forget every cached Recent Posts list, in every process sharing the cache."""
    _cache().set(VERSION_KEY, uuid.uuid4().hex, None)


def _version() -> str:
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def _active_language() -> str:
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return ""
    return get_supported_content_language_variant(get_language())


def query_recent_posts(
    *,
    site: Site,
    count: int,
    section: MediaWireIndexPage | None = None,
    exclude_pk: int | None = None,
    language: str = "",
    request: HttpRequest | None = None,
) -> tuple[list[RecentPost], datetime | None]:
    """The posts, newest first, and the moment the first of them expires (or None).

    Two queries: Wagtail's view restrictions, then the posts themselves.
    """
    root: Page = site.root_page
    if section is not None:
        if not section.path.startswith(root.path):
            return [], None  # a section of another site
        root = section
    now = timezone.now()
    queryset = (
        MediaWireArticlePage.objects.live()
        .descendant_of(root)
        .public()
        # live=True stays until publish_scheduled runs; an expiry in the past hides at once.
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
        .defer_streamfields()
        .select_related("locale")
        .order_by("-first_published_at", "-pk")
    )
    if language:
        queryset = queryset.filter(locale__language_code=language)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    pages = list(queryset[:count])
    words = get_setting("RECENT_POSTS_EXCERPT_WORDS")
    posts = [
        RecentPost(
            pk=page.pk,
            title=page.title,
            url=page.get_url(request=request) or "",
            excerpt=Truncator(page.excerpt).words(words, truncate="…"),
            first_published_at=page.first_published_at,
        )
        for page in pages
    ]
    expiries = [page.expire_at for page in pages if page.expire_at]
    return posts, min(expiries, default=None)


def get_recent_posts(
    request: HttpRequest,
    *,
    count: int | None = None,
    section: MediaWireIndexPage | None = None,
    exclude: Any = None,
) -> list[RecentPost]:
    """The Recent Posts for this request's site and language, from the cache if fresh.

    ``exclude`` is a page (or its id) to leave out, usually the page being read.
    A preview neither reads nor fills the cache.
    """
    site = Site.find_for_request(request)
    if site is None:
        return []
    count = int(count or get_setting("RECENT_POSTS_COUNT"))
    if count < 1:
        return []
    exclude_pk = getattr(exclude, "pk", exclude)
    params = {
        "site": site,
        "count": count,
        "section": section,
        "exclude_pk": exclude_pk,
        "language": _active_language(),
        "request": request,
    }
    if getattr(request, "is_preview", False):
        return query_recent_posts(**params)[0]

    cache = _cache()
    key = ":".join(
        str(part)
        for part in (
            "wagtail_mediawire:recent",
            _version(),
            site.pk,
            params["language"],
            section.pk if section is not None else "",
            count,
            exclude_pk or "",
        )
    )
    now = timezone.now()
    entry = cache.get(key)
    if entry is not None and (entry["valid_until"] is None or entry["valid_until"] > now):
        return entry["posts"]

    posts, valid_until = query_recent_posts(**params)
    timeout = get_setting("CACHE_TIMEOUT")
    if valid_until is not None:
        timeout = max(1, min(timeout, math.ceil((valid_until - now).total_seconds())))
    cache.set(key, {"posts": posts, "valid_until": valid_until}, timeout)
    return posts
