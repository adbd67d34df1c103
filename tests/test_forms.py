"""The article's editor form: a new article opens with a Source block ready to fill."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from wagtail_mediawire.factories import MediaWireArticlePageFactory
from wagtail_mediawire.models import MediaWireArticlePage
from wagtail_mediawire.source_rule import NO_SOURCE_MESSAGE

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


def test_an_untouched_source_block_is_dropped_beside_a_filled_one(admin_client, section):
    filled = {
        "name": "Northwind Press Agency",
        "url": "https://northwind.example/ferries",
        "original_headline": "",
        "published_at": "",
    }
    body = streamfield([("source", EMPTY_SOURCE), ("source", filled)])
    response = _post(admin_client, section, **{"action-publish": "publish"}, **_stream(body))
    assert response.status_code == 302, _body_errors(response)
    page = MediaWireArticlePage.objects.get(slug="ferry-timetable")
    assert page.live
    assert [block.block_type for block in page.body] == ["source"]
    assert page.source_url == "https://northwind.example/ferries"


def test_an_untouched_source_block_is_dropped_beside_other_content(admin_client, section):
    body = streamfield([("source", EMPTY_SOURCE), ("heading", "Ferries")])
    assert _post(admin_client, section, **_stream(body)).status_code == 302  # a draft
    assert [block.block_type for block in MediaWireArticlePage.objects.get().body] == ["heading"]
    response = _post(
        admin_client, section, slug="ferry-2", **{"action-publish": "publish"}, **_stream(body)
    )
    # What is missing is a source, said in plain words, not an empty block's fields.
    assert _body_errors(response) == [str(NO_SOURCE_MESSAGE)]


def test_a_partly_filled_source_block_keeps_its_errors(admin_client, section):
    partial = {**EMPTY_SOURCE, "original_headline": "Ferries resume"}
    body = streamfield([("source", partial), ("heading", "Ferries")])
    response = _post(admin_client, section, **{"action-publish": "publish"}, **_stream(body))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not MediaWireArticlePage.objects.filter(slug="ferry-timetable").exists()


def test_controls_pasted_into_the_editor_are_dropped(admin_client, section):
    source = {**EMPTY_SOURCE, "name": "North\x0bwind\x00", "url": "https://northwind.example/f"}
    extra = {"title": "Ferries\x0bresume\x01", "summary": "At\x00 dawn\x0c."}
    body = streamfield([("source", source)])
    response = _post(
        admin_client, section, **{"action-publish": "publish"}, **extra, **_stream(body)
    )
    assert response.status_code == 302, _body_errors(response)
    page = MediaWireArticlePage.objects.get(slug="ferry-timetable")
    assert (page.title, page.summary, page.source_name) == (
        "Ferries resume",
        "At dawn .",
        "North wind",
    )


def _stream(body) -> dict:
    return nested_form_data({"body": body})
