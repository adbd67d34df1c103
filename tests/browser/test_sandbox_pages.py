"""The sandbox demo as a reader sees it: accessible, readable at 360 px, and the
README's screenshot (``make screenshot`` rewrites docs/img/article.png)."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.utils import free_port

from .conftest import serious_violations

ROOT = Path(__file__).resolve().parents[2]
README_SCREENSHOT = ROOT / "docs" / "img" / "article.png"
ARTICLE = "/media-wire/kestrel-bay-harbour-reopens/"


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory, browser):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sandbox.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('sandbox') / 'db.sqlite3'}",
    }
    manage = [sys.executable, str(ROOT / "sandbox" / "manage.py")]
    for args in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run(manage + args, env=env, check=True, capture_output=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("path", ["/", "/media-wire/", ARTICLE])
def test_sandbox_pages_have_no_serious_accessibility_violations(page, sandbox_url, path, shot):
    page.goto(sandbox_url + path)
    shot(page, "sandbox" + path.rstrip("/").replace("/", "-"))
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/media-wire/", ARTICLE])
def test_readable_at_360_px(browser, sandbox_url, path, shot):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(sandbox_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "sandbox-360" + path.rstrip("/").replace("/", "-"))
    context.close()


def test_article_screenshot(browser, sandbox_url):
    context = browser.new_context(viewport={"width": 1100, "height": 1650})
    page = context.new_page()
    page.goto(sandbox_url + ARTICLE)
    assert page.get_by_role("region", name="Recent Posts").is_visible()
    target = README_SCREENSHOT if os.environ.get("MEDIAWIRE_README_SCREENSHOT") else None
    path = target or ROOT / "test-artifacts" / "sandbox-article-readme.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=path)
    assert path.stat().st_size > 10_000
    context.close()
