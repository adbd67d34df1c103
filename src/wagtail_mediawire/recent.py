"""The Recent Posts listing: what an anonymous reader of this site may see, cached.

The cache holds data (titles, URLs, excerpts, publication times), never rendered
relative times, so "3 hours ago" is right at the moment of rendering. Entries are
keyed under the package's version token (``cache.py``): ``invalidate()`` replaces the
token, which makes every process sharing that cache (Redis, Memcached) miss at once.
"""

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import AbstractPage, Site
from wagtail.query import PageQuerySet

from .cache import get_cache, shown_until, still_valid, timeout_until, version
from .cache import invalidate as invalidate  # documented as recent.invalidate
from .models import MediaWireArticlePage, MediaWireIndexPage
from .models.base_page import BasePage
from .settings import get_setting
from .text import cut_excerpt
from .validators import positive_id

# The most posts one block lists: a larger ``count`` is clamped to it.
MAX_COUNT = 100
# What a page can exclude: itself, and the original it is an alias of.
MAX_EXCLUDED = 2
# The shape of a cache entry: plain dicts of RecentPost's fields, never pickled
# classes. Bump it when RecentPost changes, so that a deployment never reads the
# entries of the previous one.
CACHE_FORMAT = 2


@dataclass(frozen=True)
class RecentPost:
    pk: int
    title: str
    url: str
    excerpt: str
    first_published_at: datetime


def _active_language() -> str:
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return ""
    return get_supported_content_language_variant(get_language())


def _tree_path(page: AbstractPage, language: str) -> Any:
    if not language:
        return page.path
    translations = BasePage.objects.filter(
        translation_key=page.translation_key, locale__language_code=language
    )
    # No translation: a path no page has, so nothing is listed.
    return Coalesce(Subquery(translations.values("path")[:1]), Value("-"))


def recent_posts_queryset(
    *,
    site: Site,
    section: MediaWireIndexPage | None = None,
    exclude_pks: tuple[int, ...] = (),
    language: str = "",
) -> PageQuerySet:
    """What an anonymous reader of ``site`` may see (``for_readers``), newest first
    (one query, plus Wagtail's view restrictions)."""
    # Under the site's root and, if given, the section: in the active language, under
    # their translations (a translated home page is the root page's sibling).
    scope = _tree_path(site.root_page, language)
    queryset = MediaWireArticlePage.objects.all()
    if section is not None:
        queryset = queryset.filter(path__startswith=scope)  # another site's section: none
        scope = _tree_path(section, language)
    queryset = (
        queryset.for_readers(scope).defer_streamfields().select_related("locale").newest_first()
    )
    if language:
        queryset = queryset.filter(locale__language_code=language)
    if exclude_pks:
        queryset = queryset.exclude(pk__in=exclude_pks)
    return queryset


def query_recent_posts(
    *,
    site: Site,
    count: int,
    section: MediaWireIndexPage | None = None,
    exclude_pks: tuple[int, ...] = (),
    language: str = "",
    request: HttpRequest | None = None,
) -> tuple[list[RecentPost], datetime | None]:
    """The posts, newest first, and the moment the first of them expires (or None).

    Two queries: Wagtail's view restrictions, then the posts themselves. A section
    of another site lists nothing.
    """
    queryset = recent_posts_queryset(
        site=site, section=section, exclude_pks=exclude_pks, language=language
    )
    pages = list(queryset[:count])
    words = get_setting("RECENT_POSTS_EXCERPT_WORDS")
    posts = [
        RecentPost(
            pk=page.pk,
            title=page.title,
            url=page.get_url(request=request) or "",
            excerpt=cut_excerpt(page.excerpt, words),
            first_published_at=page.first_published_at,
        )
        for page in pages
    ]
    expiries = [page.expire_at for page in pages if page.expire_at]
    return posts, min(expiries, default=None)


def clamp_count(value: Any) -> int | None:
    """A ``count`` argument as a number of posts from 0 to ``MAX_COUNT``.

    Template arguments may be strings, floats or anything: a number is clamped
    ("100000000000000000000" and infinity list ``MAX_COUNT``, -3 lists none);
    anything else (text, NaN) gives None, so the argument is ignored.
    """
    if isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, int) else float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    return int(max(0, min(number, MAX_COUNT)))


def _excluded_pks(exclude: Any) -> tuple[int, ...]:
    """The ids to leave out: a page (with the original it is an alias of), or an id.

    An id no page can have (text, 2**63 and beyond) leaves nothing out.
    """
    if isinstance(exclude, AbstractPage):
        return tuple(pk for pk in (exclude.pk, exclude.alias_of_id) if pk is not None)
    pk = positive_id(exclude)
    return (pk,) if pk is not None else ()


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
    count = clamp_count(count)
    if count is None:
        count = clamp_count(get_setting("RECENT_POSTS_COUNT"))
    if not count:
        return []
    exclude_pks = _excluded_pks(exclude)
    if isinstance(section, AbstractPage):
        section = section.specific_deferred  # e.g. page.get_parent in a template
    if not isinstance(section, MediaWireIndexPage):
        section = None
    params = {
        "site": site,
        "section": section,
        "language": _active_language(),
        "request": request,
    }
    if getattr(request, "is_preview", False):
        return query_recent_posts(count=count, exclude_pks=exclude_pks, **params)[0]

    # One entry per site, language, section and count, shared by every page that
    # shows the block: it holds a few posts more than asked (as many as a page can
    # exclude), and each page drops itself here.
    cache = get_cache()
    key = ":".join(
        str(part)
        for part in (
            "wagtail_mediawire:recent",
            CACHE_FORMAT,
            version(),
            site.pk,
            params["language"],
            section.pk if section is not None else "",
            count,
        )
    )
    now = timezone.now()
    entry = cache.get(key)
    if not _fresh(entry, now):
        posts, valid_until = query_recent_posts(count=count + MAX_EXCLUDED, **params)
        entry = {"posts": [asdict(post) for post in posts], "valid_until": valid_until}
        cache.set(key, entry, timeout_until(valid_until, now))
    # A page fragment cached around the block ends when the first of these expires.
    shown_until(entry.get("valid_until"))
    posts = [RecentPost(**row) for row in entry["posts"] if row["pk"] not in exclude_pks]
    return posts[:count]


def _fresh(entry: Any, now: datetime) -> bool:
    """Whether a cache entry is one of this format, still good at ``now``."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("posts"), list)
        and still_valid(entry.get("valid_until"), now)
    )
