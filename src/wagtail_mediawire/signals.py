"""Clear the Recent Posts cache whenever what an anonymous reader may see changes."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import MediaWireArticlePage, MediaWireIndexPage
from .recent import invalidate


def _invalidate(**kwargs) -> None:
    # Now, for this process and this transaction; and again on commit, so that no
    # other process keeps what it cached from the old rows in the meantime.
    invalidate()
    transaction.on_commit(invalidate)


def connect() -> None:
    uid = "wagtail_mediawire.recent"
    # Any page: (un)publishing an ancestor can change the URLs or the visibility of
    # the articles below it, and Wagtail updates their url_path without a signal.
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_invalidate, dispatch_uid=uid)
    for model in (MediaWireArticlePage, MediaWireIndexPage, PageViewRestriction, Site):
        name = f"{uid}.{model.__name__}"
        # Saves cover title and summary edits and (un)publishing; deletes, the rest.
        post_save.connect(_invalidate, sender=model, dispatch_uid=name)
        post_delete.connect(_invalidate, sender=model, dispatch_uid=name)
    m2m_changed.connect(
        _invalidate, sender=PageViewRestriction.groups.through, dispatch_uid=f"{uid}.groups"
    )
