"""{% mediawire_recent_posts %}: what it lists, what it hides, what it costs."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.models import Locale, PageViewRestriction, Site

from tests.utils import page_model, published_article, recent_titles, render_recent, site_request
from wagtail_mediawire.factories import (
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)
from wagtail_mediawire.models.pages import EXCERPT_MAX_CHARS, EXCERPT_MAX_WORDS
from wagtail_mediawire.recent import MAX_COUNT, get_recent_posts, invalidate
from wagtail_mediawire.text import cut_excerpt

pytestmark = pytest.mark.django_db


class TestWhatIsListed:
    def test_newest_first_with_count(self, section):
        for hours in (5, 1, 3, 2, 4):
            published_article(section, f"{hours} hours old", hours_ago=hours)
        assert recent_titles(count=3) == ["1 hours old", "2 hours old", "3 hours old"]

    def test_default_count_comes_from_settings(self, section, settings):
        for n in range(8):
            published_article(section, f"Report {n}", hours_ago=n + 1)
        assert len(recent_titles()) == 6
        settings.WAGTAIL_MEDIAWIRE = {"RECENT_POSTS_COUNT": 2}
        assert len(recent_titles()) == 2

    def test_section_limits_the_list(self, section, root_page):
        other = MediaWireIndexPageFactory(parent=root_page, slug="other-wire")
        published_article(section, "In the first section")
        published_article(other, "In the other section")
        assert recent_titles(section=other) == ["In the other section"]
        # A plain Page, as {% mediawire_recent_posts section=page.get_parent %} passes it.
        assert recent_titles(section=page_model().objects.get(pk=other.pk)) == [
            "In the other section"
        ]
        assert sorted(recent_titles()) == ["In the first section", "In the other section"]

    def test_the_page_being_read_is_left_out(self, section):
        reading = published_article(section, "Being read")
        published_article(section, "Another report", hours_ago=2)
        html = render_recent(page=reading)
        assert "Another report" in html
        assert "Being read" not in html
        assert "Being read" in render_recent(tag="{% mediawire_recent_posts exclude=None %}")

    def test_drafts_are_hidden(self, section):
        published_article(section, "Draft", live=False)
        published_article(section, "Live", hours_ago=2)
        assert recent_titles() == ["Live"]

    def test_an_expiry_in_the_past_hides_at_once(self, section):
        # live=True still: publish_scheduled has not run yet.
        published_article(section, "Expired", expire_at=timezone.now() - timedelta(minutes=1))
        published_article(section, "Not yet", expire_at=timezone.now() + timedelta(days=1))
        assert recent_titles() == ["Not yet"]

    def test_an_expiry_hides_a_cached_post_when_it_passes(self, section):
        published_article(section, "Expires soon", expire_at=timezone.now() + timedelta(minutes=5))
        published_article(section, "Stays", hours_ago=2)
        assert recent_titles() == ["Expires soon", "Stays"]
        with time_machine.travel(timezone.now() + timedelta(minutes=6)):
            assert recent_titles() == ["Stays"]

    @pytest.mark.parametrize("kind", ["password", "login", "groups"])
    @pytest.mark.parametrize("on_ancestor", [False, True], ids=["page", "ancestor"])
    def test_view_restrictions_hide(self, section, root_page, kind, on_ancestor):
        private_section = MediaWireIndexPageFactory(parent=root_page, slug="private-wire")
        target = published_article(private_section if on_ancestor else section, "Restricted")
        published_article(section, "Public", hours_ago=2)
        restriction = PageViewRestriction.objects.create(
            page=private_section if on_ancestor else target,
            restriction_type=kind,
            password="secret" if kind == "password" else "",
        )
        if kind == "groups":
            restriction.groups.add(Group.objects.get(name="Editors"))
        assert recent_titles() == ["Public"]

    def test_other_sites_are_hidden(self, section, wagtail_root):
        other_home = wagtail_root.add_child(title="Other home", slug="other-home")
        Site.objects.create(hostname="other.example", root_page=other_home)
        other_section = MediaWireIndexPageFactory(parent=other_home, slug="wire")
        published_article(section, "Ours")
        published_article(other_section, "Theirs")
        assert recent_titles() == ["Ours"]
        assert recent_titles(site_request(host="other.example")) == ["Theirs"]
        # A section of another site given explicitly lists nothing here.
        assert recent_titles(section=other_section) == []

    def test_only_the_active_locale_when_the_site_has_several(self, section, settings):
        settings.WAGTAIL_I18N_ENABLED = True
        settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [
            ("en", "English"),
            ("fr", "French"),
        ]
        french = Locale.objects.create(language_code="fr")
        english_article = published_article(section, "English report")
        # A translated tree as Wagtail makes it: the French home is the English one's sibling.
        home = section.get_parent()
        home.copy_for_translation(french)
        french_section = section.copy_for_translation(french)
        french_article = english_article.copy_for_translation(french)
        french_article.title = "Rapport français"
        french_article.save_revision().publish()
        with translation.override("en"):
            assert recent_titles() == ["English report"]
            assert recent_titles(section=section) == ["English report"]
        with translation.override("fr"):
            assert recent_titles() == ["Rapport français"]
            # The section given is the English one: its French translation is used.
            assert recent_titles(section=section) == ["Rapport français"]
            assert recent_titles(section=french_section) == ["Rapport français"]


class TestWhatIsShown:
    def test_excerpt_from_summary_else_first_paragraph_cut_with_ellipsis(self, section):
        published_article(section, "With summary", summary="A short summary.")
        long_text = " ".join(f"word{n}" for n in range(40))
        published_article(
            section,
            "From paragraph",
            hours_ago=2,
            body__0__paragraph__value=f"<p><b>Bold</b> &amp; {long_text}</p>",
            body__1="source",
        )
        posts = {p.title: p for p in get_recent_posts(site_request())}
        assert posts["With summary"].excerpt == "A short summary."
        excerpt = posts["From paragraph"].excerpt
        assert excerpt.startswith("Bold & word0 word1")
        assert excerpt.endswith("…")
        assert "<b>" not in excerpt
        assert len(excerpt.split()) == 14

    def test_a_summary_is_plain_text_and_keeps_every_character(self, section):
        published_article(section, "Maths", summary="3<5 and a<b, <b>not bold</b> &amp; more")
        excerpt = get_recent_posts(site_request())[0].excerpt
        assert excerpt == "3<5 and a<b, <b>not bold</b> &amp; more"
        assert "3&lt;5 and a&lt;b, &lt;b&gt;not bold&lt;/b&gt; &amp;amp; more" in render_recent()

    def test_the_stored_excerpt_keeps_only_what_listings_can_show(self, section):
        paragraph = "<p>" + "word " * 400_000 + "</p>"  # 2 MB
        article = published_article(
            section, "Long", body__0__paragraph__value=paragraph, body__1="source"
        )
        assert len(article.excerpt) <= EXCERPT_MAX_CHARS
        assert article.excerpt.endswith("…")
        assert len(article.excerpt.split()) == EXCERPT_MAX_WORDS
        unbroken = published_article(section, "One long word", summary="x" * 2_000_000)
        assert len(unbroken.excerpt) == EXCERPT_MAX_CHARS
        assert get_recent_posts(site_request())[0].excerpt.endswith("…")

    def test_excerpts_never_end_in_punctuation_before_the_ellipsis(self, section, settings):
        settings.WAGTAIL_MEDIAWIRE = {"RECENT_POSTS_EXCERPT_WORDS": 4}
        # The cut of the stored excerpt (100 words) falls after "quay,"; the Recent
        # Posts cut (4 words) after "reopened.".
        words = ["The", "harbour", "reopened.", "Ferries"] + ["ran"] * 95 + ["quay,", "and"]
        article = published_article(section, "Harbour", summary=" ".join(words))
        assert article.excerpt.endswith(" ran quay…")
        assert get_recent_posts(site_request())[0].excerpt == "The harbour reopened. Ferries…"
        settings.WAGTAIL_MEDIAWIRE = {"RECENT_POSTS_EXCERPT_WORDS": 3}
        invalidate()
        assert get_recent_posts(site_request())[0].excerpt == "The harbour reopened…"

    def test_the_stored_excerpt_is_cut_at_a_word_when_characters_run_out(self, section):
        words = [f"{n:02d}-{'x' * 22}" for n in range(60)]  # 25 characters each
        article = published_article(section, "Long words", summary=" ".join(words))
        assert len(article.excerpt) <= EXCERPT_MAX_CHARS
        assert article.excerpt.endswith("…")
        kept = article.excerpt.removesuffix("…").split(" ")
        assert kept == words[: len(kept)]  # whole words only
        # As many as fit before the "…": 38 words and their spaces take 987 characters.
        assert len(kept) == 38

    def test_markup_in_titles_and_excerpts_is_escaped(self, section):
        published_article(
            section, "<script>alert(1)</script>", summary="<img src=x onerror=alert(2)>"
        )
        html = render_recent()
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html

    def test_link_time_and_heading(self, section):
        article = published_article(section, "Harbour reopens", hours_ago=3)
        html = render_recent()
        assert f'href="{article.url}"' in html
        stamp = article.first_published_at.isoformat(timespec="seconds")
        assert f'datetime="{stamp}"' in html
        assert "3\xa0hours ago" in html
        assert "Recent Posts" in html

    def test_relative_time_is_right_at_render_time_even_when_cached(self, section):
        MediaWireArticlePageFactory(
            parent=section, first_published_at=timezone.now() - timedelta(minutes=30)
        )
        request = site_request()
        assert "30\xa0minutes ago" in render_recent(request=request)
        with time_machine.travel(timezone.now() + timedelta(minutes=5)):
            with CaptureQueriesContext(connection) as ctx:
                html = render_recent(request=request)
        assert len(ctx.captured_queries) == 0  # served from the cache
        assert "35\xa0minutes ago" in html

    def test_nothing_to_list_renders_nothing(self, section):
        assert render_recent().strip() == ""

    def test_template_can_be_replaced(self, section):
        published_article(section, "Harbour reopens")
        html = render_recent(tag='{% mediawire_recent_posts template="recent_compact.html" %}')
        assert html.strip() == "<ol><li>Harbour reopens</li></ol>"

    @pytest.mark.parametrize(
        ("args", "listed"),
        [
            # Numbers are clamped to 0..MAX_COUNT...
            ('count="100000000000000000000"', 8),
            ("count=huge", 8),
            ("count=infinity", 8),
            ('count="inf"', 8),
            ("count=0", 0),
            ("count=-3", 0),
            ("count=2.7", 2),
            # ...and what is no number is ignored: the default count (6) applies.
            ('count="x"', 6),
            ("count=nan", 6),
            ("count=True", 6),
            # An id no page can have leaves nothing out; anything not a section lists all
            # sections (6: the default count).
            ("exclude=huge", 6),
            ('exclude="abc"', 6),
            ('exclude=""', 6),
            ("exclude=-1", 6),
            ('section="nope"', 6),
            ("section=huge", 6),
            # An empty or missing template name means the package's template.
            ('template=""', 6),
            ("template=None", 6),
        ],
    )
    def test_odd_arguments_are_clamped_or_ignored(self, section, args, listed):
        for n in range(8):
            published_article(section, f"Report {n}", hours_ago=n + 1)
        html = render_recent(
            tag=f"{{% mediawire_recent_posts {args} %}}",
            huge=2**64,
            infinity=float("inf"),
            nan=float("nan"),
        )
        assert html.count('class="mediawire-recent__item"') == listed

    def test_count_is_clamped_to_the_maximum(self, section):
        MediaWireArticlePageFactory.create_batch(MAX_COUNT + 2, parent=section)
        assert len(recent_titles(count=10**30)) == MAX_COUNT

    def test_no_request_in_context_renders_nothing(self, section):
        published_article(section, "Harbour reopens")
        template = Template("{% load mediawire_tags %}{% mediawire_recent_posts %}")
        assert template.render(Context({})) == ""


class TestCutExcerpt:
    """The one cut (``wagtail_mediawire.text``) behind both excerpts."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Ferries run again from the quay", "Ferries run again…"),
            ("Ferries run again, from the quay", "Ferries run again…"),
            ("Ferries run again. From the quay", "Ferries run again…"),
            ("Ferries run again; from the quay", "Ferries run again…"),
            ("Ferries run again: from the quay", "Ferries run again…"),
            ("Ferries run again! From the quay", "Ferries run again…"),
            ("Ferries run “again,” said the master", "Ferries run “again…"),
            ("Ferries run again... from the quay", "Ferries run again…"),
            ("Ferries run — from the quay", "Ferries run…"),
            ("Ferries (run again) from the quay", "Ferries (run again…"),
            # Uncut text keeps its own ending.
            ("Ferries run again.", "Ferries run again."),
            ("  Ferries\n run\tagain,  ", "Ferries run again,"),
            ("", ""),
        ],
    )
    def test_words(self, text, expected):
        assert cut_excerpt(text, 3) == expected

    def test_characters_cut_at_a_word(self):
        assert cut_excerpt("Ferries run again, now", 10, chars=19) == "Ferries run again…"
        assert cut_excerpt("Ferries run again, now", 10, chars=21) == "Ferries run again…"
        assert cut_excerpt("Ferries run again, now", 10, chars=22) == "Ferries run again, now"
        # One word longer than the limit: nothing else fits.
        assert cut_excerpt("Ferriesrunagain", 10, chars=8) == "Ferries…"


class TestCost:
    @pytest.mark.parametrize("count", [1, 6, 20])
    def test_cold_render_takes_one_query_and_warm_none(self, section, count):
        for n in range(25):
            published_article(section, f"Report {n}", hours_ago=n + 1)
        request = site_request()
        # As Wagtail's routing leaves them for a page it serves.
        request._wagtail_site = Site.find_for_request(request)
        Site.get_site_root_paths()
        with CaptureQueriesContext(connection) as cold:
            html = render_recent(f"{{% mediawire_recent_posts count={count} %}}", request)
        assert html.count("mediawire-recent__item") == count
        # The posts; view restrictions are a subquery of the same query.
        assert len(cold.captured_queries) == 1
        with CaptureQueriesContext(connection) as warm:
            render_recent(f"{{% mediawire_recent_posts count={count} %}}", request)
        assert len(warm.captured_queries) == 0

    def test_cold_render_without_a_known_site_takes_two(self, section):
        published_article(section, "Report")
        Site.get_site_root_paths()  # cached by Wagtail for every page it serves
        with CaptureQueriesContext(connection) as cold:
            render_recent()
        assert len(cold.captured_queries) == 2  # the site, then the posts

    def test_one_entry_serves_every_article_page(self, section):
        articles = [published_article(section, f"Report {n}", hours_ago=n + 1) for n in range(50)]
        request = site_request()
        request._wagtail_site = Site.find_for_request(request)
        Site.get_site_root_paths()
        queries = []
        for article in articles:
            with CaptureQueriesContext(connection) as ctx:
                html = render_recent(request=request, page=article)
            assert article.title + "<" not in html  # never the page being read
            assert html.count("mediawire-recent__item") == 6
            queries.append(len(ctx.captured_queries))
        assert queries[0] == 1
        assert queries[1:] == [0] * 49

    def test_the_cache_holds_plain_data(self, section):
        published_article(section, "Report")
        get_recent_posts(site_request())
        pickled = b"".join(cache._cache.values())  # LocMemCache keeps the pickles
        assert b"wagtail_mediawire" not in pickled and b"RecentPost" not in pickled
        assert b"Report" in pickled

    def test_an_entry_of_another_shape_is_a_miss(self, section):
        published_article(section, "Report")
        get_recent_posts(site_request())
        for key in list(cache._cache):
            if ":recent:" in key and "version" not in key:
                cache.set(key.split(":", 2)[-1], "not an entry")
        assert recent_titles() == ["Report"]

    def test_the_listing_never_loads_the_body(self, section):
        published_article(section, "Report")
        with CaptureQueriesContext(connection) as ctx:
            get_recent_posts(site_request())
        assert all('"body"' not in q["sql"] for q in ctx.captured_queries)


class TestAliases:
    def test_an_alias_beside_its_original_is_listed_once(self, client, section, root_page):
        original = published_article(section, "Ferry strike ends")
        original.create_alias(update_slug="ferry-strike-ends-again")
        other = MediaWireIndexPageFactory(parent=root_page, slug="other-wire")
        elsewhere = original.create_alias(parent=other, update_slug="ferry-strike-ends")
        published_article(section, "Another report", hours_ago=2)

        assert recent_titles() == ["Ferry strike ends", "Another report"]
        assert recent_titles(section=section) == ["Ferry strike ends", "Another report"]
        # In a section where the original is not, the alias is that section's story.
        assert recent_titles(section=other) == ["Ferry strike ends"]
        assert get_recent_posts(site_request(), section=other)[0].pk == elsewhere.pk

        html = client.get(section.url).content.decode()
        assert html.count("Ferry strike ends</a>") == 1
        assert "Ferry strike ends</a>" in client.get(other.url).content.decode()

    def test_reading_an_alias_leaves_its_original_out(self, section, root_page):
        original = published_article(section, "Ferry strike ends")
        other = MediaWireIndexPageFactory(parent=root_page, slug="other-wire")
        alias = original.create_alias(parent=other, update_slug="ferry-strike-ends")
        published_article(section, "Another report", hours_ago=2)
        assert recent_titles(exclude=alias) == ["Another report"]
