"""What a reader sees: the article page and the section page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from wagtail_mediawire.cache import invalidate
from wagtail_mediawire.factories import (
    DisclaimerFactory,
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><b onmouseover=1>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def _html(client, target, **params):
    response = client.get(target.url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_article_shows_the_reference_order(client, section):
    disclaimer = DisclaimerFactory(text="<p>Retrieved from other agencies.</p>")
    section.default_disclaimer = disclaimer
    section.signature = "Example Media Wire"
    section.save()
    article = MediaWireArticlePageFactory(
        parent=section,
        title="Lighthouse keeper retires",
        body__0__paragraph__value="<p>After forty winters on the cape.</p>",
        body__1__source__name="Cobalt Wire",
        body__1__source__url="https://cobalt.example/keeper",
        body__2__paragraph__value="<p>The light is now automatic.</p>",
        body__3__source__name="Harbourline",
        body__3__source__url="https://harbourline.example/light",
    )
    html = _html(client, article)
    marks = [
        f'<a href="{section.url}">Media Wire</a>',
        'mediawire-article__title">Lighthouse keeper retires</h1>',
        "After forty winters on the cape.",
        "The light is now automatic.",
        "Example Media Wire",
        "Retrieved from other agencies.",
        "https://cobalt.example/keeper",
        "https://harbourline.example/light",
    ]
    # In the page's body: the head names the sources too, in its JSON-LD.
    body = html.index("<body")
    positions = [html.index(mark, body) for mark in marks]
    assert positions == sorted(positions)
    # Sources are gathered at the end, not rendered where they stand in the body.
    assert html.count("mediawire-source__link") == 2
    assert 'rel="noopener external"' in html
    assert "<time datetime=" in html


def test_pages_render_inside_the_wagtail_start_base_template(client, section):
    article = MediaWireArticlePageFactory(parent=section)
    for page in (section, article):
        html = _html(client, page)
        assert "/static/css/testsite.css" in html  # from wagtail start's base.html
        assert "/static/wagtail_mediawire/css/mediawire.css" in html


def test_base_template_is_configurable(client, section, settings):
    settings.WAGTAIL_MEDIAWIRE = {"BASE_TEMPLATE": "custom_base.html"}
    article = MediaWireArticlePageFactory(parent=section)
    assert 'data-base="custom"' in _html(client, article)
    assert 'data-base="custom"' in _html(client, section)


class TestDisclaimerChoice:
    def test_own_block_wins_over_the_section_default(self, client, section):
        section.default_disclaimer = DisclaimerFactory(text="<p>Section default.</p>")
        section.save()
        own = DisclaimerFactory(text="<p>Own disclaimer.</p>")
        article = MediaWireArticlePageFactory(
            parent=section,
            body__0="source",
            body__1__disclaimer__disclaimer=own,
        )
        html = _html(client, article)
        assert "Own disclaimer." in html
        assert "Section default." not in html
        assert html.count('class="mediawire-disclaimer"') == 1

    def test_section_default_when_the_article_has_none(self, client, section):
        section.default_disclaimer = DisclaimerFactory(text="<p>Section default.</p>")
        section.save()
        article = MediaWireArticlePageFactory(parent=section)
        assert "Section default." in _html(client, article)

    def test_none_at_all(self, client, section):
        article = MediaWireArticlePageFactory(parent=section)
        assert 'class="mediawire-disclaimer"' not in _html(client, article)

    def test_deleted_own_snippet_falls_back_to_the_section_default(self, client, section):
        section.default_disclaimer = DisclaimerFactory(text="<p>Section default.</p>")
        section.save()
        own = DisclaimerFactory(text="<p>Own disclaimer.</p>")
        article = MediaWireArticlePageFactory(
            parent=section, body__0="source", body__1__disclaimer__disclaimer=own
        )
        own.delete()
        html = _html(client, article)
        assert "Own disclaimer." not in html
        assert "Section default." in html

    def test_deleted_section_default_leaves_no_disclaimer(self, client, section):
        default = DisclaimerFactory(text="<p>Section default.</p>")
        section.default_disclaimer = default
        section.save()
        article = MediaWireArticlePageFactory(parent=section)
        default.delete()
        html = _html(client, article)
        assert 'class="mediawire-disclaimer"' not in html


def test_original_headline_is_shown_only_when_it_differs(client, section):
    article = MediaWireArticlePageFactory(
        parent=section,
        title="Harbour reopens",
        body__0__source__original_headline="Storm repairs finished at the harbour",
        body__1__source__original_headline="Harbour reopens",
    )
    html = _html(client, article)
    assert "Storm repairs finished at the harbour" in html
    assert html.count("mediawire-source__headline") == 1


def test_a_stored_unsafe_url_is_rendered_as_text_never_as_href(client, section):
    article = MediaWireArticlePageFactory(parent=section)
    # Written around the validators, as a bad import or a raw SQL edit could.
    article.body = [
        {"type": "source", "value": {"name": "Sly", "url": "javascript:alert(1)"}},
        {"type": "source", "value": {"name": "Sly too", "url": " JaVaScRiPt:alert(2)"}},
    ]
    article.save(clean=False)
    html = _html(client, article)
    assert 'href="javascript' not in html.lower()
    assert 'href=" javascript' not in html.lower()
    assert 'mediawire-source__url" dir="ltr">javascript:alert(1)' in html
    article.refresh_from_db()
    assert article.source_url == ""


class TestSourceLine:
    def test_the_address_is_readable_as_text_beside_the_link(self, client, section):
        article = MediaWireArticlePageFactory(
            parent=section,
            body__0="paragraph",
            body__1__source__name="Northwind Press Agency",
            body__1__source__url="https://northwind.example/reports/harbour?a=1",
        )
        html = _html(client, article)
        link = 'href="https://northwind.example/reports/harbour?a=1" rel="noopener external"'
        assert f"{link}>Northwind Press Agency</a>" in html
        assert '<span class="mediawire-source__host" dir="ltr">(northwind.example)</span>' in html

    def test_a_source_without_a_name_is_named_by_its_host(self, client, section):
        article = MediaWireArticlePageFactory(parent=section)
        # Written by code around the block's validation, as an import could.
        article.body = [{"type": "source", "value": {"name": "", "url": "https://cove.example/r"}}]
        article.save(clean=False)
        html = _html(client, article)
        assert 'rel="noopener external" dir="ltr">cove.example</a>' in html
        assert "mediawire-source__host" not in html  # not the same host twice

    def test_the_source_date_is_labelled_as_the_sources(self, client, section):
        article = MediaWireArticlePageFactory(
            parent=section,
            body__0="paragraph",
            body__1__source__published_at=timezone.now() - timedelta(days=1),
        )
        html = _html(client, article)
        assert re.search(
            r"Published by the source on "
            r'<time class="mediawire-source__date" datetime="[^"]+">[^<]+</time>',
            html,
        )


def test_markup_is_escaped_everywhere_it_appears(client, section):
    article = MediaWireArticlePageFactory(
        parent=section,
        title=f"Headline {XSS}",
        summary=f"Summary {XSS}",
        body__0__source__name=f"Agency {XSS}",
        body__0__source__original_headline=f"Original {XSS}",
    )
    for page in (article, section):
        html = _html(client, page)
        assert "<script>alert" not in html
        assert "<b onmouseover" not in html
    assert _html(client, article).count(ESCAPED) >= 3  # title, source name, original headline
    assert _html(client, section).count(ESCAPED) >= 3  # title, source name, summary


class TestSectionListing:
    def test_lists_live_public_articles_newest_first(self, client, section):
        older = MediaWireArticlePageFactory(parent=section, title="Older report")
        newer = MediaWireArticlePageFactory(parent=section, title="Newer report")
        newer.first_published_at = older.first_published_at.replace(
            year=older.first_published_at.year + 1
        )
        newer.save()
        MediaWireArticlePageFactory(parent=section, title="Draft report", live=False)
        private = MediaWireArticlePageFactory(parent=section, title="Private report")
        PageViewRestriction.objects.create(page=private, restriction_type="login")
        html = _html(client, section)
        assert html.index("Newer report") < html.index("Older report")
        assert "Draft report" not in html
        assert "Private report" not in html

    def test_each_article_shows_its_excerpt_the_summary_else_the_first_paragraph(
        self, client, section
    ):
        MediaWireArticlePageFactory(
            parent=section,
            summary="Ferries run again from the inner quay.",
            body__0__paragraph__value="<p>Not the summary.</p>",
            body__1="source",
        )
        MediaWireArticlePageFactory(
            parent=section,
            summary="",
            body__0__paragraph__value="<p>Gauges recorded <b>more</b> rain than usual.</p>",
            body__1__paragraph__value="<p>A second paragraph.</p>",
            body__2="source",
        )
        html = _html(client, section)
        assert 'mediawire-list__summary">Ferries run again from the inner quay.</p>' in html
        assert 'mediawire-list__summary">Gauges recorded more rain than usual.</p>' in html
        assert "Not the summary." not in html
        assert "A second paragraph." not in html

    def test_expired_articles_are_not_listed(self, client, section):
        MediaWireArticlePageFactory(
            parent=section, title="Expired report", expire_at=timezone.now() - timedelta(minutes=1)
        )
        MediaWireArticlePageFactory(parent=section, title="Current report")
        html = _html(client, section)
        assert "Current report" in html
        assert "Expired report" not in html

    def test_a_restricted_section_lists_its_articles_to_those_let_in(
        self, client, section, django_user_model
    ):
        MediaWireArticlePageFactory(parent=section, title="Members report")
        private = MediaWireArticlePageFactory(parent=section, title="Private report")
        PageViewRestriction.objects.create(page=section, restriction_type="login")
        PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
        client.force_login(django_user_model.objects.create_user("reader", password="pw"))
        html = _html(client, section)
        assert "Members report" in html
        assert "Private report" not in html

    def test_pagination_never_fails_on_a_bad_page_number(self, client, section, settings):
        settings.WAGTAIL_MEDIAWIRE = {"INDEX_PAGE_SIZE": 2}
        for n in range(5):
            MediaWireArticlePageFactory(parent=section, title=f"Report number {n}")
        first = _html(client, section)
        assert "Page 1<" in first and 'rel="next" href="?page=2"' in first
        assert "Report number 4" in first and "Report number 2" not in first
        for odd in ("abc", "0", "-2", "2.5", "1" * 30, "²"):
            assert _html(client, section, page=odd) == first
        last = _html(client, section, page="3")
        assert "Report number 0" in last and 'rel="prev" href="?page=2"' in last
        assert 'rel="next"' not in last
        beyond = _html(client, section, page="999")
        assert "There are no reports on this page." in beyond
        assert 'href="?page=1"' in beyond
        assert _html(client, section, page=str(10**9)).count("mediawire-list__item") == 0

    def test_empty_section_says_so(self, client, section):
        assert "No reports have been published" in _html(client, section)


def _count_queries(client, target, *, cached: bool = False, **params):
    """The queries of a request for ``target``, rendering it afresh (after a
    publication, say), or with ``cached`` from the fragments its last request kept."""
    client.get(target.url, params)  # warm Wagtail's per-site caches
    if not cached:
        invalidate()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target.url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_article_queries_do_not_grow_with_sources_blocks_or_articles(client, section):
    section.default_disclaimer = DisclaimerFactory()
    section.save()
    small = MediaWireArticlePageFactory(parent=section)
    big_body = {}
    for n in range(0, 30, 3):
        big_body[f"body__{n}__paragraph__value"] = f"<p>Paragraph {n}.</p>"
        big_body[f"body__{n + 1}__source__name"] = f"Agency {n}"
        big_body[f"body__{n + 2}__quote__text"] = f"Quote {n}."
    big = MediaWireArticlePageFactory(parent=section, **big_body)
    assert len(big.sources) == 10
    baseline = _count_queries(client, small)
    MediaWireArticlePageFactory.create_batch(10, parent=section)
    assert _count_queries(client, big) == baseline
    # The site, Wagtail's routing (the article in one query), the view restrictions in
    # one, the section's disclaimer, then Recent Posts.
    assert baseline == 7
    # From the cache: no disclaimer, no Recent Posts.
    assert _count_queries(client, big, cached=True) == _count_queries(client, small, cached=True)
    assert _count_queries(client, big, cached=True) == 5


def test_article_queries_with_disclaimer_blocks_do_not_grow(client, section):
    one = MediaWireArticlePageFactory(parent=section, body__0="source", body__1="disclaimer")
    many = MediaWireArticlePageFactory(
        parent=section, body__0="source", **{f"body__{n}": "disclaimer" for n in range(1, 8)}
    )
    assert _count_queries(client, many) == _count_queries(client, one)


def test_section_queries_do_not_grow_with_page_size(client, section, settings):
    MediaWireArticlePageFactory.create_batch(12, parent=section)
    settings.WAGTAIL_MEDIAWIRE = {"INDEX_PAGE_SIZE": 2}
    small = _count_queries(client, section)
    settings.WAGTAIL_MEDIAWIRE = {"INDEX_PAGE_SIZE": 12}
    assert _count_queries(client, section) == small
    # Wagtail's routing, the view restrictions in one query, then one page of articles
    # (their view restrictions in its query).
    assert small == 5
    assert _count_queries(client, section, cached=True) == 4  # the listing from the cache


def test_the_section_is_never_counted(client, section):
    """A COUNT grows with the section; a page fetches one row more instead."""
    MediaWireArticlePageFactory.create_batch(3, parent=section)
    client.get(section.url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(section.url).status_code == 200
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def test_a_second_section_is_independent(client, root_page):
    first = MediaWireIndexPageFactory(parent=root_page, slug="first")
    second = MediaWireIndexPageFactory(parent=root_page, slug="second")
    MediaWireArticlePageFactory(parent=first, title="Only in the first")
    assert "Only in the first" not in _html(client, second)


def test_the_article_reuses_the_section_that_routing_walked(client, section):
    article = MediaWireArticlePageFactory(parent=section)
    client.get(article.url)  # Recent Posts cached
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(article.url)
    assert response.status_code == 200
    section_queries = [
        q for q in ctx.captured_queries if "wagtail_mediawire_mediawireindexpage" in q["sql"]
    ]
    assert len(section_queries) == 1  # routing's own, none of the article's
    assert response.context["section"] == section
    assert f'<a href="{section.url}">' in response.content.decode()


def test_the_section_listing_walks_the_publication_date_index(section):
    """Like Recent Posts: newest first without sorting the whole section."""
    from django.db import transaction

    MediaWireArticlePageFactory.create_batch(3, parent=section)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A few rows make any plan cheap; ask whether the index can serve.
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = section.get_articles()[:10].explain()
    assert "first_published_at" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan  # SQLite: no sort of every row


def test_time_elements_carry_whole_seconds_as_html_allows(client, section):
    """HTML allows at most three digits of a second; the database keeps six."""
    import re

    article = MediaWireArticlePageFactory(
        parent=section, body__0="paragraph", body__1__source__published_at=timezone.now()
    )
    MediaWireArticlePageFactory(parent=section)  # listed in the article's Recent Posts
    for page in (article, section):
        html = _html(client, page)
        stamps = re.findall(r'<time[^>]* datetime="([^"]+)"', html)
        assert stamps
        for stamp in stamps:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp), stamp
