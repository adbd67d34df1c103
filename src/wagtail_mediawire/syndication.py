"""Syndication, a section's outgoing feeds: RSS 2.0, Atom and JSON Feed 1.1, built on
one list of items. (Incoming agency feeds are ``ingest``'s, and ``WireFeed``'s.)

Each names the original report (RSS ``<source>``, Atom ``<link rel="via">``, JSON Feed
``external_url``). Feeds are cached under the package's version token (``cache.py``), so the same
publish, unpublish, move, delete and restriction changes clear them, in every process
sharing the cache, and no entry outlives the first expiry among its articles. They
answer conditional GETs as Django does (``get_conditional_response``: weak and
listed ETags, ``*``, every HTTP date format).

Text leaves through ``xml_safe``: a control character in a title (pasted from a word
processor, or from an older import) would make Django's generators refuse the feed.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language, gettext

from .cache import get_cache, still_valid, timeout_until, version
from .sites import site_name
from .text import xml_safe

FEED_ITEMS = 20
KINDS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


@dataclass(frozen=True)
class SyndicationItem:
    title: str
    url: str
    excerpt: str
    source_name: str
    source_url: str
    published: datetime
    updated: datetime
    expires: datetime | None


class _Rss(Rss201rev2Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("source_url"):
            handler.addQuickElement(
                "source", item.get("source_name") or item["source_url"], {"url": item["source_url"]}
            )


class _Atom(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("source_url"):
            handler.addQuickElement("link", "", {"rel": "via", "href": item["source_url"]})


def _items(section, request: HttpRequest) -> list[SyndicationItem]:
    items = []
    for article in section.get_articles()[:FEED_ITEMS]:
        url = article.get_full_url(request)
        if not url:
            continue
        items.append(
            SyndicationItem(
                title=xml_safe(article.title),
                url=url,
                excerpt=xml_safe(article.excerpt),
                source_name=xml_safe(article.source_name),
                source_url=article.source_url,
                published=article.first_published_at,
                updated=article.last_published_at or article.first_published_at,
                expires=article.expire_at,
            )
        )
    return items


def _description(item: SyndicationItem) -> str:
    if not item.source_name:
        return item.excerpt
    attribution = gettext("Source: %(name)s") % {"name": item.source_name}
    return f"{item.excerpt}\n\n{attribution}" if item.excerpt else attribution


def _render(kind: str, section, request: HttpRequest, items: list[SyndicationItem]) -> bytes:
    title = xml_safe(f"{section.title} - {site_name(request)}".strip(" -"))
    link = section.get_full_url(request)
    feed_url = request.build_absolute_uri()
    if kind == "json":
        data = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": link,
            "feed_url": feed_url,
            "items": [
                {
                    "id": item.url,
                    "url": item.url,
                    "title": item.title,
                    "content_text": _description(item),
                    "summary": item.excerpt,
                    "date_published": item.published.isoformat(timespec="seconds"),
                    "date_modified": item.updated.isoformat(timespec="seconds"),
                    **({"external_url": item.source_url} if item.source_url else {}),
                    **({"authors": [{"name": item.source_name}]} if item.source_name else {}),
                }
                for item in items
            ],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    generator = (_Rss if kind == "rss" else _Atom)(
        title=title,
        link=link,
        # Absent from a site's own base page model (WAGTAIL_PAGE_MODEL) unless it adds it.
        description=xml_safe(getattr(section, "search_description", "")) or title,
        feed_url=feed_url,
    )
    for item in items:
        generator.add_item(
            title=item.title,
            link=item.url,
            description=_description(item),
            unique_id=item.url,
            unique_id_is_permalink=True,
            pubdate=item.published,
            updateddate=item.updated,
            source_name=item.source_name,
            source_url=item.source_url,
        )
    return generator.writeString("utf-8").encode()


def serve_feed(section, request: HttpRequest, kind: str) -> HttpResponse:
    """The section's feed of ``kind``, from the cache when it can be."""
    # Per language too: the items' attribution ("Source: …") is translated.
    key = (
        f"wagtail_mediawire:feed:{version()}:{section.pk}:{kind}:{get_language()}:"
        f"{hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:16]}"
    )
    cache = get_cache()
    now = timezone.now()
    cached = cache.get(key)
    if not _fresh(cached, now):
        cached = _fill(cache, key, section, request, kind, now)
    response = HttpResponse(cached["body"], content_type=KINDS[kind])
    response["ETag"] = cached["etag"]
    if cached["last_modified"] is not None:
        response["Last-Modified"] = http_date(cached["last_modified"])
    return get_conditional_response(
        request, etag=cached["etag"], last_modified=cached["last_modified"], response=response
    )


def _fill(cache, key: str, section, request: HttpRequest, kind: str, now: datetime) -> dict:
    items = _items(section, request)
    body = _render(kind, section, request, items)
    latest = max((item.updated for item in items), default=None)
    valid_until = min((item.expires for item in items if item.expires), default=None)
    entry = {
        "body": body,
        "etag": quote_etag(hashlib.sha256(body).hexdigest()[:32]),
        "last_modified": int(latest.timestamp()) if latest else None,
        "valid_until": valid_until,
    }
    # The entry goes when its first article expires: a reader never gets it after.
    cache.set(key, entry, timeout_until(valid_until, now))
    return entry


def _fresh(entry, now: datetime) -> bool:
    """Whether a cache entry is one of this version's, and none of its articles has
    expired (the cache's own timeout may be coarser than a second)."""
    if not isinstance(entry, dict) or "valid_until" not in entry:
        return False
    return still_valid(entry["valid_until"], now)
