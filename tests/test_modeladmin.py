"""The Media Wire > Articles listing and who may use the wire desk's admin."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.menu import admin_menu
from wagtail.models import GroupPagePermission

from tests.utils import page_permission
from wagtail_mediawire.factories import (
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)
from wagtail_mediawire.models import MediaWireArticlePage

pytestmark = pytest.mark.django_db

LISTING = "/admin/wagtail_mediawire/mediawirearticlepage/"


def _rows(response):
    return [str(obj.title) for obj in response.context["object_list"]]


def _article(section, title, hours_ago=1, **kwargs):
    kwargs.setdefault("first_published_at", timezone.now() - timedelta(hours=hours_ago))
    return MediaWireArticlePageFactory(parent=section, title=title, **kwargs)


def _scheduled(section, title, **kwargs):
    """An article published with a go-live date tomorrow, as the editor's "Publish" does."""
    article = _article(
        section,
        title,
        live=False,
        first_published_at=None,
        go_live_at=timezone.now() + timedelta(days=1),
        **kwargs,
    )
    article.save_revision().publish()
    return article


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


@pytest.mark.usefixtures("search_index")
def test_filters_and_search(admin_client, section, root_page):
    other = MediaWireIndexPageFactory(parent=root_page, title="Second desk", slug="second")
    _article(section, "Harbour", body__0__source__name="Cobalt Wire")
    _article(other, "Comet", body__0__source__name="Northwind Press")
    _article(section, "Unpublished", live=False)
    _scheduled(section, "Tomorrow")
    assert _rows(admin_client.get(LISTING, {"section": other.pk})) == ["Comet"]
    assert _rows(admin_client.get(LISTING, {"source_name__exact": "Cobalt Wire"})) == ["Harbour"]
    assert sorted(_rows(admin_client.get(LISTING, {"status": "live"}))) == ["Comet", "Harbour"]
    assert _rows(admin_client.get(LISTING, {"status": "draft"})) == ["Unpublished"]
    assert _rows(admin_client.get(LISTING, {"status": "scheduled"})) == ["Tomorrow"]
    assert _rows(admin_client.get(LISTING, {"q": "northwind"})) == ["Comet"]
    assert _rows(admin_client.get(LISTING, {"q": "harb"})) == ["Harbour"]
    # Quotes are plain text: a lone one was a database error on SQLite's full-text search.
    assert sorted(_rows(admin_client.get(LISTING, {"q": '"'}))) == sorted(ALL_FOUR)
    assert _rows(admin_client.get(LISTING, {"q": '"harb'})) == ["Harbour"]
    # A section that does not exist lists nothing.
    assert _rows(admin_client.get(LISTING, {"section": other.pk + 1000})) == []


ALL_FOUR = ["Harbour", "Comet", "Unpublished", "Tomorrow"]


# Values the listing's filters, search and paginator cannot use.
UNUSABLE = [
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
]


def test_values_the_filters_cannot_use_are_ignored(admin_client, section, root_page):
    other = MediaWireIndexPageFactory(parent=root_page, title="Second desk", slug="second")
    _article(section, "Harbour", hours_ago=1, body__0__source__name="Cobalt Wire")
    _article(other, "Comet", hours_ago=2)
    _article(section, "Unpublished", live=False, first_published_at=None)
    _scheduled(section, "Tomorrow")
    for params in UNUSABLE:
        response = admin_client.get(LISTING, params)
        assert response.status_code == 200, params
        assert sorted(_rows(response)) == sorted(ALL_FOUR), params


def _submit_for_moderation(article):
    moderator = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "moderator", password="pw"
    )
    article.save_revision(user=moderator)
    article.get_workflow().start(article, moderator)


def _listing_queries(client, params=None):
    client.get(LISTING, params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LISTING, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["object_list"])


def _section_editor(section, username="desk-a"):
    """A user whose group may add, change and publish pages in ``section`` only."""
    group = Group.objects.create(name=f"{section.title} editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for action in ("add", "change", "publish"):
        GroupPagePermission.objects.create(
            group=group, page=section, permission=page_permission(action)
        )
    user = User.objects.create_user(username, password="pw")
    user.groups.add(group)
    return user


@pytest.mark.usefixtures("search_index")
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
    search = {"q": "wire report"}
    MediaWireArticlePageFactory.create_batch(2, parent=section)
    small = [_listing_queries(client), _listing_queries(client, search)]
    assert [rows for _, rows in small] == [2, 2]
    # Live, live + draft, scheduled, in moderation: each row's status column reads
    # something else; more rows of each kind must not cost more queries.
    MediaWireArticlePageFactory.create_batch(2, parent=section)
    for article in MediaWireArticlePageFactory.create_batch(2, parent=section):
        article.save_revision()  # live + draft
    for n in range(2):
        _scheduled(section, f"Wire report scheduled {n}")
    for article in MediaWireArticlePageFactory.create_batch(2, parent=section, live=False):
        _submit_for_moderation(article)
    MediaWireArticlePageFactory.create_batch(4, parent=other)
    large = [_listing_queries(client), _listing_queries(client, search)]
    expected = 10 if who == "section editor" else 14
    assert [rows for _, rows in large] == [expected, expected]
    assert [queries for queries, _ in large] == [queries for queries, _ in small]


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


def _media_wire_menu(user):
    """The main menu's top-level names and the Media Wire group's labels, as ``user`` sees them."""
    request = RequestFactory().get("/admin/")
    request.user = user
    items = admin_menu.menu_items_for_request(request)
    group = next((item for item in items if item.name == "media-wire"), None)
    submenu = group.menu.menu_items_for_request(request) if group else []
    return (
        [item.name for item in items],
        [str(item.label) for item in sorted(submenu, key=lambda item: item.order)],
    )


class TestMenu:
    """Media Wire holds the Wire queue, Articles, Disclaimers and Feeds, each for whoever
    may use it."""

    def test_the_group_holds_queue_articles_disclaimers_feeds_in_order(self, admin_user):
        top, group = _media_wire_menu(admin_user)
        assert group == ["Wire queue", "Articles", "Disclaimers", "Feeds"]
        assert "disclaimers" not in top  # no longer a menu item of its own
        assert "snippets" not in top  # its only snippet is in the group

    def test_editors_see_the_queue_and_articles(self, editor):
        top, group = _media_wire_menu(editor)
        assert group == ["Wire queue", "Articles"]
        assert "disclaimers" not in top

    def test_disclaimer_permissions_add_disclaimers(self, editor):
        editor.user_permissions.add(Permission.objects.get(codename="change_disclaimer"))
        editor = User.objects.get(pk=editor.pk)  # permissions are cached on the instance
        assert _media_wire_menu(editor)[1] == ["Wire queue", "Articles", "Disclaimers"]

    def test_feed_permissions_add_feeds(self, editor):
        editor.user_permissions.add(Permission.objects.get(codename="change_wirefeed"))
        editor = User.objects.get(pk=editor.pk)
        assert _media_wire_menu(editor)[1] == ["Wire queue", "Articles", "Feeds"]

    def test_disclaimers_alone_still_show_the_group(self):
        user = User.objects.create_user("legal", password="pw")
        user.user_permissions.add(
            *Permission.objects.filter(codename__in=["access_admin", "change_disclaimer"])
        )
        assert _media_wire_menu(user)[1] == ["Disclaimers"]

    def test_the_rendered_sidebar_has_the_group(self, client, admin_user):
        client.force_login(admin_user)
        html = client.get("/admin/").content.decode()
        disclaimers = reverse("wagtailsnippets_wagtail_mediawire_disclaimer:list")
        assert html.index('"Articles"') < html.index(disclaimers) < html.index('"Feeds"')


def _status_cell(soup, title):
    row = next(tr for tr in soup.select("tbody tr") if title in tr.select_one("td").get_text())
    return row, row.select_one("td.field-status")


class TestListingRows:
    @pytest.fixture
    def listing(self, admin_client, section):
        live = _article(section, "Harbour reopens")
        changed = _article(section, "Ferry timetable")
        changed.save_revision()
        _article(section, "Unpublished", live=False, first_published_at=None)
        _scheduled(section, "Tomorrow")
        _submit_for_moderation(
            _article(section, "Awaiting review", live=False, first_published_at=None)
        )
        response = admin_client.get(LISTING)
        assert response.status_code == 200
        return BeautifulSoup(response.content, "html.parser"), live, changed

    @pytest.mark.parametrize(
        ("title", "status"),
        [
            ("Harbour reopens", "live"),
            ("Ferry timetable", "live + draft"),
            ("Unpublished", "draft"),
            ("Tomorrow", "scheduled"),
            ("Awaiting review", "in moderation"),
        ],
    )
    def test_status_is_wagtails_status_tag(self, listing, title, status):
        soup = listing[0]
        tag = _status_cell(soup, title)[1].select_one(".w-status")
        assert tag is not None
        assert tag.find(class_="w-sr-only").get_text(strip=True) == "Current page status:"
        tag.find(class_="w-sr-only").extract()
        assert tag.get_text(strip=True) == status

    def test_live_articles_link_to_their_live_page(self, listing):
        soup, live, changed = listing
        for article in (live, changed):
            row, status = _status_cell(soup, article.title)
            assert "w-status--primary" in status.select_one(".w-status")["class"]
            view_live = row.find("a", string="View live")
            assert view_live["href"] == article.url
            assert view_live["target"] == "_blank"
            assert "noreferrer" in view_live["rel"]
        for title in ("Unpublished", "Tomorrow", "Awaiting review"):
            row, status = _status_cell(soup, title)
            assert row.find("a", string="View live") is None
            assert status.select_one(".w-status").name == "span"


class TestSourceFilter:
    def _choices(self, client):
        """The source filter's buttons, as the listing shows them."""
        soup = BeautifulSoup(client.get(LISTING).content, "html.parser")
        heading = soup.find(string=lambda text: text and text.strip().startswith("By source"))
        return [a.get_text(strip=True) for a in heading.find_next("ul").select("a")]

    def test_offers_each_agency_once_and_no_blank(self, admin_client, section, root_page):
        other = MediaWireIndexPageFactory(parent=root_page, slug="second")
        _article(section, "One", body__0__source__name="Northwind Press")
        _article(other, "Two", body__0__source__name="Cobalt Wire")
        _article(section, "Three", body__0__source__name="Cobalt Wire")
        _article(section, "No source yet", live=False, body=[])
        assert MediaWireArticlePage.objects.filter(source_name="").exists()
        assert self._choices(admin_client) == ["All", "Cobalt Wire", "Northwind Press"]

    def test_a_section_editor_sees_only_their_agencies(self, client, section, root_page):
        other = MediaWireIndexPageFactory(parent=root_page, slug="closed")
        _article(section, "Own", body__0__source__name="Open Agency")
        _article(other, "Theirs", body__0__source__name="Hidden Agency")
        client.force_login(_section_editor(section))
        assert self._choices(client) == ["All", "Open Agency"]


@pytest.mark.usefixtures("search_index")
class TestSearch:
    """The listing's search finds what the admin's page search and the site's search find."""

    @pytest.fixture
    def articles(self, section, root_page):
        other = MediaWireIndexPageFactory(parent=root_page, title="Closed desk", slug="closed")
        _article(
            section,
            "Harbour reopens",
            body__0__paragraph__value="<p>Ferries returned to the inner quay on Tuesday.</p>",
            body__1__source__name="Cobalt Wire",
        )
        _article(
            section,
            "Timetable",
            summary="Fewer evening crossings.",
            body__0__paragraph__value="<p>The winter timetable starts in December.</p>",
            body__1="source",
        )
        _article(
            other,
            "Embargoed",
            live=False,
            first_published_at=None,
            body__0__paragraph__value="<p>The quay closes for repairs.</p>",
        )
        return section

    @pytest.mark.parametrize(
        ("q", "found"),
        [
            ("quay", ["Embargoed", "Harbour reopens"]),  # a word of the body
            ("ferries quay", ["Harbour reopens"]),  # every word, not any
            ("crossings", ["Timetable"]),  # the summary
            ("harb", ["Harbour reopens"]),  # the start of a title word
            ("cobalt", ["Harbour reopens"]),  # the source
            ("sunday", []),
        ],
    )
    def test_finds_words_of_the_body_title_and_source(self, admin_client, articles, q, found):
        assert sorted(_rows(admin_client.get(LISTING, {"q": q}))) == found

    def test_keeps_the_filters_and_what_the_user_may_explore(self, client, articles):
        client.force_login(_section_editor(articles))
        assert _rows(client.get(LISTING, {"q": "quay"})) == ["Harbour reopens"]
        assert _rows(client.get(LISTING, {"q": "quay", "status": "draft"})) == []
