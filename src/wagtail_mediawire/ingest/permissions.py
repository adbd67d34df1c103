"""Who may point a feed at a section, and whether its new items may go live at once.

A feed adds pages to its section and, with "Publish at once", publishes them: the
feed permissions alone must not reach further than the page permissions of whoever
sets it up. This is the rule's one home: the feed form, the Feeds admin (listing,
edit, Fetch now), the dashboard and the importer all ask here.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext
from wagtail.permission_policies.pages import PagePermissionPolicy

from ..models import MediaWireIndexPage, WireFeed


def sections_user_may_add_to(user) -> QuerySet[MediaWireIndexPage]:
    """The sections where ``user`` may add pages (all of them for a superuser)."""
    # The policy of the base page model: page permissions are named after it
    # ("add_page"); Wagtail 7.4 would look for "add_mediawireindexpage" otherwise.
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "add")
    return MediaWireIndexPage.objects.filter(pk__in=pages.values("pk"))


def may_add_in(user, section: MediaWireIndexPage) -> bool:
    return section.permissions_for_user(user).can_add_subpage()


def may_publish_in(user, section: MediaWireIndexPage) -> bool:
    return section.permissions_for_user(user).can_publish_subpage()


def feeds_for(user, feeds: QuerySet[WireFeed] | None = None) -> QuerySet[WireFeed]:
    """The feeds of the sections where ``user`` may add pages.

    Adding, not exploring: whoever changes a feed (its URL, its section) decides what
    becomes a page there, which someone who may only look at the section may not.
    """
    feeds = WireFeed.objects.all() if feeds is None else feeds
    if user.is_active and user.is_superuser:
        return feeds
    return feeds.filter(section__in=sections_user_may_add_to(user).values("pk"))


def publishing_withheld(feed: WireFeed, section: MediaWireIndexPage | None = None) -> str:
    """Why the feed's items stay drafts where the feed (or one of its rules) would
    publish them at once in ``section`` (the feed's own by default), or "" when they
    may be published.

    A feed without an owner was made in code (a shell, a fixture, a demo): whoever set
    it up could publish anyway, so it publishes. A deleted owner's feed no longer
    publishes at once (``owner_removed``).
    """
    if feed.owner_id is None:
        return ""
    owner, section = feed.owner, section or feed.section
    if may_publish_in(owner, section):
        return ""
    return gettext(
        "new items kept as drafts: the feed's owner, %(owner)s, may not publish in %(section)s"
    ) % {"owner": owner.get_username(), "section": section.title}
