"""The sandbox project migrates, loads its demo idempotently and serves it.

The sandbox has its own settings, so it runs in child processes (as a contributor
runs it) on a SQLite file of its own, never on the suite's database: each test takes a
copy of the database the run migrated and loaded once (``demo_database``). That one is
migrated from nothing, except in a run on workers on SQLite (``make test``), where it
starts from the suite's migrated database (tests/parallel.py); the PostgreSQL run
(``make test-postgres``) migrates it from nothing.
"""

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager

import pytest
import requests

from tests.sandbox_site import FIRST_PORT, MANAGE_PY, load_demo
from tests.utils import free_port


@pytest.fixture
def env(demo_database, tmp_path) -> dict:
    """The sandbox's own settings, on a copy of the demo database."""
    return demo_database.copy_to(tmp_path)


def test_sandbox_migrates_and_loads_demo_idempotently(demo_database, env):
    # demo_database migrated the database and ran load_demo once; run it again.
    first_run = demo_database.load_demo_output
    after_first = demo_database.counts
    second_run, after_second = load_demo(env)

    assert after_second == after_first | {"feeds": after_second["feeds"]}
    del after_second["newest"]
    assert after_second == {
        # Tree root, home page, section, its articles and the demo feed's drafts: the
        # welcome page is gone.
        "pages": 1 + 1 + 1 + 12 + 4,
        "home_pages": 1,
        "sections": 1,
        "articles": 12,
        "imported_drafts": 4,
        # The second run's default port moved the feed's URL, as it moves the login's.
        "feeds": [["Cobalt Wire: coast and islands", "ok", "http://127.0.0.1:8000/demo-feed.xml"]],
        "wire_items": 4,
        "disclaimers": 1,
        "users": 1,
        "sites": 1,
        "site_root_is_home": True,
    }
    assert "created" in first_run
    assert (
        f"Admin login: http://127.0.0.1:{FIRST_PORT}/admin/  user: admin  password: admin"
        in first_run
    )
    assert "Feed 'Cobalt Wire: coast and islands': 4 new" in first_run
    assert "Feed 'Cobalt Wire: coast and islands': 0 new, 0 updated, 4 unchanged" in second_run
    assert ": created" not in second_run
    assert "Admin login: http://127.0.0.1:8000/admin/" in second_run


def _serve(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "sandbox.wsgi",
            "--chdir",
            str(MANAGE_PY.parent),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            # Django is imported once, before the workers fork.
            "--preload",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=10)
            return server
        except (requests.ConnectionError, requests.Timeout):
            # Not listening yet, or its first answer slow on a busy machine.
            time.sleep(0.2)
    server.kill()
    raise AssertionError(f"gunicorn did not start: {server.stderr.read().decode()}")


@contextmanager
def _serving(env: dict, workers: int, port: int | None = None) -> Iterator[str]:
    """The sandbox served by gunicorn on 127.0.0.1; yields its base URL."""
    port = port or free_port()
    server = _serve(env, port, workers=workers)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _home_pages(base: str, count: int) -> list[str]:
    def fetch(_):
        return requests.get(f"{base}/", timeout=60).text

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(fetch, range(count)))


def _admin_session(base: str) -> requests.Session:
    editor = requests.Session()
    editor.get(f"{base}/admin/login/", timeout=10)
    token = editor.cookies["csrftoken"]
    login = {"username": "admin", "password": "admin", "csrfmiddlewaretoken": token}
    assert editor.post(f"{base}/admin/login/", data=login, timeout=10).ok
    return editor


def _demo_feed(env: dict, url: str | None = None) -> dict:
    """The demo feed's row, its URL first set to ``url``: read and written with sqlite3,
    as starting a Django process for it would take longer than the test's requests."""
    database = env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.row_factory = sqlite3.Row
        if url is not None:
            connection.execute("UPDATE wagtail_mediawire_wirefeed SET url = ?", [url])
        (row,) = connection.execute(
            "SELECT id, url, last_fetched_at, last_error FROM wagtail_mediawire_wirefeed"
        )
        return dict(row)


def test_sandbox_demo_feed_is_on_the_dashboard_and_fetch_now_fetches_it(env):
    port = free_port()
    # The demo feed on this server's port, as ``load_demo --port`` sets it (tested above).
    before = _demo_feed(env, url=f"http://127.0.0.1:{port}/demo-feed.xml")
    with _serving(env, workers=2, port=port) as base:
        editor = _admin_session(base)
        dashboard = editor.get(f"{base}/admin/", timeout=30).text
        assert "Imported drafts awaiting review" in dashboard
        assert "Island school gets its own weather station" in dashboard
        feeds = editor.get(f"{base}/admin/wagtail_mediawire/wirefeed/", timeout=30).text
        assert "Cobalt Wire: coast and islands" in feeds and ">OK<" in feeds

        # The sandbox serves the demo feed itself: "Fetch now" downloads it for real.
        fetch_now = f"{base}/admin/wagtail_mediawire/wirefeed/fetch/{before['id']}/"
        response = editor.post(
            fetch_now,
            data={"csrfmiddlewaretoken": editor.cookies["csrftoken"]},
            headers={"Referer": fetch_now},
            timeout=60,
        )
        assert "has been queued" in response.text
    after = _demo_feed(env)
    assert after["last_fetched_at"] > before["last_fetched_at"] and after["last_error"] == ""


def test_sandbox_served_by_several_processes_never_lists_an_unpublished_article(demo_database, env):
    """Publishing clears the Recent Posts cache of every process, however it is served."""
    newest = demo_database.counts["newest"]
    with _serving(env, workers=2) as base:
        # Warm every worker's Recent Posts: concurrent requests keep both workers busy.
        assert all(newest["title"] in html for html in _home_pages(base, 20))

        # An editor unpublishes it in the admin: one of the workers handles that.
        editor = _admin_session(base)
        unpublish = f"{base}/admin/pages/{newest['pk']}/unpublish/"
        response = editor.post(
            unpublish,
            data={"csrfmiddlewaretoken": editor.cookies["csrftoken"]},
            headers={"Referer": unpublish},
            timeout=10,
        )
        assert response.ok

        stale = sum(newest["title"] in html for html in _home_pages(base, 20))
        assert stale == 0, f"{stale} of 20 responses still list the unpublished article"


def test_sandbox_article_tells_machines_what_it_is(demo_database, env):
    """Head tags, feeds, sitemaps and the API of the demo, read as their consumers do."""
    from html.parser import HTMLParser
    from urllib.parse import urlsplit
    from xml.etree import ElementTree

    import feedparser

    newest = demo_database.counts["newest"]
    with _serving(env, workers=1) as base:
        api = requests.get(
            f"{base}/api/v2/pages/?type=wagtail_mediawire.MediaWireArticlePage&fields=*",
            timeout=30,
        ).json()
        item = next(item for item in api["items"] if item["id"] == newest["pk"])
        assert item["sources"][0]["url"].startswith("https://")
        assert item["signature"] == "Sandbox Media Wire" and item["seo_policy"] == "index"
        assert item["disclaimer"]["text"]
        disclaimers = requests.get(f"{base}/api/v2/disclaimers/", timeout=30).json()
        assert disclaimers["items"][0]["id"] == item["disclaimer"]["id"]

        class Head(HTMLParser):
            def __init__(self):
                super().__init__()
                self.json_ld, self.meta, self.in_json_ld = [], {}, False

            def handle_endtag(self, tag):
                self.in_json_ld = False

            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == "meta" and "property" in attrs:
                    self.meta[attrs["property"]] = attrs["content"]
                self.in_json_ld = tag == "script" and attrs.get("type") == "application/ld+json"

            def handle_data(self, data):
                if self.in_json_ld:
                    self.json_ld.append(json.loads(data))

        head = Head()
        # The demo site's hostname is "localhost" on port 80: ask this server for paths.
        article_path = urlsplit(item["meta"]["html_url"]).path
        head.feed(requests.get(f"{base}{article_path}", timeout=30).text)
        assert head.json_ld[0]["@type"] == "NewsArticle"
        assert head.json_ld[0]["isBasedOn"][0] == item["sources"][0]["url"]
        # No photo in the demo article: the section's default social image, served.
        image = requests.get(f"{base}{urlsplit(head.meta['og:image']).path}", timeout=30)
        assert image.ok and image.headers["Content-Type"] == "image/png"
        assert head.meta["og:image:alt"].startswith("The words Media Wire")

        section_url = base + article_path.rsplit("/", 2)[0] + "/"
        rss = feedparser.parse(requests.get(f"{section_url}feed/", timeout=30).content)
        assert rss.entries[0].title == newest["title"]
        assert requests.get(f"{section_url}feed/json/", timeout=30).json()["items"]

        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        sitemap = ElementTree.fromstring(requests.get(f"{base}/sitemap.xml", timeout=30).content)  # noqa: S314
        locations = {urlsplit(loc.text).path for loc in sitemap.findall("s:url/s:loc", ns)}
        assert article_path in locations
        news = requests.get(f"{base}/news-sitemap.xml", timeout=30)
        assert news.ok and newest["title"] in news.text
