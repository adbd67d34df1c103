"""The sandbox project works from a fresh database, and ``load_demo`` is idempotent.

The sandbox has its own settings, so it runs in child processes (as a contributor
runs it) against a temporary SQLite file, never against the suite's database.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

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


def counts(env: dict) -> dict:
    output = manage(env, "shell", "--no-imports", "-c", COUNTS_SCRIPT).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_sandbox_migrates_checks_and_loads_demo_idempotently(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sandbox.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

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
