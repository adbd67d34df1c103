"""The editor's duplicate warning: which other articles of the site use a source URL."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory

pytestmark = pytest.mark.django_db
ENDPOINT = "/admin/wagtail_mediawire/source-duplicates/"
HARBOUR = "https://northwind.example/harbour"


def article(section, slug: str, url: str):
    return MediaWireArticlePageFactory(
        parent=section, slug=slug, title=f"Report {slug}", body__0__source__url=url
    )


def duplicates(client, url: str, **where) -> list[dict]:
    response = client.get(ENDPOINT, {"url": url, **where})
    assert response.status_code == 200
    return response.json()["duplicates"]


def test_live_and_draft_articles_of_the_site_with_the_url_are_listed(admin_client, section):
    live = article(section, "live", HARBOUR)
    editing = article(section, "editing", "https://northwind.example/other")
    # A live article whose newer draft moved to the harbour report.
    moved = article(section, "moved", "https://northwind.example/old")
    moved.body = [("source", {"name": "Northwind", "url": HARBOUR})]
    moved.save_revision()

    found = duplicates(admin_client, HARBOUR, page=editing.pk)
    assert [(d["title"], d["status"]) for d in found] == [
        ("Report moved", "live + draft"),
        ("Report live", "live"),
    ]
    assert found[1]["edit_url"] == f"/admin/pages/{live.pk}/edit/"
    assert found[1]["live_url"] == "/wire/live/"
    # The article being edited is not its own duplicate; a new one is checked by section.
    assert [d["title"] for d in duplicates(admin_client, HARBOUR, page=live.pk)] == ["Report moved"]
    assert len(duplicates(admin_client, HARBOUR, parent=section.pk)) == 2
    # The live version's old address is still in use until the draft is published.
    assert [d["title"] for d in duplicates(admin_client, "https://northwind.example/old",
                                           parent=section.pk)] == ["Report moved"]  # fmt: skip


def test_each_is_shown_with_wagtails_status(admin_client, section):
    scheduled = article(section, "scheduled", HARBOUR)
    scheduled.unpublish()
    scheduled.go_live_at = timezone.now() + timedelta(days=1)
    scheduled.save_revision().publish()
    moderated = article(section, "moderated", HARBOUR)
    moderated.unpublish()
    moderator = User.objects.create_superuser("moderator", password="pw")
    moderated.save_revision(user=moderator)
    moderated.get_workflow().start(moderated, moderator)

    found = duplicates(admin_client, HARBOUR, parent=section.pk)
    assert {d["title"]: d["status"] for d in found} == {
        "Report scheduled": "scheduled",
        "Report moderated": "in moderation",
    }


def test_other_sites_unsafe_urls_and_unknown_pages_give_nothing(admin_client, section):
    other_home = Page.get_first_root_node().add_child(title="Other", slug="other")
    Site.objects.create(hostname="other.example", root_page=other_home)
    other_section = MediaWireIndexPageFactory(parent=other_home, slug="wire")
    article(other_section, "elsewhere", HARBOUR)

    assert duplicates(admin_client, HARBOUR, parent=section.pk) == []
    assert len(duplicates(admin_client, HARBOUR, parent=other_section.pk)) == 1
    assert duplicates(admin_client, "javascript:alert(1)", parent=other_section.pk) == []
    assert duplicates(admin_client, HARBOUR, parent="99999") == []
    assert duplicates(admin_client, HARBOUR) == []


def test_only_articles_the_user_may_explore_are_listed(client, section, root_page):
    article(section, "visible", HARBOUR)
    hidden = MediaWireIndexPageFactory(parent=root_page, slug="hidden")
    article(hidden, "secret", HARBOUR)
    editor = User.objects.create_user("editor", password="pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    group = Group.objects.create(name="Wire desk")
    group.page_permissions.create(
        page=section, permission=Permission.objects.get(codename="change_page")
    )
    editor.groups.add(group)
    client.force_login(editor)

    assert [d["title"] for d in duplicates(client, HARBOUR, parent=section.pk)] == [
        "Report visible"
    ]


def test_the_lookup_costs_the_same_queries_however_many_match(
    admin_client, section, django_assert_num_queries
):
    for n in range(4):
        article(section, f"copy-{n}", HARBOUR)
    duplicates(admin_client, HARBOUR, parent=section.pk)  # warm: site root paths
    # The session, the user and their profile; the section, its site and the site's
    # root page; the live matches and their workflows; the drafts' matches: none per
    # article found.
    with django_assert_num_queries(9):
        assert len(duplicates(admin_client, HARBOUR, parent=section.pk)) == 4
