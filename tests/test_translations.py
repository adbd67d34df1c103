"""The package in other languages: the Persian (right to left) and German catalogues in
its pages, its Recent Posts block and its admin strings, and disclaimers shown in the
article's own locale. The catalogues' completeness is `make check-messages`'s job."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from wagtail.models import Locale

from tests.utils import published_article, render_recent
from wagtail_mediawire.factories import (
    DisclaimerFactory,
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)
from wagtail_mediawire.source_rule import NO_SOURCE_MESSAGE
from wagtail_mediawire.wagtail_hooks import _source_duplicates_js

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parent.parent / "src/wagtail_mediawire/static/wagtail_mediawire/css"
PERSIAN_MAIN = '<main class="mediawire" lang="fa" dir="rtl">'


def _html(client, page, language: str) -> str:
    """``page`` as its site serves it, with ``language`` active."""
    _, root_url, path = page.get_url_parts()
    with translation.override(language):
        response = client.get(path, HTTP_HOST=urlsplit(root_url).hostname)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def article(section):
    """An article with a named source, an older article for Recent Posts beside it."""
    section.default_disclaimer = DisclaimerFactory()
    section.save()
    published_article(section, "Ferries return to the bay", hours_ago=3)
    return published_article(
        section,
        "Harbour reopens after storm repairs",
        hours_ago=1,
        body__0__paragraph__value="<p>The harbour is open again.</p>",
        body__1__source__name="Northwind Press Agency",
        body__1__source__url="https://northwind.example/reports/harbour",
        body__1__source__original_headline="Storm repairs finished",
        body__1__source__published_at=timezone.now() - timedelta(days=1),
    )


class TestPersian:
    def test_the_article_reads_right_to_left_with_addresses_left_to_right(self, client, article):
        html = _html(client, article, "fa")
        assert PERSIAN_MAIN in html
        # The sources' heading, the original headline and the source's date line.
        assert re.search(r'mediawire-sources__heading">\s*منبع\s*</h2>', html)
        assert "تیتر اصلی: «<bdi>Storm repairs finished</bdi>»" in html
        assert 'منتشرشده در منبع در <time class="mediawire-source__date"' in html
        assert 'aria-label="سلب مسئولیت"' in html
        # A web address reads left to right inside Persian text.
        assert '<span class="mediawire-source__host" dir="ltr">(northwind.example)</span>' in html
        # Recent Posts, with its heading and a relative time in Persian.
        assert '<h2 class="mediawire-recent__heading">آخرین مطالب</h2>' in html
        assert re.search(r'mediawire-recent__time" datetime="[^"]+">3\s?ساعت\s?پیش</time>', html)
        for english in ("Recent Posts", "Original headline", "Published by the source", "ago<"):
            assert english not in html

    def test_the_section_reads_right_to_left(self, client, section, settings):
        settings.WAGTAIL_MEDIAWIRE = {"INDEX_PAGE_SIZE": 1}
        published_article(section, "Older", hours_ago=2)
        published_article(section, "Newer", hours_ago=1, body__0__source__name="Cobalt Wire")
        html = _html(client, section, "fa")
        assert PERSIAN_MAIN in html
        assert '<span class="mediawire-meta__source">منبع: Cobalt Wire</span>' in html
        assert '<nav class="mediawire-pagination" aria-label="صفحه‌ها">' in html
        assert "<span>صفحهٔ 1</span>" in html
        assert "گزارش‌های قدیمی‌تر</a>" in html
        with translation.override("fa"):
            second = client.get(section.url, {"page": 2}).content.decode()
        assert "گزارش‌های تازه‌تر</a>" in second

    def test_an_empty_section_says_so_in_persian(self, client, section):
        assert "هنوز گزارشی در این بخش منتشر نشده است." in _html(client, section, "fa")

    def test_recent_posts_placed_anywhere_carries_its_language_and_direction(self, section):
        published_article(section, "Ferries return", hours_ago=3)
        published_article(section, "Harbour reopens", hours_ago=48)
        with translation.override("fa"):
            html = render_recent()
        assert (
            '<section class="mediawire-recent" lang="fa" dir="rtl" aria-label="آخرین مطالب">'
            in html
        )
        times = re.findall(r'mediawire-recent__time" datetime="[^"]+">([^<]+)</time>', html)
        assert len(times) == 2
        assert re.fullmatch(r"3\s?ساعت\s?پیش", times[0]), times
        assert re.fullmatch(r"2\s?روز\s?پیش", times[1]), times
        with translation.override("en"):
            assert 'lang="en" dir="ltr"' in render_recent()

    def test_addresses_shown_as_text_are_left_to_right(self, client, section):
        article = MediaWireArticlePageFactory(parent=section)
        # A source without a name (named by its host) and an unsafe address shown as text,
        # written around the blocks' validation as an import could.
        article.body = [
            {"type": "source", "value": {"name": "", "url": "https://cove.example/r"}},
            {"type": "source", "value": {"name": "Sly", "url": "javascript:alert(1)"}},
        ]
        article.save(clean=False)
        html = _html(client, article, "fa")
        assert 'rel="noopener external" dir="ltr">cove.example</a>' in html
        assert '<span class="mediawire-source__url" dir="ltr">javascript:alert(1)</span>' in html

    def test_python_strings_and_the_editor_warning_are_translated(self):
        with translation.override("fa"):
            assert str(NO_SOURCE_MESSAGE).startswith("پیش از انتشار، یک بلوک منبع")
            script = _source_duplicates_js()
        # The duplicate-source warning's words come from Python, in data attributes.
        assert 'data-label="این نشانی اینترنتی هم‌اکنون منبعِ این موارد است:"' in script
        assert 'data-view-live="دیدن نسخهٔ منتشرشده"' in script


def test_the_stylesheet_uses_logical_sides_only():
    """Margins, paddings and borders by start and end, not left and right, so that a
    right-to-left page mirrors them; no letter spacing or slant on joined-up scripts."""
    for path in sorted(CSS.glob("*.css")):
        css = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.DOTALL)
        assert not re.search(r"\b(margin|padding|border)-(left|right)\b", css), path.name
        assert not re.search(r"(?<![\w-])(left|right|float)\s*:", css), path.name
        assert not re.search(r"text-align\s*:\s*(left|right)", css), path.name
    css = (CSS / "mediawire.css").read_text()
    assert ".mediawire-source__host, .mediawire-source__url { margin-inline-start:" in css
    assert '[dir="rtl"] .mediawire-kicker' in css


def test_the_german_catalogue_is_used(client, article):
    html = _html(client, article, "de")
    assert '<main class="mediawire" lang="de" dir="ltr">' in html
    assert re.search(r'mediawire-sources__heading">\s*Quelle\s*</h2>', html)
    assert "Ursprüngliche Schlagzeile: „<bdi>Storm repairs finished</bdi>“" in html
    assert '<h2 class="mediawire-recent__heading">Neueste Beiträge</h2>' in html
    assert re.search(r'mediawire-recent__time" datetime="[^"]+">vor 3\s?Stunden</time>', html)


class TestDisclaimerInTheArticlesLocale:
    """A section's default (or an article's own) disclaimer is shown in the article's
    locale: its translation there, with the same translation_key, as the API gives it
    (test_api.py). Wagtail serves each tree in its own language; the article's locale
    decides even when another language is active."""

    @pytest.fixture
    def two_locales(self, settings, root_page):
        settings.WAGTAIL_I18N_ENABLED = True
        settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES = [
            ("en", "English"),
            ("de", "Deutsch"),
        ]
        german = Locale.objects.create(language_code="de")
        english_disclaimer = DisclaimerFactory(text="<p>Retrieved from other agencies.</p>")
        german_disclaimer = english_disclaimer.copy_for_translation(german)
        german_disclaimer.text = "<p>Von anderen Agenturen übernommen.</p>"
        german_disclaimer.save()
        section = MediaWireIndexPageFactory(
            parent=root_page, slug="wire", default_disclaimer=english_disclaimer
        )
        # The German tree as Wagtail translates it: its section keeps the English
        # default (core Wagtail does not rewrite foreign keys to translations).
        german_section = section.copy_for_translation(german, copy_parents=True)
        german_section.save_revision().publish()
        assert german_section.specific.default_disclaimer == english_disclaimer
        return section, german_section.specific, english_disclaimer

    @staticmethod
    def _disclaimer_text(article, language: str) -> str:
        with translation.override(language):
            return type(article).objects.get(pk=article.pk).effective_disclaimer.text

    def test_each_article_shows_the_section_default_in_its_own_locale(self, client, two_locales):
        section, german_section, _ = two_locales
        english = MediaWireArticlePageFactory(parent=section)
        german = MediaWireArticlePageFactory(parent=german_section)
        assert german.locale.language_code == "de"

        html = _html(client, english, "en")
        assert "Retrieved from other agencies." in html
        assert "Von anderen Agenturen" not in html
        html = _html(client, german, "de")
        assert "Von anderen Agenturen übernommen." in html
        assert "Retrieved from other agencies." not in html
        # The article's locale, not the active language, decides.
        assert self._disclaimer_text(german, "en") == "<p>Von anderen Agenturen übernommen.</p>"
        assert self._disclaimer_text(english, "de") == "<p>Retrieved from other agencies.</p>"

    def test_an_articles_own_disclaimer_block_too(self, client, two_locales):
        _, german_section, english_disclaimer = two_locales
        german = MediaWireArticlePageFactory(
            parent=german_section,
            body__0="source",
            body__1__disclaimer__disclaimer=english_disclaimer,
        )
        assert "Von anderen Agenturen übernommen." in _html(client, german, "de")
        assert self._disclaimer_text(german, "en") == "<p>Von anderen Agenturen übernommen.</p>"

    def test_without_a_translation_the_chosen_disclaimer_is_shown(self, client, two_locales):
        _, german_section, _ = two_locales
        untranslated = DisclaimerFactory(text="<p>Only in English.</p>")
        german = MediaWireArticlePageFactory(
            parent=german_section, body__0="source", body__1__disclaimer__disclaimer=untranslated
        )
        assert "Only in English." in _html(client, german, "de")
