"""CDN purges (wagtail.contrib.frontend_cache) when an article changes what readers see."""

import pytest

from tests.frontend_cache import RecordingBackend
from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory

pytestmark = pytest.mark.django_db

HOME = "http://localhost/"


def section_urls(url: str) -> set[str]:
    """A section page and its three feeds."""
    return {url, url + "feed/", url + "feed/atom/", url + "feed/json/"}


WIRE = section_urls("http://localhost/wire/")


@pytest.fixture
def purged(settings, django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = {
        "recording": {"BACKEND": "tests.frontend_cache.RecordingBackend"}
    }
    RecordingBackend.urls.clear()

    def run(action):
        RecordingBackend.urls.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return set(RecordingBackend.urls)

    return run


def test_publish_and_unpublish_purge_article_section_and_home(section, purged):
    article = MediaWireArticlePageFactory(parent=section, live=False, slug="harbour")
    expected = {"http://localhost/wire/harbour/", HOME} | WIRE
    assert purged(lambda: article.save_revision().publish()) == expected
    article.refresh_from_db()
    assert purged(article.unpublish) == expected


def test_a_move_purges_both_addresses_and_both_sections(section, root_page, purged):
    other = MediaWireIndexPageFactory(parent=root_page, slug="other-wire")
    article = MediaWireArticlePageFactory(parent=section, slug="harbour")
    urls = purged(lambda: article.move(other, pos="last-child"))
    # (Wagtail's redirects app may purge the old path without its slash as well.)
    assert urls >= {
        "http://localhost/wire/harbour/",
        "http://localhost/other-wire/harbour/",
        HOME,
    } | WIRE | section_urls("http://localhost/other-wire/")


def test_a_delete_purges_the_article_its_section_and_home(section, purged):
    article = MediaWireArticlePageFactory(parent=section, slug="harbour")
    urls = purged(article.delete)
    assert urls == {"http://localhost/wire/harbour/", HOME} | WIRE


def test_what_else_is_purged_is_configurable(section, purged, settings):
    settings.WAGTAIL_MEDIAWIRE = {"PURGE_SITE_ROOT": False, "PURGE_PATHS": ["/news/", "latest/"]}
    article = MediaWireArticlePageFactory(parent=section, live=False, slug="harbour")
    assert (
        purged(lambda: article.save_revision().publish())
        == {
            "http://localhost/wire/harbour/",
            "http://localhost/news/",
            "http://localhost/latest/",
        }
        | WIRE
    )


def test_the_purge_list_does_not_grow_with_the_section(section, purged):
    first = MediaWireArticlePageFactory(parent=section, live=False)
    small = purged(lambda: first.save_revision().publish())
    MediaWireArticlePageFactory.create_batch(30, parent=section)
    last = MediaWireArticlePageFactory(parent=section, live=False)
    large = purged(lambda: last.save_revision().publish())
    assert len(large) == len(small) == 6  # article, section and its 3 feeds, home


def test_drafts_purge_nothing(section, purged):
    article = MediaWireArticlePageFactory(parent=section, slug="harbour")
    article.title = "A draft headline"
    assert purged(article.save_revision) == set()
    draft = MediaWireArticlePageFactory(parent=section, live=False)
    assert purged(draft.delete) == set()
