"""An editor's journey through the admin, in a real browser, step by step."""

import re

import pytest

from tests.utils import default_site_root
from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory
from wagtail_mediawire.models import MediaWireArticlePage

from .conftest import log_in, make_editor, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(live_server):
    home = default_site_root()
    section = MediaWireIndexPageFactory(
        parent=home, title="Media Wire", slug="media-wire", signature="Example Media Wire"
    )
    MediaWireArticlePageFactory(
        parent=section,
        title="Ferry timetable changes for winter",
        summary="Fewer evening crossings from December.",
    )
    # Who may write disclaimers follows Django model permissions.
    make_editor(section, "add_disclaimer", "change_disclaimer")
    return section


def publish(page) -> None:
    page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()


def test_editor_builds_and_publishes_a_wire_article(page, live_server, desk, shot):
    base = live_server.url
    # 1. Log in, then create a disclaimer.
    log_in(page, base)
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

    # 2. Write the article: a paragraph, a source with a bad URL, a disclaimer. The
    # section's "Add child page" opens the article form (the only page type allowed),
    # which starts with an empty Source block.
    page.goto(f"{base}/admin/pages/{desk.pk}/add_subpage/")
    page.wait_for_url(re.compile(r"/pages/add/wagtail_mediawire/mediawirearticlepage/"))
    assert page.locator("input[name$='-value-url']").count() == 1
    page.fill("#id_title", "Kestrel Bay harbour reopens")
    page.click("button[title='Insert a block']")
    page.get_by_role("option", name="Paragraph").click()
    page.locator(".public-DraftEditor-content").last.press_sequentially(
        "Ferries returned to the inner quay on Tuesday."
    )
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
    # Nothing went live. (Wagtail 8's autosave may have kept a draft of the form while
    # it was being filled in, as it does for any page.)
    assert not MediaWireArticlePage.objects.live().filter(title="Kestrel Bay harbour reopens")
    shot(page, "03-bad-url-refused")

    page.locator("input[name$='-value-url']").fill("https://harbourline.example/kestrel-bay")
    publish(page)
    # "created and published", or "has been published" where autosave made a draft.
    page.get_by_text(re.compile("created and published|has been published")).first.wait_for()
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
    shot(page, "admin-articles", docs=True)

    # 5. The public pages pass axe: no serious or critical violation. (Part of this
    # test: each transactional test empties the database Wagtail's migrations filled.)
    for name, url in (("section", desk.url), ("article", article.url)):
        page.goto(f"{base}{url}")
        assert serious_violations(page) == [], name


def test_editor_is_warned_that_a_source_is_already_used(page, live_server, desk, shot):
    earlier = MediaWireArticlePageFactory(
        parent=desk,
        title="Harbour reopens after storm",
        body__0__source__url="https://harbourline.example/harbour",
    )
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/admin/pages/add/wagtail_mediawire/mediawirearticlepage/{desk.pk}/")
    url = page.locator("input[name$='-value-url']")
    url.fill("https://harbourline.example/harbour")

    warning = page.get_by_role("status").filter(has_text="already the source of")
    warning.wait_for()
    link = warning.get_by_role("link", name="Harbour reopens after storm")
    assert link.get_attribute("href") == f"/admin/pages/{earlier.pk}/edit/"
    assert warning.get_by_role("link", name="View live").get_attribute("href") == earlier.url
    warning.evaluate("element => element.scrollIntoView({block: 'center'})")
    shot(page, "admin-duplicate-source", docs=True)

    # Another address: the warning goes; the article can still be published either way.
    url.fill("https://harbourline.example/another-report")
    warning.wait_for(state="hidden")


def test_an_editor_who_adds_a_source_of_their_own_can_publish(page, live_server, desk, shot):
    """The new article's empty Source block, left untouched beside one the editor
    added and filled, is dropped on save instead of refusing the page."""
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/admin/pages/add/wagtail_mediawire/mediawirearticlepage/{desk.pk}/")
    page.fill("#id_title", "Lighthouse keepers return to Gull Point")
    page.locator("button[title='Insert a block']").last.click()
    page.get_by_role("option", name="Paragraph").click()
    page.locator(".public-DraftEditor-content").last.press_sequentially(
        "The keepers arrived by boat on Monday."
    )
    page.locator("button[title='Insert a block']").last.click()
    page.get_by_role("option", name="Source").click()
    page.locator("input[name$='-value-url']").nth(1).wait_for()  # the new block, drawn
    assert page.locator("input[name$='-value-url']").count() == 2  # the first, untouched
    page.locator("input[name$='-value-name']").last.fill("Coastline Radio")
    page.locator("input[name$='-value-url']").last.fill("https://coastline.example/gull-point")
    publish(page)

    page.get_by_text(re.compile("created and published|has been published")).first.wait_for()
    assert page.get_by_text("could not be created due to validation errors").count() == 0
    article = MediaWireArticlePage.objects.get(title="Lighthouse keepers return to Gull Point")
    assert article.live
    assert [block.block_type for block in article.body] == ["paragraph", "source"]
    assert article.source_name == "Coastline Radio"
    shot(page, "06-own-source-published")
