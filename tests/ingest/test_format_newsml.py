"""IPTC NewsML-G2 read into the normalised item: a newsItem, a newsMessage whose package
ties a picture to its text, a canceled item with an editor's note for editors only, and
the safe XML reader's refusals (entities) and silences (a DTD is never read).

No database: the reader is a function of the document's bytes.
"""

import logging
import re
import socket
import time
from datetime import UTC, datetime, timedelta, timezone
from html import unescape
from pathlib import Path

import pytest
from django.utils.html import strip_tags

from wagtail_mediawire.ingest import formats
from wagtail_mediawire.ingest.formats import newsml
from wagtail_mediawire.ingest.item import CANCELED, USABLE, WITHHELD, FeedError
from wagtail_mediawire.ingest.xml import local, read_xml

FIXTURES = Path(__file__).parent / "formats"
WORD = re.compile(r"\w+")
NAR = "http://iptc.org/std/nar/2006-10-01/"
TEXT = "urn:newsml:northwind.example:20250315:lighthouse"
LONE_PHOTO = "urn:newsml:northwind.example:20250315:harbour-photo"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def words(text: str) -> list[str]:
    return WORD.findall(text)


def html_words(html: str) -> set[str]:
    return set(words(unescape(strip_tags(html.replace("><", "> <")))))


def source_words(content: bytes, guid: str | None = None) -> list[str]:
    """The words of an item's inlineXML body (less its script) or inlineData."""
    root = read_xml(content)
    item = next(
        e for e in root.iter() if local(e.tag) == "newsItem" and guid in (None, e.get("guid"))
    )
    for element in item.iter():
        name = local(element.tag)
        if name == "body":
            for parent in list(element.iter()):
                for child in list(parent):
                    if local(child.tag) == "script":
                        parent.remove(child)
            return words(" ".join(element.itertext()))
        if name == "inlineData":
            return words(element.text)
    raise AssertionError("no body")


def item_document(item_meta: str = "", content_meta: str = "", content_set: str = "", **attrs):
    attributes = " ".join(f'{k}="{v}"' for k, v in {"guid": "urn:test:1", **attrs}.items())
    return (
        f'<newsItem xmlns="{NAR}" {attributes}>'
        f'<itemMeta><itemClass qcode="ninat:text"/>{item_meta}</itemMeta>'
        f"<contentMeta><headline>Quay news</headline>{content_meta}</contentMeta>"
        f"<contentSet>{content_set}</contentSet></newsItem>"
    ).encode()


def only_item(content: bytes):
    items = newsml.read(content).items
    assert len(items) == 1
    return items[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# newsml-item.xml


def test_news_item_every_field(caplog):
    with caplog.at_level(logging.INFO, logger="wagtail_mediawire"):
        item = only_item(fixture("newsml-item.xml"))
    assert item.guid == "urn:newsml:northwind.example:20250314:nwpa-ferry-strike"
    assert item.version == 4
    assert item.link == "https://wire.northwind.example/2025/03/14/ferry-strike"
    # The headline without a role, not the subhead that comes first.
    assert item.title == "Kessington ferry crews walk out over rosters"
    assert item.byline == "By Priya Calloway and Emil Strand"
    assert item.dateline == "KESSINGTON, March 14"
    assert item.language == "en-GB"
    assert item.status == USABLE
    assert item.urgency == 3
    # versionCreated in +0000; the embargo without a zone is UTC.
    assert item.published_at == datetime(2025, 3, 14, 10, 15, tzinfo=UTC)
    assert item.embargoed_until == datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    assert item.expires_at == datetime(2025, 3, 21, tzinfo=UTC)
    # A known signal by its meaning; an unknown one kept as written, and logged.
    assert item.signals == ("update", "nwpsig:flashback")
    assert "Unknown signal 'nwpsig:flashback'" in caplog.text
    assert item.ednote == "Updates with the union's statement in paragraph three."
    assert item.subjects == (("medtop:09000000", "labour"), ("medtop:20000350", "strike"))
    assert item.usage_terms == "For editorial use by subscribers only. Not for resale."
    assert item.kind == "text"
    assert item.renditions == () and item.image_url == ""


def test_news_item_body_keeps_every_word_and_drops_script():
    content = fixture("newsml-item.xml")
    item = only_item(content)
    missing = [word for word in source_words(content) if word not in html_words(item.html)]
    assert missing == []
    assert '<a href="https://union.kessington.example/statement">union</a>' in item.html
    assert "<p>Operator&#x27;s reply</p>" in item.html  # a subhead, as a paragraph
    assert "<li>Route B: hourly</li>" in item.html
    assert "trackReader" not in item.html  # the script's text is not the report
    assert "paragraph three" not in item.html  # the editor's note
    assert "<h" not in item.html and "blockquote" not in item.html


# newsml-message.xml


def test_message_ties_the_packaged_picture_to_its_text():
    items = newsml.read(fixture("newsml-message.xml")).items
    # The packaged picture is the text's rendition, not an item; the package is not an
    # item; the picture no package ties is returned as a picture.
    assert [(item.guid, item.kind) for item in items] == [(TEXT, "text"), (LONE_PHOTO, "picture")]
    text, lone = items
    assert [r.url for r in text.renditions] == [
        "https://photos.northwind.example/lighthouse-web.jpg",
        "https://photos.northwind.example/lighthouse-full.jpg",
        "https://photos.northwind.example/lighthouse-thumb.jpg",
    ]
    assert text.image_url == "https://photos.northwind.example/lighthouse-web.jpg"
    first = text.renditions[0]
    assert first.credit == "Northwind Press Agency / Oona Reyes"
    assert first.usage_terms == "Photo: editorial use only, credit required."
    assert first.media_type == "image/jpeg"
    assert lone.html == "" and lone.image_url == "https://photos.northwind.example/harbour.jpg"
    assert lone.title == "Fishing boats in Cape Morrow harbour at dawn"
    # A zone-less versionCreated is UTC.
    assert lone.published_at == datetime(2025, 3, 15, 5, 40, tzinfo=UTC)


def test_message_text_item_fields_and_plain_text_body():
    content = fixture("newsml-message.xml")
    text = newsml.read(content).items[0]
    assert text.title == "Cape Morrow lighthouse lit again after 40 years"
    # No link element: the alternative id that is a URL, not the internal one.
    assert text.link == "https://wire.northwind.example/2025/03/15/lighthouse"
    assert text.dateline == "Cape Morrow"  # located/name, no dateline
    assert text.language == "en"
    assert text.urgency == 5
    assert text.version == 1
    assert text.published_at == datetime(2025, 3, 15, 6, 0, tzinfo=UTC)
    assert text.usage_terms == "Editorial use only."
    # inlineData: a paragraph per blank line, every word kept, the text escaped.
    assert text.html.count("<p>") == 3
    assert "lamp &amp; lens" in text.html
    missing = [word for word in source_words(content, TEXT) if word not in html_words(text.html)]
    assert missing == []


def test_lone_picture_item_and_lone_package():
    picture = item_document(
        content_set='<remoteContent href="https://photos.northwind.example/p.jpg" '
        'contenttype="image/jpeg"/><remoteContent href="javascript:alert(1)"/>'
    ).replace(b"ninat:text", b"ninat:picture")
    item = only_item(picture)
    assert item.kind == "picture"
    assert [r.url for r in item.renditions] == ["https://photos.northwind.example/p.jpg"]
    package = (
        f'<packageItem xmlns="{NAR}" guid="urn:test:pkg" version="2"><itemMeta>'
        '<itemClass qcode="ninat:composite"/><pubStatus qcode="stat:usable"/></itemMeta>'
        '<groupSet root="G"><group id="G"><itemRef residref="urn:elsewhere"/></group>'
        "</groupSet></packageItem>"
    ).encode()
    item = only_item(package)
    assert (item.guid, item.kind, item.version, item.html) == ("urn:test:pkg", "package", 2, "")


# newsml-canceled.xml


def test_canceled_item_with_signals_and_editors_notes():
    item = only_item(fixture("newsml-canceled.xml"))
    assert item.status == CANCELED
    assert item.signals == ("correction", "kill")
    assert item.version == 3
    assert item.urgency == 1
    assert item.language == "de"
    # Basic format with an offset.
    assert item.published_at == datetime(2025, 3, 14, 8, 15, tzinfo=timezone(timedelta(hours=1)))
    # Both notes, the public and the non-public, to the editors; never the body.
    assert item.ednote == (
        "Die Meldung wird zurückgezogen.\n"
        "Nicht zur Veröffentlichung: Die Brücke in Lindenfurt ist nicht eingestürzt, "
        "die Quelle war falsch."
    )
    assert "Quelle" not in item.html and "Veröffentlichung" not in item.html
    assert item.html == "<p>Diese Meldung ist zurückgezogen. Bitte nicht verwenden.</p>"


@pytest.mark.parametrize("name", ["newsml-item.xml", "newsml-message.xml", "newsml-canceled.xml"])
def test_detected_and_read_as_newsml_g2(name):
    content = fixture(name)
    assert formats.detect(content) == "newsml-g2"
    assert formats.read_document(content).items == newsml.read(content).items
    assert formats.read_document(content, "newsml-g2").items == newsml.read(content).items


# Decisions


@pytest.mark.parametrize(
    ("item_meta", "status", "embargo"),
    [
        ('<pubStatus qcode="stat:withheld"/>', WITHHELD, None),
        ('<pubStatus qcode="stat:usable"/><embargoed/>', WITHHELD, None),
        (
            '<pubStatus qcode="stat:usable"/><embargoed>2025-07-01T06:00:00Z</embargoed>',
            USABLE,
            datetime(2025, 7, 1, 6, tzinfo=UTC),
        ),
        ("", USABLE, None),
    ],
)
def test_status_and_embargo(item_meta, status, embargo):
    item = only_item(item_document(item_meta=item_meta))
    assert (item.status, item.embargoed_until) == (status, embargo)


def test_unknown_status_and_item_class_are_logged_not_refused(caplog):
    content = item_document(
        item_meta='<pubStatus qcode="nwstat:pending"/>',
        content_set="<inlineData>Ferries run again.</inlineData>",
    ).replace(b"ninat:text", b"nwclass:bulletin")
    with caplog.at_level(logging.INFO, logger="wagtail_mediawire"):
        item = only_item(content)
    assert (item.status, item.kind) == (USABLE, "text")
    assert "Unknown publication status 'nwstat:pending'" in caplog.text
    assert "Unknown item class 'nwclass:bulletin'" in caplog.text
    assert item.html == "<p>Ferries run again.</p>"


def test_nitf_carried_in_inline_xml():
    content = item_document(
        content_set='<inlineXML contenttype="application/nitf+xml">'
        '<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.content>'
        "<p>Harbour fees <em>rise</em> in April.</p><hl2>Why</hl2><p>Costs.</p>"
        "</body.content></body></nitf></inlineXML>"
    )
    assert only_item(content).html == (
        "<p>Harbour fees <em>rise</em> in April.</p><p>Why</p><p>Costs.</p>"
    )


def test_a_link_must_be_http():
    content = item_document(
        item_meta='<link rel="irel:canonical" href="javascript:alert(1)"/>',
        content_meta="<altId>ftp://files.example/1</altId>",
    )
    assert only_item(content).link == ""


# Refusals


def test_broken_document_is_refused_with_a_readable_message():
    with pytest.raises(FeedError, match="not well-formed XML"):
        newsml.read(fixture("newsml-item.xml")[:900])


def test_another_format_is_refused():
    with pytest.raises(FeedError, match="not a NewsML-G2 item or message.*<nitf>"):
        newsml.read(fixture("nitf-utf8.xml"))


def test_a_concept_item_is_detected_and_refused():
    content = f'<conceptItem xmlns="{NAR}" guid="urn:test:c"/>'.encode()
    assert formats.detect(content) == "newsml-g2"
    with pytest.raises(FeedError, match="<conceptItem>"):
        formats.read_document(content)


def test_entity_bomb_is_refused():
    bomb = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    ]
    content = (
        b"<!DOCTYPE newsItem ["
        + "".join(bomb).encode()
        + b"]>"
        + item_document(content_set="<inlineData>&lol9;</inlineData>")
    )
    started = time.monotonic()
    with pytest.raises(FeedError, match="entity"):
        newsml.read(content)
    assert time.monotonic() - started < 2


def test_external_entity_is_refused_and_nothing_read():
    content = b'<!DOCTYPE newsItem [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + item_document(
        content_set="<inlineData>&x;</inlineData>"
    )
    with pytest.raises(FeedError, match="entity") as refused:
        newsml.read(content)
    assert "root:" not in str(refused.value)


def test_dtd_is_never_read_from_disk_or_network(tmp_path, monkeypatch):
    dtd = tmp_path / "newsml.dtd"
    dtd.write_text('<!ATTLIST newsItem marker CDATA "the-dtd-was-read">')
    connections = []

    def connect(self, address):
        connections.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    # The control: a declaration the reader does read (the internal subset's) would show.
    control = b'<!DOCTYPE newsItem [<!ATTLIST newsItem marker CDATA "read">]><newsItem/>'
    assert read_xml(control).get("marker") == "read"
    for system in (dtd.as_uri(), f"http://127.0.0.1:{closed_port()}/newsml.dtd"):
        content = f'<!DOCTYPE newsItem SYSTEM "{system}">'.encode() + item_document()
        started = time.monotonic()
        assert only_item(content).title == "Quay news"
        assert time.monotonic() - started < 1
        assert read_xml(content).get("marker") is None
    assert connections == []
