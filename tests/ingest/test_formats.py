"""What every agency format shares: the vocabularies and dates as agencies spell them,
the one safe XML reader, and the detection of a document's format."""

import logging
import socket
from datetime import UTC, datetime, timedelta, timezone

import pytest

from wagtail_mediawire.ingest import vocabulary
from wagtail_mediawire.ingest.formats import detect
from wagtail_mediawire.ingest.item import FeedError
from wagtail_mediawire.ingest.xml import read_xml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T09:30:00Z", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("2026-11-20T09:30:00+0000", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("2026-11-20T09:30:00", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),  # no zone: UTC
        ("2026-11-20 10:30:00+01:00", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("20131020T192751+1100", datetime(2013, 10, 20, 8, 27, 51, tzinfo=UTC)),  # basic
        ("20131020T1927-0230", datetime(2013, 10, 20, 21, 57, tzinfo=UTC)),
        ("20261120", datetime(2026, 11, 20, tzinfo=UTC)),
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
    ],
)
def test_dates_as_agencies_write_them(text, expected):
    moment = vocabulary.wire_datetime(text)
    assert moment == expected and moment.tzinfo is not None


def test_an_unreadable_date_is_none_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="wagtail_mediawire"):
        assert vocabulary.wire_datetime("next Tuesday") is None
    assert "next Tuesday" in caplog.text
    assert vocabulary.wire_datetime("") is None and vocabulary.wire_datetime(None) is None


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("usable", "usable"), ("stat:usable", "usable"), ("Usable", "usable"),
        ("withheld", "withheld"), ("stat:withheld", "withheld"),
        ("canceled", "canceled"), ("cancelled", "canceled"), ("stat:canceled", "canceled"),
        (None, "usable"), ("", "usable"),
    ],
)  # fmt: skip
def test_publication_status_in_every_spelling(value, status):
    assert vocabulary.pubstatus(value) == status


def test_values_outside_the_vocabularies_are_logged_not_refused(caplog):
    with caplog.at_level(logging.INFO, logger="wagtail_mediawire"):
        assert vocabulary.pubstatus("stat:pending-review", where=" in item x") == "usable"
        assert vocabulary.signal("sig:exclusive") == "sig:exclusive"
        assert vocabulary.urgency(12) is None
        assert vocabulary.urgency("high") is None
    for logged in ("stat:pending-review", "in item x", "sig:exclusive", "12", "high"):
        assert logged in caplog.text


def test_signals_urgency_and_versions():
    assert [vocabulary.signal(s) for s in ("sig:correction", "sig:update", "Kill", "edStat:D")] == [
        "correction", "update", "kill", "kill",
    ]  # fmt: skip
    assert vocabulary.pubstatus("edStat:D") == "canceled"  # Reuters: deleted
    assert (vocabulary.urgency("3"), vocabulary.urgency(9), vocabulary.urgency(None)) == (
        3,
        9,
        None,
    )
    assert (vocabulary.version("4"), vocabulary.version(2), vocabulary.version("v2")) == (
        4,
        2,
        None,
    )


# The safe XML reader


def test_encodings_are_read_in_every_spelling():
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><p>Café</p>'.encode("latin-1")
    utf8 = '<?xml version="1.0" encoding="utf8"?><p>Café</p>'.encode()
    bare = "<p>Café</p>".encode()
    assert [read_xml(doc).text for doc in (latin, utf8, bare)] == ["Café"] * 3


def test_a_dtd_named_by_the_document_is_never_read():
    # A closed port on loopback: any attempt to fetch it would fail, not hang.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for system in ("nitf.dtd", "/nonexistent/nitf.dtd", f"http://127.0.0.1:{port}/nitf.dtd"):
        doc = f'<?xml version="1.0"?><!DOCTYPE nitf SYSTEM "{system}"><nitf><head/></nitf>'
        assert read_xml(doc.encode()).tag == "nitf"


@pytest.mark.parametrize(
    "doc",
    [
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>',
        b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]><x>&secret;</x>',
        b'<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]><x/>',
    ],
    ids=["bomb", "external entity", "external parameter entity"],
)
def test_entities_are_refused_with_a_message(doc):
    with pytest.raises(FeedError, match="entity"):
        read_xml(doc)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"<nitf><head></nitf>", "not well-formed XML"),
        (b'<?xml version="1.0" encoding="klingon"?><x/>', "unknown character encoding, klingon"),
        (b'<?xml version="1.0" encoding="utf-8"?><x>\xff</x>', "not in the character encoding"),
    ],
)
def test_broken_xml_is_said_in_plain_words(doc, message):
    with pytest.raises(FeedError, match=message):
        read_xml(doc)


# Detection

NEWSML = "http://iptc.org/std/nar/2006-10-01/"


@pytest.mark.parametrize(
    ("doc", "format_name"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "rss"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "rss"),
        (b'<!-- a comment --><rdf:RDF xmlns:rdf="x"></rdf:RDF>', "rss"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE nitf SYSTEM "nitf.dtd">\n<nitf></nitf>', "nitf"),
        (f'<newsItem xmlns="{NEWSML}" guid="x"/>'.encode(), "newsml-g2"),
        (f'<g2:newsMessage xmlns:g2="{NEWSML}"/>'.encode(), "newsml-g2"),
        (f'<packageItem xmlns="{NEWSML}"/>'.encode(), "newsml-g2"),
        (b'{"uri": "urn:x", "headline": "A"}', "ninjs"),
        (b'\xef\xbb\xbf[{"uri": "urn:x", "headlines": [{"value": "A"}]}]', "ninjs"),
        (b'{"data": {"item": {"uri": "x"}}}', "ap-media"),
        (b'{"data": {"items": [], "next_page": null}}', "ap-media"),
    ],
)
def test_the_format_is_detected_from_the_content(doc, format_name):
    assert detect(doc) == format_name


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"<!DOCTYPE html><html><body>Log in</body></html>", "web page"),
        (b"<catalog><book/></catalog>", "not an RSS or Atom feed"),
        (b'{"uri": "urn:x", ', "not valid JSON"),
        (b'{"weather": "fine"}', "neither ninjs nor"),
        (b"plain words", "not an RSS or Atom feed"),
    ],
)
def test_an_unknown_document_is_said_in_plain_words(doc, message):
    with pytest.raises(FeedError, match=message):
        detect(doc)


def test_zones_compare_as_moments():
    east = vocabulary.wire_datetime("20131020T192751+1100")
    assert east.utcoffset() == timedelta(hours=11)
    assert east == datetime(2013, 10, 20, 19, 27, 51, tzinfo=timezone(timedelta(hours=11)))
