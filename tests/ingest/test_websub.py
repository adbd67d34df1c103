"""WebSub, the subscriber's side, against a real hub on 127.0.0.1 written here: the
feed finds the hub, subscribes, answers the hub's verification, takes signed
deliveries, renews its lease, unsubscribes when deactivated, and is polled whenever
the hub does not deliver."""

import hashlib
import hmac
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.utils import default_site_root
from wagtail_mediawire.factories import MediaWireIndexPageFactory
from wagtail_mediawire.ingest import websub
from wagtail_mediawire.ingest.importer import due_feed_ids
from wagtail_mediawire.ingest.push import sign
from wagtail_mediawire.models import MediaWireArticlePage, WebSubSubscription, WireFeed, WireItem

pytestmark = pytest.mark.usefixtures("loopback_feeds")

LEASE = 10 * 24 * 3600


def rss(guid: str, title: str, hub: str = "", topic: str = "") -> bytes:
    links = ""
    if hub:
        links = f'<atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{topic}"/>'
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Northwind wire</title><link>https://northwind.example/</link>{links}
<item><title>{title}</title><link>https://northwind.example/{guid}</link><guid>{guid}</guid>
<description>&lt;p&gt;Reported by the Northwind desk.&lt;/p&gt;</description></item>
</channel></rss>""".encode()


class Hub(ThreadingHTTPServer):
    """A WebSub hub: it serves the topic (a feed naming the hub), takes subscription
    requests, verifies them at the callback as the spec says, and publishes."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), HubHandler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.topic = f"{self.base}/feed.xml"
        self.requests: list[dict[str, str]] = []  # the subscription requests
        self.verifications: list[tuple[str, int, bool]] = []  # (mode, status, echoed)
        self.subscriptions: dict[str, str] = {}  # callback → secret
        self.answer = 202  # to a subscription request
        self.verifying = True  # False: a silent hub, which accepts and never verifies
        self.lease = LEASE
        self.link_header = True
        self.done = threading.Condition()

    def feed(self) -> bytes:
        return rss("harbour-opens", "The new harbour opens", self.base + "/hub", self.topic)

    def verify(self, form: dict[str, str]) -> None:
        challenge = secrets.token_hex(8)
        query = {
            "hub.mode": form["hub.mode"], "hub.topic": form["hub.topic"],
            "hub.challenge": challenge, "hub.lease_seconds": str(self.lease),
        }  # fmt: skip
        status, body = get(form["hub.callback"] + "?" + urllib.parse.urlencode(query))
        echoed = status == 200 and body == challenge.encode()
        if echoed and form["hub.mode"] == "subscribe":
            self.subscriptions[form["hub.callback"]] = form.get("hub.secret", "")
        if echoed and form["hub.mode"] == "unsubscribe":
            self.subscriptions.pop(form["hub.callback"], None)
        with self.done:
            self.verifications.append((form["hub.mode"], status, echoed))
            self.done.notify_all()

    def wait_for_verifications(self, count: int) -> list:
        with self.done:
            assert self.done.wait_for(lambda: len(self.verifications) >= count, timeout=15)
            return list(self.verifications)

    def publish(self, body: bytes, method: str = "sha256", secret: str | None = None) -> list:
        """Deliver ``body`` to every subscriber, signed; the callbacks' statuses."""
        statuses = []
        for callback, subscribed_secret in self.subscriptions.items():
            key = (subscribed_secret if secret is None else secret).encode()
            digest = hmac.new(key, body, getattr(hashlib, method)).hexdigest()
            headers = {
                "Content-Type": "application/rss+xml",
                "X-Hub-Signature": f"{method}={digest}",
                "Link": f'<{self.base}/hub>; rel="hub", <{self.topic}>; rel="self"',
            }
            statuses.append(post(callback, body, headers)[0])
        return statuses


class HubHandler(BaseHTTPRequestHandler):
    server: Hub

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        body = self.server.feed()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if self.server.link_header:
            hub = self.server.base + "/hub"
            self.send_header("Link", f'<{hub}>; rel="hub", <{self.server.topic}>; rel="self"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        self.server.requests.append(form)
        answer = self.server.answer
        reason = b"" if answer < 300 else b"Topic not served by this hub"
        self.send_response(answer)
        self.send_header("Content-Length", str(len(reason)))
        self.end_headers()
        self.wfile.write(reason)
        if answer < 300 and self.server.verifying:
            # Verified after the answer, as the spec has it: asynchronously.
            threading.Thread(target=self.server.verify, args=(form,), daemon=True).start()


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def hub():
    server = Hub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def section(db):
    # After a transactional test's flush, the tree Wagtail's migrations made is made again.
    return MediaWireIndexPageFactory(parent=default_site_root(), title="Media Wire", slug="wire")


@pytest.fixture
def site_url(live_server, settings):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    return live_server.url


def make_feed(section, hub: Hub, **fields) -> WireFeed:
    return WireFeed.objects.create(
        name="Northwind", url=hub.topic, section=section, delivery=WireFeed.Delivery.WEBSUB,
        source_name="Northwind Press Agency", **fields,
    )  # fmt: skip


def subscription(feed) -> WebSubSubscription:
    return WebSubSubscription.objects.get(feed=feed)


@pytest.fixture
def subscribed(transactional_db, section, hub, site_url):
    """A WebSub feed whose hub has verified its subscription."""
    feed = make_feed(section, hub)  # saving it asks the hub, after commit
    assert hub.wait_for_verifications(1) == [("subscribe", 200, True)]
    wait_until(lambda: subscription(feed).is_live())
    return feed


def wait_until(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def polled(feed) -> bool:
    """Whether the schedule fetches the feed, once its fetch interval has passed."""
    WireFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now() - timedelta(days=1))
    return feed.pk in due_feed_ids()


def callback(feed) -> str:
    return f"/wire/websub/{feed.pk}/"


# Subscription and verification


def test_a_websub_feed_finds_its_hub_and_subscribes(subscribed, hub, site_url):
    (request,) = hub.requests
    assert request["hub.mode"] == "subscribe"
    assert request["hub.topic"] == hub.topic
    assert request["hub.callback"] == f"{site_url}/wire/websub/{subscribed.pk}/"
    assert request["hub.lease_seconds"] == str(LEASE)
    record = subscription(subscribed)
    assert request["hub.secret"] == record.secret and len(record.secret) >= 32
    assert record.hub == hub.base + "/hub"
    assert timedelta(days=9) < record.lease_ends_at - timezone.now() <= timedelta(days=10)
    # The first fetch, which found the hub, imported what the feed had.
    assert WireItem.objects.filter(guid="harbour-opens").exists()


def test_the_hub_and_topic_are_found_in_the_document_without_a_link_header(
    transactional_db, section, hub, site_url
):
    hub.link_header = False
    feed = make_feed(section, hub)
    hub.wait_for_verifications(1)
    record = subscription(feed)
    assert (record.hub, record.topic) == (hub.base + "/hub", hub.topic)


def test_a_subscribed_feed_is_not_polled_and_one_that_is_not_is(subscribed):
    assert not polled(subscribed)
    WebSubSubscription.objects.filter(pk=subscribed.pk).update(
        lease_ends_at=timezone.now() - timedelta(seconds=1)
    )
    assert polled(subscribed)  # the lease ended: polled again


@pytest.mark.django_db
def test_verification_is_answered_only_for_what_the_feed_asked(section, hub):
    feed = make_feed(section, hub)
    WebSubSubscription.objects.create(
        feed=feed, hub=hub.base + "/hub", topic=hub.topic, secret="s", pending="subscribe",
        requested_at=timezone.now(),
    )  # fmt: skip
    client = Client()

    def verification(feed_id=feed.pk, **params) -> tuple[int, bytes]:
        query = {"hub.mode": "subscribe", "hub.topic": hub.topic, "hub.challenge": "c4f3",
                 "hub.lease_seconds": "3600", **params}  # fmt: skip
        response = client.get(f"/wire/websub/{feed_id}/", query)
        return response.status_code, response.content

    assert verification(**{"hub.topic": "https://elsewhere.example/feed"})[0] == 404
    assert verification(**{"hub.mode": "unsubscribe"})[0] == 404  # not asked
    assert verification(feed_id=feed.pk + 1)[0] == 404
    assert verification(**{"hub.challenge": ""})[0] == 404
    assert not subscription(feed).is_live()
    assert verification() == (200, b"c4f3")
    assert subscription(feed).is_live()
    # Once verified, nothing is pending: the same verification again is refused.
    assert verification()[0] == 404


def test_a_hub_that_refuses_leaves_the_feed_polled(transactional_db, section, hub, site_url):
    hub.answer = 400
    feed = make_feed(section, hub)
    wait_until(lambda: subscription(feed).error)
    record = subscription(feed)
    assert "HTTP 400" in record.error and "Topic not served" in record.error
    assert not record.is_live() and record.pending == ""
    assert polled(feed)
    # Asked again, but not at once: after ASK_AGAIN_AFTER.
    assert not websub.wanted(WireFeed.objects.get(pk=feed.pk))
    WebSubSubscription.objects.filter(pk=feed.pk).update(
        requested_at=timezone.now() - websub.ASK_AGAIN_AFTER
    )
    hub.answer = 202
    call_command("mediawire_fetch_feeds", "--due", stdout=StringIO())
    hub.wait_for_verifications(1)
    wait_until(lambda: subscription(feed).is_live())


def test_a_silent_hub_leaves_the_feed_polled(transactional_db, section, hub, site_url):
    hub.verifying = False
    feed = make_feed(section, hub)
    wait_until(lambda: subscription(feed).pending == "subscribe")
    assert polled(feed)
    assert not websub.wanted(WireFeed.objects.select_related("websub").get(pk=feed.pk))
    WebSubSubscription.objects.filter(pk=feed.pk).update(
        requested_at=timezone.now() - websub.ASK_AGAIN_AFTER
    )
    assert websub.wanted(WireFeed.objects.select_related("websub").get(pk=feed.pk)) == "subscribe"


def test_a_denied_subscription_is_recorded_and_the_feed_polled(subscribed, hub):
    response = Client().get(
        callback(subscribed),
        {"hub.mode": "denied", "hub.topic": hub.topic, "hub.reason": "Over quota"},
    )
    assert response.status_code == 200
    record = subscription(subscribed)
    assert "Over quota" in record.error and not record.is_live()
    assert polled(subscribed)


@pytest.mark.django_db
def test_without_a_hub_the_feed_is_fetched_on_schedule(section, httpserver, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss("quiet", "A quiet day"), content_type="application/rss+xml"
    )
    feed = WireFeed.objects.create(
        name="Quiet", url=httpserver.url_for("/feed.xml"), section=section,
        delivery=WireFeed.Delivery.WEBSUB, source_name="Quiet Agency",
    )  # fmt: skip
    out = StringIO()
    call_command("mediawire_fetch_feeds", "--due", stdout=out)
    assert "names no WebSub hub" in out.getvalue()
    assert "names no WebSub hub" in subscription(feed).error
    assert WireItem.objects.filter(guid="quiet").exists()  # fetched all the same
    # Not asked again at every --due: only after ASK_AGAIN_AFTER.
    out = StringIO()
    call_command("mediawire_fetch_feeds", "--due", stdout=out)
    assert "WebSub" not in out.getvalue()


# Deliveries


def test_a_signed_delivery_is_imported(subscribed, hub):
    assert hub.publish(rss("lighthouse", "Gull Point lighthouse relit")) == [202]
    item = WireItem.objects.get(guid="lighthouse")
    assert item.feed == subscribed and not item.article.live
    subscribed.refresh_from_db()
    assert subscribed.last_delivery_result.startswith("1 new")
    # The same delivery again imports nothing new.
    assert hub.publish(rss("lighthouse", "Gull Point lighthouse relit")) == [202]
    assert MediaWireArticlePage.objects.filter(title="Gull Point lighthouse relit").count() == 1


def test_a_badly_signed_delivery_is_acknowledged_and_ignored(subscribed, hub):
    assert hub.publish(rss("forged", "Forged report"), secret="not the secret") == [202]
    assert not WireItem.objects.filter(guid="forged").exists()
    subscribed.refresh_from_db()
    assert subscribed.last_delivery_result.startswith("ignored")
    body = rss("unsigned", "Unsigned report")
    status = Client().post(callback(subscribed), body, content_type="application/rss+xml")
    assert status.status_code == 202 and not WireItem.objects.filter(guid="unsigned").exists()


def test_sha1_is_taken_only_from_a_hub_that_never_signed_better(subscribed, hub):
    assert hub.publish(rss("first", "First report"), method="sha1") == [202]
    assert WireItem.objects.filter(guid="first").exists()
    assert hub.publish(rss("second", "Second report"), method="sha512") == [202]
    assert WireItem.objects.filter(guid="second").exists()
    # Downgraded: refused from now on, sha256 as well.
    for guid, method in (("third", "sha1"), ("fourth", "sha256")):
        assert hub.publish(rss(guid, f"Report {guid}"), method=method) == [202]
        assert not WireItem.objects.filter(guid=guid).exists()
    assert subscription(subscribed).signed_with == "sha512"


def test_deliveries_to_an_inactive_or_unknown_feed_are_not_found(subscribed, hub):
    body = rss("late", "Late report")
    signature = sign(body, subscription(subscribed).secret)
    WireFeed.objects.filter(pk=subscribed.pk).update(is_active=False)
    client = Client()
    for feed_id in (subscribed.pk, subscribed.pk + 1):
        response = client.post(
            f"/wire/websub/{feed_id}/", body, content_type="application/rss+xml",
            headers={"X-Hub-Signature": signature},
        )  # fmt: skip
        assert response.status_code == 404
    assert client.put(callback(subscribed)).status_code == 405
    assert not WireItem.objects.filter(guid="late").exists()


def test_an_oversize_or_non_feed_delivery_is_refused(subscribed, hub, settings):
    body = rss("big", "Big report " * 100)
    signature = sign(body, subscription(subscribed).secret)
    client = Client()
    response = client.post(
        callback(subscribed), body, content_type="text/html", headers={"X-Hub-Signature": signature}
    )
    assert response.status_code == 415
    settings.WAGTAIL_MEDIAWIRE = {**settings.WAGTAIL_MEDIAWIRE, "FEED_MAX_BYTES": 200}
    response = client.post(
        callback(subscribed), body, content_type="application/rss+xml",
        headers={"X-Hub-Signature": signature},
    )  # fmt: skip
    assert response.status_code == 413
    assert not WireItem.objects.filter(guid="big").exists()


# Renewal and unsubscription


def test_the_lease_is_renewed_before_it_ends_by_due(subscribed, hub):
    now = timezone.now()
    # Nine and a half of ten days gone: within the last tenth.
    WebSubSubscription.objects.filter(pk=subscribed.pk).update(
        verified_at=now - timedelta(days=9, hours=12), lease_ends_at=now + timedelta(hours=12)
    )
    out = StringIO()
    call_command("mediawire_fetch_feeds", "--due", stdout=out)
    assert "WebSub: subscription asked of" in out.getvalue()
    assert [request["hub.mode"] for request in hub.requests] == ["subscribe", "subscribe"]
    hub.wait_for_verifications(2)
    wait_until(lambda: subscription(subscribed).lease_ends_at > now + timedelta(days=9))
    # Renewed: nothing to ask at the next --due.
    out = StringIO()
    call_command("mediawire_fetch_feeds", "--due", stdout=out)
    assert "WebSub" not in out.getvalue() and len(hub.requests) == 2


def test_a_lease_far_from_its_end_is_not_renewed(subscribed, hub):
    out = StringIO()
    call_command("mediawire_fetch_feeds", "--due", stdout=out)
    assert len(hub.requests) == 1


def test_deactivating_the_feed_unsubscribes_it(subscribed, hub):
    assert hub.subscriptions
    subscribed.is_active = False
    subscribed.save()
    verifications = hub.wait_for_verifications(2)
    assert verifications[1] == ("unsubscribe", 200, True)
    assert hub.requests[-1]["hub.mode"] == "unsubscribe"
    assert not hub.subscriptions
    wait_until(lambda: not subscription(subscribed).is_live())
    # Nothing more to ask of the hub.
    assert not websub.wanted(WireFeed.objects.select_related("websub").get(pk=subscribed.pk))


def test_changing_a_feed_to_another_delivery_unsubscribes_it(subscribed, hub):
    subscribed.delivery = WireFeed.Delivery.POLL
    subscribed.save()
    assert hub.wait_for_verifications(2)[1] == ("unsubscribe", 200, True)
    assert polled(subscribed)


def test_a_hub_cannot_resubscribe_a_deactivated_feed(subscribed, hub):
    # Asked before the feed was deactivated, verified after: refused.
    WebSubSubscription.objects.filter(pk=subscribed.pk).update(
        pending="subscribe", requested_at=timezone.now()
    )
    WireFeed.objects.filter(pk=subscribed.pk).update(is_active=False)
    response = Client().get(
        callback(subscribed),
        {"hub.mode": "subscribe", "hub.topic": hub.topic, "hub.challenge": "x",
         "hub.lease_seconds": "60"},
    )  # fmt: skip
    assert response.status_code == 404


# The Feeds admin


def test_the_listing_shows_the_lease_end_and_the_last_delivery(subscribed, hub, admin_client):
    hub.publish(rss("listed", "Listed report"))
    html = admin_client.get("/admin/wagtail_mediawire/wirefeed/").content.decode()
    assert "WebSub: subscribed to the feed" in html
    assert f"subscribed at {hub.base}/hub until" in html
    assert "last delivery" in html and "1 new" in html
