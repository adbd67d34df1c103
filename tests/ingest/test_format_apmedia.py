"""The AP Media API reader (ingest/formats/apmedia.py): ``data.item`` and
``data.items[].item`` responses, mapped by the ninjs reader plus AP's additions. No
database: reading is pure."""

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from wagtail_mediawire.ingest import formats
from wagtail_mediawire.ingest.formats import apmedia
from wagtail_mediawire.ingest.item import CANCELED, USABLE, FeedError, Rendition

FIXTURES = Path(__file__).parent / "formats"
AP_FIXTURES = ["ap-media-item.json", "ap-media-items.json"]
TEXTLESS = "AP item without inline text"


def content(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def response(**item) -> bytes:
    base = {"uri": "https://api.ap.example/media/v/content/abc", "type": "text"}
    return json.dumps({"data": {"item": {**base, **item}}}).encode()


def words(markup: str) -> list[str]:
    return BeautifulSoup(markup, "html.parser").get_text(" ").split()


@pytest.mark.parametrize("name", AP_FIXTURES)
def test_each_fixture_is_detected_as_ap_media(name):
    assert formats.detect(content(name)) == "ap-media"


@pytest.mark.parametrize("name", AP_FIXTURES)
def test_read_document_in_auto_reads_each_fixture_as_apmedia_does(name):
    assert formats.read_document(content(name)) == apmedia.read(content(name))
    assert formats.read_document(content(name), "ap-media") == apmedia.read(content(name))


def test_a_single_item_response_every_field():
    (item,) = apmedia.read(content("ap-media-item.json")).items
    assert item.guid == "https://api.ap.example/media/v/content/4b7e21c09d8f4e6a9c3b5d2e1f0a7c68"
    assert item.link == ""  # the uri is the API's address, not a public page
    assert item.title == "Kestrel Bay ferry service resumes after storm"
    assert item.published_at == datetime(2025, 3, 14, 12, 40, 11, tzinfo=UTC)
    assert item.version == 2  # AP writes a number
    assert item.status == USABLE
    assert item.embargoed_until == datetime(2025, 3, 14, 13, 0, tzinfo=UTC)
    assert item.urgency == 2
    # signals, then editorialtypes: each read through the vocabulary
    assert item.signals == ("newscontent", "lead", "correction")
    assert item.ednote == "Eds: Adds comment from the harbour master. With photo."
    assert item.byline == "By TOMAS ERIKSEN"  # bylines[].by
    assert item.dateline == "KESTREL BAY"
    assert item.language == "en"
    assert item.subjects == (
        ("medtop:04000000", "Economy"),  # IPTC's scheme and code, as a QCode
        ("7f3a9c20b1d64e5e8f2a6b4c0d9e1f37", "Maritime transport"),  # AP's own, as written
    )
    assert item.usage_terms == (
        "This content is intended for editorial use only.\nNo archive use after 30 days."
    )
    assert item.expires_at == datetime(2025, 4, 13, 12, 40, 11, tzinfo=UTC)
    assert item.renditions == (
        Rendition(
            url="https://api.ap.example/media/v/content/"
            "9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b.0/download?type=main",
            credit="Northwind Press Agency",  # the picture's credit line
            usage_terms="Editorial use only.",
            media_type="image/jpeg",
        ),
    )
    # No text inline: an empty body, a text whose words are elsewhere (the importer
    # skips it, never an empty article), and a note.
    assert item.kind == "text-elsewhere"
    assert item.html == ""
    assert any(TEXTLESS in note for note in item.notes)
    assert item.ednote not in item.html


def test_a_feed_page_gives_every_item_in_order():
    feed = apmedia.read(content("ap-media-items.json"))
    assert feed.warning == ""
    story, picture, kill = feed.items
    assert story.title == "Lifeboat crew rescues two kayakers off Kestrel Bay"
    assert story.version == 0  # AP's first version is 0, not "no version"
    assert story.published_at == datetime(2025, 3, 16, 8, 20, tzinfo=UTC)  # "+0000"
    assert story.byline == "By MARA OYELARAN, By JONAS WHITCOMBE"
    assert story.subjects == (("medtop:03000000", "Accidents"),)
    assert story.renditions == ()  # its associated picture has no renditions in a list
    assert story.html == "" and any(TEXTLESS in note for note in story.notes)

    assert picture.kind == "picture"
    assert picture.notes == ()  # a picture without text is no surprise
    assert picture.renditions == (
        Rendition(
            url="https://api.ap.example/media/v/content/"
            "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d.0/download?type=main",
            credit="Northwind Press Agency",
            usage_terms="Editorial use only. No sales.",
            media_type="image/jpeg",
        ),
    )

    assert kill.status == CANCELED
    assert kill.signals == ("kill",)  # editorialtypes ["Kill"]
    assert kill.published_at == datetime(2025, 3, 16, 9, 2, tzinfo=UTC)  # no zone: UTC
    assert kill.ednote.startswith("Eds: KILL.")


def test_next_page_is_not_followed_and_does_not_disturb_the_read():
    data = json.loads(content("ap-media-items.json"))
    assert data["data"]["next_page"].startswith("https://")
    assert len(apmedia.read(content("ap-media-items.json")).items) == 3


def test_an_item_with_inline_text_keeps_every_word_and_no_note():
    body = '<p>The Café Brisa reopened.</p><p>"At last," its owner said.</p>'
    (item,) = apmedia.read(response(headline="Café reopens", body_html=body)).items
    assert words(item.html) == words(body)
    assert item.notes == ()


def test_without_a_headline_the_extended_headline_is_the_title():
    (item,) = apmedia.read(response(headline_extended="Ferries sail again")).items
    assert item.title == "Ferries sail again"


def test_without_located_the_dateline_is_the_dateline_location():
    location = {"city": "Kestrel Bay", "countryname": "Nordmark"}
    (item,) = apmedia.read(response(datelinelocation=location)).items
    assert item.dateline == "Kestrel Bay, Nordmark"


def test_unknown_vocabulary_values_are_logged_and_read(caplog):
    with caplog.at_level(logging.INFO, logger="wagtail_mediawire"):
        (item,) = apmedia.read(
            response(pubstatus="embargo-pending", editorialtypes=["Advisory"], urgency="x")
        ).items
    assert item.status == USABLE
    assert item.signals == ("advisory",)
    assert item.urgency is None
    assert "Unknown publication status 'embargo-pending'" in caplog.text
    assert "Unknown signal 'Advisory'" in caplog.text
    assert "Unreadable urgency 'x'" in caplog.text


# What is refused, in words an editor reads


@pytest.mark.parametrize("read", [apmedia.read, formats.read_document])
def test_broken_json_is_refused_with_a_readable_message(read):
    with pytest.raises(FeedError, match="not valid JSON"):
        read(b'{"data": {"items": [')


def test_an_error_answer_is_refused_with_its_message():
    error = {"error": {"code": 401, "message": "Invalid API key."}}
    with pytest.raises(FeedError, match="answered with an error: 401 Invalid API key."):
        apmedia.read(json.dumps(error).encode())


@pytest.mark.parametrize("body", [{"data": {}}, {"data": {"items": "none"}}, {"items": []}])
def test_a_response_with_no_items_is_refused(body):
    with pytest.raises(FeedError, match="no items|no data object"):
        apmedia.read(json.dumps(body).encode())


def test_an_empty_feed_page_is_no_items_not_an_error():
    # The feed endpoint's answer when nothing is new since the last request.
    assert apmedia.read(b'{"data": {"items": [], "next_page": "https://x.example/"}}').items == []
