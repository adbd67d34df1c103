"""The feeds in the Media Wire admin, "Fetch now" on the task backend, and the
``mediawire_fetch_feeds`` command."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import GroupPagePermission

from tests.utils import feed_rules_formset, page_permission
from wagtail_mediawire.models import MediaWireArticlePage, WireFeed

RSS = (Path(__file__).parent / "feeds" / "rss2.xml").read_bytes()
FEEDS_URL = "/admin/wagtail_mediawire/wirefeed/"


pytestmark = pytest.mark.usefixtures("loopback_feeds")


@pytest.fixture
def feed(section, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        RSS, content_type="application/rss+xml"
    )
    return WireFeed.objects.create(
        name="Northwind", url=httpserver.url_for("/feed.xml"), section=section,
        source_name="Northwind Press Agency",
    )  # fmt: skip


def run(*args: str) -> str:
    out = StringIO()
    call_command("mediawire_fetch_feeds", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# Admin


def test_feeds_are_listed_with_their_state(admin_client, feed, section):
    failing = WireFeed.objects.create(
        name="Cobalt", url="https://cobaltwire.example/feed", section=section,
        source_name="Cobalt Wire Service", last_error="HTTP 503 Service Unavailable.",
        failing_since=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    WireFeed.objects.create(
        name="Dormant", url="https://dormant.example/feed", section=section,
        source_name="Dormant", is_active=False,
    )  # fmt: skip

    html = admin_client.get(FEEDS_URL).content.decode()

    assert "Northwind" in html and "not fetched yet" in html
    assert "failing since" in html and "HTTP 503 Service Unavailable." in html
    assert "inactive" in html
    assert f"{FEEDS_URL}fetch/{failing.pk}/" in html


def test_the_menu_group_holds_feeds(admin_client, feed):
    html = admin_client.get("/admin/").content.decode()
    assert FEEDS_URL in html


def test_fetch_now_enqueues_the_task_and_says_so(admin_client, feed):
    url = f"{FEEDS_URL}fetch/{feed.pk}/"
    assert admin_client.get(url).status_code == 200  # asks first
    assert MediaWireArticlePage.objects.count() == 0

    response = admin_client.post(url, follow=True)

    assert "has been queued" in response.content.decode()
    # The test settings run tasks at once (the immediate backend).
    assert MediaWireArticlePage.objects.count() == 2
    feed.refresh_from_db()
    assert feed.last_imported == 2


def test_feeds_need_the_model_permissions(client, django_user_model, feed):
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(FEEDS_URL).status_code in (302, 403)
    assert client.post(f"{FEEDS_URL}fetch/{feed.pk}/").status_code in (302, 403)
    assert MediaWireArticlePage.objects.count() == 0

    group = Group.objects.create(name="Feed editors")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_wirefeed"),
    )
    user.groups.add(group)
    assert client.get(FEEDS_URL).status_code == 200
    # The feed permissions alone do not reach a section: adding pages there does.
    assert client.post(f"{FEEDS_URL}fetch/{feed.pk}/").status_code in (302, 403)
    assert MediaWireArticlePage.objects.count() == 0
    GroupPagePermission.objects.create(
        group=group, page=feed.section, permission=page_permission("add")
    )
    client.post(f"{FEEDS_URL}fetch/{feed.pk}/")
    assert MediaWireArticlePage.objects.count() == 2


# Command


def test_command_fetches_active_feeds_and_prints_a_line_each(feed, section):
    WireFeed.objects.create(
        name="Dormant", url="https://dormant.example/feed", section=section,
        source_name="Dormant", is_active=False,
    )  # fmt: skip
    out = run()
    assert out == f"Northwind (#{feed.pk}): 2 new, 0 updated, 0 unchanged, 0 skipped\n"
    assert run() == f"Northwind (#{feed.pk}): 0 new, 0 updated, 2 unchanged, 0 skipped\n"


def test_command_due_fetches_only_feeds_whose_interval_passed(feed):
    WireFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
    assert run("--due") == "No feed to fetch.\n"
    WireFeed.objects.filter(pk=feed.pk).update(
        last_fetched_at=timezone.now() - timedelta(minutes=16)
    )
    assert "2 new" in run("--due")


def test_command_dry_run_and_enqueue(feed):
    assert "2 new" in run("--dry-run") and "dry run" in run("--dry-run")
    assert MediaWireArticlePage.objects.count() == 0
    assert run("--enqueue", "--feed", str(feed.pk)) == f"Northwind (#{feed.pk}): enqueued\n"
    assert MediaWireArticlePage.objects.count() == 2  # the immediate backend ran it


def test_command_reports_errors_and_still_exits_zero(feed, section):
    broken = WireFeed.objects.create(
        name="Gone", url=feed.url.replace("/feed.xml", "/gone.xml"), section=section,
        source_name="Gone",
    )  # fmt: skip
    out = run()
    assert f"Gone (#{broken.pk}): error: HTTP 500" in out
    assert f"Northwind (#{feed.pk}): 2 new" in out


def test_command_usage_errors(db):
    with pytest.raises(CommandError, match="No feed with id 99"):
        run("--feed", "99")
    with pytest.raises(CommandError, match="cannot be used together"):
        run("--dry-run", "--enqueue")


# Provenance in front of the editor


@pytest.fixture
def imported(feed):
    from wagtail_mediawire.ingest.importer import fetch

    fetch(feed.pk)
    return list(MediaWireArticlePage.objects.order_by("pk"))


def edit_page(client, article) -> str:
    return client.get(f"/admin/pages/{article.pk}/edit/").content.decode()


def test_the_editor_shows_where_an_article_came_from(admin_client, imported):
    html = edit_page(admin_client, imported[0])
    assert "Imported from the feed <strong>Northwind</strong>" in html
    assert "The text now differs" not in html


def test_the_editor_warns_when_the_text_differs_with_a_compare_link(
    admin_client, imported, admin_user
):
    from wagtail.rich_text import RichText

    article = imported[0]
    record = article.wire_item
    article.body[0] = ("paragraph", RichText("<p>Rewritten by the desk.</p>"))
    article.save_revision(user=admin_user)

    html = edit_page(admin_client, article)

    assert "The text now differs from the agency" in html
    compare = f"/admin/pages/{article.pk}/revisions/compare/{record.imported_revision_id}...latest/"
    assert compare in html
    assert admin_client.get(compare).status_code == 200


def test_the_editor_shows_the_agencys_update(admin_client, imported):
    from wagtail_mediawire.models import WireItem

    WireItem.objects.filter(article=imported[0]).update(
        updated_at_source=True, source_title="Ferries back on Tuesday",
        source_text="<p>The crossings resume on Tuesday.</p>",
    )  # fmt: skip
    html = edit_page(admin_client, imported[0])
    assert "Updated at source" in html and "The crossings resume on Tuesday." in html


def test_a_hand_written_article_has_no_provenance_panel(admin_client, section):
    from wagtail_mediawire.factories import MediaWireArticlePageFactory

    article = MediaWireArticlePageFactory(parent=section)
    assert "mediawire-provenance" not in edit_page(admin_client, article)


def test_the_articles_listing_filters_by_import_state(admin_client, imported, admin_user):
    from wagtail_mediawire.factories import MediaWireArticlePageFactory
    from wagtail_mediawire.models import WireItem

    MediaWireArticlePageFactory(parent=imported[0].get_parent(), title="Written here")
    imported[1].save_revision(user=admin_user)  # edited after import
    WireItem.objects.filter(article=imported[0]).update(updated_at_source=True)
    url = "/admin/wagtail_mediawire/mediawirearticlepage/"

    def titles(query: str) -> set[str]:
        response = admin_client.get(url + query)
        return {row.title for row in response.context["object_list"]}

    assert titles("?import=imported") == {imported[0].title, imported[1].title}
    assert titles("?import=edited") == {imported[1].title}
    assert titles("?import=updated") == {imported[0].title}
    assert "Written here" in titles("")


# The dashboard


def test_the_dashboard_lists_imported_drafts_and_failing_feeds(
    admin_client, imported, feed, section
):
    failing = WireFeed.objects.create(
        name="Cobalt", url="https://cobaltwire.example/feed", section=section,
        source_name="Cobalt", last_error="HTTP 503 Service Unavailable.",
        failing_since=timezone.now(),
    )  # fmt: skip
    html = admin_client.get("/admin/").content.decode()
    assert "Imported drafts awaiting review" in html
    for article in imported:
        assert f'href="/admin/pages/{article.pk}/edit/"' in html
    assert f"/admin/wagtail_mediawire/wirefeed/edit/{failing.pk}/" in html
    assert "HTTP 503 Service Unavailable." in html


def test_the_dashboard_panel_costs_the_same_queries_for_more_drafts(
    admin_user, feed, httpserver, rf
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail_mediawire.admin.dashboard import WireDeskPanel
    from wagtail_mediawire.ingest.importer import fetch

    request = rf.get("/admin/")
    request.user = admin_user

    def render() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = WireDeskPanel(request).render_html({"request": request})
        return html, len(queries.captured_queries)

    fetch(feed.pk)
    _, two = render()
    items = b"".join(
        b"<item><title>Extra report %d</title><link>https://northwind.example/extra/%d</link>"
        b"<guid>extra-%d</guid></item>" % (n, n, n)
        for n in range(6)
    )
    httpserver.clear()
    httpserver.expect_request("/feed.xml").respond_with_data(
        RSS.replace(b"</channel>", items + b"</channel>"), content_type="application/rss+xml"
    )
    assert fetch(feed.pk).imported == 6
    html, eight = render()
    assert html.count("/admin/pages/") == 8
    assert eight == two


def test_the_dashboard_shows_only_drafts_the_user_may_edit(client, django_user_model, imported):
    user = django_user_model.objects.create_user("reader", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "Imported drafts awaiting review" not in html
    assert imported[0].title not in html


def test_command_imports_a_feed_file_through_the_same_code(feed, httpserver):
    path = Path(__file__).parent / "feeds" / "rss2.xml"
    out = run("--feed", str(feed.pk), "--file", str(path))
    assert out == f"Northwind (#{feed.pk}): 2 new, 0 updated, 0 unchanged, 0 skipped\n"
    assert len(httpserver.log) == 0  # nothing downloaded
    with pytest.raises(CommandError, match="exactly one --feed"):
        run("--file", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        run("--feed", str(feed.pk), "--file", str(path.with_name("missing.xml")))


# What XML cannot carry, pasted into the feed form


def test_the_feed_form_strips_what_xml_forbids(admin_client, section):
    response = admin_client.post(
        f"{FEEDS_URL}create/",
        {
            "name": "North\x0bwind\x00", "url": "https://northwind.example/feed.xml",
            "section": section.pk, "source_name": "\x01Northwind Press Agency",
            "is_active": "on", "publish_mode": "draft", "fetch_interval": "15",
            **feed_rules_formset(),
        },
    )  # fmt: skip

    assert response.status_code == 302
    feed = WireFeed.objects.get()
    # Word's line break (U+000B) reads as a space; NUL and U+0001 are dropped.
    assert (feed.name, feed.source_name) == ("North wind", "Northwind Press Agency")


# Why an image was not imported


@pytest.fixture
def broken_image(feed, httpserver, settings):
    """The feed's first item encloses an image the server answers 404 for."""
    settings.WAGTAIL_MEDIAWIRE = {**settings.WAGTAIL_MEDIAWIRE, "FEED_IMPORT_IMAGES": True}
    rss = RSS.replace(
        b"https://northwind.example/img/ferry.jpg", httpserver.url_for("/img/gone.png").encode()
    )
    httpserver.clear()
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss, content_type="application/rss+xml"
    )
    httpserver.expect_request("/img/gone.png").respond_with_data("", status=404)
    return feed


def test_command_prints_each_note_indented_under_its_feed(broken_image):
    lines = run().splitlines()

    assert lines[0] == (
        f"Northwind (#{broken_image.pk}): 2 new, 0 updated, 0 unchanged, 0 skipped, "
        "1 image not imported"
    )
    assert len(lines) == 2
    assert lines[1].startswith("    image not imported: ") and "404" in lines[1]


def test_the_feeds_listing_shows_the_last_fetchs_notes(admin_client, broken_image):
    run()
    broken_image.refresh_from_db()
    assert broken_image.last_notes.startswith("image not imported: ")

    html = admin_client.get(FEEDS_URL).content.decode()

    assert "<li>image not imported: " in html
    # The next fetch with nothing to note clears them.
    run()
    assert "image not imported" not in admin_client.get(FEEDS_URL).content.decode()


# A worker's claim on the feed


def claimed(feed, minutes_ago: float) -> WireFeed:
    WireFeed.objects.filter(pk=feed.pk).update(
        fetching_since=timezone.now() - timedelta(minutes=minutes_ago)
    )
    feed.refresh_from_db()
    return feed


def test_the_state_of_a_claimed_feed(feed):
    assert claimed(feed, 1).state == "fetching"
    assert claimed(feed, 10).state == "stalled"
    assert claimed(feed, 10).claim_held()
    assert claimed(feed, 40).state == "stalled"
    assert not claimed(feed, 40).claim_held()


@pytest.mark.parametrize(
    ("minutes_ago", "shown"),
    [
        (1, "fetching since"),
        (10, "(a worker may have stopped; the feed is freed at"),
        (40, "by a worker that seems to have stopped; the next fetch takes the feed over"),
    ],
)
def test_the_listing_says_what_holds_a_claimed_feed(admin_client, feed, minutes_ago, shown):
    claimed(feed, minutes_ago)
    html = admin_client.get(FEEDS_URL).content.decode()
    assert shown in html
    assert "not fetched yet" not in html


def test_fetch_now_queues_nothing_while_a_claim_holds_the_feed(admin_client, feed):
    url = f"{FEEDS_URL}fetch/{feed.pk}/"
    for minutes_ago, said in [
        (1, "Northwind is being fetched (since"),
        (10, "Northwind has been claimed since"),
    ]:
        claimed(feed, minutes_ago)
        asked = admin_client.get(url).content.decode()
        assert said in asked and 'type="submit"' not in asked

        html = admin_client.post(url, follow=True).content.decode()

        assert "Nothing was queued." in html and said in html
        assert "has been queued" not in html
        assert MediaWireArticlePage.objects.count() == 0

    # Once the claim has expired, the fetch takes it over.
    claimed(feed, 40)
    html = admin_client.post(url, follow=True).content.decode()
    assert "has been queued" in html
    assert MediaWireArticlePage.objects.count() == 2
    feed.refresh_from_db()
    assert feed.fetching_since is None and feed.state == "ok"


def test_the_feeds_listing_shows_the_last_fetchs_warning(admin_client, section, httpserver):
    mislabelled = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
        "<title>Northwind</title><item><title>Café reopens on the quay</title>"
        "<link>https://northwind.example/reports/cafe</link><guid>cafe-1</guid>"
        "</item></channel></rss>"
    ).encode()  # UTF-8 bytes under another declaration
    httpserver.expect_request("/feed.xml").respond_with_data(
        mislabelled, content_type="application/rss+xml"
    )
    feed = WireFeed.objects.create(
        name="Northwind", url=httpserver.url_for("/feed.xml"), section=section,
        source_name="Northwind Press Agency",
    )  # fmt: skip
    run()
    feed.refresh_from_db()
    assert feed.last_warning

    html = admin_client.get(FEEDS_URL).content.decode()

    assert "declares its text as ISO-8859-1, but it is UTF-8" in html
