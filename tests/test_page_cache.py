"""The cached fragments of the article and section pages (``{% mediawire_pagecache %}``):
each change a reader would see makes a new entry at once, relative times and expiries
are right at each render, and nothing private is kept."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from wagtail.models import PageViewRestriction, Site

from tests.utils import published_article
from wagtail_mediawire import cache as package_cache
from wagtail_mediawire.factories import (
    DisclaimerFactory,
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)
from wagtail_mediawire.templatetags import mediawire_tags


def html_of(client, target, **params) -> str:
    response = client.get(target.url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def kept(monkeypatch):
    """The keys of the fragments the pages' requests read from or put in the cache."""
    keys = []
    real = mediawire_tags.cached_fragment

    def spy(key, render):
        keys.append(key)
        return real(key, render)

    monkeypatch.setattr(mediawire_tags, "cached_fragment", spy)
    return keys


@pytest.fixture
def article(section):
    section.default_disclaimer = DisclaimerFactory(text="<p>Taken from other agencies.</p>")
    section.signature = "Example Media Wire"
    section.save_revision().publish()
    published_article(section, "An older report", hours_ago=2)
    return MediaWireArticlePageFactory(
        parent=section,
        title="Ferries run again",
        body__0__paragraph__value="<p>The ferries run again.</p>",
        body__1__source__name="Northwind Press",
    )


def test_a_page_from_the_cache_is_the_page_rendered_afresh(client, article, section):
    for page in (article, section):
        first = html_of(client, page)
        with CaptureQueriesContext(connection) as fresh:
            package_cache.invalidate()
            assert html_of(client, page) == first
        with CaptureQueriesContext(connection) as cached:
            assert html_of(client, page) == first
        assert len(cached) < len(fresh)
    assert "Taken from other agencies." in html_of(client, article)


def test_publishing_shows_at_once(client, article, section):
    assert "The ferries run again." in html_of(client, article)
    assert "Ferries run again" in html_of(client, section)
    article.title = "Ferries run again, with freight"
    article.body[0].value.source = "<p>Freight follows on Monday.</p>"
    article.save_revision().publish()
    html = html_of(client, article)
    assert "Ferries run again, with freight" in html and "Freight follows" in html
    assert "Ferries run again, with freight" in html_of(client, section)


def test_unpublishing_takes_the_page_down_at_once(client, article, section):
    html_of(client, article), html_of(client, section)
    article.unpublish()
    assert client.get(article.url).status_code == 404
    assert "Ferries run again" not in html_of(client, section)


def test_a_disclaimer_edit_shows_at_once(client, article, section):
    assert "Taken from other agencies." in html_of(client, article)
    disclaimer = section.default_disclaimer
    disclaimer.text = "<p>Reports from other agencies, credited below.</p>"
    disclaimer.save()
    html = html_of(client, article)
    assert "Reports from other agencies, credited below." in html
    assert "Taken from other agencies." not in html
    disclaimer.delete()
    assert "Reports from other agencies" not in html_of(client, article)


def test_an_image_saved_or_deleted_clears_the_cache(db):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Gull Point", file=get_test_image_file())
    for change in (image.save, image.delete):
        token = package_cache.version()
        change()
        assert package_cache.version() != token


def test_a_page_of_another_type_under_a_section_is_routed_as_wagtail_routes_it(client, section):
    from tests.testapp.models import BarePage

    page = section.add_child(instance=BarePage(title="Not an article", slug="plain"))
    assert "Not an article" in html_of(client, page)
    assert client.get(f"{section.url}missing/").status_code == 404


def test_each_language_and_time_zone_has_its_own_entry(client, article, settings):
    _, root_url, path = article.get_url_parts()
    with translation.override("de"):
        german = client.get(path).content.decode()
    english = html_of(client, article)
    assert 'lang="de"' in german and "Neueste Beiträge" in german
    assert 'lang="en"' in english and "Recent Posts" in english

    published = article.first_published_at
    for zone in ("UTC", "Asia/Tehran"):  # UTC+03:30
        settings.TIME_ZONE = zone
        shown = date_format(timezone.localtime(published), "DATETIME_FORMAT")
        assert f">{shown}</time>" in html_of(client, article), zone


def test_each_site_has_its_own_entry(client, article, root_page):
    Site.objects.filter(is_default_site=True).update(site_name="Harbour Times")
    Site.objects.create(hostname="other.example", root_page=root_page, site_name="Other Times")
    Site.clear_site_root_paths_cache()
    _, root_url, path = article.get_url_parts()
    default = client.get(path, HTTP_HOST=urlsplit(root_url).hostname).content.decode()
    other = client.get(path, HTTP_HOST="other.example").content.decode()
    assert 'og:site_name" content="Harbour Times"' in default
    assert 'og:site_name" content="Other Times"' in other


def test_each_page_of_a_listing_has_its_own_entry(client, section, settings):
    settings.WAGTAIL_MEDIAWIRE = {"INDEX_PAGE_SIZE": 2}
    for n in range(5):
        published_article(section, f"Report number {n}", hours_ago=10 - n)
    first, second = html_of(client, section), html_of(client, section, page="2")
    assert "Report number 4" in first and "Report number 2" not in first
    assert "Report number 2" in second and "Report number 4" not in second
    assert f'<link rel="canonical" href="http://localhost{section.url}?page=2">' in second
    assert html_of(client, section, page="abc") == first


def test_relative_times_are_right_at_each_render(client, article, section):
    published_article(section, "A recent report", hours_ago=50 / 60)
    assert "50\xa0minutes ago" in html_of(client, article)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        with CaptureQueriesContext(connection) as ctx:
            later = html_of(client, article)
    assert "55\xa0minutes ago" in later
    # From the cache: no Recent Posts query, no disclaimer query.
    assert not any('FROM "wagtail_mediawire_disclaimer"' in q["sql"] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as cached:
        html_of(client, article)
    assert len(ctx.captured_queries) == len(cached.captured_queries)
    assert "\ue000" not in later and "\ue001" not in later


def test_an_article_leaves_every_cached_page_when_it_expires(client, section, settings):
    settings.WAGTAIL_MEDIAWIRE = {"INDEX_PAGE_SIZE": 2}
    soon = timezone.now() + timedelta(minutes=2)  # well within CACHE_TIMEOUT
    published_article(section, "Report number 0", hours_ago=5)
    published_article(section, "Report number 1", hours_ago=4)
    published_article(section, "Expiring report", hours_ago=3, expire_at=soon)
    published_article(section, "Report number 3", hours_ago=2)
    reader = published_article(section, "Report number 4", hours_ago=1)
    assert "Expiring report" in html_of(client, reader)  # Recent Posts
    assert "Expiring report" in html_of(client, section, page="2")
    assert "Report number 0" in html_of(client, section, page="3")
    with time_machine.travel(soon + timedelta(seconds=1)):
        assert "Expiring report" not in html_of(client, reader)
        assert "Expiring report" not in html_of(client, section, page="2")
        # The page after it moved up by one, though nothing on it expired.
        third = html_of(client, section, page="3")
        assert "Report number 0" not in third and "There are no reports on this page." in third


def test_nothing_private_is_kept(admin_client, client, article):
    admin_html = html_of(admin_client, article)  # an editor first: their userbar
    assert "wagtail-userbar" in admin_html
    html = html_of(client, article)
    assert "wagtail-userbar" not in html and "csrfmiddlewaretoken" not in html


def test_a_preview_is_never_kept(client, article, kept):
    article.title = "A draft headline"
    response = article.make_preview_request()
    assert "A draft headline" in response.content.decode()
    assert kept == []
    article.refresh_from_db()
    assert "A draft headline" not in html_of(client, article)


def test_a_page_behind_a_view_restriction_is_never_kept(admin_client, article, kept):
    PageViewRestriction.objects.create(page=article, restriction_type="login")
    assert "Ferries run again" in html_of(admin_client, article)
    assert kept == []


def test_a_section_behind_a_view_restriction_keeps_none_of_its_pages(
    admin_client, client, article, section, kept
):
    html_of(client, article)
    assert kept  # public: kept
    kept.clear()
    PageViewRestriction.objects.create(page=section, restriction_type="login")
    assert "Ferries run again" in html_of(admin_client, article)
    assert "Ferries run again" in html_of(admin_client, section)
    assert kept == []
    assert client.get(article.url).status_code == 302  # to the login page


def test_an_alias_has_its_own_entry_and_its_originals_restrictions(admin_client, client, article):
    other = MediaWireIndexPageFactory(parent=article.get_parent().get_parent(), slug="desk-2")
    alias = article.create_alias(parent=other, update_slug="ferries")
    assert "Ferries run again" in html_of(client, alias)
    PageViewRestriction.objects.create(page=article, restriction_type="login")
    assert client.get(alias.url).status_code == 302
    assert "Ferries run again" in html_of(admin_client, alias)


class TestFragments:
    """``cached_fragment`` and its markers, as the tag uses them."""

    def render(self, source: str, page, **context) -> str:
        request = RequestFactory().get("/", HTTP_HOST="localhost")
        template = Template("{% load mediawire_tags %}" + source)
        return template.render(Context({"request": request, "page": page, **context}))

    def test_nested_fragments_pass_their_times_and_expiry_outward(self, article):
        inner_until = timezone.now() + timedelta(minutes=5)
        calls = []

        def inner():
            calls.append("inner")
            package_cache.shown_until(inner_until)
            return package_cache.relative_time(article.first_published_at)

        def outer():
            calls.append("outer")
            return "<p>" + package_cache.cached_fragment("inner", inner) + "</p>"

        first = package_cache.cached_fragment("outer", outer)
        assert first == "<p>now</p>" and calls == ["outer", "inner"]
        assert package_cache.cached_fragment("outer", outer) == first
        assert calls == ["outer", "inner"]  # from the cache
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            assert package_cache.cached_fragment("outer", outer) == "<p>2\xa0minutes ago</p>"
        assert calls == ["outer", "inner"]
        with time_machine.travel(inner_until + timedelta(seconds=1)):
            package_cache.cached_fragment("outer", outer)
        assert calls == ["outer", "inner", "outer", "inner"]  # the outer ended with the inner

    def test_the_tag_varies_on_its_arguments(self, article):
        source = "{% mediawire_pagecache test n %}{{ m }}{% endmediawire_pagecache %}"
        assert self.render(source, article, n=1, m="one") == "one"
        assert self.render(source, article, n=1, m="two") == "one"
        assert self.render(source, article, n=2, m="two") == "two"

    def test_the_tag_needs_a_name(self):
        from django.template import TemplateSyntaxError

        with pytest.raises(TemplateSyntaxError, match="requires a fragment name"):
            Template("{% load mediawire_tags %}{% mediawire_pagecache %}")

    def test_without_a_request_or_a_page_nothing_is_kept(self, article, kept):
        template = Template(
            "{% load mediawire_tags %}"
            "{% mediawire_pagecache t %}{{ m }}{% endmediawire_pagecache %}"
        )
        assert template.render(Context({"page": article, "m": "one"})) == "one"
        assert template.render(Context({"page": article, "m": "two"})) == "two"
        assert kept == []
