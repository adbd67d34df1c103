"""The ``WAGTAIL_MEDIAWIRE`` setting: one namespaced dict over documented defaults.

Read it through :func:`get_config`, never at import time, so that
``override_settings`` and ``settings.WAGTAIL_MEDIAWIRE`` changes in tests apply.
"""

from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

SETTING_NAME = "WAGTAIL_MEDIAWIRE"

DEFAULTS: dict[str, Any] = {
    # The template the package's page templates extend.
    "BASE_TEMPLATE": "base.html",
    # Articles per page on a section (MediaWireIndexPage).
    "INDEX_PAGE_SIZE": 10,
    # How many posts {% mediawire_recent_posts %} lists when no count is given.
    "RECENT_POSTS_COUNT": 6,
    # Words kept in a Recent Posts excerpt before the "…".
    "RECENT_POSTS_EXCERPT_WORDS": 14,
    # The cache (an alias of CACHES) and how long a Recent Posts list is kept, in seconds.
    # Publishing, unpublishing, moving, deleting and view restrictions clear it at once.
    "CACHE_ALIAS": "default",
    "CACHE_TIMEOUT": 600,
    # With wagtail.contrib.frontend_cache: besides the article and its section, purge
    # the site's home page, and these paths of the site (pages that show Recent Posts).
    "PURGE_SITE_ROOT": True,
    "PURGE_PATHS": [],
    # Agency feeds (WireFeed): the whole download of a feed or an image, in seconds, and
    # its largest size in bytes, before and after decompression.
    "FEED_TIMEOUT": 10,
    "FEED_MAX_BYTES": 5 * 1024 * 1024,
    # Feeds and images on loopback, private, link-local or reserved addresses are refused
    # (no request is sent) unless this is True: an intranet's agency mirror, or tests.
    "FEED_ALLOW_PRIVATE_HOSTS": False,
    # An item's enclosure or media image becomes a Wagtail image of the article.
    "FEED_IMPORT_IMAGES": True,
    # The most pixels an imported image may have. A render decodes all of them (about
    # six bytes a pixel at its peak): 25 million, a full 24-megapixel camera frame
    # (6000 x 4000), peaks near 150 MB, where Wagtail's upload limit (128 million) lets
    # a few kilobytes of PNG take 740 MB.
    "FEED_IMAGE_MAX_PIXELS": 25_000_000,
    # Agencies that deliver files (FTP, SFTP) into a folder: the folder under which a
    # feed's drop folder must be (WireFeed.folder, never outside it), and how many
    # seconds a file must be left unchanged before it is read (a half-written file waits).
    "FEED_DROP_ROOT": None,
    "FEED_DROP_SETTLE_SECONDS": 5,
    # Push delivery (wagtail_mediawire.urls): how long a rotated push secret still
    # signs deliveries, so the agency can change to the new one, and the WebSub lease
    # asked of a hub (the hub decides; the subscription is renewed before it ends).
    "PUSH_SECRET_GRACE_SECONDS": 24 * 60 * 60,
    "WEBSUB_LEASE_SECONDS": 10 * 24 * 60 * 60,
    # The TASKS alias that fetch_feed is enqueued on: feeds may have a queue (and
    # workers) of their own.
    "TASK_BACKEND": "default",
    # One story from several agencies (ingest/stories.py): an item joins the story of
    # an item received at most this many hours before it whose similarity (the share
    # of the shorter report's words and word pairs the other has too) is at least the
    # threshold; docs/explanation/story-grouping.md has the measurements behind both.
    "STORY_THRESHOLD": 0.35,
    "STORY_WINDOW_HOURS": 72,
}


@cache
def get_config() -> dict[str, Any]:
    """The effective settings: the defaults updated with the site's own values."""
    return {**DEFAULTS, **getattr(settings, SETTING_NAME, {})}


def get_setting(name: str) -> Any:
    return get_config()[name]


@receiver(setting_changed)
def _reset_config(*, setting: str, **kwargs: Any) -> None:
    if setting == SETTING_NAME:
        get_config.cache_clear()
