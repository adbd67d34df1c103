"""What a wire page tells machines in its ``<head>``: the canonical link, the search
engine policy, Open Graph and Twitter card tags, and JSON-LD ``NewsArticle``.

A wire copy duplicates someone else's report, so the section (or the article) says
whether search engines index it, keep it out of Google News (Google's advice for
syndication partners), or credit the source's page as canonical.
"""

import json
from typing import Any
from urllib.parse import urljoin

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import AbstractPage

from .models import MediaWireArticlePage, MediaWireIndexPage
from .models.pages import page_number
from .policies import SeoPolicy
from .sites import site_name

# json.dumps output made safe inside <script>: no "</script>", "<!--" or "&" tricks.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def _image(page: AbstractPage, section: MediaWireIndexPage | None):
    """The article's first image, else the section's default social image."""
    if isinstance(page, MediaWireArticlePage):
        for block in page.body:
            if block.block_type == "image" and block.value is not None:
                image = block.value
                alt = getattr(image, "contextual_alt_text", "") or image.default_alt_text
                return image, alt
    if section is not None and section.social_image_id:
        image = section.social_image
        return image, image.default_alt_text
    return None, ""


def head_tags(page: AbstractPage, request: HttpRequest) -> dict[str, Any]:
    """The context of ``{% mediawire_head_tags %}`` for a section or an article."""
    url = page.get_full_url(request) or request.build_absolute_uri()
    is_article = isinstance(page, MediaWireArticlePage)
    section = page.section if is_article else page
    policy = page.effective_seo_policy if is_article else SeoPolicy.INDEX
    canonical = url
    number = page_number(request)
    if not is_article and number > 1:
        canonical = f"{url}?page={number}"  # each page of a listing is its own
    if policy == SeoPolicy.CANONICAL_TO_SOURCE and is_article and page.source_url:
        canonical = page.source_url
    # A site's own base page model (WAGTAIL_PAGE_MODEL) may have no seo_title or
    # search_description: only Wagtail's default Page has them.
    description = getattr(page, "search_description", "") or (page.excerpt if is_article else "")
    image, image_alt = _image(page, section)
    image_url = ""
    if image is not None:
        # On the page's own site, like every other URL here (a CDN's URL stays as is).
        image_url = urljoin(url, image.get_rendition("width-1200").url)
    name = site_name(request)
    context = {
        "canonical": canonical,
        "news_noindex": policy == SeoPolicy.NOINDEX_NEWS,
        "og_type": "article" if is_article else "website",
        "title": getattr(page, "seo_title", "") or page.title,
        "description": description,
        "url": url,
        "site_name": name,
        "image_url": image_url,
        "image_alt": image_alt,
        "json_ld": "",
        "feeds": _feeds(section, request),
    }
    if is_article:
        context["json_ld"] = json_ld(_news_article(page, url, description, image_url, name))
    return context


def _feeds(section: MediaWireIndexPage | None, request: HttpRequest) -> list[tuple[str, str]]:
    """The section's feeds, for ``<link rel="alternate">``: (media type, URL)."""
    url = section.get_full_url(request) if section is not None else None
    if not url:
        return []
    return [
        ("application/rss+xml", url + "feed/"),
        ("application/atom+xml", url + "feed/atom/"),
        ("application/feed+json", url + "feed/json/"),
    ]


def _news_article(
    page: MediaWireArticlePage, url: str, description: str, image_url: str, site_name: str
) -> dict:
    sources = page.sources
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "publisher": {"@type": "Organization", "name": site_name},
        "inLanguage": translation.get_language() or "",
        "description": description,
        "isBasedOn": [source.href for source in sources if source.href],
        "sourceOrganization": [
            {"@type": "Organization", "name": name}
            for name in dict.fromkeys(source.get("name") for source in sources)
            if name
        ],
    }
    if page.first_published_at:
        data["datePublished"] = page.first_published_at.isoformat(timespec="seconds")
    if page.last_published_at:
        data["dateModified"] = page.last_published_at.isoformat(timespec="seconds")
    if image_url:
        data["image"] = [image_url]
    if page.corrected_at:
        # schema.org's correction: the agency's correction, as the desk published it.
        data["correction"] = {
            "@type": "CorrectionComment",
            "datePublished": page.corrected_at.isoformat(timespec="seconds"),
            "text": gettext("Corrected after a correction from %(agency)s.")
            % {"agency": page.source_name or site_name},
        }
    return data
