"""Push delivery: documents an agency POSTs to ``push/<feed_id>/``, signed with the
feed's push secret, go through the same reading, import and lifecycle rules as a
fetched feed; everything else is answered with a code that says why, and nothing is
imported."""

import hashlib
import hmac
import json
import socket
from datetime import timedelta
from importlib.util import find_spec
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory
from django.utils import timezone
from wagtail.models import GroupPagePermission

from tests.utils import default_site_root, feed_rules_formset, page_permission
from wagtail_mediawire import views
from wagtail_mediawire.factories import MediaWireIndexPageFactory
from wagtail_mediawire.ingest.push import rotate_secret, sign
from wagtail_mediawire.models import MediaWireArticlePage, WireFeed, WireItem

pytestmark = pytest.mark.usefixtures("loopback_feeds")

FEEDS_URL = "/admin/wagtail_mediawire/wirefeed/"


def rss(guid: str = "gull-point", title: str = "Gull Point lighthouse relit") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Northwind wire</title><link>https://northwind.example/</link>
<item><title>{title}</title><link>https://northwind.example/{guid}</link><guid>{guid}</guid>
<description>&lt;p&gt;The lamp burns again after forty years.&lt;/p&gt;</description></item>
</channel></rss>""".encode()


@pytest.fixture
def feed(section):
    return WireFeed.objects.create(
        name="Northwind", delivery=WireFeed.Delivery.PUSH, section=section,
        source_name="Northwind Press Agency", source_url="https://northwind.example/",
    )  # fmt: skip


@pytest.fixture
def secret(feed) -> str:
    return rotate_secret(feed)


def url(feed) -> str:
    return f"/wire/push/{feed.pk}/"


def post(feed, body: bytes, signature: str | None, content_type="application/rss+xml", **kwargs):
    headers = {"X-Hub-Signature": signature} if signature is not None else {}
    # As a server to server POST comes: without a session or a CSRF token.
    client = Client(enforce_csrf_checks=True)
    return client.post(url(feed), body, content_type=content_type, headers=headers, **kwargs)


def last_delivery(feed) -> str:
    feed.refresh_from_db()
    return feed.last_delivery_result


# Accepted


def test_a_signed_document_is_accepted_and_imported_as_a_draft(feed, secret):
    body = rss()
    response = post(feed, body, sign(body, secret))
    assert response.status_code == 202
    article = MediaWireArticlePage.objects.get()
    assert article.title == "Gull Point lighthouse relit" and not article.live
    assert article.source_url == "https://northwind.example/gull-point"
    assert WireItem.objects.get().feed == feed
    assert last_delivery(feed).startswith("1 new, 0 updated, 0 unchanged, 0 skipped")
    assert feed.last_delivery_at is not None
    # A delivery is not a fetch: the schedule's state is the fetches' own.
    assert feed.last_fetched_at is None and feed.fetching_since is None


def test_the_endpoints_are_never_cached(feed, secret):
    body = rss()
    for response in (post(feed, body, sign(body, secret)), post(feed, body, "sha256=0")):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_a_redelivery_imports_nothing_new(feed, secret):
    body = rss()
    post(feed, body, sign(body, secret))
    revisions = MediaWireArticlePage.objects.get().revisions.count()
    response = post(feed, body, sign(body, secret))
    assert response.status_code == 202
    assert WireItem.objects.count() == 1 and MediaWireArticlePage.objects.count() == 1
    assert MediaWireArticlePage.objects.get().revisions.count() == revisions
    assert last_delivery(feed).startswith("0 new, 0 updated, 1 unchanged")


def test_a_delivery_is_imported_while_a_fetch_holds_the_feed(feed, secret):
    # Several pushes of one feed may run at once: a delivery takes no claim.
    WireFeed.objects.filter(pk=feed.pk).update(fetching_since=timezone.now())
    body = rss()
    assert post(feed, body, sign(body, secret)).status_code == 202
    assert WireItem.objects.count() == 1


def test_a_pushed_kill_takes_the_article_down(section):
    feed = WireFeed.objects.create(
        name="Northwind", delivery=WireFeed.Delivery.PUSH, format=WireFeed.Format.NINJS,
        section=section, source_name="Northwind Press Agency",
        source_url="https://northwind.example/", publish_mode=WireFeed.PublishMode.PUBLISH,
    )  # fmt: skip
    secret = rotate_secret(feed)

    def ninjs(version: int, status: str) -> bytes:
        return json.dumps(
            {
                "uri": "urn:northwind:gull-point",
                "version": str(version),
                "type": "text",
                "pubStatus": status,
                "headlines": [{"value": "Gull Point lighthouse relit"}],
                "bodies": [{"contentType": "text/html", "value": "<p>The lamp burns.</p>"}],
            }  # fmt: skip
        ).encode()

    for version, status in ((1, "usable"), (2, "canceled")):
        body = ninjs(version, status)
        response = post(feed, body, sign(body, secret), content_type="application/json")
        assert response.status_code == 202
        if version == 1:
            assert MediaWireArticlePage.objects.get().live
    article = MediaWireArticlePage.objects.get()
    assert not article.live and article.wire_record().is_withdrawn
    assert Client().get(article.url).status_code == 410


def test_the_import_runs_as_a_task_on_the_feeds_backend(feed, secret, settings):
    package = "django.tasks" if find_spec("django.tasks") else "django_tasks"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "feeds": {"BACKEND": f"{package}.backends.dummy.DummyBackend"},
    }
    settings.WAGTAIL_MEDIAWIRE = {**settings.WAGTAIL_MEDIAWIRE, "TASK_BACKEND": "feeds"}
    backends = __import__(package, fromlist=["task_backends"]).task_backends
    body = rss()
    assert post(feed, body, sign(body, secret)).status_code == 202
    assert not WireItem.objects.exists()  # not imported in the request: queued
    (queued,) = backends["feeds"].results
    assert queued.task.name == "import_delivery"
    assert queued.args[0] == feed.pk and queued.args[2] == "push"
    assert last_delivery(feed) == "received; being imported"


def test_signatures_are_compared_in_constant_time(feed, secret):
    body = rss()
    with mock.patch(
        "wagtail_mediawire.ingest.push.hmac.compare_digest", wraps=hmac.compare_digest
    ) as compare:
        post(feed, body, sign(body, secret))
    assert compare.call_count == 1


# A rotated secret


def test_the_previous_secret_signs_during_its_grace_period_only(feed, secret, settings):
    settings.WAGTAIL_MEDIAWIRE = {**settings.WAGTAIL_MEDIAWIRE, "PUSH_SECRET_GRACE_SECONDS": 3600}
    new = rotate_secret(feed)
    assert new != secret
    assert post(feed, rss("one"), sign(rss("one"), secret)).status_code == 202
    assert post(feed, rss("two"), sign(rss("two"), new)).status_code == 202
    feed.refresh_from_db()
    assert (
        timedelta(minutes=59)
        < feed.push_secret_previous_until - timezone.now()
        <= timedelta(hours=1)
    )
    WireFeed.objects.filter(pk=feed.pk).update(
        push_secret_previous_until=timezone.now() - timedelta(seconds=1)
    )
    assert post(feed, rss("three"), sign(rss("three"), secret)).status_code == 403
    assert WireItem.objects.count() == 2


# Refused: nothing is imported


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",
        "sha256=",
        "sha256=" + "0" * 64,  # wrong
        "sha256=ü" + "0" * 63,  # not even hex
        "md5=0",
    ],
)
def test_a_missing_or_wrong_signature_is_refused(feed, secret, signature):
    response = post(feed, rss(), signature)
    assert response.status_code == 403
    assert not WireItem.objects.exists()
    assert last_delivery(feed).startswith("refused (403)")


def test_a_signature_with_another_secret_or_of_another_body_is_refused(feed, secret):
    assert post(feed, rss(), sign(rss(), "not the secret")).status_code == 403
    assert post(feed, rss(), sign(rss("other"), secret)).status_code == 403
    assert not WireItem.objects.exists()


def test_sha1_is_not_enough_for_a_push(feed, secret):
    body = rss()
    digest = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    assert post(feed, body, f"sha1={digest}").status_code == 403
    assert not WireItem.objects.exists()


def test_a_feed_without_push_refuses_every_delivery(feed, secret):
    body = rss()
    WireFeed.objects.filter(pk=feed.pk).update(delivery=WireFeed.Delivery.POLL)
    assert post(feed, body, sign(body, secret)).status_code == 403
    WireFeed.objects.filter(pk=feed.pk).update(delivery=WireFeed.Delivery.PUSH, push_secret="")
    assert post(feed, body, sign(body, "")).status_code == 403
    assert not WireItem.objects.exists()


def test_an_unknown_or_inactive_feed_is_not_found(feed, secret):
    body = rss()
    WireFeed.objects.filter(pk=feed.pk).update(is_active=False)
    assert post(feed, body, sign(body, secret)).status_code == 404
    response = Client().post(f"/wire/push/{feed.pk + 1}/", body, content_type="application/rss+xml")
    assert response.status_code == 404
    assert not WireItem.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_are_not_allowed(feed, secret, method):
    response = getattr(Client(), method)(url(feed))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_a_body_over_feed_max_bytes_is_refused(feed, secret, settings):
    settings.WAGTAIL_MEDIAWIRE = {**settings.WAGTAIL_MEDIAWIRE, "FEED_MAX_BYTES": 500}
    body = rss(title="A long headline " * 40)
    assert len(body) > 500
    response = post(feed, body, sign(body, secret))
    assert response.status_code == 413
    assert not WireItem.objects.exists()
    assert last_delivery(feed).startswith("refused (413)")


@pytest.mark.parametrize("content_type", ["application/json", "text/html", ""])
def test_a_media_type_the_feeds_format_cannot_be_is_refused(feed, secret, content_type):
    WireFeed.objects.filter(pk=feed.pk).update(format=WireFeed.Format.RSS)
    body = rss()
    response = post(feed, body, sign(body, secret), content_type=content_type)
    assert response.status_code == 415
    assert not WireItem.objects.exists()


def test_each_format_takes_its_own_media_types(feed, secret):
    body = rss()
    WireFeed.objects.filter(pk=feed.pk).update(format=WireFeed.Format.NINJS)
    assert (
        post(feed, body, sign(body, secret), content_type="application/rss+xml").status_code == 415
    )
    WireFeed.objects.filter(pk=feed.pk).update(format=WireFeed.Format.AUTO)
    assert post(feed, body, sign(body, secret), content_type="application/xml").status_code == 202


def test_a_body_without_its_length_is_refused(feed, secret):
    body = rss()
    request = RequestFactory().post(
        url(feed), body, content_type="application/rss+xml",
        headers={"X-Hub-Signature": sign(body, secret)},
    )  # fmt: skip
    del request.META["CONTENT_LENGTH"]
    response = views.push(request, feed_id=feed.pk)
    assert response.status_code == 411
    assert not WireItem.objects.exists()


def test_a_bad_document_is_accepted_and_its_error_recorded(feed, secret):
    body = b"<html><body>Not a feed</body></html>"
    response = post(feed, body, sign(body, secret), content_type="application/xml")
    assert response.status_code == 202
    assert "web page" in last_delivery(feed)
    assert not WireItem.objects.exists()


# A large body is refused before it is read


def answer_after(live_server, path: str, headers: dict[str, str], sent: int, total: int) -> bytes:
    """POST ``total`` bytes' worth of headers, send only ``sent`` of them, and return the
    server's answer: it must come without the rest of the body."""
    host, port = live_server.thread.host, live_server.thread.port
    with socket.create_connection((host, port), timeout=10) as connection:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {total}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        connection.sendall(head.encode() + b"x" * sent)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)  # times out if the server waits for the body
            if not chunk:
                break
            answer += chunk
        return answer


TEN_MB = 10 * 1024 * 1024


@pytest.mark.django_db(transaction=True)
def test_a_10_mb_unsigned_body_is_refused_without_being_read(live_server, settings):
    settings.WAGTAIL_MEDIAWIRE = {"FEED_ALLOW_PRIVATE_HOSTS": True}
    # After another transactional test's flush, the tree Wagtail's migrations made is gone.
    section = MediaWireIndexPageFactory(parent=default_site_root(), title="Wire", slug="wire")
    feed = WireFeed.objects.create(
        name="Northwind", delivery=WireFeed.Delivery.PUSH, section=section, source_name="N"
    )
    rotate_secret(feed)
    answer = answer_after(
        live_server, url(feed), {"Content-Type": "application/rss+xml"}, 65536, TEN_MB
    )
    assert answer.startswith(b"HTTP/1.1 403")
    # Signed, but declared larger than FEED_MAX_BYTES: refused on its length alone.
    answer = answer_after(
        live_server, url(feed),
        {"Content-Type": "application/rss+xml", "X-Hub-Signature": "sha256=" + "0" * 64},
        65536, TEN_MB,
    )  # fmt: skip
    assert answer.startswith(b"HTTP/1.1 413")
    assert not WireItem.objects.exists()


# The Feeds admin


def feed_form(section, **fields) -> dict:
    return {
        "name": "Northwind", "delivery": "push", "format": "auto", "section": section.pk,
        "source_name": "Northwind Press Agency", "publish_mode": "draft",
        "fetch_interval": 15, "is_active": "on", **feed_rules_formset(), **fields,
    }  # fmt: skip


def test_a_new_push_feed_shows_its_secret_once(admin_client, section):
    response = admin_client.post(f"{FEEDS_URL}create/", feed_form(section))
    assert response.status_code == 200
    feed = WireFeed.objects.get()
    html = response.content.decode()
    assert feed.push_secret and feed.push_secret in html
    assert f"http://testserver/wire/push/{feed.pk}/" in html
    assert "no-store" in response["Cache-Control"]
    for page in (FEEDS_URL, f"{FEEDS_URL}edit/{feed.pk}/", f"{FEEDS_URL}inspect/{feed.pk}/"):
        assert feed.push_secret not in admin_client.get(page).content.decode()
    # Saving it again keeps the secret: the agency's configuration still works.
    admin_client.post(f"{FEEDS_URL}edit/{feed.pk}/", feed_form(section, name="Northwind 2"))
    assert WireFeed.objects.get().push_secret == feed.push_secret


def test_a_new_secret_is_made_on_request_and_the_old_one_kept_for_its_grace(
    admin_client, feed, secret
):
    page = f"{FEEDS_URL}push_secret/{feed.pk}/"
    assert "Make a new push secret" in admin_client.get(page).content.decode()
    assert WireFeed.objects.get().push_secret == secret  # a GET changes nothing
    response = admin_client.post(page)
    feed.refresh_from_db()
    assert feed.push_secret != secret and feed.push_secret in response.content.decode()
    assert feed.push_secret_previous == secret
    assert "The previous secret still signs deliveries until" in response.content.decode()


def test_only_who_may_change_the_feed_may_make_its_secret(client, django_user_model, feed, secret):
    user = django_user_model.objects.create_user("reader", password="x")
    group = Group.objects.create(name="Feed readers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    group.permissions.add(Permission.objects.get(codename="change_wirefeed"))
    user.groups.add(group)
    client.force_login(user)
    # Feed permissions alone do not reach a section the user may not add to.
    response = client.post(f"{FEEDS_URL}push_secret/{feed.pk}/")
    assert response.status_code in (302, 403)  # Wagtail sends the denied to the dashboard
    assert WireFeed.objects.get().push_secret == secret
    GroupPagePermission.objects.create(
        group=group, page=feed.section, permission=page_permission("add")
    )
    assert client.post(f"{FEEDS_URL}push_secret/{feed.pk}/").status_code == 200
    assert WireFeed.objects.get().push_secret != secret


def test_the_listing_shows_the_delivery_mode_push_address_and_last_delivery(
    admin_client, feed, secret
):
    html = admin_client.get(FEEDS_URL).content.decode()
    assert "Pushed by the agency" in html
    assert f"http://testserver/wire/push/{feed.pk}/" in html
    assert "no delivery yet" in html
    assert "New push secret" in html and "Fetch now" not in html  # nothing to fetch
    body = rss()
    post(feed, body, sign(body, secret))
    html = admin_client.get(FEEDS_URL).content.decode()
    assert "last delivery" in html and "1 new, 0 updated" in html
    post(feed, body, "sha256=0")
    html = admin_client.get(FEEDS_URL).content.decode()
    assert "refused (403): The signature does not match" in html


def test_a_push_feed_needs_no_address_but_a_polled_one_does(admin_client, section):
    response = admin_client.post(f"{FEEDS_URL}create/", feed_form(section, delivery="poll"))
    assert response.status_code == 200 and not WireFeed.objects.exists()
    assert "Give the feed" in response.content.decode()
    admin_client.post(f"{FEEDS_URL}create/", feed_form(section))
    assert WireFeed.objects.get().delivery == "push"


def test_a_push_only_feed_is_never_due(feed):
    from wagtail_mediawire.ingest.importer import due_feed_ids

    assert due_feed_ids() == []
    WireFeed.objects.filter(pk=feed.pk).update(url="https://northwind.example/feed.xml")
    assert due_feed_ids() == [feed.pk]  # an address as well: fetched to catch what a push missed


def test_fetch_now_of_a_push_only_feed_says_there_is_nothing_to_fetch(feed):
    from wagtail_mediawire.ingest.importer import fetch

    result = fetch(feed.pk)
    assert "nothing to fetch" in result.error
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.state == "new"  # not taken as failing


def test_a_refused_delivery_costs_two_queries(feed, secret, django_assert_num_queries):
    # Anyone may POST: a forged delivery reads the feed and records the refusal, no more.
    body = rss()
    with django_assert_num_queries(2):
        assert post(feed, body, "sha256=" + "0" * 64).status_code == 403
