"""The wire desk's journey in a real browser: from the dashboard to a published article,
through the wire queue, in at most four clicks; the queue at 360 px; axe clean."""

import json

import pytest

from tests.utils import default_site_root
from wagtail_mediawire.factories import MediaWireIndexPageFactory
from wagtail_mediawire.ingest.importer import fetch
from wagtail_mediawire.models import WireFeed, WireFeedRule, WireItem

from .conftest import log_in, make_editor, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "/admin/wagtail_mediawire/wire-queue/"


def story(name: str, headline: str, urgency: int, language: str = "en") -> dict:
    return {
        "uri": f"urn:newsml:northwind.example:2026:{name}",
        "type": "text",
        "version": "1",
        "versioncreated": "2026-12-03T08:00:00Z",
        "pubstatus": "usable",
        "urgency": urgency,
        "language": language,
        "headline": headline,
        "body_text": f"{headline}. The harbour office confirmed it on Thursday.",
        "altids": [{"role": "url", "value": f"https://northwind.example/{name}"}],
    }


@pytest.fixture
def desk(live_server):
    section = MediaWireIndexPageFactory(
        parent=default_site_root(), title="Media Wire", slug="media-wire"
    )
    feed = WireFeed.objects.create(
        name="Northwind",
        format=WireFeed.Format.NINJS,
        delivery=WireFeed.Delivery.PUSH,
        section=section,
        source_name="Northwind Press Agency",
    )
    WireFeedRule.objects.create(feed=feed, include_keywords="horoscope", action="skip")
    stories = [
        story("quay", "Kestrel Bay quay reopens after the winter storms", urgency=3),
        story("ferry", "Ferry timetable changes for the winter", urgency=5),
        story("stars", "Your horoscope for the week", urgency=8),
    ]
    result = fetch(feed.pk, content=json.dumps(stories).encode())
    assert (result.imported, result.skipped) == (2, 1), result
    make_editor(section)
    return section


def test_from_the_dashboard_to_a_published_article_in_four_clicks(page, live_server, desk, shot):
    base = live_server.url
    log_in(page, base)
    clicks = 0

    # 1. The dashboard's wire desk panel leads to the queue.
    page.get_by_role("link", name="in the wire queue").first.click()
    clicks += 1
    page.wait_for_url(f"**{QUEUE}**")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 3
    skipped = rows.filter(has_text="Your horoscope for the week")
    assert skipped.get_by_text("Rule 1 (any of “horoscope”)").is_visible()
    shot(page, "wire-queue", docs=True)
    assert serious_violations(page) == []

    # 2. Publish the urgent report from its row.
    row = rows.filter(has_text="Kestrel Bay quay reopens")
    row.get_by_role("button", name="Publish").click()
    clicks += 1
    page.wait_for_url(f"**{QUEUE}**")
    page.locator(".messages").get_by_text("is live").wait_for()

    article = WireItem.objects.get(title__startswith="Kestrel Bay").article
    article.refresh_from_db()
    assert article.live
    assert clicks <= 4
    row = page.locator("table.listing tbody tr").filter(has_text="Kestrel Bay quay reopens")
    assert row.get_by_text("Published").first.is_visible()
    shot(page, "wire-queue-published", docs=True)


def test_the_wire_queue_at_360_px(phone, live_server, desk, shot):
    log_in(phone, live_server.url)
    phone.goto(live_server.url + QUEUE)
    rows = phone.locator("table.listing tbody tr")
    assert rows.count() == 3
    # The page does not scroll sideways; the table scrolls in its own box if it must.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    first = rows.filter(has_text="Kestrel Bay quay reopens")
    # The headline is what an editor scans for: on screen, with room for a few words.
    title = first.locator("td.title").bounding_box()
    assert title["x"] >= 0 and title["width"] >= 120
    shot(phone, "wire-queue-360", docs=True)
    first.get_by_role("button", name="Publish").scroll_into_view_if_needed()
    assert first.get_by_role("button", name="Publish").is_visible()
    assert serious_violations(phone) == []
