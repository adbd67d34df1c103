"""Browser tests: Playwright for Python driving Debian's Chromium, headless.

Playwright cannot download its own browser here, so the system Chromium is used
(``MEDIAWIRE_CHROMIUM`` to point elsewhere). Without one the tests skip with a
one-line reason, and under CI=true that skip fails the run (tests/plugin.py).
Screenshots go to test-artifacts/ (not committed).
"""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.utils import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    path = os.environ.get("MEDIAWIRE_CHROMIUM") or shutil.which("chromium")
    return path if path and Path(path).exists() else None


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium: apt-get install chromium (or set MEDIAWIRE_CHROMIUM)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API refuses to start inside a running event loop; Django's
    # async-unsafe guard must also let the live server's ORM calls through.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page_of(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser):
    yield from _page_of(browser, 1280, 900)


@pytest.fixture
def phone(browser):
    """A page 360 px wide, as on a small phone."""
    yield from _page_of(browser, 360, 740)


# The password the browser tests give their editors.
EDITOR_PASSWORD = "wire-desk-pw"  # noqa: S105 (a test user's)


def make_editor(section, *model_permissions: str):
    """The user "editor", who may add, edit and publish pages under ``section`` and has
    ``model_permissions`` (codenames). Made from scratch rather than from the groups
    Wagtail's migrations create, which a transactional test's flush takes away."""
    from django.contrib.auth.models import Group, Permission, User
    from wagtail.models import GroupPagePermission

    from tests.utils import page_permission

    group = Group.objects.create(name="Wire desk")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    group.permissions.add(*Permission.objects.filter(codename__in=model_permissions))
    for action in ("add", "change", "publish"):
        GroupPagePermission.objects.create(
            group=group, page=section, permission=page_permission(action)
        )
    editor = User.objects.create_user("editor", password=EDITOR_PASSWORD)
    editor.groups.add(group)
    return editor


def log_in(page, base: str, username: str = "editor") -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", EDITOR_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


DOCS_IMAGES = ARTIFACTS.parent / "docs" / "img"


@pytest.fixture
def shot():
    """Save a full-page screenshot under test-artifacts/NAME.png; with ``docs=True``
    and MEDIAWIRE_DOCS_SCREENSHOTS set (``make screenshot``), also the visible part
    as docs/img/NAME.png, so that the docs show what the suite saw."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str, docs: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        if docs and os.environ.get("MEDIAWIRE_DOCS_SCREENSHOTS"):
            page.screenshot(path=DOCS_IMAGES / f"{name}.png")
        return path

    return save


@dataclass
class Sandbox:
    url: str
    log: Path  # what runserver writes: one line per request, with its status

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory, browser, demo_database) -> Iterator[Sandbox]:
    """The sandbox with its demo content, as a contributor runs it, for the session.

    Its pages are only read, so one server serves every module that needs it.
    """
    directory = tmp_path_factory.mktemp("sandbox")
    env = demo_database.copy_to(directory)
    manage = [sys.executable, str(ROOT / "sandbox" / "manage.py")]
    port = free_port()
    log = directory / "runserver.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2).close()  # noqa: S310 (loopback)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the sandbox server did not start") from None
                time.sleep(0.2)
        yield Sandbox(url=url, log=log)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def sandbox_url(sandbox) -> str:
    return sandbox.url


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
