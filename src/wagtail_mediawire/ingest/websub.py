"""WebSub (W3C Recommendation, 2018), the subscriber's side: a feed that names a hub
is delivered by it, and polled only while the hub does not deliver.

1. **Discovery.** Each fetch of a WebSub feed reads the hub and the topic (``rel=hub``,
   ``rel=self``) from the response's Link header and the feed's own links
   (:func:`discovered`).
2. **Subscription.** :func:`ask` POSTs ``hub.mode=subscribe`` with the callback, a
   secret of the feed's own and the lease it would like. The hub then verifies the
   intent with a GET to the callback, which echoes ``hub.challenge`` only for what was
   asked (:func:`verify`): nobody else can subscribe the site to anything.
3. **Delivery.** Each POST to the callback is signed with the secret; one that is not,
   or is signed with a weaker method than the hub used before, is ignored
   (:func:`delivery_signed`).
4. **Renewal** before the lease ends, and **unsubscription** when the feed is
   deactivated or delivered otherwise: :func:`wanted` says what a feed needs, the
   ``websub_request`` task and ``mediawire_fetch_feeds --due`` do it.

A hub that refuses, denies, cannot be reached or does not confirm leaves the feed
polled on its schedule (``WireFeed.is_due``), and it is asked again later.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from ..models import WebSubSubscription, WireFeed
from ..settings import get_setting
from . import push
from .download import DownloadError, post_form

SUBSCRIBE = WebSubSubscription.Pending.SUBSCRIBE.value
UNSUBSCRIBE = WebSubSubscription.Pending.UNSUBSCRIBE.value
# A hub verifies within seconds; one that has not in this long is taken as silent.
SILENT_AFTER = timedelta(hours=1)
# How long a feed whose hub refused (or was silent) is polled before asking again.
ASK_AGAIN_AFTER = timedelta(hours=6)
# The lease is renewed when this share of it is left (within the bounds below), so
# that a cron job that runs ``--due`` every few minutes has time to.
RENEW_SHARE = 0.1
RENEW_AT_LEAST = timedelta(hours=1)


class WebSubError(Exception):
    """Why a hub cannot be asked, for the editor."""


def callback_url(feed_id: int) -> str:
    """The feed's callback, absolute: ``WAGTAILADMIN_BASE_URL`` and the site's URLconf."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    if not base:
        raise WebSubError(
            gettext(
                "Set WAGTAILADMIN_BASE_URL to the site's address: the hub needs a callback "
                "address to deliver to."
            )
        )
    try:
        path = reverse("wagtail_mediawire_websub", args=[feed_id])
    except NoReverseMatch:
        raise WebSubError(
            gettext("Add wagtail_mediawire.urls to the site's URLconf: the hub delivers there.")
        ) from None
    return base.rstrip("/") + path


def discovered(feed: WireFeed, links: tuple[tuple[str, str], ...], fetched_url: str) -> None:
    """Keep the hub and topic that a fetch of ``feed`` found (the Link header's first,
    then the document's); a changed hub or topic needs a new subscription."""
    hub = next((url for rel, url in links if rel == "hub"), "")
    topic = next((url for rel, url in links if rel == "self"), "") or fetched_url or feed.url
    subscription, created = WebSubSubscription.objects.get_or_create(
        feed=feed, defaults={"secret": push.new_secret(), "hub": hub[:2048], "topic": topic}
    )
    if created or (subscription.hub, subscription.topic) == (hub, topic):
        return
    subscription.hub, subscription.topic = hub[:2048], topic[:2048]
    # What the hub confirmed was for the old ones: the feed is polled until it confirms anew.
    subscription.lease_ends_at = subscription.verified_at = None
    subscription.pending, subscription.requested_at = "", None
    subscription.save()


def needs_discovery(feed_id: int) -> bool:
    return not WebSubSubscription.objects.filter(feed_id=feed_id).exclude(hub="").exists()


def _renew_at(subscription: WebSubSubscription) -> datetime:
    lease = subscription.lease_ends_at - (subscription.verified_at or subscription.lease_ends_at)
    margin = min(max(lease * RENEW_SHARE, RENEW_AT_LEAST), lease / 2)
    return subscription.lease_ends_at - margin


def _waiting(subscription: WebSubSubscription, mode: str, now: datetime) -> bool:
    """``mode`` was asked of the hub, which may still verify it."""
    asked = subscription.requested_at
    return subscription.pending == mode and asked is not None and asked > now - SILENT_AFTER


def wanted(feed: WireFeed, now=None) -> str:
    """What the hub should be asked for ``feed`` now: "subscribe" (a first subscription,
    a renewal, another try), "unsubscribe", or "" for nothing."""
    now = now or timezone.now()
    try:
        subscription = feed.websub
    except WebSubSubscription.DoesNotExist:
        subscription = None
    if not (feed.is_active and feed.delivery == WireFeed.Delivery.WEBSUB):
        if subscription is None or _waiting(subscription, UNSUBSCRIBE, now):
            return ""
        if subscription.is_live(now) or _waiting(subscription, SUBSCRIBE, now):
            return UNSUBSCRIBE
        return ""
    if subscription is None:
        return SUBSCRIBE
    if _waiting(subscription, SUBSCRIBE, now):
        return ""
    if subscription.is_live(now):
        return SUBSCRIBE if now >= _renew_at(subscription) else ""
    asked = subscription.requested_at
    return SUBSCRIBE if asked is None or asked <= now - ASK_AGAIN_AFTER else ""


def due_feeds(now=None) -> list[WireFeed]:
    """The feeds whose hub should be asked something now (``--due``)."""
    now = now or timezone.now()
    candidates = WireFeed.objects.filter(
        delivery=WireFeed.Delivery.WEBSUB
    ) | WireFeed.objects.filter(websub__isnull=False)
    return [feed for feed in candidates.distinct().select_related("websub") if wanted(feed, now)]


def ask(feed_id: int, mode: str) -> str:
    """Ask the feed's hub to ``mode`` ("subscribe" or "unsubscribe") and record its answer;
    returns what happened, for the command's line and the task's result."""
    subscription = WebSubSubscription.objects.select_related("feed").filter(feed_id=feed_id).first()
    if subscription is None or not subscription.hub:
        message = gettext("The feed names no WebSub hub: it is fetched on schedule.")
        # Asked again after ASK_AGAIN_AFTER, or as soon as a fetch finds a hub.
        WebSubSubscription.objects.update_or_create(
            feed_id=feed_id,
            defaults={"error": message, "pending": "", "requested_at": timezone.now()},
            create_defaults={
                "error": message,
                "requested_at": timezone.now(),
                "secret": push.new_secret(),
            },
        )
        return message
    data = {"hub.mode": mode, "hub.topic": subscription.topic}
    try:
        data["hub.callback"] = callback_url(feed_id)
    except WebSubError as error:
        # Asked again after ASK_AGAIN_AFTER, not at every --due.
        WebSubSubscription.objects.filter(pk=subscription.pk).update(requested_at=timezone.now())
        return _failed(subscription, str(error))
    if mode == SUBSCRIBE:
        data["hub.secret"] = subscription.secret
        data["hub.lease_seconds"] = str(_lease_seconds())
    # Pending before the hub is asked: it may verify before it has even answered.
    subscription.pending, subscription.requested_at, subscription.error = mode, timezone.now(), ""
    subscription.save(update_fields=["pending", "requested_at", "error"])
    try:
        answer = post_form(subscription.hub, data)
    except DownloadError as error:
        return _failed(
            subscription, gettext("The hub could not be asked: %(error)s") % {"error": error}
        )
    if not 200 <= answer.status < 300:
        return _failed(
            subscription,
            gettext("The hub refused (HTTP %(status)s): %(reason)s")
            % {"status": answer.status, "reason": answer.text[:300] or "-"},
        )
    if mode == SUBSCRIBE:
        return gettext("subscription asked of %(hub)s") % {"hub": subscription.hub}
    return gettext("unsubscription asked of %(hub)s") % {"hub": subscription.hub}


def _lease_seconds() -> int:
    return get_setting("WEBSUB_LEASE_SECONDS")


def _failed(subscription: WebSubSubscription, message: str) -> str:
    # Only what was asked is undone: the hub may have verified a subscription meanwhile.
    WebSubSubscription.objects.filter(pk=subscription.pk, pending=subscription.pending).update(
        pending=""
    )
    WebSubSubscription.objects.filter(pk=subscription.pk).update(error=message)
    return message


def verify(feed_id: int, params) -> str | None:
    """The hub's verification of intent (a GET to the callback): the body to answer
    with (the challenge), or None for a 404, when it is not what the feed asked for."""
    mode, topic = params.get("hub.mode", ""), params.get("hub.topic", "")
    subscription = WebSubSubscription.objects.select_related("feed").filter(feed_id=feed_id).first()
    if subscription is None or not topic or topic != subscription.topic:
        return None
    now = timezone.now()
    if mode == "denied":
        reason = params.get("hub.reason", "")[:300] or "-"
        subscription.pending, subscription.lease_ends_at = "", None
        subscription.error = gettext("The hub denied the subscription: %(reason)s") % {
            "reason": reason
        }
        subscription.save()
        return ""
    challenge = params.get("hub.challenge", "")
    if not challenge or mode not in (SUBSCRIBE, UNSUBSCRIBE) or subscription.pending != mode:
        return None
    if mode == SUBSCRIBE:
        feed = subscription.feed
        if not (feed.is_active and feed.delivery == WireFeed.Delivery.WEBSUB):
            return None  # deactivated since it was asked
        lease = params.get("hub.lease_seconds", "")
        seconds = int(lease) if lease.isdigit() and int(lease) > 0 else _lease_seconds()
        subscription.verified_at, subscription.lease_ends_at = now, now + timedelta(seconds=seconds)
    else:
        subscription.verified_at = subscription.lease_ends_at = None
    subscription.pending, subscription.error = "", ""
    subscription.save()
    return challenge


def delivery_signed(subscription: WebSubSubscription, header: str, body: bytes) -> bool:
    """Whether a delivery is signed with the subscription's secret, by a method at least
    as strong as the strongest the hub has used (sha1 only from a hub that never
    offered better); a stronger one becomes the least accepted from then on."""
    weakest = push.STRENGTH.index(subscription.signed_with) if subscription.signed_with else 0
    method = push.signed_with(header, body, [subscription.secret], push.STRENGTH[weakest:])
    if not method:
        return False
    if push.STRENGTH.index(method) > weakest or not subscription.signed_with:
        WebSubSubscription.objects.filter(pk=subscription.pk).update(signed_with=method)
    return True
