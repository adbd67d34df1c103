"""Feeds fetched by other processes, on PostgreSQL: a real django-tasks-db worker picking
up "Fetch now", and fetches running at the same time in two processes."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.utils import default_site_root
from wagtail_mediawire.models import MediaWireArticlePage, WireFeed, WireItem

ROOT = Path(__file__).resolve().parents[2]
RSS = "application/rss+xml"

pytestmark = [
    pytest.mark.postgres,
    # The other processes see only what this one has committed.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("loopback_feeds"),
]


@pytest.fixture
def root_page(transactional_db):
    return default_site_root()


def process_env() -> dict:
    """The suite's settings and its test database, for another process."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "MEDIAWIRE_TEST_FEED_PROCESS": "1",
    }


def django_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "django", *args]


def many_items(count: int, guid_prefix: str = "g") -> bytes:
    items = "".join(
        f"<item><title>Harbour report {n}</title>"
        f"<link>https://northwind.example/reports/{n}</link>"
        f"<guid>{guid_prefix}-{n}</guid><description>Report {n}.</description></item>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Northwind</title>'
        f"{items}</channel></rss>"
    ).encode()


def make_feed(section, url: str, name: str = "Northwind") -> WireFeed:
    return WireFeed.objects.create(
        name=name, url=url, section=section, source_name="Northwind Press Agency"
    )


def test_a_real_worker_imports_what_fetch_now_enqueued(admin_client, section, httpserver, settings):
    from tests.settings import FEED_TASKS

    settings.TASKS = FEED_TASKS
    settings.WAGTAIL_MEDIAWIRE = {**settings.WAGTAIL_MEDIAWIRE, "TASK_BACKEND": "feeds"}
    httpserver.expect_request("/feed.xml").respond_with_data(many_items(3), content_type=RSS)
    feed = make_feed(section, httpserver.url_for("/feed.xml"))

    response = admin_client.post(f"/admin/wagtail_mediawire/wirefeed/fetch/{feed.pk}/")

    assert response.status_code == 302
    assert MediaWireArticlePage.objects.count() == 0  # queued, not run
    from django_tasks_db.models import DBTaskResult

    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "wagtail_mediawire.tasks.fetch_feed"
    assert (queued.args_kwargs["args"], queued.backend_name) == ([feed.pk], "feeds")

    worker = subprocess.Popen(
        django_command(
            "db_worker", "--backend", "feeds", "--no-startup-delay", "--interval", "0.1"
        ),
        cwd=ROOT,
        env=process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and MediaWireArticlePage.objects.count() < 3:
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]

    assert MediaWireArticlePage.objects.count() == 3, output
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL", output
    feed.refresh_from_db()
    assert (feed.last_imported, feed.last_error) == (3, "")


def fetch_a_and_b_at_once(section, httpserver) -> tuple[list[int], list[str]]:
    """Feeds /a.xml and /b.xml, each fetched by a process of its own, at the same time."""
    feeds = [
        make_feed(section, httpserver.url_for("/a.xml"), "Northwind A"),
        make_feed(section, httpserver.url_for("/b.xml"), "Northwind B"),
    ]
    processes = [
        subprocess.Popen(
            django_command("mediawire_fetch_feeds", "--feed", str(feed.pk)),
            cwd=ROOT,
            env=process_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for feed in feeds
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    return [process.returncode for process in processes], outputs


def test_two_processes_importing_the_same_items_make_no_duplicate(section, httpserver):
    # Two feeds carrying the same 40 reports (different GUIDs, the same links), fetched
    # at the same moment by two processes: the constraint on the link decides.
    httpserver.expect_request("/a.xml").respond_with_data(many_items(40, "a"), content_type=RSS)
    httpserver.expect_request("/b.xml").respond_with_data(many_items(40, "b"), content_type=RSS)
    returncodes, outputs = fetch_a_and_b_at_once(section, httpserver)

    assert returncodes == [0, 0], outputs
    assert WireItem.objects.count() == 40, outputs
    assert MediaWireArticlePage.objects.count() == 40, outputs
    assert len(set(MediaWireArticlePage.objects.values_list("title", flat=True))) == 40


def test_two_processes_importing_different_items_into_one_section_lose_none(section, httpserver):
    # Pages added under one parent at once compete for the next tree position: the
    # loser of that race must retry, not drop its report.
    other = many_items(40, "b").replace(b"/reports/", b"/other-reports/")
    httpserver.expect_request("/a.xml").respond_with_data(many_items(40, "a"), content_type=RSS)
    httpserver.expect_request("/b.xml").respond_with_data(other, content_type=RSS)
    _, outputs = fetch_a_and_b_at_once(section, httpserver)

    assert all("40 new" in output for output in outputs), outputs
    assert MediaWireArticlePage.objects.count() == 80


def test_a_second_process_fetching_the_same_feed_skips_it_and_says_so(section, httpserver):
    import threading

    from werkzeug import Response

    requested, second_done = threading.Event(), threading.Event()

    def slow_feed(request):
        requested.set()
        # Answered once the second process has tried: however slowly it starts on a
        # busy machine, it finds the feed claimed.
        second_done.wait(timeout=50)
        return Response(many_items(2), content_type=RSS)

    httpserver.expect_request("/slow.xml").respond_with_handler(slow_feed)
    feed = make_feed(section, httpserver.url_for("/slow.xml"))
    command = django_command("mediawire_fetch_feeds", "--feed", str(feed.pk))
    first = subprocess.Popen(
        command, cwd=ROOT, env=process_env(), stdout=subprocess.PIPE, text=True
    )
    # The first process has claimed the feed once its request reached the server.
    assert requested.wait(timeout=60)
    try:
        second = subprocess.run(
            command, cwd=ROOT, env=process_env(), capture_output=True, text=True, timeout=60
        )
    finally:
        second_done.set()
    first_output = first.communicate(timeout=60)[0]

    assert second.returncode == 0
    assert "skipped: another worker is fetching it" in second.stdout
    assert "2 new" in first_output
    assert len(httpserver.log) == 1
    assert MediaWireArticlePage.objects.count() == 2
