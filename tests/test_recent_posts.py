"""{% mediawire_recent_posts %}: what it lists, what it hides, what it costs."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, Page, PageViewRestriction, Site

from wagtail_mediawire.factories import (
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)
from wagtail_mediawire.models import MediaWireArticlePage
from wagtail_mediawire.models.pages import EXCERPT_MAX_CHARS, EXCERPT_MAX_WORDS
from wagtail_mediawire.recent import MAX_COUNT, VERSION_KEY, get_recent_posts, invalidate
from wagtail_mediawire.text import cut_excerpt

pytestmark = pytest.mark.django_db


def _request(host="localhost", **attrs):
    request = RequestFactory().get("/", HTTP_HOST=host)
    for name, value in attrs.items():
        setattr(request, name, value)
    return request


def render(tag="{% mediawire_recent_posts %}", request=None, **context):
    template = Template("{% load mediawire_tags %}" + tag)
    return template.render(Context({"request": request or _request(), **context}))


def titles(request=None, **kwargs):
    return [post.title for post in get_recent_posts(request or _request(), **kwargs)]


def _article(section, title, hours_ago=1, **kwargs):
    kwargs.setdefault("first_published_at", timezone.now() - timedelta(hours=hours_ago))
    return MediaWireArticlePageFactory(parent=section, title=title, **kwargs)


class TestWhatIsListed:
    def test_newest_first_with_count(self, section):
        for hours in (5, 1, 3, 2, 4):
            _article(section, f"{hours} hours old", hours_ago=hours)
        assert titles(count=3) == ["1 hours old", "2 hours old", "3 hours old"]

    def test_default_count_comes_from_settings(self, section, settings):
        for n in range(8):
            _article(section, f"Report {n}", hours_ago=n + 1)
        assert len(titles()) == 6
        settings.WAGTAIL_MEDIAWIRE = {"RECENT_POSTS_COUNT": 2}
        assert len(titles()) == 2

    def test_section_limits_the_list(self, section, root_page):
        other = MediaWireIndexPageFactory(parent=root_page, slug="other-wire")
        _article(section, "In the first section")
        _article(other, "In the other section")
        assert titles(section=other) == ["In the other section"]
        # A plain Page, as {% mediawire_recent_posts section=page.get_parent %} passes it.
        assert titles(section=Page.objects.get(pk=other.pk)) == ["In the other section"]
        assert sorted(titles()) == ["In the first section", "In the other section"]

    def test_the_page_being_read_is_left_out(self, section):
        reading = _article(section, "Being read")
        _article(section, "Another report", hours_ago=2)
        html = render(page=reading)
        assert "Another report" in html
        assert "Being read" not in html
        assert "Being read" in render(tag="{% mediawire_recent_posts exclude=None %}")

    def test_drafts_are_hidden(self, section):
        _article(section, "Draft", live=False)
        _article(section, "Live", hours_ago=2)
        assert titles() == ["Live"]

    def test_an_expiry_in_the_past_hides_at_once(self, section):
        # live=True still: publish_scheduled has not run yet.
        _article(section, "Expired", expire_at=timezone.now() - timedelta(minutes=1))
        _article(section, "Not yet", expire_at=timezone.now() + timedelta(days=1))
        assert titles() == ["Not yet"]

    def test_an_expiry_hides_a_cached_post_when_it_passes(self, section):
        _article(section, "Expires soon", expire_at=timezone.now() + timedelta(minutes=5))
        _article(section, "Stays", hours_ago=2)
        assert titles() == ["Expires soon", "Stays"]
        with time_machine.travel(timezone.now() + timedelta(minutes=6)):
            assert titles() == ["Stays"]

    @pytest.mark.parametrize("kind", ["password", "login", "groups"])
    @pytest.mark.parametrize("on_ancestor", [False, True], ids=["page", "ancestor"])
    def test_view_restrictions_hide(self, section, root_page, kind, on_ancestor):
        private_section = MediaWireIndexPageFactory(parent=root_page, slug="private-wire")
        target = _article(private_section if on_ancestor else section, "Restricted")
        _article(section, "Public", hours_ago=2)
        restriction = PageViewRestriction.objects.create(
            page=private_section if on_ancestor else target,
            restriction_type=kind,
            password="secret" if kind == "password" else "",
        )
        if kind == "groups":
            restriction.groups.add(Group.objects.get(name="Editors"))
        assert titles() == ["Public"]

    def test_other_sites_are_hidden(self, section, wagtail_root):
        other_home = wagtail_root.add_child(title="Other home", slug="other-home")
        Site.objects.create(hostname="other.example", root_page=other_home)
        other_section = MediaWireIndexPageFactory(parent=other_home, slug="wire")
        _article(section, "Ours")
        _article(other_section, "Theirs")
        assert titles() == ["Ours"]
        assert titles(_request(host="other.example")) == ["Theirs"]
        # A section of another site given explicitly lists nothing here.
        assert titles(section=other_section) == []

    def test_only_the_active_locale_when_the_site_has_several(self, section, settings):
        settings.WAGTAIL_I18N_ENABLED = True
        settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [
            ("en", "English"),
            ("fr", "French"),
        ]
        french = Locale.objects.create(language_code="fr")
        english_article = _article(section, "English report")
        # A translated tree as Wagtail makes it: the French home is the English one's sibling.
        home = section.get_parent()
        home.copy_for_translation(french)
        french_section = section.copy_for_translation(french)
        french_article = english_article.copy_for_translation(french)
        french_article.title = "Rapport français"
        french_article.save_revision().publish()
        with translation.override("en"):
            assert titles() == ["English report"]
            assert titles(section=section) == ["English report"]
        with translation.override("fr"):
            assert titles() == ["Rapport français"]
            # The section given is the English one: its French translation is used.
            assert titles(section=section) == ["Rapport français"]
            assert titles(section=french_section) == ["Rapport français"]


class TestWhatIsShown:
    def test_excerpt_from_summary_else_first_paragraph_cut_with_ellipsis(self, section):
        _article(section, "With summary", summary="A short summary.")
        long_text = " ".join(f"word{n}" for n in range(40))
        _article(
            section,
            "From paragraph",
            hours_ago=2,
            body__0__paragraph__value=f"<p><b>Bold</b> &amp; {long_text}</p>",
            body__1="source",
        )
        posts = {p.title: p for p in get_recent_posts(_request())}
        assert posts["With summary"].excerpt == "A short summary."
        excerpt = posts["From paragraph"].excerpt
        assert excerpt.startswith("Bold & word0 word1")
        assert excerpt.endswith("…")
        assert "<b>" not in excerpt
        assert len(excerpt.split()) == 14

    def test_a_summary_is_plain_text_and_keeps_every_character(self, section):
        _article(section, "Maths", summary="3<5 and a<b, <b>not bold</b> &amp; more")
        excerpt = get_recent_posts(_request())[0].excerpt
        assert excerpt == "3<5 and a<b, <b>not bold</b> &amp; more"
        assert "3&lt;5 and a&lt;b, &lt;b&gt;not bold&lt;/b&gt; &amp;amp; more" in render()

    def test_the_stored_excerpt_keeps_only_what_listings_can_show(self, section):
        paragraph = "<p>" + "word " * 400_000 + "</p>"  # 2 MB
        article = _article(section, "Long", body__0__paragraph__value=paragraph, body__1="source")
        assert len(article.excerpt) <= EXCERPT_MAX_CHARS
        assert article.excerpt.endswith("…")
        assert len(article.excerpt.split()) == EXCERPT_MAX_WORDS
        unbroken = _article(section, "One long word", summary="x" * 2_000_000)
        assert len(unbroken.excerpt) == EXCERPT_MAX_CHARS
        assert get_recent_posts(_request())[0].excerpt.endswith("…")

    def test_excerpts_never_end_in_punctuation_before_the_ellipsis(self, section, settings):
        settings.WAGTAIL_MEDIAWIRE = {"RECENT_POSTS_EXCERPT_WORDS": 4}
        # The cut of the stored excerpt (100 words) falls after "quay,"; the Recent
        # Posts cut (4 words) after "reopened.".
        words = ["The", "harbour", "reopened.", "Ferries"] + ["ran"] * 95 + ["quay,", "and"]
        article = _article(section, "Harbour", summary=" ".join(words))
        assert article.excerpt.endswith(" ran quay…")
        assert get_recent_posts(_request())[0].excerpt == "The harbour reopened. Ferries…"
        settings.WAGTAIL_MEDIAWIRE = {"RECENT_POSTS_EXCERPT_WORDS": 3}
        invalidate()
        assert get_recent_posts(_request())[0].excerpt == "The harbour reopened…"

    def test_the_stored_excerpt_is_cut_at_a_word_when_characters_run_out(self, section):
        words = [f"{n:02d}-{'x' * 22}" for n in range(60)]  # 25 characters each
        article = _article(section, "Long words", summary=" ".join(words))
        assert len(article.excerpt) <= EXCERPT_MAX_CHARS
        assert article.excerpt.endswith("…")
        kept = article.excerpt.removesuffix("…").split(" ")
        assert kept == words[: len(kept)]  # whole words only
        # As many as fit before the "…": 38 words and their spaces take 987 characters.
        assert len(kept) == 38

    def test_markup_in_titles_and_excerpts_is_escaped(self, section):
        _article(section, "<script>alert(1)</script>", summary="<img src=x onerror=alert(2)>")
        html = render()
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html

    def test_link_time_and_heading(self, section):
        article = _article(section, "Harbour reopens", hours_ago=3)
        html = render()
        assert f'href="{article.url}"' in html
        stamp = article.first_published_at.isoformat(timespec="seconds")
        assert f'datetime="{stamp}"' in html
        assert "3\xa0hours ago" in html
        assert "Recent Posts" in html

    def test_relative_time_is_right_at_render_time_even_when_cached(self, section):
        MediaWireArticlePageFactory(
            parent=section, first_published_at=timezone.now() - timedelta(minutes=30)
        )
        request = _request()
        assert "30\xa0minutes ago" in render(request=request)
        with time_machine.travel(timezone.now() + timedelta(minutes=5)):
            with CaptureQueriesContext(connection) as ctx:
                html = render(request=request)
        assert len(ctx.captured_queries) == 0  # served from the cache
        assert "35\xa0minutes ago" in html

    def test_nothing_to_list_renders_nothing(self, section):
        assert render().strip() == ""

    def test_template_can_be_replaced(self, section):
        _article(section, "Harbour reopens")
        html = render(tag='{% mediawire_recent_posts template="recent_compact.html" %}')
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
            _article(section, f"Report {n}", hours_ago=n + 1)
        html = render(
            tag=f"{{% mediawire_recent_posts {args} %}}",
            huge=2**64,
            infinity=float("inf"),
            nan=float("nan"),
        )
        assert html.count('class="mediawire-recent__item"') == listed

    def test_count_is_clamped_to_the_maximum(self, section):
        MediaWireArticlePageFactory.create_batch(MAX_COUNT + 2, parent=section)
        assert len(titles(count=10**30)) == MAX_COUNT

    def test_no_request_in_context_renders_nothing(self, section):
        _article(section, "Harbour reopens")
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
    def test_cold_render_takes_at_most_two_queries_and_warm_none(self, section, count):
        for n in range(25):
            _article(section, f"Report {n}", hours_ago=n + 1)
        request = _request()
        # As Wagtail's routing leaves them for a page it serves.
        request._wagtail_site = Site.find_for_request(request)
        Site.get_site_root_paths()
        with CaptureQueriesContext(connection) as cold:
            html = render(f"{{% mediawire_recent_posts count={count} %}}", request)
        assert html.count("mediawire-recent__item") == count
        assert len(cold.captured_queries) <= 2
        with CaptureQueriesContext(connection) as warm:
            render(f"{{% mediawire_recent_posts count={count} %}}", request)
        assert len(warm.captured_queries) == 0

    def test_cold_render_without_a_known_site_takes_at_most_three(self, section):
        _article(section, "Report")
        Site.get_site_root_paths()  # cached by Wagtail for every page it serves
        with CaptureQueriesContext(connection) as cold:
            render()
        assert len(cold.captured_queries) <= 3

    def test_one_entry_serves_every_article_page(self, section):
        articles = [_article(section, f"Report {n}", hours_ago=n + 1) for n in range(50)]
        request = _request()
        request._wagtail_site = Site.find_for_request(request)
        Site.get_site_root_paths()
        queries = []
        for article in articles:
            with CaptureQueriesContext(connection) as ctx:
                html = render(request=request, page=article)
            assert article.title + "<" not in html  # never the page being read
            assert html.count("mediawire-recent__item") == 6
            queries.append(len(ctx.captured_queries))
        assert queries[0] <= 2
        assert queries[1:] == [0] * 49

    def test_the_cache_holds_plain_data(self, section):
        _article(section, "Report")
        get_recent_posts(_request())
        pickled = b"".join(cache._cache.values())  # LocMemCache keeps the pickles
        assert b"wagtail_mediawire" not in pickled and b"RecentPost" not in pickled
        assert b"Report" in pickled

    def test_an_entry_of_another_shape_is_a_miss(self, section):
        _article(section, "Report")
        get_recent_posts(_request())
        for key in list(cache._cache):
            if ":recent:" in key and "version" not in key:
                cache.set(key.split(":", 2)[-1], "not an entry")
        assert titles() == ["Report"]

    def test_the_listing_never_loads_the_body(self, section):
        _article(section, "Report")
        with CaptureQueriesContext(connection) as ctx:
            get_recent_posts(_request())
        assert all('"body"' not in q["sql"] for q in ctx.captured_queries)


class TestInvalidation:
    """Every change that affects the list shows on the next render, cache or not."""

    def test_publish(self, section):
        _article(section, "First")
        assert titles() == ["First"]
        draft = _article(section, "Second", hours_ago=0, live=False)
        draft.save_revision().publish()
        assert titles()[0] == "Second"

    def test_unpublish(self, section):
        article = _article(section, "First")
        assert titles() == ["First"]
        article.unpublish()
        assert titles() == []

    def test_delete(self, section):
        article = _article(section, "First")
        assert titles() == ["First"]
        article.delete()
        assert titles() == []

    def test_move_out_of_the_site(self, section, wagtail_root):
        elsewhere = MediaWireIndexPageFactory(parent=wagtail_root, slug="elsewhere")
        article = _article(section, "First")
        assert titles() == ["First"]
        article.move(elsewhere, pos="last-child")
        assert titles() == []

    def test_title_and_summary_change(self, section):
        article = _article(section, "First")
        assert titles() == ["First"]
        article.title = "First, corrected"
        article.summary = "A new summary."
        article.save_revision().publish()
        posts = get_recent_posts(_request())
        assert (posts[0].title, posts[0].excerpt) == ("First, corrected", "A new summary.")

    def test_view_restriction_added_and_removed(self, section):
        _article(section, "First")
        assert titles() == ["First"]
        restriction = PageViewRestriction.objects.create(page=section, restriction_type="login")
        assert titles() == []
        restriction.delete()
        assert titles() == ["First"]

    def test_ancestor_slug_change_updates_urls(self, section):
        article = _article(section, "First")
        assert get_recent_posts(_request())[0].url == article.url
        section.slug = "wire-desk"
        section.save_revision().publish()
        assert get_recent_posts(_request())[0].url.startswith("/wire-desk/")

    def test_a_restriction_groups_change_clears_the_cache(self, section):
        _article(section, "First")
        restriction = PageViewRestriction.objects.create(page=section, restriction_type="groups")
        assert titles() == []
        version = cache.get(VERSION_KEY)
        # Changing only the groups is an m2m change, not a save of the restriction.
        restriction.groups.add(Group.objects.get(name="Editors"))
        assert cache.get(VERSION_KEY) != version

    def test_site_root_change(self, section, root_page, wagtail_root):
        _article(section, "First")
        assert titles() == ["First"]
        other_home = wagtail_root.add_child(title="Other home", slug="other-home")
        site = Site.objects.get(is_default_site=True)
        site.root_page = other_home
        site.save()
        assert titles() == []

    def test_invalidation_is_repeated_on_commit(self, section, django_capture_on_commit_callbacks):
        _article(section, "First")
        assert titles() == ["First"]
        with django_capture_on_commit_callbacks() as callbacks:
            _article(section, "Second", hours_ago=0)
        assert invalidate in callbacks

    def test_preview_neither_reads_nor_fills_the_cache(self, section):
        article = _article(section, "Live title")
        preview = _request(is_preview=True)
        assert titles(preview) == ["Live title"]
        # Not filled by the preview: the next normal render queries.
        with CaptureQueriesContext(connection) as ctx:
            assert titles() == ["Live title"]
        assert len(ctx.captured_queries) > 0
        # Not read by the preview: a change made behind the cache's back shows there.
        MediaWireArticlePage.objects.filter(pk=article.pk).update(title="Changed quietly")
        assert titles() == ["Live title"]  # the cache, as expected
        assert titles(_request(is_preview=True)) == ["Changed quietly"]


class TestAliases:
    def test_an_alias_beside_its_original_is_listed_once(self, client, section, root_page):
        original = _article(section, "Ferry strike ends")
        original.create_alias(update_slug="ferry-strike-ends-again")
        other = MediaWireIndexPageFactory(parent=root_page, slug="other-wire")
        elsewhere = original.create_alias(parent=other, update_slug="ferry-strike-ends")
        _article(section, "Another report", hours_ago=2)

        assert titles() == ["Ferry strike ends", "Another report"]
        assert titles(section=section) == ["Ferry strike ends", "Another report"]
        # In a section where the original is not, the alias is that section's story.
        assert titles(section=other) == ["Ferry strike ends"]
        assert get_recent_posts(_request(), section=other)[0].pk == elsewhere.pk

        html = client.get(section.url).content.decode()
        assert html.count("Ferry strike ends</a>") == 1
        assert "Ferry strike ends</a>" in client.get(other.url).content.decode()

    def test_reading_an_alias_leaves_its_original_out(self, section, root_page):
        original = _article(section, "Ferry strike ends")
        other = MediaWireIndexPageFactory(parent=root_page, slug="other-wire")
        alias = original.create_alias(parent=other, update_slug="ferry-strike-ends")
        _article(section, "Another report", hours_ago=2)
        assert titles(exclude=alias) == ["Another report"]


class TestStaysWarm:
    """Work that changes nothing a reader sees leaves the cache warm (no query)."""

    @pytest.fixture
    def request_(self):
        # As Wagtail's routing leaves it for a page it serves: the site is known.
        request = _request()
        request._wagtail_site = Site.find_for_request(request)
        return request

    @pytest.fixture
    def live(self, section):
        article = _article(section, "Ferry timetable changes", slug="ferry-timetable")
        article.save_revision().publish()
        _article(section, "Another report", hours_ago=2)
        return article

    def _assert_warm(self, request, before):
        with CaptureQueriesContext(connection) as ctx:
            html = render(request=request)
        assert len(ctx.captured_queries) == 0
        assert html == before

    def _edit(self, admin_client, page, action=None, **headers):
        from tests.test_publishing import SOURCE, _data

        url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
        response = admin_client.post(url, _data(source=SOURCE, action=action), **headers)
        assert response.status_code in (200, 302)
        return response

    def test_draft_save_and_autosave_of_a_live_article(self, admin_client, live, request_):
        before = render(request=request_)
        self._edit(admin_client, live)
        self._assert_warm(request_, before)
        response = self._edit(admin_client, live, HTTP_ACCEPT="application/json")
        assert response.json()["success"]
        self._assert_warm(request_, before)
        assert live.revisions.count() == 3

    def test_draft_save_of_an_article_never_published(self, admin_client, section, live, request_):
        before = render(request=request_)
        draft = _article(section, "Not yet", live=False, first_published_at=None)
        self._edit(admin_client, draft)
        self._assert_warm(request_, before)

    def test_revisions_saved_by_code(self, section, live, request_):
        before = render(request=request_)
        live.title = "A draft headline"
        live.save_revision()
        self._assert_warm(request_, before)

    def test_workflow_submit_and_reject(self, admin_client, live, request_):
        before = render(request=request_)
        self._edit(admin_client, live, action="action-submit")
        live.refresh_from_db()
        assert live.workflow_in_progress
        self._assert_warm(request_, before)
        task_state = live.current_workflow_state.current_task_state
        reject = reverse(
            "wagtailadmin_pages:workflow_action", args=(live.pk, "reject", task_state.pk)
        )
        assert admin_client.post(reject, {"comment": ""}).status_code == 302
        self._assert_warm(request_, before)

    def test_lock_and_unlock(self, admin_client, live, request_):
        before = render(request=request_)
        for view in ("lock", "unlock"):
            response = admin_client.post(reverse(f"wagtailadmin_pages:{view}", args=(live.pk,)))
            assert response.status_code == 302
            self._assert_warm(request_, before)
        live.refresh_from_db()
        assert not live.locked

    def test_a_live_article_saved_directly_by_code_still_clears(self, live):
        render()
        live.title = "Corrected directly"
        live.save()
        assert titles()[0] == "Corrected directly"
        MediaWireArticlePage.objects.get(pk=live.pk)  # and taken offline by code
        live.live = False
        live.save(update_fields=["live"])
        assert "Corrected directly" not in titles()
