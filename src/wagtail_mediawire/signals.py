"""Clear the Recent Posts cache whenever what an anonymous reader may see changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import MediaWireArticlePage, MediaWireIndexPage
from .recent import invalidate


def _invalidate(**kwargs) -> None:
    invalidate()


def _invalidate_for_pages(instance=None, **kwargs) -> None:
    if isinstance(instance, MediaWireArticlePage | MediaWireIndexPage):
        invalidate()


def connect() -> None:
    uid = "wagtail_mediawire.recent"
    for signal in (page_published, page_unpublished):
        signal.connect(_invalidate_for_pages, dispatch_uid=uid)
    # A move can take articles into or out of a site, a section or a private area.
    post_page_move.connect(_invalidate, dispatch_uid=uid)
    for model in (MediaWireArticlePage, MediaWireIndexPage):
        # Saves cover title and summary edits and (un)publishing; deletes, the rest.
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
    for model in (PageViewRestriction, Site):
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
    m2m_changed.connect(
        _invalidate, sender=PageViewRestriction.groups.through, dispatch_uid=f"{uid}.groups"
    )
