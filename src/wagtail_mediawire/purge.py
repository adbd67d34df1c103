"""Frontend cache (CDN) purges for wire pages, with ``wagtail.contrib.frontend_cache``.

Wagtail purges a page itself when it is published or unpublished. An article also
appears on its section page and in Recent Posts, so when one is published,
unpublished, moved or deleted this purges the article (at its old address too, when
it moved), its section page and, as configured, the site's home page and other
paths that show the block. The list does not grow with the number of articles: the
Recent Posts blocks of other articles are left to the CDN's own expiry.
"""

import copy
from typing import Any

from django.apps import apps

from .settings import get_setting


def is_enabled() -> bool:
    return apps.is_installed("wagtail.contrib.frontend_cache")


def purge_article(article: Any, *, old_url_path: str | None = None, sections=()) -> None:
    """Purge what shows ``article``: the article, its section(s), the configured pages."""
    if not is_enabled():
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_page(article)
    if old_url_path and old_url_path != article.url_path:
        moved_from = copy.copy(article)
        moved_from.url_path = old_url_path
        batch.add_page(moved_from)
    for section in sections:
        if section is not None:
            batch.add_page(section)
    site = article.get_site()
    if site is not None:
        root_url = site.root_url.rstrip("/")
        if get_setting("PURGE_SITE_ROOT"):
            batch.add_page(site.root_page)
        batch.add_urls(f"{root_url}/{path.lstrip('/')}" for path in get_setting("PURGE_PATHS"))
    batch.purge()
