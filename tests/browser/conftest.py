"""Browser tests: Playwright for Python driving Debian's Chromium, headless.

Playwright cannot download its own browser here, so the system Chromium is used
(``MEDIAWIRE_CHROMIUM`` to point elsewhere). Without one the tests skip with a
one-line reason, and under CI=true that skip fails the run (tests/conftest.py).
Screenshots go to test-artifacts/ (not committed).
"""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot under test-artifacts/NAME.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return save


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
