"""The wire's lifecycle: what an agency's later word does to what was imported.

One home for the rules every intake follows (a pulled feed, a saved file, a drop
folder), called by the importer for each item it reads:

- a **kill or withhold** (status ``canceled`` or ``withheld``, or a kill signal, in any
  version) unpublishes the article made of the item and its aliases at once, whatever
  their state, cancels their schedules, logs it, and records it on the ``WireItem``:
  the article's address then answers 410 Gone, and publishing it again is refused;
- a **newer usable version** after that lifts the refusal: the article waits for an
  editor, never republished by itself;
- an **embargo** in the future makes the article's ``go_live_at``: a feed that publishes
  at once schedules it for that time, and nobody can publish it, or schedule it, earlier
  (``MediaWireArticlePage.publish`` refuses); a newer version that moves or lifts the
  embargo moves the schedule;
- the agency's **expiry**, else the feed's retention, is the article's ``expire_at``;
- a **correction** (a newer version with a correction signal) of a published article
  becomes a revision for the desk to review and publish, never published by itself;
  once the desk publishes it, the page carries a dated correction note.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.admin.mail import send_mail
from wagtail.admin.utils import get_admin_base_url
from wagtail.log_actions import log
from wagtail.models import Revision

from ..models import WireFeed, WireItem
from .item import CANCELED, USABLE, WITHHELD, FeedItem

WITHDRAW_ACTION = "wagtail_mediawire.withdraw"
CORRECTION_ACTION = "wagtail_mediawire.correction"


def is_withdrawal(item: FeedItem) -> bool:
    """Whether the agency kills or withholds the item with this delivery."""
    return item.status in (CANCELED, WITHHELD) or "kill" in item.signals


def withdrawn_status(item: FeedItem) -> str:
    """``canceled`` or ``withheld``: a kill signal on a usable item is a kill."""
    return CANCELED if item.status == USABLE else item.status


def reason(feed: WireFeed, item: FeedItem) -> str:
    """What the editors are told, in the agency's words where it gave any."""
    words = {CANCELED: gettext("killed"), WITHHELD: gettext("withheld")}[withdrawn_status(item)]
    said = " ".join(item.ednote.split())[:500]
    text = gettext("%(status)s by %(agency)s") % {"status": words, "agency": feed.source_name}
    return f"{text}: {said}" if said else text


def withdraw(feed: WireFeed, record: WireItem, item: FeedItem) -> list:
    """Unpublish what was made of ``record``, at once; the pages taken down."""
    now = timezone.now()
    why = reason(feed, item)
    with transaction.atomic():
        record.status = withdrawn_status(item)
        record.signals = list(item.signals)
        record.ednote = item.ednote or record.ednote
        if item.version is not None:
            record.version = max(item.version, record.version or 0)
        first = record.withdrawn_at is None
        record.withdrawn_at = record.withdrawn_at or now
        record.withdrawn_reason = why
        record.correction_revision = None  # nothing left to correct
        record.save()
        taken_down = []
        merged = record.merged_into
        if merged is not None and merged.pk != record.article_id:
            # One of several agencies' reports of a merged article: flagged for review
            # (the log, the editors' mail, the dashboard, and publishing is refused
            # while it cites the report), taken down where the feed says so.
            taken_down += _take_down(feed, merged, why, first, unpublish=_unpublishes(record))
        if record.article is not None:
            taken_down += _take_down(feed, record.article, why, first)
    return taken_down


def _unpublishes(record: WireItem) -> bool:
    feed = record.feed
    return feed is None or feed.unpublish_merged_on_kill


def _take_down(feed: WireFeed, article, why: str, first: bool, *, unpublish: bool = True) -> list:
    """Unpublish ``article`` and its aliases and cancel their schedules (or, without
    ``unpublish``, only flag it); log it and tell its editors once."""
    taken_down = []
    if unpublish:
        for page in [article, *(alias.specific for alias in article.aliases.all())]:
            # A schedule (of the article or an alias) would publish it again.
            Revision.page_revisions.filter(
                object_id=str(page.pk), approved_go_live_at__isnull=False
            ).update(approved_go_live_at=None)
            if page.live:
                page.unpublish(log_action=False)
                taken_down.append(page)
        workflow = article.current_workflow_state
        if workflow is not None:
            workflow.cancel(user=None)
    if first or taken_down:
        log(instance=article, action=WITHDRAW_ACTION, data={"feed": feed.name, "reason": why})
    if first:
        # Once it is done (committed): mail never holds up, nor undoes, a kill.
        transaction.on_commit(lambda: notify_editors(article, why))
    return taken_down


def notify_editors(article, why: str) -> int:
    """Tell the users who edited the article that it was taken down (Wagtail's own
    notification mail); the number of messages sent."""
    editors = (
        get_user_model()
        .objects.filter(
            pk__in=Revision.page_revisions.filter(object_id=str(article.pk)).values("user_id"),
            is_active=True,
        )
        .exclude(email="")
    )
    recipients = sorted({user.email for user in editors})
    if not recipients:
        return 0
    edit_url = get_admin_base_url() + reverse("wagtailadmin_pages:edit", args=[article.pk])
    subject = gettext("Withdrawn: %(title)s") % {"title": article.title}
    message = gettext(
        "“%(title)s” was unpublished everywhere: %(reason)s.\n\nIt cannot be published "
        "again until the agency sends a newer, usable version.\n\n%(url)s"
    ) % {"title": article.title, "reason": why, "url": edit_url}
    return send_mail(subject, message, recipients, fail_silently=True) or 0


def go_live_at(item: FeedItem, now: datetime | None = None) -> datetime | None:
    """When the article may go live: the embargo's end, if it is still ahead."""
    now = now or timezone.now()
    embargo = item.embargoed_until
    return embargo if embargo is not None and embargo > now else None


def expire_at(feed: WireFeed, item: FeedItem, now: datetime | None = None) -> datetime | None:
    """The agency's expiry, else the feed's retention counted from when it goes live."""
    if item.expires_at is not None:
        return item.expires_at
    if feed.retention_days:
        start = go_live_at(item, now) or now or timezone.now()
        return start + timedelta(days=feed.retention_days)
    return None


def follow_embargo(record: WireItem, item: FeedItem) -> None:
    """A newer version that moves or lifts the embargo: the article's schedule follows
    (to the new time, or to now where it is lifted, for ``publish_scheduled``)."""
    article = record.article
    if article is None or item.embargoed_until == record.embargoed_until:
        return
    when = go_live_at(item)
    scheduled = Revision.page_revisions.filter(
        object_id=str(article.pk), approved_go_live_at__isnull=False
    )
    scheduled.update(approved_go_live_at=when or timezone.now())
    type(article).objects.filter(pk=article.pk).update(go_live_at=when)


def restore(record: WireItem) -> None:
    """A newer usable version after a withdrawal: the article may be published again
    by an editor (it stays as it is)."""
    record.withdrawn_at = None
    record.withdrawn_reason = ""


def propose_correction(feed: WireFeed, record: WireItem, item: FeedItem, body: list) -> bool:
    """A correction of a published article as a revision beside the live one, for the
    desk to compare and publish. Not where the desk has unpublished work of its own
    (the agency's version then waits beside it, "updated at source")."""
    article = record.article
    if article is None or not article.live or "correction" not in item.signals:
        return False
    if record.merged_into_id is not None:
        # A merged article has every agency's source: one agency's body would drop
        # the others. Its correction waits beside it ("updated at source").
        return False
    if article.has_unpublished_changes:
        return False
    article.title = item.title[:255]
    article.body = body
    revision = article.save_revision(log_action=False, clean=False)
    log(
        instance=article,
        action=CORRECTION_ACTION,
        revision=revision,
        data={"feed": feed.name, "agency": feed.source_name},
    )
    record.correction_revision = revision
    return True
