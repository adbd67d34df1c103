"""The ninjs reader (ingest/formats/ninjs.py): IPTC ninjs 1.x, 2.x and 3.x, an item or a
list of items, read into the normalised item. No database: reading is pure."""

import json
import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from wagtail_mediawire.ingest import formats
from wagtail_mediawire.ingest.formats import ninjs
from wagtail_mediawire.ingest.item import (
    CANCELED,
    TITLE_MAX_LENGTH,
    USABLE,
    FeedError,
    Rendition,
)

FIXTURES = Path(__file__).parent / "formats"
NINJS_FIXTURES = [
    "ninjs-1.json",
    "ninjs-2.json",
    "ninjs-3.json",
    "ninjs-list.json",
    "ninjs-picture.json",
]
STORY_URI = "urn:newsml:northwind.example:20250314:kestrel-bay-ferry"
FERRY_PHOTO = Rendition(
    url="https://media.northwind.example/2025/03/14/ferry-original.jpg",
    credit="Ines Carvalho / Northwind Press Agency",
    usage_terms="Editorial use only.",
    media_type="image/jpeg",
)


def content(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def document(name: str):
    return json.loads(content(name))


def one(name: str):
    feed = ninjs.read(content(name))
    assert len(feed.items) == 1
    return feed.items[0]


def words(markup: str) -> list[str]:
    """The words a reader sees in HTML (or plain text), in order."""
    return BeautifulSoup(markup, "html.parser").get_text(" ").split()


def read_item(**fields):
    return ninjs.read(json.dumps({"uri": "urn:test:1", **fields}).encode()).items[0]


# Detection and the registry


@pytest.mark.parametrize("name", NINJS_FIXTURES)
def test_each_fixture_is_detected_as_ninjs(name):
    assert formats.detect(content(name)) == "ninjs"


@pytest.mark.parametrize("name", NINJS_FIXTURES)
def test_read_document_in_auto_reads_each_fixture_as_ninjs_does(name):
    assert formats.read_document(content(name)) == ninjs.read(content(name))
    assert formats.read_document(content(name), "ninjs") == ninjs.read(content(name))


# ninjs 1.x


def test_ninjs_1_every_field():
    item = one("ninjs-1.json")
    assert item.guid == STORY_URI
    assert item.link == ""  # 1.x has no public link here: its altid is an agency id
    assert item.title == "Kestrel Bay ferry terminal reopens after storm repairs"
    assert item.published_at == datetime(2025, 3, 14, 6, 30, tzinfo=UTC)  # "+0000"
    assert item.version == 1
    assert item.status == USABLE
    assert item.embargoed_until == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
    assert item.urgency == 3
    assert item.signals == ()  # 1.x has none
    assert item.ednote == "EMBARGOED until 10:00 GMT. Harbour master's name to be confirmed."
    assert item.byline == "Mara Oyelaran"
    assert item.dateline == "KESTREL BAY"
    assert item.language == "en-GB"
    assert item.subjects == (
        ("medtop:04000000", "economy, business and finance"),
        ("medtop:03000000", "disaster, accident and emergency incident"),  # code + scheme
    )
    assert item.usage_terms == "Editorial use only. No archive use after 30 days."
    assert item.expires_at == datetime(2025, 4, 13, tzinfo=UTC)
    assert item.renditions == (FERRY_PHOTO,)  # the association's largest rendition
    assert item.image_url == FERRY_PHOTO.url
    assert item.kind == "text"
    assert "Café Brisa" in item.html and "Elin Sørvik" in item.html
    assert "<h2>" not in item.html  # a heading becomes a paragraph the block can hold


# ninjs 2.x


def test_ninjs_2_every_field():
    item = one("ninjs-2.json")
    cet = timezone(timedelta(hours=1))
    assert item.guid == "urn:newsml:northwind.example:20250315:tidal-pilot"
    assert item.link == "https://news.northwind.example/2025/03/15/kestrel-bay-tidal-pilot"
    assert item.title == "Kestrel Bay council backs tidal energy pilot in narrow vote"
    assert item.published_at == datetime(2025, 3, 15, 7, 45, tzinfo=cet)
    assert item.version == 1
    assert item.status == USABLE
    assert item.embargoed_until == datetime(2025, 3, 15, 8, 0, tzinfo=UTC)  # 2.x "embargoed"
    assert item.urgency == 5
    assert item.signals == ()
    assert item.ednote == "Embargoed until 09:00 CET. Council vote figures are provisional."
    assert item.byline == "Jonas Whitcombe"  # 2.x "by"
    assert item.dateline == "Kestrel Bay"
    assert item.language == "en"
    assert item.subjects == (("medtop:06000000", "environment"), ("medtop:11000000", "politics"))
    assert item.usage_terms == "Editorial use only.\nNPA-WIRE-STANDARD"  # + encoded rights
    assert item.expires_at == datetime(2025, 5, 14, 23, 0, tzinfo=UTC)
    assert item.renditions == ()
    assert item.kind == "text"


def test_ninjs_2_plain_text_body_becomes_paragraphs():
    html = one("ninjs-2.json").html
    assert html.count("<p>") == 3  # split on blank lines; a wrapped line is joined
    assert "Café Marée" in html
    assert "seal colony &amp; the fishing grounds" in html  # escaped, not lost


# ninjs 3.x


def test_ninjs_3_every_field():
    item = one("ninjs-3.json")
    assert item.guid == STORY_URI
    assert item.link == (
        "https://news.northwind.example/2025/03/14/kestrel-bay-ferry-terminal-reopens"
    )  # altIds role "canonical"
    assert item.title == "Kestrel Bay ferry terminal reopens, first crossings sold out"  # main
    assert item.published_at == datetime(2025, 3, 14, 11, 5, tzinfo=UTC)  # no zone: UTC
    assert item.version == 2
    assert item.status == USABLE
    assert item.embargoed_until is None
    assert item.urgency == 2
    assert item.signals == ("correction", "update", "npa:frontpage")
    assert item.ednote == "CORRECTS spelling of the harbour master's name in the third paragraph."
    assert item.byline == "Mara Oyelaran"
    assert item.dateline == "KESTREL BAY"
    assert item.language == "en-GB"
    assert item.subjects == (
        ("medtop:04000000", "economy, business and finance"),  # from the concept's URI
        ("medtop:03000000", "disaster, accident and emergency incident"),
    )
    assert item.usage_terms == (
        "Editorial use only. No archive use after 30 days.\n"
        "https://northwind.example/licence/wire"  # rightsInfo.linkedRights
    )
    assert item.expires_at == datetime(2025, 4, 13, tzinfo=UTC)
    assert item.renditions == (FERRY_PHOTO,)
    assert item.kind == "text"
    assert "Café Brisa" in item.html


def test_ninjs_3_embargo_and_camel_case_spellings():
    item = read_item(
        embargoedUntil="2025-03-14T10:00:00+0000",
        pubStatus="withheld",
        edNote="Hold for the minister's statement.",
        versionCreated="2025-03-14T09:00:00Z",
    )
    assert item.embargoed_until == datetime(2025, 3, 14, 10, tzinfo=UTC)
    assert item.status == "withheld"
    assert item.ednote == "Hold for the minister's statement."
    assert item.published_at == datetime(2025, 3, 14, 9, tzinfo=UTC)


def test_one_story_in_1x_and_3x_is_one_guid_with_a_newer_version():
    first, second = one("ninjs-1.json"), one("ninjs-3.json")
    assert first.guid == second.guid
    assert second.version > first.version
    assert first.fingerprint != second.fingerprint  # its text changed


# Bodies: every word, nothing for editors only


def _source_body(data: dict) -> str:
    if "body_html" in data:
        return data["body_html"]
    if "body_text" in data:
        return data["body_text"]
    return "".join(body["value"] for body in data.get("bodies", []))


def _fixture_items():
    for name in NINJS_FIXTURES:
        data = document(name)
        entries = data if isinstance(data, list) else [data]
        for entry, item in zip(entries, ninjs.read(content(name)).items, strict=True):
            yield pytest.param(entry, item, id=f"{name}:{entry['uri'].rsplit(':', 1)[-1]}")


@pytest.mark.parametrize(("entry", "item"), list(_fixture_items()))
def test_body_keeps_every_word_in_order(entry, item):
    assert words(item.html) == words(_source_body(entry))


@pytest.mark.parametrize(("entry", "item"), list(_fixture_items()))
def test_editors_note_goes_to_ednote_never_into_the_body(entry, item):
    note = entry.get("ednote") or entry.get("edNote")
    if note:
        assert item.ednote == note
        assert note not in " ".join(words(item.html))


def test_a_plain_text_body_is_escaped_not_interpreted():
    item = read_item(body_text="Prices rose 3 < 5 <script>alert(1)</script> & more.")
    assert "<script>" not in item.html
    assert "&lt;script&gt;" in item.html
    assert words(item.html) == "Prices rose 3 < 5 <script>alert(1)</script> & more.".split()


def test_an_html_body_is_sanitised():
    item = read_item(
        bodies=[{"value": '<p onclick="x()">Calm seas.<script>steal()</script></p>'}]
    )  # no content type: HTML, since it holds a paragraph
    assert item.html == "<p>Calm seas.</p>"


def test_an_html_body_wins_over_the_plain_text_one():
    item = read_item(body_text="plain words", body_html="<p>rich <b>words</b></p>")
    assert item.html == "<p>rich <b>words</b></p>"


def test_a_body_that_is_not_text_is_not_read_as_text():
    item = read_item(bodies=[{"contentType": "application/nitf+xml", "value": "<nitf/>"}])
    assert item.html == ""


# A list, a picture, the smaller rules


def test_a_list_document_gives_every_item_in_order():
    items = ninjs.read(content("ninjs-list.json")).items
    assert [i.guid.rsplit(":", 1)[-1] for i in items] == [
        "lifeboat-rescue",
        "school-closure",
        "market-hall",
    ]
    rescue, kill, market = items
    assert rescue.html.count("<p>") == 3  # one line, one paragraph (no blank lines)
    assert rescue.urgency == 4  # written as a string
    assert kill.status == CANCELED
    assert kill.ednote.startswith("KILL.") and "KILL." not in kill.html
    assert market.published_at == datetime(2025, 3, 16, 9, 15, tzinfo=UTC)  # basic format


def test_a_picture_only_item():
    item = one("ninjs-picture.json")
    assert item.kind == "picture"
    assert item.html == ""  # no body: the importer decides, never an empty article here
    assert item.title == "The ferry Aurora leaves Kestrel Bay at dawn"
    assert item.byline == "Ines Carvalho"
    assert item.renditions == (
        Rendition(
            url="https://media.northwind.example/2025/03/14/aurora-original.jpg",
            credit="Ines Carvalho / Northwind Press Agency",
            usage_terms="Editorial use only. No sales.",
            media_type="image/jpeg",
        ),
    )
    assert item.image_url == item.renditions[0].url


@pytest.mark.parametrize("kind", ["video", "graphic", "audio", "composite"])
def test_kind_is_the_ninjs_type(kind):
    assert read_item(type=kind).kind == kind


def test_an_unsafe_link_or_picture_address_is_dropped():
    item = read_item(
        altIds=[{"role": "canonical", "value": "javascript:alert(1)"}],
        associations=[
            {
                "name": "pic",
                "uri": "urn:test:pic",
                "type": "picture",
                "renditions": [
                    {"name": "a", "href": "javascript:x()", "contentType": "image/jpeg"}
                ],
            }
        ],
    )
    assert item.link == ""
    assert item.renditions == ()


def test_links_with_rel_canonical_give_the_public_address():
    item = read_item(links=[{"rel": "canonical", "href": "https://news.northwind.example/a"}])
    assert item.link == "https://news.northwind.example/a"


def test_the_title_is_plain_text_cut_to_the_stored_length():
    item = read_item(headline="<b>Storm</b> &amp; " + "x" * (TITLE_MAX_LENGTH + 50))
    assert item.title.startswith("Storm & x")
    assert len(item.title) == TITLE_MAX_LENGTH


def test_without_a_headline_the_title_is_the_first_words_of_the_body():
    words_ = " ".join(f"word{n}" for n in range(20))
    assert read_item(body_text=words_).title == " ".join(f"word{n}" for n in range(12)) + "…"


def test_an_item_without_a_uri_is_read_with_a_note():
    item = ninjs.read(b'{"headline": "Quay closed", "body_text": "Closed."}').items[0]
    assert item.guid == ""
    assert item.notes  # it says why the importer can identify it by its link only


def test_a_list_under_items_is_read_and_non_objects_are_skipped_with_a_warning():
    feed = ninjs.read(json.dumps({"items": [{"uri": "urn:a", "headline": "A"}, 3]}).encode())
    assert [item.guid for item in feed.items] == ["urn:a"]
    assert "1 entries" in feed.warning


# Vocabulary: logged, never refused


def test_unknown_vocabulary_values_are_logged_and_read(caplog):
    with caplog.at_level(logging.INFO, logger="wagtail_mediawire"):
        items = ninjs.read(content("ninjs-list.json")).items
        ferry = one("ninjs-3.json")
    market = items[2]
    assert market.status == USABLE  # "provisional" is not IPTC's: read as usable
    assert market.urgency is None  # 11 is outside 1 to 9
    assert "npa:frontpage" in ferry.signals  # kept as written
    assert "Unknown publication status 'provisional'" in caplog.text
    assert "market-hall" in caplog.text  # which item said it
    assert "Urgency 11" in caplog.text
    assert "Unknown signal 'npa:frontpage'" in caplog.text


def test_an_unknown_type_with_a_body_is_read_as_text_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="wagtail_mediawire"):
        item = read_item(type="article", body_text="Quay open.")
    assert item.kind == "text"
    assert "Unknown ninjs type 'article'" in caplog.text


# Dates


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("2025-03-14T06:30:00+0000", datetime(2025, 3, 14, 6, 30, tzinfo=UTC)),
        ("2025-03-14T06:30:00+00:00", datetime(2025, 3, 14, 6, 30, tzinfo=UTC)),
        ("2025-03-14T06:30:00Z", datetime(2025, 3, 14, 6, 30, tzinfo=UTC)),
        ("2025-03-14T06:30:00", datetime(2025, 3, 14, 6, 30, tzinfo=UTC)),
        ("2025-03-14T07:30:00+0100", datetime(2025, 3, 14, 6, 30, tzinfo=UTC)),
        ("20250314T073000+0100", datetime(2025, 3, 14, 6, 30, tzinfo=UTC)),
    ],
)
def test_dates_in_every_spelling(written, meant):
    item = read_item(versioncreated=written, embargoed=written, expires=written)
    assert item.published_at == item.embargoed_until == item.expires_at == meant


# What is refused, in words an editor reads


@pytest.mark.parametrize("read", [ninjs.read, formats.read_document])
def test_broken_json_is_refused_with_a_readable_message(read):
    with pytest.raises(FeedError, match="not valid JSON"):
        read(b'{"uri": "urn:a", "headline": "Cut off')


@pytest.mark.parametrize("body", [b"[]", b'{"items": []}'])
def test_json_with_no_items_is_refused(body):
    with pytest.raises(FeedError, match="no items"):
        ninjs.read(body)
    with pytest.raises(FeedError, match="ninjs"):  # detection says what it is not
        formats.read_document(body)


def test_json_that_is_not_a_ninjs_item_is_refused():
    with pytest.raises(FeedError, match="not a ninjs item"):
        ninjs.read(b'{"hello": "world"}')
    with pytest.raises(FeedError, match="ninjs"):
        formats.read_document(b'{"hello": "world"}')


def test_json_of_a_list_of_non_objects_is_refused():
    with pytest.raises(FeedError, match="no items"):
        ninjs.read(b"[1, 2]")


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(FeedError, match="UTF-8"):
        ninjs.read(b'{"uri": "urn:a", "headline": "Caf\xe9"}')


def test_json_nested_too_deeply_is_refused_not_crashed():
    with pytest.raises(FeedError, match="nested too deeply"):
        ninjs.read(b"[" * 100_000 + b"]" * 100_000)
