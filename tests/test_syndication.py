"""A section's outgoing feeds (syndication): RSS, Atom and JSON, read as feed readers read them."""

import json
import time
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from wagtail_mediawire.factories import MediaWireArticlePageFactory
from wagtail_mediawire.models import MediaWireArticlePage

pytestmark = pytest.mark.django_db
FEEDS = {"rss": "feed/", "atom": "feed/atom/", "json": "feed/json/"}


def report(section, slug: str, **kwargs) -> MediaWireArticlePage:
    kwargs.setdefault("body__0__source__name", "Northwind Press Agency")
    kwargs.setdefault("body__0__source__url", f"https://northwind.example/reports/{slug}")
    return MediaWireArticlePageFactory(
        parent=section, slug=slug, title=f"Report {slug}", summary=f"Summary of {slug}.", **kwargs
    )


@pytest.fixture
def desk(section):
    """Two public reports, and three a reader may not see."""
    pages = {name: report(section, name) for name in ("first", "second")}
    pages["draft"] = report(section, "draft", live=False)
    pages["expired"] = report(section, "expired", expire_at=timezone.now() - timedelta(hours=1))
    pages["private"] = report(section, "private")
    PageViewRestriction.objects.create(
        page=pages["private"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    return pages


def parsed(client, section, kind: str):
    response = client.get(section.url + FEEDS[kind])
    assert response.status_code == 200, response.status_code
    if kind == "json":
        assert response["Content-Type"].startswith("application/feed+json")
        return json.loads(response.content)
    return feedparser.parse(response.content)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_rss_and_atom_list_public_articles_with_their_source(client, section, desk, kind):
    feed = parsed(client, section, kind)

    assert not feed.bozo
    assert feed.version == {"rss": "rss20", "atom": "atom10"}[kind]
    titles = {entry.title for entry in feed.entries}
    assert titles == {"Report first", "Report second"}
    entry = next(e for e in feed.entries if e.title == "Report first")
    assert entry.link == "http://localhost/wire/first/"
    assert "Summary of first." in entry.summary
    assert "Source: Northwind Press Agency" in entry.summary
    if kind == "rss":
        assert entry.source == {
            "href": "https://northwind.example/reports/first",
            "title": "Northwind Press Agency",
        }
    else:
        via = [link.href for link in entry.links if link.rel == "via"]
        assert via == ["https://northwind.example/reports/first"]


def test_json_feed_lists_public_articles_with_their_original(client, section, desk):
    feed = parsed(client, section, "json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == "http://localhost/wire/"
    items = {item["title"]: item for item in feed["items"]}
    assert set(items) == {"Report first", "Report second"}
    first = items["Report first"]
    assert first["url"] == first["id"] == "http://localhost/wire/first/"
    assert first["external_url"] == "https://northwind.example/reports/first"
    assert first["summary"] == "Summary of first."
    assert first["authors"] == [{"name": "Northwind Press Agency"}]


def test_a_restricted_section_answers_its_feeds_as_its_page(client, section, desk):
    PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    page = client.get(section.url)
    for path in FEEDS.values():
        response = client.get(section.url + path)
        assert response.status_code == page.status_code
        assert response["Content-Type"].startswith("text/html")
        assert b"Report first" not in response.content


def test_feeds_are_cached_invalidated_and_conditional(client, section, desk):
    url = section.url + "feed/"
    first = client.get(url)
    with CaptureQueriesContext(connection) as again:
        second = client.get(url)
    assert second.content == first.content
    assert not any("wagtail_mediawire_mediawirearticlepage" in q["sql"] for q in again)

    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    report(section, "third")  # published: the same invalidation as Recent Posts
    third = client.get(url)
    assert b"Report third" in third.content
    assert third["ETag"] != first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_a_feed_costs_the_same_queries_whatever_the_item_count(client, section, kind):
    from django.core.cache import cache

    report(section, "one")
    client.get(section.url + FEEDS[kind])  # warm: site root paths
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(section.url + FEEDS[kind])
    for n in range(12):
        report(section, f"more-{n}")
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        body = client.get(section.url + FEEDS[kind]).content
    assert b"Report more-11" in body
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_feed_is_cached_per_language(client, section, desk):
    from django.utils import translation

    with translation.override("de"):
        german = client.get(f"{section.url}feed/").content.decode()
    with translation.override("fa"):
        persian = client.get(f"{section.url}feed/").content.decode()
    assert "Quelle: " in german and "Quelle: " not in persian
    assert "Source: " not in persian


def test_section_and_article_pages_link_their_feeds(client, section, desk):
    for page in (section, desk["first"]):
        html = client.get(page.url).content.decode()
        for media_type, path in (
            ("application/rss+xml", "feed/"),
            ("application/atom+xml", "feed/atom/"),
            ("application/feed+json", "feed/json/"),
        ):
            link = f'<link rel="alternate" type="{media_type}" href="http://localhost/wire/{path}">'
            assert link in html


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_conditional_gets_as_django_reads_them(client, section, desk, kind):
    from django.utils.http import http_date, parse_http_date

    url = section.url + FEEDS[kind]
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    timestamp = parse_http_date(modified)
    for headers in (
        {"HTTP_IF_NONE_MATCH": f"W/{etag}"},  # weak: a proxy that compressed it
        {"HTTP_IF_NONE_MATCH": f'"other", {etag}'},  # a list
        {"HTTP_IF_NONE_MATCH": "*"},
        # The same date in the two obsolete forms HTTP still accepts.
        {
            "HTTP_IF_MODIFIED_SINCE": time.strftime(
                "%A, %d-%b-%y %H:%M:%S GMT", time.gmtime(timestamp)
            )
        },
        {"HTTP_IF_MODIFIED_SINCE": time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(timestamp))},
        {"HTTP_IF_MODIFIED_SINCE": http_date(timestamp + 60)},  # later than the feed
    ):
        response = client.get(url, **headers)
        assert response.status_code == 304, headers
        assert response["ETag"] == etag
    for headers in (
        {"HTTP_IF_NONE_MATCH": '"other"'},
        {"HTTP_IF_MODIFIED_SINCE": http_date(timestamp - 60)},
        # An ETag that does not match wins over a date that does (RFC 9110).
        {"HTTP_IF_NONE_MATCH": '"other"', "HTTP_IF_MODIFIED_SINCE": modified},
    ):
        assert client.get(url, **headers).status_code == 200, headers


def test_a_cached_feed_drops_an_article_when_it_expires(client, section, desk):
    report(section, "soon", expire_at=timezone.now() + timedelta(minutes=5))
    url = section.url + FEEDS["rss"]
    assert b"Report soon" in client.get(url).content
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        with CaptureQueriesContext(connection) as refill:
            body = client.get(url).content
    assert b"Report soon" not in body and b"Report first" in body
    assert any("wagtail_mediawire_mediawirearticlepage" in q["sql"] for q in refill)


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_control_characters_never_take_a_feed_down(client, section, kind):
    article = report(section, "pasted")
    # As a word processor's paste or an older import left them, under the editor's checks.
    MediaWireArticlePage.objects.filter(pk=article.pk).update(
        title="Ferries\x0bresume\x01 at\x1f dawn",
        excerpt="Crossings\x0cresume\x1f.",
        source_name="Northwind\x02 Press",
    )
    data = parsed(client, section, kind)
    entries = data["items"] if kind == "json" else data.entries
    assert entries[0]["title"] == "Ferries resume at dawn"
    text = json.dumps(data, default=str)
    assert not any(char in text for char in ("\\u0001", "\\u0000", "\\u000b", "\\u0002"))
