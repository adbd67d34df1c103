"""What clears the Recent Posts cache (signal_handlers.py), and what leaves it warm."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction, Site

from tests.utils import published_article, recent_titles, render_recent, site_request
from wagtail_mediawire.cache import VERSION_KEY
from wagtail_mediawire.factories import MediaWireIndexPageFactory
from wagtail_mediawire.models import MediaWireArticlePage
from wagtail_mediawire.recent import get_recent_posts, invalidate

pytestmark = pytest.mark.django_db


class TestInvalidation:
    """Every change that affects the list shows on the next render, cache or not."""

    def test_publish(self, section):
        published_article(section, "First")
        assert recent_titles() == ["First"]
        draft = published_article(section, "Second", hours_ago=0, live=False)
        draft.save_revision().publish()
        assert recent_titles()[0] == "Second"

    def test_unpublish(self, section):
        article = published_article(section, "First")
        assert recent_titles() == ["First"]
        article.unpublish()
        assert recent_titles() == []

    def test_delete(self, section):
        article = published_article(section, "First")
        assert recent_titles() == ["First"]
        article.delete()
        assert recent_titles() == []

    def test_move_out_of_the_site(self, section, wagtail_root):
        elsewhere = MediaWireIndexPageFactory(parent=wagtail_root, slug="elsewhere")
        article = published_article(section, "First")
        assert recent_titles() == ["First"]
        article.move(elsewhere, pos="last-child")
        assert recent_titles() == []

    def test_title_and_summary_change(self, section):
        article = published_article(section, "First")
        assert recent_titles() == ["First"]
        article.title = "First, corrected"
        article.summary = "A new summary."
        article.save_revision().publish()
        posts = get_recent_posts(site_request())
        assert (posts[0].title, posts[0].excerpt) == ("First, corrected", "A new summary.")

    def test_view_restriction_added_and_removed(self, section):
        published_article(section, "First")
        assert recent_titles() == ["First"]
        restriction = PageViewRestriction.objects.create(page=section, restriction_type="login")
        assert recent_titles() == []
        restriction.delete()
        assert recent_titles() == ["First"]

    def test_ancestor_slug_change_updates_urls(self, section):
        article = published_article(section, "First")
        assert get_recent_posts(site_request())[0].url == article.url
        section.slug = "wire-desk"
        section.save_revision().publish()
        assert get_recent_posts(site_request())[0].url.startswith("/wire-desk/")

    def test_a_restriction_groups_change_clears_the_cache(self, section):
        published_article(section, "First")
        restriction = PageViewRestriction.objects.create(page=section, restriction_type="groups")
        assert recent_titles() == []
        version = cache.get(VERSION_KEY)
        # Changing only the groups is an m2m change, not a save of the restriction.
        restriction.groups.add(Group.objects.get(name="Editors"))
        assert cache.get(VERSION_KEY) != version

    def test_site_root_change(self, section, root_page, wagtail_root):
        published_article(section, "First")
        assert recent_titles() == ["First"]
        other_home = wagtail_root.add_child(title="Other home", slug="other-home")
        site = Site.objects.get(is_default_site=True)
        site.root_page = other_home
        site.save()
        assert recent_titles() == []

    def test_invalidation_is_repeated_on_commit(self, section, django_capture_on_commit_callbacks):
        published_article(section, "First")
        assert recent_titles() == ["First"]
        with django_capture_on_commit_callbacks() as callbacks:
            published_article(section, "Second", hours_ago=0)
        assert invalidate in callbacks

    def test_preview_neither_reads_nor_fills_the_cache(self, section):
        article = published_article(section, "Live title")
        preview = site_request(is_preview=True)
        assert recent_titles(preview) == ["Live title"]
        # Not filled by the preview: the next normal render queries.
        with CaptureQueriesContext(connection) as ctx:
            assert recent_titles() == ["Live title"]
        assert len(ctx.captured_queries) > 0
        # Not read by the preview: a change made behind the cache's back shows there.
        MediaWireArticlePage.objects.filter(pk=article.pk).update(title="Changed quietly")
        assert recent_titles() == ["Live title"]  # the cache, as expected
        assert recent_titles(site_request(is_preview=True)) == ["Changed quietly"]


class TestStaysWarm:
    """Work that changes nothing a reader sees leaves the cache warm (no query)."""

    @pytest.fixture
    def request_(self):
        # As Wagtail's routing leaves it for a page it serves: the site is known.
        request = site_request()
        request._wagtail_site = Site.find_for_request(request)
        return request

    @pytest.fixture
    def live(self, section):
        article = published_article(section, "Ferry timetable changes", slug="ferry-timetable")
        article.save_revision().publish()
        published_article(section, "Another report", hours_ago=2)
        return article

    def _assert_warm(self, request, before):
        with CaptureQueriesContext(connection) as ctx:
            html = render_recent(request=request)
        assert len(ctx.captured_queries) == 0
        assert html == before

    def _edit(self, admin_client, page, action=None, **headers):
        from tests.test_publishing import SOURCE, _data

        url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
        response = admin_client.post(url, _data(source=SOURCE, action=action), **headers)
        assert response.status_code in (200, 302)
        return response

    def test_draft_save_and_autosave_of_a_live_article(self, admin_client, live, request_):
        before = render_recent(request=request_)
        self._edit(admin_client, live)
        self._assert_warm(request_, before)
        response = self._edit(admin_client, live, HTTP_ACCEPT="application/json")
        assert response.json()["success"]
        self._assert_warm(request_, before)
        assert live.revisions.count() == 3

    def test_draft_save_of_an_article_never_published(self, admin_client, section, live, request_):
        before = render_recent(request=request_)
        draft = published_article(section, "Not yet", live=False, first_published_at=None)
        self._edit(admin_client, draft)
        self._assert_warm(request_, before)

    def test_revisions_saved_by_code(self, section, live, request_):
        before = render_recent(request=request_)
        live.title = "A draft headline"
        live.save_revision()
        self._assert_warm(request_, before)

    def test_workflow_submit_and_reject(self, admin_client, live, request_):
        before = render_recent(request=request_)
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
        before = render_recent(request=request_)
        for view in ("lock", "unlock"):
            response = admin_client.post(reverse(f"wagtailadmin_pages:{view}", args=(live.pk,)))
            assert response.status_code == 302
            self._assert_warm(request_, before)
        live.refresh_from_db()
        assert not live.locked

    def test_a_live_article_saved_directly_by_code_still_clears(self, live):
        render_recent()
        live.title = "Corrected directly"
        live.save()
        assert recent_titles()[0] == "Corrected directly"
        MediaWireArticlePage.objects.get(pk=live.pk)  # and taken offline by code
        live.live = False
        live.save(update_fields=["live"])
        assert "Corrected directly" not in recent_titles()
