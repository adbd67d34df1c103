"""The Media Wire > Articles listing and who may use the wire desk's admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import GroupPagePermission

from wagtail_mediawire.factories import (
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)

pytestmark = pytest.mark.django_db

LISTING = "/admin/wagtail_mediawire/mediawirearticlepage/"


def _rows(response):
    return [str(obj.title) for obj in response.context["object_list"]]


def _article(section, title, hours_ago=1, **kwargs):
    kwargs.setdefault("first_published_at", timezone.now() - timedelta(hours=hours_ago))
    return MediaWireArticlePageFactory(parent=section, title=title, **kwargs)


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
    assert _rows(admin_client.get(LISTING, {"source_name__exact": "Cobalt Wire"})) == ["Harbour"]
    assert sorted(_rows(admin_client.get(LISTING, {"status": "live"}))) == ["Comet", "Harbour"]
    assert _rows(admin_client.get(LISTING, {"status": "draft"})) == ["Unpublished"]
    assert _rows(admin_client.get(LISTING, {"status": "scheduled"})) == ["Tomorrow"]
    assert _rows(admin_client.get(LISTING, {"q": "northwind"})) == ["Comet"]
    assert _rows(admin_client.get(LISTING, {"q": "harb"})) == ["Harbour"]
    # A section that does not exist lists nothing.
    assert _rows(admin_client.get(LISTING, {"section": other.pk + 1000})) == []


ALL_FOUR = ["Harbour", "Comet", "Unpublished", "Tomorrow"]


@pytest.mark.parametrize(
    "params",
    [
        {"section": "abc"},
        {"section": "²"},
        {"section": "1" * 20},  # beyond any database's range
        {"section": str(2**63)},
        {"section": "-4"},
        {"status": "nope"},
        {"p": "1" * 20},
        {"p": "abc"},
        {"o": "99.x.-"},
        {"owner__password__startswith": "md5"},  # not a filter of the listing
        {"title__regex": "("},
        {"no_such_field": "1"},
        {"source_name": "Cobalt Wire"},  # a lookup, not the filter's parameter
    ],
)
def test_values_the_filters_cannot_use_are_ignored(admin_client, section, root_page, params):
    other = MediaWireIndexPageFactory(parent=root_page, title="Second desk", slug="second")
    _article(section, "Harbour", hours_ago=1, body__0__source__name="Cobalt Wire")
    _article(other, "Comet", hours_ago=2)
    _article(section, "Unpublished", live=False, first_published_at=None)
    _article(
        section,
        "Tomorrow",
        live=False,
        go_live_at=timezone.now() + timedelta(days=1),
        first_published_at=None,
    )
    response = admin_client.get(LISTING, params)
    assert response.status_code == 200
    assert sorted(_rows(response)) == sorted(ALL_FOUR)


def _listing_queries(client):
    client.get(LISTING)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LISTING)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["object_list"])


def _section_editor(section, username="desk-a"):
    """A user whose group may add, change and publish pages in ``section`` only."""
    group = Group.objects.create(name=f"{section.title} editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=section,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    user = User.objects.create_user(username, password="pw")
    user.groups.add(group)
    return user


@pytest.mark.parametrize("who", ["superuser", "editor", "section editor"])
def test_listing_queries_do_not_grow_with_the_page_size(client, section, root_page, who):
    other = MediaWireIndexPageFactory(parent=root_page, slug="second")
    if who == "superuser":
        client.force_login(User.objects.create_superuser("boss", password="pw"))
    elif who == "editor":
        user = User.objects.create_user("editor", password="pw")
        user.groups.add(Group.objects.get(name="Editors"))
        client.force_login(user)
    else:
        client.force_login(_section_editor(section))
    MediaWireArticlePageFactory.create_batch(2, parent=section)
    small, rows = _listing_queries(client)
    assert rows == 2
    MediaWireArticlePageFactory.create_batch(20, parent=section)
    MediaWireArticlePageFactory.create_batch(20, parent=other)
    large, rows = _listing_queries(client)
    assert rows == (22 if who == "section editor" else 42)
    assert large == small


class TestSectionEditor:
    """An editor whose group has permissions on one section only."""

    @pytest.fixture
    def desks(self, client, section, root_page):
        other = MediaWireIndexPageFactory(parent=root_page, title="Closed desk", slug="closed")
        _article(section, "Own report", body__0__source__name="Open Agency")
        _article(
            other,
            "Embargoed draft",
            live=False,
            first_published_at=None,
            body__0__source__name="Hidden Agency",
        )
        client.force_login(_section_editor(section))
        return section, other

    def test_lists_searches_and_counts_only_what_it_may_explore(self, client, desks):
        section, other = desks
        response = client.get(LISTING)
        assert response.status_code == 200
        assert _rows(response) == ["Own report"]
        assert response.context["all_count"] == 1
        assert response.context["result_count"] == 1
        html = response.content.decode()
        for hidden in ("Embargoed draft", "Closed desk", "Hidden Agency"):
            assert hidden not in html
        assert "Open Agency" in html
        assert _rows(client.get(LISTING, {"q": "Embargoed"})) == []
        assert _rows(client.get(LISTING, {"q": "Hidden"})) == []
        assert _rows(client.get(LISTING, {"section": other.pk})) == []
        assert _rows(client.get(LISTING, {"source_name__exact": "Hidden Agency"})) == []
        assert _rows(client.get(LISTING, {"status": "draft"})) == []

    def test_agrees_with_wagtails_own_page_search(self, client, desks):
        search = client.get("/admin/pages/search/", {"q": "Embargoed"})
        assert "Embargoed draft" not in search.content.decode()
        assert "Embargoed draft" not in client.get(LISTING, {"q": "Embargoed"}).content.decode()


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
