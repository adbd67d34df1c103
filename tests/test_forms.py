"""The article's editor form: a new article opens with a Source block ready to fill."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from wagtail_mediawire.factories import MediaWireArticlePageFactory
from wagtail_mediawire.models import MediaWireArticlePage

from .test_publishing import _add_url, _body_errors

pytestmark = pytest.mark.django_db
EMPTY_SOURCE = {"name": "", "url": "", "original_headline": "", "published_at": ""}


def _post(admin_client, section, **extra):
    data = nested_form_data(
        {
            "title": "Ferry timetable changes",
            "slug": "ferry-timetable",
            "summary": "",
            "body": streamfield([("source", EMPTY_SOURCE)]),
            "comments": inline_formset([]),
        }
    )
    return admin_client.post(_add_url(section), {**data, **extra})


def test_a_new_article_opens_with_an_empty_source_block(admin_client, section):
    response = admin_client.get(_add_url(section))
    body = response.context["form"].initial["body"]
    assert [block.block_type for block in body] == ["source"]
    assert not body[0].value["name"] and not body[0].value["url"]
    html = response.content.decode()
    assert "data-mediawire-source-url" in html  # the URL input the duplicate warning watches
    assert "Sources &amp; disclaimer" not in html  # the tab with nothing to edit is gone
    assert "needs a Source block with the report&#x27;s web address" in html


def test_an_article_being_edited_keeps_its_own_body(admin_client, section):
    page = MediaWireArticlePageFactory(
        parent=section,
        body__0__heading__value="Harbour",
        body__1__source__url="https://northwind.example/harbour",
    )
    response = admin_client.get(f"/admin/pages/{page.pk}/edit/")
    body = response.context["form"].initial["body"]
    assert [block.block_type for block in body] == ["heading", "source"]


def test_the_empty_source_block_does_not_stop_a_draft_but_stops_publishing(admin_client, section):
    assert _post(admin_client, section).status_code == 302
    draft = MediaWireArticlePage.objects.get(slug="ferry-timetable")
    assert not draft.live and draft.sources == []

    refused = _post(admin_client, section, slug="ferry-2", **{"action-publish": "publish"})
    assert refused.status_code == 200
    assert _body_errors(refused)  # the empty block's name and URL are required
    assert "This field is required." in refused.content.decode()
    assert not MediaWireArticlePage.objects.filter(slug="ferry-2").exists()
