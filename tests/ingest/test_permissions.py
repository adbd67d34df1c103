"""Feed permissions never reach further than page permissions: a feed targets only a
section where its user may add pages, publishes at once only where they may publish
(in the form, and again at each import through its owner), and the Feeds admin lists,
edits and fetches only the feeds of the user's sections."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from wagtail.models import GroupPagePermission

from tests.utils import feed_rules_formset, page_permission
from wagtail_mediawire.factories import MediaWireIndexPageFactory
from wagtail_mediawire.ingest.importer import fetch
from wagtail_mediawire.models import MediaWireArticlePage, WireFeed

RSS = (Path(__file__).parent / "feeds" / "rss2.xml").read_bytes()
FEEDS_URL = "/admin/wagtail_mediawire/wirefeed/"

# loopback_feeds: no image is fetched from the fixtures' .example hosts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_feeds")]


@pytest.fixture
def closed(root_page):
    """Section B: the editor has no page permission there."""
    return MediaWireIndexPageFactory(parent=root_page, title="Closed desk", slug="closed")


def desk_editor(section, actions=("add", "change"), username="desk-a") -> User:
    """May add, change and delete wire feeds, and ``actions`` on pages of ``section`` only."""
    group = Group.objects.create(name=f"{username} group")
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "add_wirefeed", "change_wirefeed", "delete_wirefeed"]
        )
    )
    for action in actions:
        GroupPagePermission.objects.create(
            group=group, page=section, permission=page_permission(action)
        )
    user = User.objects.create_user(username, password="pw")
    user.groups.add(group)
    return user


@pytest.fixture
def editor(client, section):
    user = desk_editor(section)
    client.force_login(user)
    return user


def make_feed(section, name="Northwind", **kwargs) -> WireFeed:
    kwargs.setdefault("url", f"https://{name.lower()}.example/feed.xml")
    return WireFeed.objects.create(
        name=name, section=section, source_name=f"{name} Press Agency", **kwargs
    )


def form_data(section, **overrides) -> dict:
    return {
        "name": "Northwind", "url": "https://northwind.example/feed.xml",
        "section": section.pk, "source_name": "Northwind Press Agency", "disclaimer": "",
        "is_active": "on", "publish_mode": "draft", "fetch_interval": "15",
        **feed_rules_formset(), **overrides,
    }  # fmt: skip


# The form


def test_the_section_select_offers_only_sections_the_user_may_add_to(
    client, editor, section, closed
):
    form = client.get(f"{FEEDS_URL}create/").context["form"]
    assert list(form.fields["section"].queryset) == [section]
    html = client.get(f"{FEEDS_URL}create/").content.decode()
    assert f'<option value="{section.pk}">' in html
    assert f'<option value="{closed.pk}">' not in html


def test_a_feed_into_a_section_the_user_may_not_add_to_is_refused_on_the_field(
    client, editor, closed
):
    response = client.post(f"{FEEDS_URL}create/", form_data(closed))

    assert response.status_code == 200
    assert response.context["form"].errors["section"] == [
        "You may not add pages to this section, so a feed of yours cannot import into it."
    ]
    assert not WireFeed.objects.exists()


def test_publish_at_once_needs_permission_to_publish_in_the_section(client, editor, section):
    response = client.post(f"{FEEDS_URL}create/", form_data(section, publish_mode="publish"))

    (error,) = response.context["form"].errors["publish_mode"]
    assert error.startswith("You may not publish in Media Wire")
    assert not WireFeed.objects.exists()

    GroupPagePermission.objects.create(
        group=editor.groups.get(), page=section, permission=page_permission("publish")
    )
    response = client.post(f"{FEEDS_URL}create/", form_data(section, publish_mode="publish"))
    assert response.status_code == 302
    feed = WireFeed.objects.get()
    assert (feed.publish_mode, feed.owner) == ("publish", editor)


def test_saving_a_feed_makes_the_user_its_owner(client, admin_client, admin_user, section):
    admin_client.post(f"{FEEDS_URL}create/", form_data(section))
    feed = WireFeed.objects.get()
    assert feed.owner == admin_user

    # Whoever saves it last vouches for it: their permissions were the ones checked.
    editor = desk_editor(section)
    client.force_login(editor)
    client.post(f"{FEEDS_URL}edit/{feed.pk}/", form_data(section, name="Northwind wire"))
    feed.refresh_from_db()
    assert (feed.name, feed.owner) == ("Northwind wire", editor)


def test_an_editor_cannot_keep_a_feed_publishing_where_they_may_not_publish(
    client, editor, section
):
    feed = make_feed(section, publish_mode="publish")

    response = client.post(
        f"{FEEDS_URL}edit/{feed.pk}/", form_data(section, publish_mode="publish")
    )

    assert "publish_mode" in response.context["form"].errors
    feed.refresh_from_db()
    assert feed.owner is None  # not saved


# The listing, editing, deleting and Fetch now


def test_the_listing_shows_the_feeds_of_the_users_sections_only(
    client, admin_client, editor, section, closed
):
    make_feed(section, "Northwind")
    make_feed(closed, "Cobalt")

    def names(response) -> set[str]:
        return {feed.name for feed in response.context["object_list"]}

    assert names(client.get(FEEDS_URL)) == {"Northwind"}
    assert names(admin_client.get(FEEDS_URL)) == {"Northwind", "Cobalt"}


def test_a_feed_of_another_section_is_out_of_reach(client, editor, section, closed, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        RSS, content_type="application/rss+xml"
    )
    feed = make_feed(closed, url=httpserver.url_for("/feed.xml"))

    for url in (
        f"edit/{feed.pk}/",
        f"delete/{feed.pk}/",
        f"fetch/{feed.pk}/",
        f"history/{feed.pk}/",
    ):
        assert client.get(FEEDS_URL + url).status_code in (302, 403), url
        assert client.post(FEEDS_URL + url, form_data(closed)).status_code in (302, 403), url

    assert WireFeed.objects.filter(pk=feed.pk, name="Northwind").exists()
    assert not MediaWireArticlePage.objects.exists()
    assert len(httpserver.log) == 0

    # The same feed in the editor's own section: it is theirs.
    WireFeed.objects.filter(pk=feed.pk).update(section=section)
    assert client.get(f"{FEEDS_URL}history/{feed.pk}/").status_code == 200
    assert f"{FEEDS_URL}fetch/{feed.pk}/" in client.get(FEEDS_URL).content.decode()
    client.post(f"{FEEDS_URL}fetch/{feed.pk}/")
    assert MediaWireArticlePage.objects.child_of(section).count() == 2


def test_the_dashboard_lists_failing_feeds_of_the_users_sections_only(
    client, editor, section, closed
):
    make_feed(section, "Northwind", last_error="HTTP 503 Service Unavailable.")
    make_feed(closed, "Cobalt", last_error="HTTP 502 Bad Gateway.")

    html = client.get("/admin/").content.decode()

    assert "HTTP 503 Service Unavailable." in html
    assert "Cobalt" not in html and "HTTP 502 Bad Gateway." not in html


# At import time


def test_a_feed_publishes_at_once_while_its_owner_may_publish(section):
    owner = desk_editor(section, actions=("add", "change", "publish"))
    feed = make_feed(section, publish_mode="publish", owner=owner)

    result = fetch(feed.pk, content=RSS)

    assert result.imported == 2 and result.notes == []
    assert MediaWireArticlePage.objects.filter(live=True).count() == 2


def test_an_owner_who_may_no_longer_publish_gets_drafts_and_a_note(section):
    owner = desk_editor(section, actions=("add", "change", "publish"))
    feed = make_feed(section, publish_mode="publish", owner=owner)
    GroupPagePermission.objects.filter(permission=page_permission("publish")).delete()

    result = fetch(feed.pk, content=RSS)

    assert result.imported == 2
    assert MediaWireArticlePage.objects.filter(live=False).count() == 2
    assert result.notes == [
        "new items kept as drafts: the feed's owner, desk-a, may not publish in Media Wire"
    ]
    feed.refresh_from_db()
    assert feed.publish_mode == "publish"  # the feed's setting is left as it was
    assert feed.last_notes == result.notes[0]

    # A feed made in code has no owner: whoever made it could publish anyway.
    coded = make_feed(section, "Cobalt", publish_mode="publish")
    result = fetch(coded.pk, content=RSS.replace(b"northwind", b"cobalt"))
    assert (result.imported, result.notes) == (2, [])
    assert MediaWireArticlePage.objects.filter(live=True).count() == 2


def test_an_inactive_owner_gets_drafts(section):
    owner = desk_editor(section, actions=("add", "change", "publish"))
    owner.is_active = False
    owner.save()
    feed = make_feed(section, publish_mode="publish", owner=owner)

    fetch(feed.pk, content=RSS)

    assert MediaWireArticlePage.objects.filter(live=True).count() == 0


def test_deleting_the_owner_turns_the_feed_to_drafts(section):
    owner = desk_editor(section, actions=("add", "change", "publish"))
    feed = make_feed(section, publish_mode="publish", owner=owner)

    owner.delete()

    feed.refresh_from_db()
    assert (feed.owner, feed.publish_mode) == (None, "draft")
    fetch(feed.pk, content=RSS)
    assert MediaWireArticlePage.objects.filter(live=True).count() == 0
