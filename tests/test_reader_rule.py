"""The reader rule (``ArticleQuerySet.for_readers``) in every public output: the section
page, Recent Posts, the three section feeds, both sitemaps and the API listing.

One desk holds an article a reader may see and five they may not: expired (still
``live``, as Wagtail leaves it until ``publish_scheduled`` runs), under a view
restriction, a draft, on another site, and an alias beside its original.
"""

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from tests.utils import page_model
from wagtail_mediawire.cache import invalidate
from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory
from wagtail_mediawire.models import MediaWireArticlePage
from wagtail_mediawire.recent import query_recent_posts

pytestmark = pytest.mark.django_db
HIDDEN = ("expired", "private", "draft", "elsewhere")


def report(section, slug: str, **kwargs):
    return MediaWireArticlePageFactory(
        parent=section, slug=slug, title=f"Report {slug}",
        body__0__source__name="Northwind Press Agency",
        body__0__source__url=f"https://northwind.example/{slug}", **kwargs,
    )  # fmt: skip


@pytest.fixture
def desk(root_page, section):
    pages = {
        "visible": report(section, "visible"),
        "expired": report(section, "expired"),
        "private": report(section, "private"),
        "draft": report(section, "draft", live=False),
    }
    MediaWireArticlePage.objects.filter(pk=pages["expired"].pk).update(
        expire_at=timezone.now() - timedelta(minutes=1)
    )
    PageViewRestriction.objects.create(
        page=pages["private"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    other_home = root_page.get_parent().add_child(
        instance=page_model()(title="Other home", slug="other-home")
    )
    Site.objects.create(hostname="other.example", root_page=other_home)
    other_section = MediaWireIndexPageFactory(parent=other_home, slug="wire", title="Other wire")
    pages["elsewhere"] = report(other_section, "elsewhere")
    pages["alias"] = pages["visible"].create_alias(update_slug="visible-again")
    return pages


def slugs_in(text: str, desk) -> set[str]:
    return {name for name in [*HIDDEN, "visible", "visible-again"] if f"/{name}/" in text}


def counted(client, url: str):
    client.get(url)  # warm: content types, the site's root paths
    invalidate()  # and render afresh, not from the page's cached fragments
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def test_the_section_page_lists_only_what_a_reader_may_see(client, desk):
    html, queries = counted(client, "/wire/")
    assert slugs_in(html, desk) == {"visible"}
    # 7 before the rule had one home (view restrictions are a subquery), 6 before the
    # page's own restrictions took one query.
    assert queries == 5


def test_recent_posts_list_only_what_a_reader_may_see(desk):
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    site = Site.find_for_request(request)
    query_recent_posts(site=site, count=10, request=request)
    with CaptureQueriesContext(connection) as queries:
        posts, _ = query_recent_posts(site=site, count=10, request=request)
    assert slugs_in(" ".join(post.url for post in posts), desk) == {"visible"}
    assert len(queries) == 1  # the posts, view restrictions in the same query (2 before)


@pytest.mark.parametrize("kind", ["", "atom/", "json/"])
def test_the_section_feeds_list_only_what_a_reader_may_see(client, desk, kind):
    # Each fetch misses the cache: publishing anything clears it, and this counts a fill.
    text, _ = counted(client, f"/wire/feed/{kind}")
    assert slugs_in(text, desk) == {"visible"}
    invalidate()
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/wire/feed/{kind}")
    assert len(queries) == 5  # 7, then 6 before the section's restrictions took one query


def test_wagtails_sitemap_lists_only_what_a_reader_may_see(client, desk):
    xml, queries = counted(client, "/sitemap.xml")
    locations = {loc.text for loc in ElementTree.fromstring(xml).iter()}  # noqa: S314
    assert slugs_in(" ".join(filter(None, locations)), desk) == {"visible"}
    # Wagtail's own (the site, its view restrictions, the pages…) and the package's
    # one for the whole sitemap, in place of the section policies' query: 8 before.
    assert queries == 8


def test_the_news_sitemap_lists_only_what_a_reader_may_see(client, desk):
    xml, queries = counted(client, "/news-sitemap.xml")
    ElementTree.fromstring(xml)  # noqa: S314 (our own test output)
    assert slugs_in(xml, desk) == {"visible"}
    assert queries == 2  # the site, the articles with their sections' policies (4 before)


def test_the_api_lists_only_what_a_reader_may_see(client, desk):
    url = "/api/v2/pages/?type=wagtail_mediawire.MediaWireArticlePage&fields=-locale"
    text, queries = counted(client, url)
    items = json.loads(text)["items"]
    assert [item["meta"]["slug"] for item in items] == ["visible"]
    assert json.loads(text)["meta"]["total_count"] == 1
    for hidden in ("expired", "alias"):
        assert client.get(f"/api/v2/pages/{desk[hidden].pk}/").status_code == 404
    assert queries == 6  # as before: the rule is a subquery of Wagtail's own listing
