"""An editor's journey through the admin, in a real browser, step by step."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from wagtail.models import Site

from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory
from wagtail_mediawire.models import MediaWireArticlePage

from .conftest import serious_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def desk(live_server):
    home = Site.objects.get(is_default_site=True).root_page
    section = MediaWireIndexPageFactory(
        parent=home, title="Media Wire", slug="media-wire", signature="Example Media Wire"
    )
    MediaWireArticlePageFactory(
        parent=section,
        title="Ferry timetable changes for winter",
        summary="Fewer evening crossings from December.",
    )
    editor = User.objects.create_user("editor", password="wire-desk-pw")
    # Wagtail's Editors may add and edit pages; publishing is the Moderators' right.
    editor.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
    # Who may write disclaimers follows Django model permissions.
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_disclaimer", "change_disclaimer"])
    )
    return section


def publish(page) -> None:
    page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()


def test_editor_builds_and_publishes_a_wire_article(page, live_server, desk, shot):
    base = live_server.url
    # 1. Log in, then create a disclaimer.
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "wire-desk-pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    assert page.get_by_role("button", name="Media Wire").is_visible()
    shot(page, "01-dashboard")

    page.goto(f"{base}/admin/snippets/wagtail_mediawire/disclaimer/add/")
    page.fill("#id_name", "Agency reports")
    page.locator(".public-DraftEditor-content").press_sequentially(
        "Reports here come from other agencies and are not our opinion."
    )
    # Draftail writes its hidden input after a short delay.
    page.wait_for_function("document.querySelector('#id_text').value.includes('our opinion')")
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url(re.compile(r"/admin/snippets/wagtail_mediawire/disclaimer/$"))
    assert page.get_by_text("Agency reports").first.is_visible()
    shot(page, "02-disclaimer-created")

    # 2. Write the article: a paragraph, a source with a bad URL, a disclaimer.
    page.goto(f"{base}/admin/pages/add/wagtail_mediawire/mediawirearticlepage/{desk.pk}/")
    page.fill("#id_title", "Kestrel Bay harbour reopens")
    page.click("button[title='Insert a block']")
    page.get_by_role("option", name="Paragraph").click()
    page.locator(".public-DraftEditor-content").last.press_sequentially(
        "Ferries returned to the inner quay on Tuesday."
    )
    page.locator("button[title='Insert a block']").last.click()
    page.get_by_role("option", name="Source").click()
    page.locator("input[name$='-value-name']").fill("Harbourline News")
    page.locator("input[name$='-value-url']").fill("javascript:alert(document.cookie)")
    page.locator("button[title='Insert a block']").last.click()
    page.get_by_role("option", name="Disclaimer").click()
    page.get_by_role("button", name="Choose disclaimer").click()
    page.get_by_role("link", name="Agency reports").click()
    publish(page)

    error = page.get_by_text("Enter a full web address starting with http:// or https://.")
    error.first.wait_for()
    assert error.first.is_visible()
    assert not MediaWireArticlePage.objects.filter(title="Kestrel Bay harbour reopens").exists()
    shot(page, "03-bad-url-refused")

    page.locator("input[name$='-value-url']").fill("https://harbourline.example/kestrel-bay")
    publish(page)
    page.get_by_text("created and published").first.wait_for()
    article = MediaWireArticlePage.objects.get(title="Kestrel Bay harbour reopens")
    assert article.live
    assert article.source_url == "https://harbourline.example/kestrel-bay"
    shot(page, "04-published")

    # 3. The live page, as a reader sees it.
    page.goto(f"{base}{article.url}")
    assert page.locator("h1").inner_text() == "Kestrel Bay harbour reopens"
    assert page.get_by_text("Ferries returned to the inner quay on Tuesday.").is_visible()
    assert page.get_by_text("Example Media Wire").is_visible()
    assert page.get_by_text("Reports here come from other agencies").is_visible()
    source = page.get_by_role("link", name="Harbourline News")
    assert source.get_attribute("href") == "https://harbourline.example/kestrel-bay"
    assert "noopener" in source.get_attribute("rel")
    recent = page.get_by_role("region", name="Recent Posts")
    assert recent.get_by_text("Ferry timetable changes for winter").is_visible()
    assert recent.get_by_text("Kestrel Bay harbour reopens").count() == 0
    shot(page, "05-live-article")

    # 4. Media Wire > Articles, filtered by section.
    page.goto(f"{base}/admin/wagtail_mediawire/mediawirearticlepage/")
    page.get_by_role("link", name="Media Wire", exact=True).last.click()
    page.wait_for_url(re.compile(rf"section={desk.pk}"))
    rows = page.locator("table tbody tr")
    assert rows.filter(has_text="Kestrel Bay harbour reopens").count() == 1
    assert rows.filter(has_text="Harbourline News").count() == 1
    shot(page, "06-articles-listing-filtered")

    # 5. The public pages pass axe: no serious or critical violation. (Part of this
    # test: each transactional test empties the database Wagtail's migrations filled.)
    for name, url in (("section", desk.url), ("article", article.url)):
        page.goto(f"{base}{url}")
        assert serious_violations(page) == [], name
