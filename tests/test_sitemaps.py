"""Articles in Wagtail's sitemap and in the Google News sitemap, read with an XML parser."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory
from wagtail_mediawire.models import MediaWireArticlePage
from wagtail_mediawire.models.pages import SeoPolicy

pytestmark = pytest.mark.django_db
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def article(section, slug, **kwargs):
    return MediaWireArticlePageFactory(
        parent=section, slug=slug, title=f"Report {slug}",
        body__0__source__url=f"https://northwind.example/{slug}", **kwargs,
    )  # fmt: skip


def read(client, url: str) -> ElementTree.Element:
    response = client.get(url)
    assert response.status_code == 200
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own test output)


@pytest.fixture
def desk(root_page, section):
    """Articles under every policy, and one a reader may not see."""
    quiet = MediaWireIndexPageFactory(
        parent=root_page, slug="syndicated", seo_policy=SeoPolicy.NOINDEX_NEWS
    )
    pages = {
        "indexed": article(section, "indexed"),
        "own-noindex": article(section, "own-noindex", seo_policy=SeoPolicy.NOINDEX_NEWS),
        "own-canonical": article(
            section, "own-canonical", seo_policy=SeoPolicy.CANONICAL_TO_SOURCE
        ),
        "section-noindex": article(quiet, "section-noindex"),
        "private": article(section, "private"),
        "old": article(section, "old"),
    }
    PageViewRestriction.objects.create(
        page=pages["private"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    MediaWireArticlePage.objects.filter(pk=pages["old"].pk).update(
        first_published_at=timezone.now() - timedelta(days=3)
    )
    return pages


def test_the_sitemap_lists_only_articles_under_the_index_policy(client, desk):
    locations = {loc.text for loc in read(client, "/sitemap.xml").findall("s:url/s:loc", NS)}
    assert "http://localhost/wire/indexed/" in locations
    assert "http://localhost/wire/old/" in locations
    for left_out in ("own-noindex", "own-canonical", "section-noindex/", "private"):
        assert not any(left_out in location for location in locations), left_out
    desk["indexed"].save_revision().publish()
    entry = next(
        url for url in read(client, "/sitemap.xml").findall("s:url", NS)
        if url.find("s:loc", NS).text.endswith("/indexed/")
    )  # fmt: skip
    assert entry.find("s:lastmod", NS) is not None


def test_the_sitemaps_section_policies_cost_one_query(client, desk, section):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/sitemap.xml")  # warm: site root paths, content types
    with CaptureQueriesContext(connection) as few:
        client.get("/sitemap.xml")
    for n in range(10):
        article(section, f"more-{n}")
    with CaptureQueriesContext(connection) as more:
        client.get("/sitemap.xml")
    policy_queries = [
        q for q in more.captured_queries if '"section_seo_policy"' in q["sql"]
    ]  # fmt: skip
    assert len(policy_queries) == 1
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_news_sitemap_lists_recent_indexed_public_articles(client, desk):
    root = read(client, "/news-sitemap.xml")
    urls = root.findall("s:url", NS)
    assert [url.find("s:loc", NS).text for url in urls] == ["http://localhost/wire/indexed/"]
    news = urls[0].find("news:news", NS)
    assert news.find("news:publication/news:name", NS).text == "Test site"
    assert news.find("news:publication/news:language", NS).text == "en"
    assert news.find("news:title", NS).text == "Report indexed"
    published = desk["indexed"].first_published_at.replace(microsecond=0)
    assert news.find("news:publication_date", NS).text == published.isoformat()


def test_control_characters_leave_the_news_sitemap_well_formed(client, section):
    page = article(section, "pasted")
    MediaWireArticlePage.objects.filter(pk=page.pk).update(
        title="Ferries\x0bresume\x01 at\x1f dawn"
    )
    title = read(client, "/news-sitemap.xml").find("s:url/news:news/news:title", NS)
    assert title.text == "Ferries resume at dawn"
