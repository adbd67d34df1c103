"""The sandbox as a reader uses it beyond the screen's first look: on paper, at
360 px wide, and without a request that fails."""

import re
import time
from itertools import pairwise

import pytest

from .conftest import serious_violations

ARTICLE = "/media-wire/kestrel-bay-harbour-reopens/"
# The demo article's source (sandbox/demo/content.py).
SOURCE_URL = "https://harbourline.example/news/kestrel-bay-ferries-return"


def test_an_article_prints_without_navigation_or_recent_posts(page, sandbox_url, shot):
    page.goto(sandbox_url + ARTICLE)
    # On screen, both are there: what follows is the print stylesheet's doing.
    assert page.locator(".site-nav").is_visible()
    assert page.locator(".mediawire-recent").is_visible()

    page.emulate_media(media="print")
    shot(page, "reader-print-article")
    for hidden in (".site-nav", ".site-skip", ".site-footer", ".mediawire-recent"):
        assert not page.locator(hidden).is_visible(), hidden
    for shown in (
        ".mediawire-article__title",
        ".mediawire-meta time",
        ".mediawire-article__body p",
        ".mediawire-signature",
        ".mediawire-disclaimer",
        ".mediawire-sources",
    ):
        assert page.locator(shown).first.is_visible(), shown
    # A link cannot be followed on paper: the source's full address is printed after it.
    link = page.locator(".mediawire-source__link")
    assert link.get_attribute("href") == SOURCE_URL
    assert SOURCE_URL in link.evaluate("a => getComputedStyle(a, '::after').content")


def test_the_source_line_gives_the_address_and_a_labelled_date(phone, sandbox_url, shot):
    phone.goto(sandbox_url + ARTICLE)
    source = phone.locator(".mediawire-source")
    assert source.locator(".mediawire-source__host").inner_text() == "(harbourline.example)"
    published = source.locator(".mediawire-source__published")
    assert re.fullmatch(r"Published by the source on \S.*", published.inner_text())
    shot(phone, "reader-360-source-line")


def _rects(page, selector: str) -> list[int]:
    """How many line boxes each element matched by ``selector`` takes."""
    return page.locator(selector).evaluate_all("els => els.map(e => e.getClientRects().length)")


def test_dates_do_not_break_at_360_px(phone, sandbox_url, shot):
    phone.goto(sandbox_url + ARTICLE)
    assert set(_rects(phone, "time")) == {1}
    # A locale's date format may be longer than the demo's: the date then moves to
    # a line of its own instead of breaking in the middle.
    phone.locator(".mediawire-source__date").evaluate(
        "t => { t.textContent = 'Wednesday 25 November 2026'; }"
    )
    assert _rects(phone, ".mediawire-source__date") == [1]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "reader-360-long-source-date")


def test_home_page_headings_step_down_in_level_and_size_at_360_px(phone, sandbox_url, shot):
    phone.goto(sandbox_url + "/")
    shot(phone, "reader-360-home")
    headings = phone.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
        "els => els.map(h => [Number(h.tagName[1]), parseFloat(getComputedStyle(h).fontSize)])"
    )
    levels = [level for level, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels  # no level skipped
    sizes: dict[int, list[float]] = {}
    for level, size in headings:
        sizes.setdefault(level, []).append(size)
    # Each level a step a reader sees (1.2, a minor third) below the one above it.
    for level in sorted(sizes)[1:]:
        assert min(sizes[level - 1]) >= 1.2 * max(sizes[level]), sizes


def test_no_request_fails_and_the_site_has_a_favicon(page, sandbox, shot):
    start = sandbox.log_size()
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(sandbox.url + "/")
    assert page.locator("link[rel=icon]").count() == 1
    # The browser asks for the icon after the page has loaded, outside the page's
    # own requests: the server's log is where a missing one shows.
    deadline = time.monotonic() + 10
    while "favicon" not in sandbox.log_since(start) and time.monotonic() < deadline:
        time.sleep(0.1)
    log = sandbox.log_since(start)
    assert "favicon" in log
    assert failed == []
    assert not re.search(r'" [45]\d\d ', log), log


@pytest.mark.parametrize("path", ["/", "/media-wire/", ARTICLE])
def test_readable_and_accessible_at_360_px(phone, sandbox_url, path, shot):
    phone.goto(sandbox_url + path)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "sandbox-360" + path.rstrip("/").replace("/", "-"))
    assert serious_violations(phone) == []


def test_an_article_in_persian_reads_right_to_left_at_360_px(phone, sandbox_url, shot):
    # The sandbox takes the reader's language from the browser (LocaleMiddleware); its
    # demo content stays English, the package's words and the page's direction follow.
    phone.set_extra_http_headers({"Accept-Language": "fa"})
    phone.goto(sandbox_url + ARTICLE)
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("main.mediawire").get_attribute("dir") == "rtl"
    assert phone.locator(".mediawire-recent__heading").inner_text() == "آخرین مطالب"
    assert phone.locator(".mediawire-sources__heading").inner_text() == "منبع"
    # The address keeps its left-to-right order (and its parentheses) in a Persian line.
    host = phone.locator(".mediawire-source__host")
    assert host.get_attribute("dir") == "ltr"
    assert host.inner_text() == "(harbourline.example)"
    # Mirrored: the list of sources is indented on the right, the quote's rule too.
    sides = phone.locator(".mediawire-sources__list").evaluate(
        "e => [getComputedStyle(e).paddingLeft, getComputedStyle(e).paddingRight]"
    )
    assert sides[0] == "0px" and sides[1] != "0px", sides
    rule = phone.locator(".mediawire-quote").evaluate(
        "e => [getComputedStyle(e).borderLeftWidth, getComputedStyle(e).borderRightWidth]"
    )
    assert rule == ["0px", "4px"], rule
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # The docs show the end of the article, where the package's Persian words are.
    phone.locator(".mediawire-article__footer").evaluate("e => e.scrollIntoView()")
    shot(phone, "reader-360-article-rtl", docs=True)
    assert serious_violations(phone) == []
