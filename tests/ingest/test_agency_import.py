"""Agency documents through the importer: versions, items without text, the Source
line's address, and the editor's note, which reaches no public output."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import Revision

from wagtail_mediawire.ingest.importer import fetch
from wagtail_mediawire.models import MediaWireArticlePage, WireFeed, WireItem

pytestmark = pytest.mark.usefixtures("loopback_feeds")
NOTE = "Do not use before the harbour authority confirms; check the figures"
JSON = "application/json"


def ninjs(version: int = 1, *, uri="urn:northwind:story:kestrel-ferries", kind="text", **fields):
    item = {
        "uri": uri,
        "version": str(version),
        "type": kind,
        "pubStatus": "usable",
        "language": "en",
        "headlines": [{"value": fields.pop("headline", "Kestrel Bay ferries resume")}],
        "bodies": [
            {
                "contentType": "text/html",
                "value": fields.pop("body", "<p>Ferries crossed to Kestrel Bay again.</p>"),
            }
        ],
        "edNote": NOTE,
        **fields,
    }
    if kind != "text":
        item.pop("bodies")
    return item


@pytest.fixture
def feed(section, httpserver):
    return WireFeed.objects.create(
        name="Northwind", url=httpserver.url_for("/ninjs"), section=section,
        source_name="Northwind Press Agency", source_url="https://northwind.example/wire",
        publish_mode=WireFeed.PublishMode.PUBLISH,
    )  # fmt: skip


def deliver(httpserver, document) -> None:
    httpserver.clear()
    httpserver.expect_request("/ninjs").respond_with_data(json.dumps(document), content_type=JSON)


def test_an_agency_item_is_imported_with_what_the_agency_says(feed, httpserver):
    deliver(httpserver, ninjs(3, urgency=2, signals=[{"uri": "sig:correction"}]))
    result = fetch(feed.pk)
    assert (result.error, result.imported) == ("", 1)
    record = WireItem.objects.get()
    assert (record.version, record.status, record.urgency) == (3, "usable", 2)
    assert record.ednote == NOTE
    article = record.article
    assert article.live and article.title == "Kestrel Bay ferries resume"
    (source,) = article.sources
    # No web address of its own: the feed's source address.
    assert (source["name"], source.href) == (
        "Northwind Press Agency",
        "https://northwind.example/wire",
    )


def test_the_editors_note_reaches_no_public_output(feed, httpserver, client, section):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    article = MediaWireArticlePage.objects.get()
    outputs = {
        "page": client.get(article.url),
        "section": client.get(section.url),
        "rss": client.get(section.url + "feed/"),
        "atom": client.get(section.url + "feed/atom/"),
        "json feed": client.get(section.url + "feed/json/"),
        "api": client.get(f"/api/v2/pages/{article.pk}/"),
        "api listing": client.get(
            "/api/v2/pages/?type=wagtail_mediawire.MediaWireArticlePage&fields=*"
        ),
        "sitemap": client.get("/sitemap.xml"),
        "news sitemap": client.get("/news-sitemap.xml"),
    }
    assert "Ferries crossed to Kestrel Bay again." in outputs["page"].content.decode()
    for name, response in outputs.items():
        assert response.status_code == 200, name
        assert "harbour authority" not in response.content.decode(), name
    assert "harbour authority" not in json.dumps(article.body.get_prep_value(), default=str)
    # The editors see it, in the article's provenance panel.
    admin = Client()
    admin.force_login(_superuser())
    editor = admin.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert "harbour authority confirms" in editor


def test_versions_newer_update_older_and_equal_change_nothing(feed, httpserver, section):
    feed.publish_mode = WireFeed.PublishMode.DRAFT
    feed.save()
    deliver(httpserver, ninjs(2))
    fetch(feed.pk)
    revisions = Revision.objects.count()
    for older_or_same in (1, 2):
        deliver(httpserver, ninjs(older_or_same, headline=f"Old headline {older_or_same}"))
        result = fetch(feed.pk)
        assert (result.updated, result.unchanged) == (0, 1)
    assert Revision.objects.count() == revisions
    assert MediaWireArticlePage.objects.get().title == "Kestrel Bay ferries resume"

    deliver(httpserver, ninjs(3, headline="Kestrel Bay ferries resume, timetable out"))
    assert fetch(feed.pk).updated == 1
    article = MediaWireArticlePage.objects.get()
    assert article.title == "Kestrel Bay ferries resume, timetable out"
    assert WireItem.objects.get().version == 3
    # Delivered again: nothing written.
    revisions = Revision.objects.count()
    result = fetch(feed.pk)
    assert (result.imported, result.updated, result.unchanged) == (0, 0, 1)
    assert Revision.objects.count() == revisions


def test_items_without_text_never_become_articles(feed, httpserver):
    deliver(
        httpserver,
        [ninjs(1), ninjs(1, uri="urn:northwind:pic:1", kind="picture"),
         ninjs(1, uri="urn:northwind:video:1", kind="video")],
    )  # fmt: skip
    result = fetch(feed.pk)
    assert (result.imported, result.skipped) == (1, 2)
    assert any("without text (picture)" in note for note in result.notes)
    assert any("without text (video)" in note for note in result.notes)
    assert MediaWireArticlePage.objects.count() == 1


def test_an_item_without_any_address_is_a_draft_that_asks_for_one(feed, httpserver):
    feed.source_url = ""
    feed.save()
    deliver(httpserver, ninjs(1))
    result = fetch(feed.pk)
    assert result.imported == 1
    article = MediaWireArticlePage.objects.get()
    assert not article.live  # publish at once, but the source rule needs an address
    assert any("add the report's web address" in note for note in result.notes)


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("chief", "chief@example.com", "pw")


FORMATS = Path(__file__).parent / "formats"


@pytest.mark.parametrize(
    "name",
    ["ninjs-1.json", "ninjs-2.json", "ninjs-3.json", "ninjs-list.json", "nitf.xml",
     "nitf-utf8.xml", "newsml-item.xml", "newsml-message.xml"],
)  # fmt: skip
def test_a_saved_document_of_each_format_imports_once(feed, name):
    """``mediawire_fetch_feeds --feed ID --file PATH``, with the format detected."""
    feed.publish_mode = WireFeed.PublishMode.DRAFT
    feed.save()
    path = str(FORMATS / name)
    out = StringIO()
    call_command("mediawire_fetch_feeds", "--feed", str(feed.pk), "--file", path, stdout=out)
    created = MediaWireArticlePage.objects.count()
    assert created >= 1, out.getvalue()
    record = WireItem.objects.exclude(guid="").first()
    assert record is not None and record.guid
    revisions = Revision.objects.count()
    again = StringIO()
    call_command("mediawire_fetch_feeds", "--feed", str(feed.pk), "--file", path, stdout=again)
    assert "0 new, 0 updated" in again.getvalue()
    assert (MediaWireArticlePage.objects.count(), Revision.objects.count()) == (created, revisions)


def test_an_ap_item_whose_text_is_elsewhere_is_skipped_with_a_reason(feed):
    out = StringIO()
    path = str(FORMATS / "ap-media-item.json")
    call_command("mediawire_fetch_feeds", "--feed", str(feed.pk), "--file", path, stdout=out)
    assert MediaWireArticlePage.objects.count() == 0
    assert "text is not in the document" in out.getvalue()
    # The reader's own word for it reaches the fetch's notes.
    assert "its NITF rendition (renditions.nitf.href) is not fetched" in out.getvalue()


def test_a_broken_document_fails_the_feed_with_a_message_and_imports_nothing(feed, httpserver):
    httpserver.expect_request("/ninjs").respond_with_data(
        b'<?xml version="1.0"?><nitf><head>', content_type="application/xml"
    )
    result = fetch(feed.pk)
    assert "not well-formed XML" in result.error and result.imported == 0
    feed.refresh_from_db()
    assert feed.state == "failing" and "not well-formed" in feed.last_error


def test_what_the_agency_holds_back_is_never_published_at_once(feed, httpserver):
    deliver(httpserver, {**ninjs(1), "embargoedUntil": "2999-01-01T00:00:00Z"})
    assert fetch(feed.pk).imported == 1
    assert not MediaWireArticlePage.objects.get().live


@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_what_the_agency_withdraws_before_its_import_is_never_imported(feed, httpserver, status):
    deliver(httpserver, {**ninjs(1), "pubStatus": status})
    result = fetch(feed.pk)
    assert (result.imported, result.skipped) == (0, 1)
    assert not MediaWireArticlePage.objects.exists()


def ap_page(n: int, next_page: str | None) -> dict:
    item = {
        "uri": f"https://api.ap.example/media/v/content/{n}", "version": 1, "type": "text",
        "headline": f"Gull Point report {n}", "body_html": f"<p>Report {n} in full.</p>",
    }  # fmt: skip
    return {"data": {"items": [{"item": item}], "next_page": next_page}}


def test_the_ap_media_api_is_asked_where_its_last_answer_said(feed, httpserver):
    feed.url = httpserver.url_for("/feed")
    feed.save()
    httpserver.expect_ordered_request("/feed").respond_with_json(
        ap_page(1, httpserver.url_for("/feed") + "?cursor=2")
    )
    httpserver.expect_ordered_request("/feed", query_string="cursor=2").respond_with_json(
        ap_page(2, "https://elsewhere.example/steal")
    )
    httpserver.expect_ordered_request("/feed").respond_with_json(ap_page(3, None))
    assert [fetch(feed.pk).imported for _ in range(3)] == [1, 1, 1]
    httpserver.check_assertions()  # the cursor followed; the other host's never asked
    feed.refresh_from_db()
    assert feed.next_page_url == ""


def test_a_picture_of_the_item_is_imported_with_its_own_credit(feed, httpserver, settings):
    from io import BytesIO

    from PIL import Image
    from wagtail.images import get_image_model

    settings.WAGTAIL_MEDIAWIRE = {**settings.WAGTAIL_MEDIAWIRE, "FEED_IMPORT_IMAGES": True}
    out = BytesIO()
    Image.new("RGB", (40, 30), (20, 80, 200)).save(out, "PNG")
    httpserver.expect_request("/quay.png").respond_with_data(
        out.getvalue(), content_type="image/png"
    )
    picture = {
        "type": "picture",
        "uri": "urn:northwind:pic:quay",
        "renditions": [{"href": httpserver.url_for("/quay.png"), "contentType": "image/png"}],
        "creditline": "Harbour Office of Kestrel Bay",
    }
    deliver(httpserver, {**ninjs(1), "associations": {"featureimage": picture}})
    httpserver.expect_request("/quay.png").respond_with_data(
        out.getvalue(), content_type="image/png"
    )
    result = fetch(feed.pk)
    assert (result.imported, result.images_failed) == (1, 0), result.notes
    image = get_image_model().objects.get()
    assert list(image.tags.names()) == ["Harbour Office of Kestrel Bay"]
