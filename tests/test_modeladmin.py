"""The Media Wire > Articles listing and who may use the wire desk's admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail_mediawire.factories import (
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)

pytestmark = pytest.mark.django_db

LISTING = "/admin/wagtail_mediawire/mediawirearticlepage/"


def _rows(response):
    return [str(obj.title) for obj in response.context["object_list"]]


def _article(section, title, hours_ago=1, **kwargs):
    return MediaWireArticlePageFactory(
        parent=section,
        title=title,
        first_published_at=timezone.now() - timedelta(hours=hours_ago),
        **kwargs,
    )


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


def test_lists_every_article_across_sections_newest_first(admin_client, section, root_page):
    other = MediaWireIndexPageFactory(parent=root_page, title="Second desk", slug="second")
    _article(section, "Older", hours_ago=5, body__0__source__name="Cobalt Wire")
    newest = _article(other, "Newest", hours_ago=1)
    response = admin_client.get(LISTING)
    assert response.status_code == 200
    assert _rows(response) == ["Newest", "Older"]
    html = response.content.decode()
    for text in ("Second desk", "Media Wire", "Cobalt Wire", "live"):
        assert text in html
    assert f"/admin/pages/{newest.pk}/edit/" in html  # edit links open the page editor


def test_filters_and_search(admin_client, section, root_page):
    other = MediaWireIndexPageFactory(parent=root_page, title="Second desk", slug="second")
    _article(section, "Harbour", body__0__source__name="Cobalt Wire")
    _article(other, "Comet", body__0__source__name="Northwind Press")
    _article(section, "Unpublished", live=False)
    _article(section, "Tomorrow", live=False, go_live_at=timezone.now() + timedelta(days=1))
    assert _rows(admin_client.get(LISTING, {"section": other.pk})) == ["Comet"]
    assert _rows(admin_client.get(LISTING, {"source_name": "Cobalt Wire"})) == ["Harbour"]
    assert sorted(_rows(admin_client.get(LISTING, {"status": "live"}))) == ["Comet", "Harbour"]
    assert _rows(admin_client.get(LISTING, {"status": "draft"})) == ["Unpublished"]
    assert _rows(admin_client.get(LISTING, {"status": "scheduled"})) == ["Tomorrow"]
    assert _rows(admin_client.get(LISTING, {"q": "northwind"})) == ["Comet"]
    assert _rows(admin_client.get(LISTING, {"q": "harb"})) == ["Harbour"]
    # A hand-made bad filter value lists nothing rather than failing.
    assert _rows(admin_client.get(LISTING, {"section": "abc"})) == []
    assert _rows(admin_client.get(LISTING, {"section": "²"})) == []


def _listing_queries(client):
    client.get(LISTING)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LISTING)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["object_list"])


@pytest.mark.parametrize("who", ["superuser", "editor"])
def test_listing_queries_do_not_grow_with_the_page_size(client, section, root_page, who):
    if who == "superuser":
        client.force_login(User.objects.create_superuser("boss", password="pw"))
    else:
        user = User.objects.create_user("editor", password="pw")
        user.groups.add(Group.objects.get(name="Editors"))
        client.force_login(user)
    other = MediaWireIndexPageFactory(parent=root_page, slug="second")
    MediaWireArticlePageFactory.create_batch(2, parent=section)
    small, rows = _listing_queries(client)
    assert rows == 2
    MediaWireArticlePageFactory.create_batch(20, parent=section)
    MediaWireArticlePageFactory.create_batch(20, parent=other)
    large, rows = _listing_queries(client)
    assert rows == 42
    assert large == small


class TestPermissions:
    def test_editors_see_the_group_and_can_create_articles(self, client, editor, section):
        dashboard = client.get("/admin/").content.decode()
        assert "Media Wire" in dashboard
        assert client.get(LISTING).status_code == 200
        add = f"/admin/pages/add/wagtail_mediawire/mediawirearticlepage/{section.pk}/"
        assert client.get(add).status_code == 200

    def test_editors_choose_disclaimers_but_do_not_edit_them_by_default(self, client, editor):
        assert client.get("/admin/snippets/choose/wagtail_mediawire/disclaimer/").status_code == 200
        listing = client.get("/admin/snippets/wagtail_mediawire/disclaimer/")
        assert listing.status_code in (302, 403)
        assert "Disclaimers" not in client.get("/admin/").content.decode()

    def test_disclaimer_editing_follows_model_permissions(self, client, editor):
        editor.user_permissions.add(
            Permission.objects.get(codename="change_disclaimer"),
            Permission.objects.get(codename="add_disclaimer"),
        )
        assert client.get("/admin/snippets/wagtail_mediawire/disclaimer/").status_code == 200
        assert client.get("/admin/snippets/wagtail_mediawire/disclaimer/add/").status_code == 200

    def test_admin_access_alone_gets_no_listing_and_no_menu(self, client):
        user = User.objects.create_user("visitor", password="pw")
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(user)
        response = client.get(LISTING)
        assert response.status_code in (302, 403)
        assert "Media Wire" not in client.get("/admin/").content.decode()
