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
from django.db.models import Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, Site
from wagtail.query import PageQuerySet

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


def _tree_path(page: Page, language: str) -> Any:
    if not language:
        return page.path
    translations = Page.objects.filter(
        translation_key=page.translation_key, locale__language_code=language
    )
    # No translation: a path no page has, so nothing is listed.
    return Coalesce(Subquery(translations.values("path")[:1]), Value("-"))


def recent_posts_queryset(
    *,
    site: Site,
    section: MediaWireIndexPage | None = None,
    exclude_pk: int | None = None,
    language: str = "",
) -> PageQuerySet:
    """What an anonymous reader of ``site`` may see, newest first (one query, plus
    Wagtail's view restrictions)."""
    now = timezone.now()
    queryset = (
        MediaWireArticlePage.objects.live()
        .public()
        # live=True stays until publish_scheduled runs; an expiry in the past hides at once.
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
        .defer_streamfields()
        .select_related("locale")
        .order_by("-first_published_at", "-pk")
    )
    # Under the site's root and, if given, the section: in the active language, under
    # their translations (a translated home page is the root page's sibling).
    for root in (site.root_page, section):
        if root is not None:
            queryset = queryset.filter(path__startswith=_tree_path(root, language))
    if language:
        queryset = queryset.filter(locale__language_code=language)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset


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

    Two queries: Wagtail's view restrictions, then the posts themselves. A section
    of another site lists nothing.
    """
    queryset = recent_posts_queryset(
        site=site, section=section, exclude_pk=exclude_pk, language=language
    )
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


def _whole_number(value: Any) -> int | None:
    """``value`` as an int, or None: template arguments may be strings or anything."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
    count = _whole_number(get_setting("RECENT_POSTS_COUNT") if count is None else count)
    if not count or count < 1:
        return []
    exclude_pk = _whole_number(exclude.pk if isinstance(exclude, Page) else exclude)
    if isinstance(section, Page):
        section = section.specific_deferred  # e.g. page.get_parent in a template
    if not isinstance(section, MediaWireIndexPage):
        section = None
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
