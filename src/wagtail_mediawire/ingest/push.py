"""Signed deliveries: the push secret of a feed, and the signature that proves a
delivery came from whoever holds it (``X-Hub-Signature``, as WebSub and most
webhooks spell it).

A signature is the HMAC of the raw body, hex-encoded, after its method's name:
``sha256=<hex>``. It is compared in constant time (``hmac.compare_digest``), against
every secret the feed accepts at the moment: its current one and, for a grace
period after a rotation, the one before.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone

from ..models import WireFeed
from ..settings import get_setting

SIGNATURE_HEADER = "X-Hub-Signature"
# WebSub's signature methods, weakest first: a hub that has signed with one may not
# sign with a weaker one after (ingest/websub.py).
METHODS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
STRENGTH = list(METHODS)


def new_secret() -> str:
    """A secret of 256 random bits, in characters any sender's configuration can hold."""
    return secrets.token_urlsafe(32)


def rotate_secret(feed: WireFeed) -> str:
    """Give ``feed`` a new push secret, and return it (to be shown once).

    The one it replaces still signs deliveries for ``PUSH_SECRET_GRACE_SECONDS``, so the
    agency can change over without losing a delivery.
    """
    now = timezone.now()
    if feed.push_secret:
        feed.push_secret_previous = feed.push_secret
        grace = timedelta(seconds=get_setting("PUSH_SECRET_GRACE_SECONDS"))
        feed.push_secret_previous_until = now + grace
    feed.push_secret = new_secret()
    # An update, not a save: a new secret is not an edit of the feed (no owner change).
    WireFeed.objects.filter(pk=feed.pk).update(
        push_secret=feed.push_secret,
        push_secret_previous=feed.push_secret_previous,
        push_secret_previous_until=feed.push_secret_previous_until,
    )
    return feed.push_secret


def sign(body: bytes, secret: str, method: str = "sha256") -> str:
    """The ``X-Hub-Signature`` value for ``body``: what a sender computes."""
    digest = hmac.new(secret.encode(), body, METHODS[method]).hexdigest()
    return f"{method}={digest}"


def signed_with(header: str, body: bytes, keys: list[str], methods=("sha256",)) -> str:
    """The method ``header`` signs ``body`` with under one of ``keys``, or "" when it
    does not (missing, malformed, a method not in ``methods``, or a wrong digest)."""
    method, separator, given = header.strip().partition("=")
    method = method.strip().lower()
    if not separator or method not in methods or method not in METHODS:
        return ""
    # Bytes, so that a header with characters outside ASCII is a mismatch, not an error.
    given_bytes = given.strip().lower().encode("utf-8", "replace")
    matched = False
    for key in keys:
        expected = hmac.new(key.encode(), body, METHODS[method]).hexdigest().encode()
        # Every key is compared, so the time taken says nothing about which one matched.
        matched |= hmac.compare_digest(expected, given_bytes)
    return method if matched else ""


def record_delivery(feed_id: int, result: str) -> None:
    """What became of the feed's last delivery, for its line in the Feeds listing."""
    WireFeed.objects.filter(pk=feed_id).update(
        last_delivery_at=timezone.now(), last_delivery_result=result[:2000]
    )
