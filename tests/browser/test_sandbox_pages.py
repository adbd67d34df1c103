"""The sandbox demo as a reader sees it on a wide screen: accessible, and the README's
screenshot (``make screenshot`` rewrites docs/img/article.png). At 360 px: see
test_reader_pages.py."""

import os
from pathlib import Path

import pytest

from .conftest import serious_violations

ROOT = Path(__file__).resolve().parents[2]
README_SCREENSHOT = ROOT / "docs" / "img" / "article.png"
ARTICLE = "/media-wire/kestrel-bay-harbour-reopens/"


@pytest.mark.parametrize("path", ["/", "/media-wire/", ARTICLE])
def test_sandbox_pages_have_no_serious_accessibility_violations(page, sandbox_url, path, shot):
    page.goto(sandbox_url + path)
    shot(page, "sandbox" + path.rstrip("/").replace("/", "-"))
    assert serious_violations(page) == []


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
