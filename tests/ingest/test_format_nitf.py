"""IPTC NITF 3.x read into the normalised item: every field, the body's every word, and
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
from wagtail_mediawire.ingest.formats import nitf
from wagtail_mediawire.ingest.item import CANCELED, USABLE, WITHHELD, FeedError
from wagtail_mediawire.ingest.xml import local, read_xml

FIXTURES = Path(__file__).parent / "formats"
WORD = re.compile(r"\w+")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def only_item(content: bytes):
    items = nitf.read(content).items
    assert len(items) == 1
    return items[0]


def words(text: str) -> list[str]:
    return WORD.findall(text)


def html_words(html: str) -> set[str]:
    return set(words(unescape(strip_tags(html.replace("><", "> <")))))


def body_words(content: bytes) -> list[str]:
    """The words of the fixture's body.content, pictures (renditions) left out."""
    root = read_xml(content)
    body = next(e for e in root.iter() if local(e.tag) == "body.content")
    for parent in list(body.iter()):
        for child in list(parent):
            if local(child.tag) == "media":
                parent.remove(child)
    return words(" ".join(body.itertext()))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def document(doctype: str = "", docdata: str = ">", body: str = "<p>Text.</p>") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
        f"<nitf><head><docdata{docdata}</docdata></head>"
        f"<body><body.head><hedline><hl1>Quay news</hl1></hedline></body.head>"
        f"<body.content>{body}</body.content></body></nitf>"
    ).encode()


# The fixtures, field by field


def test_latin1_fixture_every_field():
    content = fixture("nitf.xml")
    assert b'encoding="ISO-8859-1"' in content and b'<!DOCTYPE nitf SYSTEM "nitf.dtd">' in content
    item = only_item(content)
    assert item.guid == "nwpa-2025-0314-0042"
    assert item.link == "https://wire.northwind.example/2025/03/port-avalon-cafe-reopens"
    # The headline is plain text: its <em> is read, not kept.
    assert item.title == "Harbour café in Port Avalon reopens after storm"
    assert item.byline == "By Maëlle Ørsted, Northwind Press Agency"
    assert item.dateline == "Port Avalon, March 14"
    assert item.language == "en-GB"
    assert item.status == USABLE
    assert item.urgency == 4
    assert item.version == 3
    assert item.signals == ()
    # Basic format dates (20250314T093000+0000).
    assert item.published_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    # date.release later than date.issue: an embargo.
    assert item.embargoed_until == datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
    assert item.expires_at == datetime(2025, 4, 14, tzinfo=UTC)
    assert item.ednote == "Embargoed until noon UTC. Not for publication before then."
    assert item.subjects == (
        ("subj:04000000", "Economy, Business and Finance"),
        ("subj:04015000", "Tourism and leisure"),
    )
    assert item.usage_terms == "Editorial use only. No archiving. © 2025 Northwind Press Agency"
    assert item.kind == "text"
    assert item.notes == ()


def test_latin1_body_keeps_every_word_and_its_structure():
    content = fixture("nitf.xml")
    item = only_item(content)
    source = body_words(content)
    assert "Café" in source and "brûlée" in source  # decoded as ISO-8859-1
    missing = [word for word in source if word not in html_words(item.html)]
    assert missing == []
    # Subheads are paragraphs, lists stay lists, blocks and quotations give up their
    # wrappers; nothing but the paragraph block's tags.
    assert "<p>Volunteers rebuilt the terrace</p>" in item.html
    assert "<ul>" in item.html and "<li>storm shutters</li>" in item.html
    assert "<p>It smells like home again.</p>" in item.html
    assert not re.search(r"<(?!/?(p|ul|ol|li|b|i|a|br)\b)", item.html)


def test_editors_note_and_picture_stay_out_of_the_body():
    item = only_item(fixture("nitf.xml"))
    assert "Embargoed until noon" not in item.html
    assert "noon" not in html_words(item.html)
    # A media element is the item's picture, not text: its caption goes with it.
    assert "Friday morning" not in item.html
    assert [(r.url, r.credit, r.media_type) for r in item.renditions] == [
        (
            "https://photos.northwind.example/2025/03/cafe-lumiere.jpg",
            "Northwind Press Agency / Ilse Varga",
            "image/jpeg",
        )
    ]
    assert item.image_url == item.renditions[0].url


def test_utf8_fixture_with_namespace_meta_ids_and_logged_vocabulary(caplog):
    content = fixture("nitf-utf8.xml")
    assert b'encoding="utf8"' in content
    with caplog.at_level(logging.INFO, logger="wagtail_mediawire"):
        item = only_item(content)
    assert item.guid == "urn:northwind:nitf:2025-0315-0007"  # head/meta, no doc-id
    assert item.link == ""  # no public address in the document
    assert item.title == "Régate de Saint-Aubel : l'équipage « Mistral » en tête"
    assert item.byline == "Par Aurélie Nørgaard"
    assert item.dateline == "Saint-Aubel"
    assert item.language == "fr"  # head/meta, no xml:lang
    # Unknown status and urgency: logged, read as usable and as no urgency, not refused.
    assert item.status == USABLE
    assert item.urgency is None
    logged = caplog.text
    assert "Unknown publication status 'provisional'" in logged
    assert "Urgency '12'" in logged
    # A zone-less basic date is UTC; a release at the issue time is no embargo.
    assert item.published_at == datetime(2025, 3, 15, 8, 0, tzinfo=UTC)
    assert item.embargoed_until is None
    assert item.expires_at is None
    assert item.version == 1
    assert item.ednote == (
        "Classement provisoire : résultats définitifs vers 18 h.\nPhotos à suivre."
    )
    assert item.subjects == (("subj:15000000", "Sport"), ("nwpa:regatta", "Voile"))
    assert item.renditions == () and item.image_url == ""
    # Definition lists and tables: each term, definition and row its own paragraph.
    assert "<p>Première manche</p>" in item.html
    assert "Mistral, Zéphyr, Noroît" in item.html
    missing = [word for word in body_words(content) if word not in html_words(item.html)]
    assert missing == []
    assert "provisoire" not in item.html


@pytest.mark.parametrize("name", ["nitf.xml", "nitf-utf8.xml"])
def test_detected_and_read_as_nitf(name):
    content = fixture(name)
    assert formats.detect(content) == "nitf"
    assert formats.read_document(content).items == nitf.read(content).items
    assert formats.read_document(content, "nitf").items == nitf.read(content).items


# Decisions


@pytest.mark.parametrize(
    ("docdata", "status", "embargo"),
    [
        # embargoed with a release date: usable, under embargo until then.
        (
            ' management-status="embargoed"><date.issue norm="20250601T080000"/>'
            '<date.release norm="20250601T080000"/>',
            USABLE,
            datetime(2025, 6, 1, 8, tzinfo=UTC),
        ),
        # embargoed without one: held back.
        (' management-status="embargoed">', WITHHELD, None),
        (' management-status="canceled">', CANCELED, None),
        (' management-status="withheld">', WITHHELD, None),
        # a release later than the issue, in another zone.
        (
            '><date.issue norm="20250601T080000+0000"/><date.release norm="20250601T120000+0200"/>',
            USABLE,
            datetime(2025, 6, 1, 10, tzinfo=UTC),
        ),
        # a release alone: an embargo.
        (
            '><date.release norm="2025-06-01T08:00:00+0000"/>',
            USABLE,
            datetime(2025, 6, 1, 8, tzinfo=UTC),
        ),
    ],
)
def test_status_and_embargo(docdata, status, embargo):
    item = only_item(document(docdata=docdata))
    assert item.status == status
    assert item.embargoed_until == embargo


def test_embargo_keeps_its_zone():
    item = only_item(document(docdata='><date.release norm="20131020T192751+1100"/>'))
    assert item.embargoed_until == datetime(
        2013, 10, 20, 19, 27, 51, tzinfo=timezone(timedelta(hours=11))
    )


def test_hostile_body_is_cleaned_and_unsafe_links_dropped():
    item = only_item(
        document(
            body='<p onclick="x()">Winds <a href="javascript:alert(1)">here</a>.</p>'
            "<script>document.cookie</script>"
            '<media media-type="image"><media-reference source="javascript:alert(2)"/></media>'
        )
    )
    assert "script" not in item.html and "cookie" not in item.html
    assert "javascript" not in item.html and "onclick" not in item.html
    assert "Winds" in item.html and "here" in item.html
    assert item.renditions == ()


def test_a_title_less_document_takes_words_of_its_body():
    content = (
        b"<nitf><head/><body><body.content><p>Snow closed the Tarn pass road on "
        b"Sunday.</p></body.content></body></nitf>"
    )
    item = only_item(content)
    assert item.title.startswith("Snow closed the Tarn pass")
    assert item.guid == ""


# Refusals


def test_broken_document_is_refused_with_a_readable_message():
    content = fixture("nitf-utf8.xml")[:600]
    with pytest.raises(FeedError, match="not well-formed XML"):
        nitf.read(content)


def test_another_format_is_refused():
    with pytest.raises(FeedError, match="not a NITF document.*<newsItem>"):
        nitf.read(fixture("newsml-item.xml"))


def test_entity_bomb_is_refused():
    bomb = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    ]
    content = document(doctype="<!DOCTYPE nitf [" + "".join(bomb) + "]>", body="<p>&lol9;</p>")
    started = time.monotonic()
    with pytest.raises(FeedError, match="entity"):
        nitf.read(content)
    assert time.monotonic() - started < 2


def test_external_entity_is_refused_and_nothing_read():
    content = document(
        doctype='<!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]>', body="<p>&x;</p>"
    )
    with pytest.raises(FeedError, match="entity") as refused:
        nitf.read(content)
    assert "root:" not in str(refused.value)


def test_dtd_is_never_read_from_disk_or_network(tmp_path, monkeypatch):
    # Read, this DTD would give the root element an attribute.
    dtd = tmp_path / "nitf.dtd"
    dtd.write_text('<!ATTLIST nitf marker CDATA "the-dtd-was-read">')
    connections = []

    def connect(self, address):
        connections.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    # The control: a declaration the reader does read (the internal subset's) would show.
    control = b'<!DOCTYPE nitf [<!ATTLIST nitf marker CDATA "read">]><nitf/>'
    assert read_xml(control).get("marker") == "read"
    for system in (dtd.as_uri(), f"http://127.0.0.1:{closed_port()}/nitf.dtd"):
        content = document(doctype=f'<!DOCTYPE nitf SYSTEM "{system}">')
        started = time.monotonic()
        item = only_item(content)
        assert time.monotonic() - started < 1
        assert item.title == "Quay news"
        assert read_xml(content).get("marker") is None
    assert connections == []
