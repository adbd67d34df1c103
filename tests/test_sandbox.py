"""The sandbox project works from a fresh database, and ``load_demo`` is idempotent.

The sandbox has its own settings, so it runs in child processes (as a contributor
runs it) against a temporary SQLite file, never against the suite's database.
"""

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
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
from wagtail_mediawire.models import Disclaimer, MediaWireArticlePage, MediaWireIndexPage
from demo.models import HomePage
site = Site.objects.get(is_default_site=True)
print(json.dumps({
    "pages": Page.objects.count(),
    "home_pages": HomePage.objects.count(),
    "sections": MediaWireIndexPage.objects.count(),
    "articles": MediaWireArticlePage.objects.live().count(),
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

    assert after_second == after_first
    assert after_first == {
        # Tree root, home page, section and its articles: the welcome page is gone.
        "pages": 1 + 1 + 1 + 12,
        "home_pages": 1,
        "sections": 1,
        "articles": 12,
        "disclaimers": 1,
        "users": 1,
        "sites": 1,
        "site_root_is_home": True,
    }
    assert "created" in first_run
    assert "Admin login: http://127.0.0.1:8123/admin/  user: admin  password: admin" in first_run
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


def _home_pages(base: str, count: int) -> list[str]:
    def fetch(_):
        return requests.get(f"{base}/", timeout=60).text

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(fetch, range(count)))


def test_sandbox_served_by_several_processes_never_lists_an_unpublished_article(env):
    """Publishing clears the Recent Posts cache of every process, however it is served."""
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    newest = shell_json(env, NEWEST_SCRIPT)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(env, port, workers=2)
    try:
        # Warm every worker's Recent Posts: concurrent requests keep both workers busy.
        assert all(newest["title"] in html for html in _home_pages(base, 20))

        # An editor unpublishes it in the admin: one of the workers handles that.
        editor = requests.Session()
        editor.get(f"{base}/admin/login/", timeout=10)
        token = editor.cookies["csrftoken"]
        login = {"username": "admin", "password": "admin", "csrfmiddlewaretoken": token}
        assert editor.post(f"{base}/admin/login/", data=login, timeout=10).ok
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
    finally:
        server.terminate()
        server.wait(timeout=10)
