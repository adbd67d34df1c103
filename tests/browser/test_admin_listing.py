"""Media Wire > Articles on a phone: the title readable, nothing off the side of the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.utils import default_site_root
from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory

from .conftest import log_in, make_editor, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

LISTING = "/admin/wagtail_mediawire/mediawirearticlepage/"
TITLES = [
    "Kestrel Bay harbour reopens after the winter storms",
    "Ferry timetable changes for winter",
    "Northwind council approves the new quay",
]


@pytest.fixture
def desk(live_server):
    home = default_site_root()
    section = MediaWireIndexPageFactory(parent=home, title="Media Wire", slug="media-wire")
    for hours, title in enumerate(TITLES, start=1):
        MediaWireArticlePageFactory(
            parent=section,
            title=title,
            first_published_at=timezone.now() - timedelta(hours=hours),
            body__0__paragraph__value="<p>Ferries returned to the inner quay.</p>",
            body__1__source__name="Harbourline News",
        )
    MediaWireArticlePageFactory(
        parent=section, title="Draft about the lighthouse", live=False, first_published_at=None
    ).save_revision()
    make_editor(section)
    return section


REACH = """() => {
    // The nearest box that scrolls sideways (Wagtail's own wrapper only clips).
    const table = document.querySelector("table.listing");
    let box = table.parentElement;
    while (box && !["auto", "scroll"].includes(getComputedStyle(box).overflowX)) {
        box = box.parentElement;
    }
    const rect = (box || table).getBoundingClientRect();
    return {
        left: rect.left,
        right: rect.right,
        reachable: box ? box.scrollWidth : rect.width,
        table: table.getBoundingClientRect().width,
    };
}"""


def test_articles_listing_at_360_px(phone, live_server, desk, shot):
    log_in(phone, live_server.url)
    phone.goto(live_server.url + LISTING)
    rows = phone.locator("table.listing tbody tr")
    assert rows.count() == len(TITLES) + 1
    # The headline is what an editor scans for: it keeps room for a few words a line.
    for title in TITLES:
        cell = rows.filter(has_text=title).locator("td.field-title")
        assert cell.bounding_box()["width"] >= 120, title
    # The page does not scroll sideways, and no column is cut off: the table fits, or
    # scrolls in its own box on the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    reach = phone.evaluate(REACH)
    assert reach["left"] >= 0
    assert reach["right"] <= 360
    assert reach["reachable"] + 1 >= reach["table"]  # scrollWidth is rounded
    # Each live row's status and "View live" are there to use.
    first = rows.filter(has_text=TITLES[0])
    assert first.get_by_role("link", name="Current page status: live").is_visible()
    assert first.get_by_role("link", name="View live").is_visible()
    assert serious_violations(phone) == []
    phone.set_viewport_size({"width": 360, "height": 1200})
    shot(phone, "admin-articles-360", docs=True)
