"""Articles and disclaimers in Wagtail's API v2, read through the test client with
the router of the test URLconf, as a headless front end reads them."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, PageViewRestriction

from wagtail_mediawire.factories import (
    DisclaimerFactory,
    MediaWireArticlePageFactory,
    MediaWireIndexPageFactory,
)
from wagtail_mediawire.models.pages import SeoPolicy

pytestmark = pytest.mark.django_db
ARTICLES = "/api/v2/pages/?type=wagtail_mediawire.MediaWireArticlePage&fields=*&order=id"


def get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def article(section, slug: str, **kwargs):
    return MediaWireArticlePageFactory(
        parent=section, slug=slug, title=f"Report {slug}",
        body__0__source__url=f"https://northwind.example/{slug}", **kwargs,
    )  # fmt: skip


def test_an_article_in_the_api_carries_the_wire_fields(client, section):
    own = DisclaimerFactory(name="Own", text="<p>Our <b>own</b> note.</p>")
    page = MediaWireArticlePageFactory(
        parent=section,
        slug="harbour",
        summary="The harbour reopens.",
        body__0__paragraph__value="<p>First paragraph.</p>",
        body__1__source__name="Northwind Press Agency",
        body__1__source__url="https://northwind.example/harbour",
        body__1__source__original_headline="Harbour open again",
        body__1__source__published_at=datetime(2026, 11, 2, 8, 30, tzinfo=UTC),
        body__2__source__name="Southwind",
        body__2__source__url="https://southwind.example/h",
        body__3__disclaimer__disclaimer=own,
    )
    data = get(client, f"/api/v2/pages/{page.pk}/")

    assert data["meta"]["type"] == "wagtail_mediawire.MediaWireArticlePage"
    assert data["summary"] == data["excerpt"] == "The harbour reopens."
    assert data["source_name"] == "Northwind Press Agency"
    assert data["source_url"] == "https://northwind.example/harbour"
    assert data["sources"] == [
        {
            "name": "Northwind Press Agency",
            "url": "https://northwind.example/harbour",
            "original_headline": "Harbour open again",
            "published_at": "2026-11-02T08:30:00+00:00",
        },
        {
            "name": "Southwind",
            "url": "https://southwind.example/h",
            "original_headline": "",
            "published_at": None,
        },
    ]
    assert [block["type"] for block in data["body"]] == [
        "paragraph", "source", "source", "disclaimer",
    ]  # fmt: skip
    assert data["body"][0]["value"] == "<p>First paragraph.</p>"
    assert data["body"][3]["value"] == own.pk  # a chosen snippet is its id, as in Wagtail
    assert all(block["id"] for block in data["body"])
    assert data["disclaimer"] == {"id": own.pk, "text": "<p>Our <b>own</b> note.</p>"}
    assert data["signature"] == "Example Media Wire"
    assert data["seo_policy"] == "index"


def test_the_disclaimer_and_policy_fall_back_to_the_sections(client, root_page):
    default = DisclaimerFactory(name="Default", text="<p>Reports are retrieved from…</p>")
    section = MediaWireIndexPageFactory(
        parent=root_page,
        slug="syndicated",
        signature="",
        default_disclaimer=default,
        seo_policy=SeoPolicy.NOINDEX_NEWS,
    )
    inherits = article(section, "inherits")
    own_policy = article(section, "own", seo_policy=SeoPolicy.CANONICAL_TO_SOURCE)
    deleted = DisclaimerFactory(name="Gone")
    orphan = article(section, "orphan", body__1__disclaimer__disclaimer=deleted)
    deleted_pk = deleted.pk
    deleted.delete()

    by_slug = {item["meta"]["slug"]: item for item in get(client, ARTICLES)["items"]}
    assert by_slug["inherits"]["disclaimer"]["text"] == "<p>Reports are retrieved from…</p>"
    assert by_slug["inherits"]["seo_policy"] == "noindex-news"
    assert by_slug["own"]["seo_policy"] == "canonical-to-source"
    assert by_slug["inherits"]["signature"] == ""
    # A Disclaimer block whose snippet was deleted: null in the body, the default shown.
    assert by_slug["orphan"]["body"][1] == {
        "type": "disclaimer", "value": None, "id": by_slug["orphan"]["body"][1]["id"],
    }  # fmt: skip
    assert by_slug["orphan"]["disclaimer"]["id"] == default.pk != deleted_pk
    assert {inherits.pk, own_policy.pk, orphan.pk} == {item["id"] for item in by_slug.values()}


def test_the_api_shows_only_what_the_public_may_see(client, section):
    public = article(section, "public")
    private = article(section, "private")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    draft = article(section, "draft")
    draft.unpublish()

    listed = {item["id"] for item in get(client, ARTICLES)["items"]}
    assert listed == {public.pk}
    for hidden in (private, draft):
        assert client.get(f"/api/v2/pages/{hidden.pk}/").status_code == 404


def _desk(root_page, count: int) -> None:
    """``count`` articles over two sections, each with an image and a disclaimer."""
    Image = get_image_model()
    sections = [
        MediaWireIndexPageFactory(
            parent=root_page, slug=f"desk-{n}", default_disclaimer=DisclaimerFactory()
        )
        for n in range(2)
    ]
    for n in range(count):
        image = Image.objects.create(title=f"Photo {n}", file=get_test_image_file())
        own = DisclaimerFactory()
        page = article(sections[n % 2], f"item-{n}", body__1__disclaimer__disclaimer=own)
        page.body.append(("image", image))
        page.save_revision().publish()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        data = get(client, url)
    return len(queries), data


@pytest.mark.parametrize("count", [2, 8])
def test_a_listing_costs_the_same_queries_whatever_its_size(client, root_page, count):
    _desk(root_page, count)
    # Wagtail's own "locale" meta field reads each page's locale (one query per
    # item, Wagtail's behaviour), so it is left out of the count.
    url = ARTICLES.replace("fields=*", "fields=*,-locale")
    get(client, url)  # warm: content types, the site's root paths
    number, data = _queries(client, url)
    assert len(data["items"]) == count
    assert all(item["disclaimer"] and item["body"][-1]["type"] == "image" for item in data["items"])
    # Wagtail's six (view restrictions, the site, the count, the page of articles)
    # and the package's four, whatever the page size: the body's snippets, the
    # body's images, the sections, their default disclaimers.
    assert number == 10


def test_the_disclaimers_endpoint_gives_name_text_and_locale(client):
    first = DisclaimerFactory(name="Agency reports", text="<p>Retrieved from agencies.</p>")
    DisclaimerFactory(name="Partner copy")

    listing = get(client, "/api/v2/disclaimers/")
    assert listing["meta"]["total_count"] == 2
    assert [item["name"] for item in listing["items"]] == ["Agency reports", "Partner copy"]
    detail = get(client, f"/api/v2/disclaimers/{first.pk}/")
    assert detail["text"] == "<p>Retrieved from agencies.</p>"
    assert detail["locale"] == "en"
    assert detail["meta"]["type"] == "wagtail_mediawire.Disclaimer"


def test_an_article_gets_the_disclaimer_in_its_own_locale(client, settings, root_page):
    settings.WAGTAIL_I18N_ENABLED = True
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES = [("en", "English"), ("de", "German")]
    german = Locale.objects.create(language_code="de")
    default = DisclaimerFactory(text="<p>Retrieved from agencies.</p>")
    translation = default.copy_for_translation(german)
    translation.text = "<p>Von Agenturen übernommen.</p>"
    translation.save()
    section = MediaWireIndexPageFactory(parent=root_page, slug="wire", default_disclaimer=default)
    english = article(section, "english")
    german_section = section.copy_for_translation(german, copy_parents=True)
    german_section.save_revision().publish()
    german_article = article(german_section.specific, "german")

    texts = {item["id"]: item["disclaimer"]["text"] for item in get(client, ARTICLES)["items"]}
    assert texts == {
        english.pk: "<p>Retrieved from agencies.</p>",
        german_article.pk: "<p>Von Agenturen übernommen.</p>",
    }
