"""The sandbox project run as a contributor runs it: in child processes, with its own
settings, on a SQLite file of its own, never on the suite's database.

Migrating a new database takes most of a sandbox test's time, so the suite migrates
and loads the demo once (``demo_database``) and each test works on a copy of that file.
"""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MANAGE_PY = Path(__file__).resolve().parent.parent / "sandbox" / "manage.py"

# The port the demo is first loaded with: it is printed in the admin login line.
FIRST_PORT = 8123

# Run by ``manage.py shell``: ``load_demo`` with the arguments in LOAD_DEMO_ARGS (as
# ``manage.py load_demo`` runs it), then what it made, counted; printed as JSON. One
# process instead of two, since starting Django is most of what either costs.
LOAD_DEMO_AND_COUNT = """
import io, json, os
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Site
from wagtail_mediawire.models import (
    Disclaimer, MediaWireArticlePage, MediaWireIndexPage, WireFeed, WireItem,
)
from demo.models import HomePage
output = io.StringIO()
call_command("load_demo", *json.loads(os.environ["LOAD_DEMO_ARGS"]), stdout=output)
site = Site.objects.get(is_default_site=True)
newest = MediaWireArticlePage.objects.live().order_by("-first_published_at").first()
print(json.dumps({"output": output.getvalue(), "counts": {
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
    "newest": {"pk": newest.pk, "title": newest.title},
}}))
"""


def sandbox_env(database: Path) -> dict:
    """The sandbox's own settings, on the SQLite file ``database``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sandbox.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
    }


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    # A fixed interpreter and script with arguments from the tests: no untrusted input.
    result = subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
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


def load_demo(env: dict, *args: str) -> tuple[str, dict]:
    """``load_demo *args``: what it printed, and what the database then holds."""
    result = shell_json({**env, "LOAD_DEMO_ARGS": json.dumps(args)}, LOAD_DEMO_AND_COUNT)
    return result["output"], result["counts"]


@dataclass(frozen=True)
class DemoDatabase:
    """A sandbox database migrated from nothing with the demo loaded once."""

    path: Path
    load_demo_output: str  # what that first ``load_demo --port FIRST_PORT`` printed
    counts: dict  # what the database held then (LOAD_DEMO_AND_COUNT)

    def copy_to(self, directory: Path) -> dict:
        """A copy of the database in ``directory``; returns the sandbox env that uses it."""
        database = directory / "db.sqlite3"
        shutil.copyfile(self.path, database)
        return sandbox_env(database)


def build_demo_database(directory: Path, seed: Path | None = None) -> DemoDatabase:
    """Migrate a database in ``directory`` and load the demo, or reuse the one an earlier
    call left there. The database is new, or a copy of ``seed``: a database the suite's
    settings migrated, on which only the sandbox's own app is left to migrate."""
    summary = directory / "demo.json"
    if not summary.exists():
        database = directory / "db.sqlite3"
        if seed is not None:
            shutil.copyfile(seed, database)
        env = sandbox_env(database)
        manage(env, "migrate", "--noinput", "-v0")
        output, counts = load_demo(env, "--port", str(FIRST_PORT))
        # Written last: its presence says the database is complete.
        summary.write_text(json.dumps({"output": output, "counts": counts}))
    data = json.loads(summary.read_text())
    return DemoDatabase(directory / "db.sqlite3", data["output"], data["counts"])
