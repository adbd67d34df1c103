"""A feed's health: quiet for longer than its ``quiet_after`` (four fetch intervals by
default), or failing, on the dashboard, in the Feeds listing and in
``mediawire_fetch_feeds``; and W006, when no worker fetches feeds."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.checks import Tags, run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.timezone import localtime
from wagtail.models import GroupPagePermission

from tests.utils import page_permission
from wagtail_mediawire.admin.dashboard import WireDeskPanel
from wagtail_mediawire.factories import MediaWireIndexPageFactory
from wagtail_mediawire.models import WireFeed

RSS = (Path(__file__).parent / "feeds" / "rss2.xml").read_bytes()
FEEDS_URL = "/admin/wagtail_mediawire/wirefeed/"
ERROR = "HTTP 503 Service Unavailable."

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_feeds")]


def make_feed(section, name="Northwind", **kwargs) -> WireFeed:
    kwargs.setdefault("url", f"https://{name.lower()}.example/feed.xml")
    return WireFeed.objects.create(
        name=name, section=section, source_name=f"{name} Press Agency", **kwargs
    )


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def shown(value) -> str:
    """A time as the admin shows it."""
    return date_filter(localtime(value), "DATETIME_FORMAT")


def printed(value) -> str:
    """A time as the command prints it."""
    return localtime(value).isoformat(" ", "minutes")


def dashboard(client) -> str:
    return client.get("/admin/").content.decode()


def run(*args: str) -> str:
    out = StringIO()
    call_command("mediawire_fetch_feeds", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# When a feed is quiet


def test_a_feed_is_quiet_after_four_fetch_intervals_by_default(section):
    now = timezone.now()
    feed = make_feed(section, fetch_interval=15, created_at=now - timedelta(days=1))
    feed.last_item_at = now - timedelta(minutes=59)
    assert feed.quiet_minutes == 60
    assert feed.quiet_since(now) is None
    feed.last_item_at = now - timedelta(minutes=60)
    assert feed.quiet_since(now) == feed.last_item_at
    feed.is_active = False
    assert feed.quiet_since(now) is None


def test_a_feed_is_quiet_after_its_own_quiet_after(section):
    now = timezone.now()
    feed = make_feed(
        section, fetch_interval=15, quiet_after=180, created_at=now - timedelta(days=1)
    )
    feed.last_item_at = now - timedelta(hours=2)
    assert feed.quiet_since(now) is None  # four intervals passed, not its three hours
    feed.last_item_at = now - timedelta(hours=3)
    assert feed.quiet_since(now) == feed.last_item_at


def test_a_feed_that_never_delivered_is_quiet_since_it_was_added(section):
    now = timezone.now()
    feed = make_feed(section, fetch_interval=15, created_at=now - timedelta(minutes=30))
    assert feed.last_item_at is None
    assert feed.quiet_since(now) is None
    feed.created_at = now - timedelta(hours=2)
    assert feed.quiet_since(now) == feed.created_at


# The dashboard


def test_the_dashboard_lists_failing_and_quiet_feeds(admin_client, section):
    failing = make_feed(section, "Cobalt", last_error=ERROR, failing_since=ago(hours=2))
    quiet = make_feed(section, "Quayside", created_at=ago(days=2), last_item_at=ago(hours=5))
    make_feed(section, "Fresh", created_at=ago(days=2), last_item_at=ago(minutes=5))
    make_feed(section, "Dormant", created_at=ago(days=2), is_active=False)

    html = dashboard(admin_client)

    assert "Feeds needing attention" in html
    assert f"failing since {shown(failing.failing_since)}: {ERROR}" in html
    assert f"quiet since {shown(quiet.last_item_at)}" in html
    for feed in (failing, quiet):
        assert f"{FEEDS_URL}edit/{feed.pk}/" in html
    assert "Fresh" not in html and "Dormant" not in html
    assert html.index("Cobalt") < html.index("Quayside")  # failing first


def desk_editor(section, username="desk-a") -> User:
    """May change wire feeds, and add and change pages in ``section`` only."""
    group = Group.objects.create(name=f"{username} group")
    group.permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "change_wirefeed"])
    )
    for action in ("add", "change"):
        GroupPagePermission.objects.create(
            group=group, page=section, permission=page_permission(action)
        )
    user = User.objects.create_user(username, password="pw")
    user.groups.add(group)
    return user


def test_the_dashboard_shows_the_feeds_of_the_users_sections_only(client, section, root_page):
    closed = MediaWireIndexPageFactory(parent=root_page, title="Closed desk", slug="closed")
    make_feed(section, "Northwind", created_at=ago(days=2))
    make_feed(closed, "Cobalt", created_at=ago(days=2))
    make_feed(closed, "Gone", last_error="HTTP 502 Bad Gateway.", failing_since=ago(hours=1))
    client.force_login(desk_editor(section))

    html = dashboard(client)

    assert "Northwind" in html and "quiet since" in html
    assert "Cobalt" not in html and "Gone" not in html and "HTTP 502" not in html


def test_the_dashboard_shows_feeds_only_to_who_may_change_them(client, section):
    make_feed(section, "Northwind", created_at=ago(days=2))
    user = desk_editor(section)
    client.force_login(user)
    assert "Northwind" in dashboard(client)
    user.groups.get().permissions.remove(Permission.objects.get(codename="change_wirefeed"))
    assert "Northwind" not in dashboard(client)


@pytest.mark.parametrize("as_editor", [False, True])
def test_the_dashboard_costs_the_same_queries_for_one_feed_or_five(
    rf, admin_user, section, as_editor
):
    user = desk_editor(section) if as_editor else admin_user

    def render() -> tuple[str, int]:
        request = rf.get("/admin/")
        request.user = User.objects.get(pk=user.pk)  # no permission cached
        with CaptureQueriesContext(connection) as queries:
            html = WireDeskPanel(request).render_html({"request": request})
        return html, len(queries.captured_queries)

    make_feed(section, "Feed 0", created_at=ago(days=2))
    html, one = render()
    assert html.count("quiet since") == 1
    for number in range(1, 5):
        if number % 2:
            make_feed(section, f"Feed {number}", last_error=ERROR, failing_since=ago(hours=1))
        else:
            make_feed(section, f"Feed {number}", created_at=ago(days=2))
    html, five = render()
    assert html.count("quiet since") == 3 and html.count("failing since") == 2
    assert five == one


# The Feeds listing


def test_the_listing_shows_quiet_and_failing_feeds(admin_client, section):
    quiet = make_feed(
        section, "Quayside", created_at=ago(days=2), last_item_at=ago(hours=3),
        last_success_at=ago(minutes=5), last_fetched_at=ago(minutes=5),
    )  # fmt: skip
    failing = make_feed(section, "Cobalt", last_error=ERROR, failing_since=ago(hours=2))
    make_feed(
        section, "Fresh", created_at=ago(days=2), last_item_at=ago(minutes=5),
        last_success_at=ago(minutes=5),
    )  # fmt: skip
    assert quiet.state == "ok"

    html = admin_client.get(FEEDS_URL).content.decode()

    assert (
        f'<span class="w-status w-status--label">quiet since {shown(quiet.last_item_at)}</span>'
    ) in html
    assert (
        f'<span class="w-status w-status--label">failing since {shown(failing.failing_since)}'
        f"</span><br>{ERROR}"
    ) in html
    assert html.count("quiet since") == 1
    assert '<span class="w-status w-status--primary">OK</span>' in html  # Fresh


def test_the_listing_flags_a_pushed_feed_that_never_delivered(admin_client, section):
    make_feed(section, "Pushed", url="", delivery=WireFeed.Delivery.PUSH, created_at=ago(days=1))
    html = admin_client.get(FEEDS_URL).content.decode()
    assert "quiet since" in html and "not fetched yet" not in html


# The command


@pytest.fixture
def served(section, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        RSS, content_type="application/rss+xml"
    )
    return make_feed(section, url=httpserver.url_for("/feed.xml"))


def test_the_fetch_line_ends_with_the_feeds_health(served, section):
    WireFeed.objects.filter(pk=served.pk).update(created_at=ago(days=2), last_item_at=ago(hours=2))
    served.refresh_from_db()
    broken = make_feed(section, "Gone", url=served.url.replace("/feed.xml", "/gone.xml"))

    out = run("--dry-run")

    assert (
        f"Northwind (#{served.pk}): 2 new, 0 updated, 0 unchanged, 0 skipped (dry run: "
        f"nothing written); quiet since {printed(served.last_item_at)}\n"
    ) in out
    # Dry runs write nothing: the failing feed is failing from a fetch that does.
    run("--feed", str(broken.pk))
    broken.refresh_from_db()
    line = run("--feed", str(broken.pk))
    assert line.startswith(f"Gone (#{broken.pk}): error: HTTP 500")
    assert line.endswith(f"; failing since {printed(broken.failing_since)}\n")
    assert line.count("HTTP 500") == 1  # the error once, not again after "since"


def test_the_health_option_prints_a_line_per_feed_and_fetches_nothing(served, section, httpserver):
    WireFeed.objects.filter(pk=served.pk).update(created_at=ago(days=2))
    failing = make_feed(section, "Cobalt", last_error=ERROR, failing_since=ago(hours=2))
    fresh = make_feed(section, "Fresh")
    dormant = make_feed(section, "Dormant", is_active=False, created_at=ago(days=2))
    served.refresh_from_db()

    assert run("--health") == (
        f"Cobalt (#{failing.pk}): failing since {printed(failing.failing_since)}: {ERROR}\n"
        f"Fresh (#{fresh.pk}): OK\n"
        f"Northwind (#{served.pk}): quiet since {printed(served.created_at)}\n"
    )
    assert run("--health", "--feed", str(dormant.pk)) == f"Dormant (#{dormant.pk}): inactive\n"
    assert len(httpserver.log) == 0
    with pytest.raises(CommandError, match="No feed with id 999"):
        run("--health", "--feed", "999")
    with pytest.raises(CommandError, match="--health fetches nothing"):
        run("--health", "--due")


# W006: no worker fetches


def worker_check_ids(**kwargs) -> list[str]:
    kwargs.setdefault("databases", ["default"])
    return [
        message.id
        for message in run_checks(tags=[Tags.database], **kwargs)
        if message.id.startswith("wagtail_mediawire.")
    ]


def test_the_check_warns_when_no_worker_fetched_for_an_hour(section):
    feed = make_feed(section, created_at=ago(hours=2))
    assert worker_check_ids() == ["wagtail_mediawire.W006"]
    message = next(m for m in run_checks(databases=["default"]) if m.id.endswith("W006"))
    assert message.msg.startswith("No worker has fetched a feed for an hour")
    assert "mediawire_fetch_feeds" in message.hint
    # As Django's database checks: only with `check --database` (plain `check` runs no
    # check tagged "database"; Django 6.1 hands the rest every alias).
    assert not [m for m in run_checks() if m.id == "wagtail_mediawire.W006"]

    WireFeed.objects.filter(pk=feed.pk).update(last_fetched_at=ago(hours=2))
    assert worker_check_ids() == ["wagtail_mediawire.W006"]
    WireFeed.objects.filter(pk=feed.pk).update(last_fetched_at=ago(minutes=10))
    assert worker_check_ids() == []


def test_the_check_warns_through_the_check_command(section):
    make_feed(section, created_at=ago(hours=2))
    err = StringIO()
    call_command("check", "--database", "default", stdout=StringIO(), stderr=err)
    assert "wagtail_mediawire.W006" in err.getvalue()
    err = StringIO()
    call_command("check", stdout=StringIO(), stderr=err)
    assert "W006" not in err.getvalue()


@pytest.mark.parametrize(
    "feed",
    [
        {"created_at": ago(minutes=30)},  # just added
        {"is_active": False},
        {"url": "", "delivery": WireFeed.Delivery.PUSH},  # nothing to fetch
        {"url": "https://hub.example/feed", "delivery": WireFeed.Delivery.WEBSUB},
        # Fetched once a day: not overdue between its fetches.
        {"fetch_interval": 24 * 60, "last_fetched_at": ago(hours=3)},
    ],
)
def test_the_check_is_silent_for_feeds_no_worker_owes_a_fetch(section, feed):
    make_feed(section, **{"created_at": ago(hours=2), **feed})
    assert worker_check_ids() == []
    make_feed(section, "Overdue", created_at=ago(hours=2))
    assert worker_check_ids() == ["wagtail_mediawire.W006"]


def test_the_check_counts_any_feed_fetched_within_the_hour(section):
    make_feed(section, created_at=ago(hours=2))
    assert worker_check_ids() == ["wagtail_mediawire.W006"]
    make_feed(section, "Cobalt", created_at=ago(hours=2), last_fetched_at=ago(minutes=20))
    assert worker_check_ids() == []


def test_the_check_is_silent_before_the_tables_exist(section):
    make_feed(section, created_at=ago(hours=2))
    table = connection.ops.quote_name(WireFeed._meta.db_table)
    away = connection.ops.quote_name(WireFeed._meta.db_table + "_away")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {away}")  # noqa: S608 (our own names)
    assert worker_check_ids() == []
    # The failed query left the test's transaction usable (PostgreSQL aborts it otherwise).
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {away} RENAME TO {table}")  # noqa: S608
    assert worker_check_ids() == ["wagtail_mediawire.W006"]
