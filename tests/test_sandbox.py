"""The sandbox project works from a fresh database, and ``load_demo`` is idempotent.

The sandbox has its own settings, so it runs in child processes (as a contributor
runs it) against a temporary SQLite file, never against the suite's database.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.utils import free_port

MANAGE_PY = Path(__file__).resolve().parent.parent / "sandbox" / "manage.py"

# Printed by ``manage.py shell``: what load_demo creates, counted.
COUNTS_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from wagtail.models import Page, Site
from wagtail_mediawire.models import (
    Disclaimer, MediaWireArticlePage, MediaWireIndexPage, WireFeed, WireItem,
)
from demo.models import HomePage
site = Site.objects.get(is_default_site=True)
print(json.dumps({
    "pages": Page.objects.count(),
    "home_pages": HomePage.objects.count(),
    "sections": MediaWireIndexPage.objects.count(),
    "articles": MediaWireArticlePage.objects.live().count(),
    "imported_drafts": MediaWireArticlePage.objects.filter(
        live=False, wire_item__isnull=False
    ).count(),
    "feeds": [(f.name, f.state, f.url) for f in WireFeed.objects.all()],
    "wire_items": WireItem.objects.count(),
    "disclaimers": Disclaimer.objects.count(),
    "users": get_user_model().objects.count(),
    "sites": Site.objects.count(),
    "site_root_is_home": site.root_page.specific_class is HomePage,
}))
"""


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    # A fixed interpreter and script with arguments from this file: no untrusted input.
    result = subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} exited {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def shell_json(env: dict, script: str) -> dict:
    """What ``script``, run by ``manage.py shell``, prints as JSON on its last line."""
    output = manage(env, "shell", "--no-imports", "-c", script).stdout
    return json.loads(output.strip().splitlines()[-1])


def counts(env: dict) -> dict:
    return shell_json(env, COUNTS_SCRIPT)


@pytest.fixture
def env(tmp_path) -> dict:
    """The sandbox's own settings, on a temporary SQLite file."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sandbox.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def test_sandbox_migrates_checks_and_loads_demo_idempotently(env):
    manage(env, "migrate", "--noinput")
    manage(env, "check")
    manage(env, "makemigrations", "--check", "--dry-run")

    first_run = manage(env, "load_demo", "--port", "8123").stdout
    after_first = counts(env)
    second_run = manage(env, "load_demo").stdout
    after_second = counts(env)

    assert after_second == after_first | {"feeds": after_second["feeds"]}
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
    assert "Admin login: http://127.0.0.1:8123/admin/  user: admin  password: admin" in first_run
    assert "Feed 'Cobalt Wire: coast and islands': 4 new" in first_run
    assert "Feed 'Cobalt Wire: coast and islands': 0 new, 0 updated, 4 unchanged" in second_run
    assert ": created" not in second_run
    assert "Admin login: http://127.0.0.1:8000/admin/" in second_run


# Which live article is newest (listed first in Recent Posts), and its id.
NEWEST_SCRIPT = """
import json
from wagtail_mediawire.models import MediaWireArticlePage
page = MediaWireArticlePage.objects.live().order_by("-first_published_at").first()
print(json.dumps({"pk": page.pk, "title": page.title}))
"""


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


def _load_demo(env: dict, *args: str) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo", *args)


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


FEED_STATE_SCRIPT = """
import json
from wagtail_mediawire.models import WireFeed
feed = WireFeed.objects.get()
print(json.dumps({"pk": feed.pk, "fetched": str(feed.last_fetched_at), "error": feed.last_error}))
"""


def test_sandbox_demo_feed_is_on_the_dashboard_and_fetch_now_fetches_it(env):
    port = free_port()
    _load_demo(env, "--port", str(port))
    before = shell_json(env, FEED_STATE_SCRIPT)
    with _serving(env, workers=2, port=port) as base:
        editor = _admin_session(base)
        dashboard = editor.get(f"{base}/admin/", timeout=30).text
        assert "Imported drafts awaiting review" in dashboard
        assert "Island school gets its own weather station" in dashboard
        feeds = editor.get(f"{base}/admin/wagtail_mediawire/wirefeed/", timeout=30).text
        assert "Cobalt Wire: coast and islands" in feeds and ">OK<" in feeds

        # The sandbox serves the demo feed itself: "Fetch now" downloads it for real.
        fetch_now = f"{base}/admin/wagtail_mediawire/wirefeed/fetch/{before['pk']}/"
        response = editor.post(
            fetch_now,
            data={"csrfmiddlewaretoken": editor.cookies["csrftoken"]},
            headers={"Referer": fetch_now},
            timeout=60,
        )
        assert "has been queued" in response.text
    after = shell_json(env, FEED_STATE_SCRIPT)
    assert after["fetched"] != before["fetched"] and after["error"] == ""


def test_sandbox_served_by_several_processes_never_lists_an_unpublished_article(env):
    """Publishing clears the Recent Posts cache of every process, however it is served."""
    _load_demo(env)
    newest = shell_json(env, NEWEST_SCRIPT)
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


def test_sandbox_article_tells_machines_what_it_is(env):
    """Head tags, feeds, sitemaps and the API of the demo, read as their consumers do."""
    from html.parser import HTMLParser
    from urllib.parse import urlsplit
    from xml.etree import ElementTree

    import feedparser

    _load_demo(env)
    newest = shell_json(env, NEWEST_SCRIPT)
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
