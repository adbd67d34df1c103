"""Media Wire > Wire queue: the items the feeds brought, their status, filters, who sees
them, and the desk's actions (publish, discard, bulk discard)."""

import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, PageLogEntry

from tests.test_modeladmin import _media_wire_menu
from tests.utils import page_permission
from wagtail_mediawire.factories import (
    MediaWireIndexPageFactory,
    WireFeedFactory,
    WireItemFactory,
    WireSubjectFactory,
)
from wagtail_mediawire.ingest.queue import (
    QueueStatus,
    discard,
    publish,
    queue_status,
    with_queue_status,
)
from wagtail_mediawire.models import MediaWireArticlePage, WireItem

pytestmark = pytest.mark.django_db

QUEUE = reverse("wagtail_mediawire_wire_queue")
BULK_DISCARD = "/admin/bulk/wagtail_mediawire/wireitem/discard/"


def _url(name, item):
    return reverse(f"wagtail_mediawire_wire_queue_{name}", args=[item.pk])


def _rows(response) -> list[str]:
    assert response.status_code == 200
    return [item.title for item in response.context["object_list"]]


def _item(feed, title, minutes_ago=1, **kwargs):
    kwargs.setdefault("received_at", timezone.now() - timedelta(minutes=minutes_ago))
    return WireItemFactory(feed=feed, title=title, **kwargs)


def _section_user(section, actions=("add", "change", "publish"), username="desk-a"):
    group = Group.objects.create(name=f"{username} group")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for action in actions:
        GroupPagePermission.objects.create(
            group=group, page=section, permission=page_permission(action)
        )
    user = User.objects.create_user(username, password="pw")
    user.groups.add(group)
    return user


def _messages(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


@pytest.fixture
def feed(section):
    return WireFeedFactory(section=section, name="Cobalt Wire", source_name="Cobalt")


@pytest.fixture
def other(root_page):
    return MediaWireIndexPageFactory(parent=root_page, title="Closed desk", slug="closed")


@pytest.fixture
def every_status(feed):
    """One item in each status, newest first in this order; "discarded" is the oldest."""
    now = timezone.now()
    published = _item(feed, "Published", 8)
    published.article.save_revision().publish()
    correction = _item(feed, "Correction", 4)
    correction.article.save_revision().publish()
    correction.correction_revision = correction.article.save_revision()
    correction.save()
    return {
        QueueStatus.NEW: _item(feed, "New", 1),
        QueueStatus.EMBARGOED: _item(
            feed, "Embargoed", 2, embargoed_until=now + timedelta(hours=3)
        ),
        QueueStatus.UPDATED: _item(feed, "Updated", 3, updated_at_source=True),
        QueueStatus.CORRECTION: correction,
        QueueStatus.KILLED: _item(
            feed, "Killed", 5, withdrawn_at=now, status=WireItem.Status.CANCELED
        ),
        QueueStatus.WITHHELD: _item(
            feed, "Withheld", 6, withdrawn_at=now, status=WireItem.Status.WITHHELD
        ),
        QueueStatus.SKIPPED: _item(
            feed, "Skipped", 7, draft=False, decision=WireItem.Decision.SKIP
        ),
        QueueStatus.PUBLISHED: published,
        QueueStatus.DISCARDED: _item(feed, "Discarded", 9, discarded_at=now),
    }


def _status_cells(response) -> dict[str, str]:
    soup = BeautifulSoup(response.content, "html.parser")
    cells = {}
    for row in soup.select("tbody tr"):
        title = row.select_one("td.title").get_text(" ", strip=True)
        cells[title] = row.select_one(".w-status").get_text(" ", strip=True)
    return cells


class TestListing:
    def test_newest_first_with_each_status(self, admin_client, every_status):
        response = admin_client.get(QUEUE)
        expected = [
            "New", "Embargoed", "Updated", "Correction", "Killed", "Withheld", "Skipped",
            "Published",
        ]  # fmt: skip
        assert _rows(response) == expected  # the discarded item is off the queue
        cells = _status_cells(response)
        assert cells["New"] == "new"
        assert cells["Embargoed"].startswith("embargoed until ")
        assert cells["Updated"] == "updated at source"
        assert cells["Correction"] == "correction"
        assert cells["Killed"] == "killed"
        assert cells["Withheld"] == "withheld"
        assert cells["Skipped"] == "skipped"
        assert cells["Published"] == "published"
        discarded = admin_client.get(QUEUE, {"status": QueueStatus.DISCARDED})
        assert _status_cells(discarded) == {"Discarded": "discarded"}

    def test_the_annotation_and_the_function_agree(self, every_status):
        annotated = dict(
            with_queue_status(WireItem.objects.all()).values_list("title", "queue_status")
        )
        for status, item in every_status.items():
            item = WireItem.objects.select_related("article").get(pk=item.pk)
            assert queue_status(item) == status == annotated[item.title]

    def test_columns_and_row_actions(self, admin_client, feed, section):
        subject = WireSubjectFactory(code="medtop:04000000", name="economy")
        item = _item(feed, "Harbour reopens", urgency=2, decided_by="Rule 1", subjects=[subject])
        html = admin_client.get(QUEUE).content.decode()
        edit = reverse("wagtailadmin_pages:edit", args=[item.article_id])
        for text in ("Cobalt Wire", "Media Wire", "Rule 1", "Edit draft", edit, "1\xa0minute"):
            assert text in html, text
        soup = BeautifulSoup(html, "html.parser")
        forms = {form["action"]: form for form in soup.select("tbody form")}
        for action in (_url("publish", item), _url("discard", item)):
            assert forms[action]["method"] == "post"
            assert forms[action].select_one("input[name=csrfmiddlewaretoken]")
        # Wagtail's bulk actions: a checkbox a row, the footer with Discard.
        assert soup.select_one(f"input[data-object-id='{item.pk}'][data-bulk-action-checkbox]")
        assert soup.select_one(f"[href^='{BULK_DISCARD}']")
        assert "wagtailadmin/js/bulk-actions.js" in html

    def test_filters(self, admin_client, feed, section, root_page):
        other_feed = WireFeedFactory(section=section, name="Northwind Press")
        economy = WireSubjectFactory(code="medtop:04000000", name="economy")
        _item(feed, "Flash", 1, urgency=1, language="en", subjects=[economy])
        _item(feed, "Routine", 2, urgency=5, language="de")
        _item(other_feed, "Elsewhere", 3, urgency=3, language="en-GB")
        _item(feed, "Later", 4, embargoed_until=timezone.now() + timedelta(hours=1))
        assert _rows(admin_client.get(QUEUE, {"feed": other_feed.pk})) == ["Elsewhere"]
        assert _rows(admin_client.get(QUEUE, {"urgency": "1"})) == ["Flash"]
        assert _rows(admin_client.get(QUEUE, {"urgency": "3"})) == ["Flash", "Elsewhere"]
        assert _rows(admin_client.get(QUEUE, {"status": "embargoed"})) == ["Later"]
        assert _rows(admin_client.get(QUEUE, {"language": "de"})) == ["Routine"]
        assert _rows(admin_client.get(QUEUE, {"subject": economy.pk})) == ["Flash"]
        assert _rows(admin_client.get(QUEUE, {"q": "rout"})) == ["Routine"]
        # The filters offer what there is.
        filters = admin_client.get(QUEUE).context["filters"].form
        assert [label for _, label in filters.fields["language"].choices][1:] == [
            "de", "en", "en-GB"
        ]  # fmt: skip
        # A value no filter can use is ignored, not an error.
        for params in ({"status": "nope"}, {"feed": "abc"}, {"urgency": "12"}, {"p": "x"}):
            assert len(_rows(admin_client.get(QUEUE, params))) == 4, params

    def test_the_results_view_answers_the_filters(self, admin_client, feed):
        _item(feed, "Flash", urgency=1)
        _item(feed, "Routine", urgency=5)
        results = admin_client.get(reverse("wagtail_mediawire_wire_queue_results"), {"urgency": 1})
        assert _rows(results) == ["Flash"]


def _queries(client, params=None) -> tuple[int, int]:
    client.get(QUEUE, params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["object_list"])


@pytest.mark.parametrize("who", ["superuser", "section editor"])
def test_queries_do_not_grow_with_the_page_size(client, section, who):
    if who == "superuser":
        client.force_login(User.objects.create_superuser("boss", password="pw"))
    else:
        client.force_login(_section_user(section))
    feeds = [WireFeedFactory(section=section) for _ in range(2)]
    subjects = [WireSubjectFactory() for _ in range(3)]

    def batch(count):
        now = timezone.now()
        for n in range(count):
            kind = n % 5
            item = _item(
                feeds[n % 2],
                f"Item {n}",
                minutes_ago=n,
                urgency=n % 9 + 1,
                language=("en", "de", "fa")[n % 3],
                subjects=subjects[: n % 4],
                embargoed_until=now + timedelta(hours=1) if kind == 1 else None,
                draft=kind != 2,
                decision=WireItem.Decision.SKIP if kind == 2 else WireItem.Decision.DRAFT,
                withdrawn_at=now if kind == 3 else None,
            )
            if kind == 4:
                item.article.save_revision().publish()

    batch(10)
    small = [_queries(client), _queries(client, {"urgency": "5", "language": "en"})]
    batch(40)
    large = [_queries(client), _queries(client, {"urgency": "5", "language": "en"})]
    assert small[0][1] == 10 and large[0][1] == 50
    assert [queries for queries, _ in large] == [queries for queries, _ in small]


class TestPermissions:
    @pytest.fixture
    def desks(self, client, feed, other):
        closed = WireFeedFactory(section=other, name="Hidden Agency")
        own = _item(feed, "Own report")
        hidden = _item(closed, "Closed report")
        user = _section_user(feed.section)
        client.force_login(user)
        return own, hidden, user

    def test_an_editor_sees_only_their_sections_items(self, client, desks):
        own, hidden, _ = desks
        response = client.get(QUEUE)
        assert _rows(response) == ["Own report"]
        html = response.content.decode()
        assert "Closed report" not in html
        assert "Hidden Agency" not in html  # not even among the filters' choices
        assert _rows(client.get(QUEUE, {"feed": hidden.feed_id})) == ["Own report"]

    def test_an_editor_cannot_act_on_other_sections_items(self, client, desks):
        own, hidden, _ = desks
        for action in ("publish", "discard"):
            assert client.post(_url(action, hidden)).status_code == 404
        hidden.refresh_from_db()
        assert hidden.discarded_at is None
        assert not hidden.article.live
        client.post(BULK_DISCARD + f"?id={hidden.pk}&id={own.pk}")
        assert WireItem.objects.filter(discarded_at__isnull=False).get() == own

    def test_without_page_permissions_no_queue_and_no_menu(self, client, feed):
        _item(feed, "Report")
        user = User.objects.create_user("visitor", password="pw")
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(user)
        assert client.get(QUEUE).status_code in (302, 403)
        item = WireItem.objects.get()
        assert client.post(_url("discard", item)).status_code in (302, 403)
        item.refresh_from_db()
        assert item.discarded_at is None
        assert "wire-queue" not in client.get("/admin/").content.decode()

    def test_menu_has_the_queue_first(self, admin_user, section):
        assert _media_wire_menu(admin_user)[1][0] == "Wire queue"
        editor = _section_user(section)
        assert _media_wire_menu(editor)[1][0] == "Wire queue"
        visitor = User.objects.create_user("visitor", password="pw")
        visitor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        assert "Wire queue" not in _media_wire_menu(visitor)[1]


class TestPublish:
    def test_publishes_the_draft(self, client, feed, section):
        user = _section_user(section)
        client.force_login(user)
        item = _item(feed, "Harbour reopens")
        response = client.post(_url("publish", item), {"next": QUEUE + "?urgency=1"}, follow=True)
        assert response.redirect_chain[0][0] == QUEUE + "?urgency=1"
        assert "“Harbour reopens” is live." in _messages(response)
        article = MediaWireArticlePage.objects.get(pk=item.article_id)
        assert article.live
        assert PageLogEntry.objects.filter(page=article, action="wagtail.publish", user=user)

    def test_refused_without_a_source(self, admin_client, feed):
        item = _item(feed, "No source", draft__body=[])
        response = admin_client.post(_url("publish", item), follow=True)
        assert response.status_code == 200
        (message,) = _messages(response)
        assert message.startswith("“No source” was not published: ")
        assert "Source" in message
        assert not MediaWireArticlePage.objects.get(pk=item.article_id).live

    def test_refused_for_a_killed_item(self, admin_user, feed):
        item = _item(
            feed,
            "Killed",
            withdrawn_at=timezone.now(),
            withdrawn_reason="killed by Cobalt",
            status=WireItem.Status.CANCELED,
        )
        outcome = publish(item, admin_user)
        assert not outcome.ok
        assert "withdrew" in outcome.message and "killed by Cobalt" in outcome.message
        assert not MediaWireArticlePage.objects.get(pk=item.article_id).live

    def test_refused_under_embargo(self, admin_user, feed):
        until = timezone.now() + timedelta(hours=2)
        item = _item(feed, "Embargoed", embargoed_until=until)
        outcome = publish(item, admin_user)
        assert not outcome.ok
        assert not MediaWireArticlePage.objects.get(pk=item.article_id).live

    def test_refused_without_publish_permission(self, client, feed, section):
        client.force_login(_section_user(section, actions=("add", "change")))
        item = _item(feed, "Harbour reopens")
        listing = client.get(QUEUE).content.decode()
        assert _url("publish", item) not in listing  # no button
        assert _url("discard", item) in listing
        response = client.post(_url("publish", item), follow=True)
        assert _messages(response) == ["You may not publish “Harbour reopens”."]
        assert not MediaWireArticlePage.objects.get(pk=item.article_id).live

    def test_get_is_not_allowed(self, admin_client, feed):
        item = _item(feed, "Report")
        assert admin_client.get(_url("publish", item)).status_code == 405
        assert admin_client.get(_url("discard", item)).status_code == 405


class TestDiscard:
    def test_an_untouched_draft_is_deleted_and_the_item_kept(self, client, feed, section):
        user = _section_user(section)
        client.force_login(user)
        item = _item(feed, "Not for us")
        article_id = item.article_id
        response = client.post(_url("discard", item), follow=True)
        assert "Discarded “Not for us” and deleted its untouched draft." in _messages(response)
        assert not MediaWireArticlePage.objects.filter(pk=article_id).exists()
        item.refresh_from_db()
        assert item.discarded_at is not None and item.discarded_by == user
        assert item.article is None
        assert _rows(client.get(QUEUE)) == []
        assert _rows(client.get(QUEUE, {"status": "discarded"})) == ["Not for us"]

    def test_an_edited_article_is_kept(self, admin_user, feed):
        item = _item(feed, "Worked on")
        item.article.save_revision(user=admin_user)  # an editor's revision
        outcome = discard(WireItem.objects.get(pk=item.pk), admin_user)
        assert outcome.ok and not outcome.deleted_draft
        assert "Its article was kept" in outcome.message
        item.refresh_from_db()
        assert item.discarded_at is not None
        assert item.article is not None

    def test_a_live_article_is_kept(self, admin_user, feed):
        item = _item(feed, "Live")
        item.article.save_revision().publish()
        discard(WireItem.objects.get(pk=item.pk), admin_user)
        assert MediaWireArticlePage.objects.get(pk=item.article_id).live

    def test_discarding_twice_changes_nothing(self, admin_user, feed):
        item = _item(feed, "Twice")
        discard(item, admin_user)
        first = WireItem.objects.get(pk=item.pk).discarded_at
        assert discard(item, admin_user).message == "“Twice” was already discarded."
        assert WireItem.objects.get(pk=item.pk).discarded_at == first


class TestBulkDiscard:
    def test_confirms_then_discards_the_selection(self, admin_client, feed):
        untouched = _item(feed, "Untouched", 1)
        edited = _item(feed, "Edited", 2)
        edited.article.save_revision()
        kept = _item(feed, "Kept", 3)
        url = f"{BULK_DISCARD}?id={untouched.pk}&id={edited.pk}&next={QUEUE}"
        confirm = admin_client.get(url)
        assert confirm.status_code == 200
        html = confirm.content.decode()
        assert "Untouched" in html and "Edited" in html and "Kept" not in html
        response = admin_client.post(url, follow=True)
        assert response.redirect_chain[-1][0] == QUEUE
        assert "2 wire items discarded. 1 untouched draft deleted." in _messages(response)
        assert _rows(response) == ["Kept"]
        assert set(WireItem.objects.filter(discarded_at__isnull=False)) == {untouched, edited}
        assert not MediaWireArticlePage.objects.filter(pk=untouched.article_id).exists()
        assert MediaWireArticlePage.objects.filter(pk=edited.article_id).exists()
        assert WireItem.objects.get(pk=kept.pk).discarded_at is None

    def test_all_in_listing_keeps_to_the_filters(self, admin_client, feed):
        _item(feed, "Flash", urgency=1)
        _item(feed, "Routine", urgency=5)
        admin_client.post(f"{BULK_DISCARD}?id=all&urgency=1")
        assert list(
            WireItem.objects.filter(discarded_at__isnull=False).values_list("title", flat=True)
        ) == ["Flash"]


def test_a_discarded_item_is_never_imported_again(admin_user, section):
    from wagtail_mediawire.ingest.importer import fetch

    feed = WireFeedFactory(section=section, url="", delivery="push", format="ninjs")
    story = {
        "uri": "urn:newsml:agency.example:2026:quay",
        "type": "text",
        "version": "1",
        "pubstatus": "usable",
        "headline": "Kestrel Bay quay reopens",
        "body_text": "The harbour office confirmed it on Thursday.",
        "altids": [{"role": "url", "value": "https://agency.example/quay"}],
    }
    content = json.dumps([story]).encode()
    assert fetch(feed.pk, content=content).imported == 1
    item = WireItem.objects.get()
    article_id = item.article_id
    assert discard(item, admin_user).deleted_draft
    for version in ("1", "2"):  # the same delivery again, and a newer version
        result = fetch(feed.pk, content=json.dumps([{**story, "version": version}]).encode())
        assert result.imported == 0, result
    assert WireItem.objects.get().discarded_at is not None
    assert not MediaWireArticlePage.objects.filter(pk=article_id).exists()
    assert not MediaWireArticlePage.objects.exists()


def test_actions_return_to_the_listing_from_a_filters_refresh(admin_client, feed):
    item = _item(feed, "Flash", urgency=1)
    results = reverse("wagtail_mediawire_wire_queue_results")
    html = admin_client.get(results, {"urgency": 1, "_w_filter_fragment": 1}).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one(f"form[action='{_url('discard', item)}']")
    assert form.select_one("input[name=next]")["value"] == QUEUE + "?urgency=1"


def test_bulk_ids_that_are_not_items_are_ignored(admin_client, feed):
    item = _item(feed, "Report")
    response = admin_client.get(f"{BULK_DISCARD}?id=abc&id=99999&id=-1&id={item.pk}")
    assert response.status_code == 200
    assert [entry["item"] for entry in response.context["items"]] == [item]


# The way in, from the dashboard


def test_the_dashboard_links_to_the_queue_with_its_count_of_new_items(
    client, feed, section, every_status
):
    _item(feed, "Another new one", 1)
    editor = _section_user(section)
    client.force_login(editor)

    html = client.get("/admin/").content.decode()

    link = BeautifulSoup(html, "html.parser").find("a", href=QUEUE, string=True)
    assert link is not None and " ".join(link.get_text().split()) == (
        "2 new items in the wire queue"
    )


def test_the_dashboard_has_no_queue_link_for_a_user_without_page_permissions(client, feed):
    _item(feed, "New", 1)
    user = User.objects.create_user("legal", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    assert f'href="{QUEUE}"' not in client.get("/admin/").content.decode()
