"""Clear the package's cache (Recent Posts, the section feeds, the pages' cached fragments)
when, and only when, what an anonymous reader sees changes,
and purge the frontend cache (CDN) of the pages that show an article (see ``purge``).

Publishing, unpublishing, moving and deleting pages, view restrictions, sites,
disclaimers and images clear it. Draft saves, autosaves, revisions, workflow steps
and locks do not: a busy desk saves drafts all day, and nothing a reader sees has
changed. Expiry
needs no signal: an entry is never used past the earliest ``expire_at`` it holds.

A saved feed that is (or was) a WebSub feed asks its hub for what it now needs
(``ingest/websub.py``).
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import AbstractPage, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .ingest import websub
from .models import Disclaimer, MediaWireArticlePage, MediaWireIndexPage, WireFeed
from .models.base_page import BasePage
from .purge import purge_article
from .recent import invalidate
from .tasks import enqueue_websub_request

# The article fields a Recent Posts entry (or which entry it is in) depends on.
LISTED_FIELDS = frozenset(
    {
        "title",
        "slug",
        "url_path",
        "live",
        "expire_at",
        "first_published_at",
        "summary",
        "excerpt",
        "locale",
        "locale_id",
        "alias_of",
        "alias_of_id",
        "path",
        "depth",
    }
)


def _invalidate(**kwargs) -> None:
    # Now, for this process and this transaction; and again on commit, so that no
    # other process keeps what it cached from the old rows in the meantime.
    invalidate()
    transaction.on_commit(invalidate)


def _article_saved(instance: MediaWireArticlePage, update_fields=None, **kwargs) -> None:
    """A save that is not a publication: only a live article's listed fields count.

    Wagtail saves a live article's drafts as revisions (``update_fields`` without
    listed fields) and a never-published article in full, but it is not listed.
    Code that saves a live article directly, or takes it offline with
    ``update_fields=["live"]``, still clears the cache.
    """
    if update_fields is None:
        changed = instance.live
    else:
        fields = LISTED_FIELDS.intersection(update_fields)
        changed = bool(fields) and (instance.live or "live" in fields)
    if changed:
        _invalidate()


def _parent(page: AbstractPage) -> AbstractPage | None:
    # Without get_parent()'s error when the section went in the same cascade.
    return BasePage.objects.filter(path=page.path[: -page.steplen]).first()


def _purge_later(article: MediaWireArticlePage, **kwargs) -> None:
    # After commit: a CDN that refetches at once must get the new content.
    transaction.on_commit(partial(purge_article, article, **kwargs))


def _article_published_or_unpublished(instance: MediaWireArticlePage, **kwargs) -> None:
    _purge_later(instance, sections=[_parent(instance)])


def _article_moved(
    instance, parent_page_before=None, parent_page_after=None, url_path_before=None, **kwargs
) -> None:
    if instance.live:
        _purge_later(
            instance,
            old_url_path=url_path_before,
            sections=[parent_page_before, parent_page_after],
        )


def _article_deleted(instance: MediaWireArticlePage, **kwargs) -> None:
    if instance.live:
        _purge_later(instance, sections=[_parent(instance)])


def _feed_saved(instance: WireFeed, **kwargs) -> None:
    """A WebSub feed saved (or a feed that was one, deactivated or changed to another
    delivery): its hub is asked to subscribe or unsubscribe, after commit."""
    feed = WireFeed.objects.select_related("websub").filter(pk=instance.pk).first()
    if feed is not None and websub.wanted(feed):
        transaction.on_commit(partial(enqueue_websub_request, feed.pk))


def connect() -> None:
    post_save.connect(_feed_saved, sender=WireFeed, dispatch_uid="wagtail_mediawire.websub")
    uid = "wagtail_mediawire.recent"
    # Any page: (un)publishing an ancestor can change the URLs or the visibility of
    # the articles below it, and Wagtail updates their url_path without a signal.
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_invalidate, dispatch_uid=uid)
    post_save.connect(_article_saved, sender=MediaWireArticlePage, dispatch_uid=uid)
    for model in (MediaWireArticlePage, MediaWireIndexPage):
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
    # What the cached fragments of the pages show (``{% mediawire_pagecache %}``): a
    # disclaimer's text, an image's renditions.
    for model in (PageViewRestriction, Site, Disclaimer, get_image_model()):
        name = f"{uid}.{model.__name__}"
        post_save.connect(_invalidate, sender=model, dispatch_uid=name)
        post_delete.connect(_invalidate, sender=model, dispatch_uid=name)
    m2m_changed.connect(
        _invalidate, sender=PageViewRestriction.groups.through, dispatch_uid=f"{uid}.groups"
    )

    purge_uid = "wagtail_mediawire.purge"
    for signal in (page_published, page_unpublished):
        signal.connect(
            _article_published_or_unpublished, sender=MediaWireArticlePage, dispatch_uid=purge_uid
        )
    post_page_move.connect(_article_moved, sender=MediaWireArticlePage, dispatch_uid=purge_uid)
    post_delete.connect(_article_deleted, sender=MediaWireArticlePage, dispatch_uid=purge_uid)
