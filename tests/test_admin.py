"""The Disclaimer snippet in the admin: listing, editing with revisions, usage before delete."""

import pytest
from django.urls import reverse

from wagtail_mediawire.factories import DisclaimerFactory, MediaWireArticlePageFactory
from wagtail_mediawire.models import Disclaimer

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"wagtailsnippets_wagtail_mediawire_disclaimer:{name}", args=args)


def test_listing_and_search(admin_client):
    DisclaimerFactory(name="Agency reports")
    DisclaimerFactory(name="Opinion pieces")
    response = admin_client.get(_url("list"))
    assert response.status_code == 200
    assert "Agency reports" in response.content.decode()
    response = admin_client.get(_url("list"), {"q": "opinion"})
    html = response.content.decode()
    assert "Opinion pieces" in html
    assert "Agency reports" not in html


def test_create_and_edit_keep_revisions(admin_client):
    response = admin_client.post(
        _url("add"),
        {
            "name": "Wire note",
            "text": '{"blocks": [{"key": "a", "type": "unstyled", '
            '"text": "Not our reporting.", "depth": 0, "inlineStyleRanges": [], '
            '"entityRanges": []}], "entityMap": {}}',
        },
    )
    assert response.status_code == 302
    disclaimer = Disclaimer.objects.get(name="Wire note")
    assert "Not our reporting." in disclaimer.text
    assert disclaimer.revisions.count() == 1


def test_usage_is_shown_before_delete(admin_client, section):
    disclaimer = DisclaimerFactory(name="Shared note")
    section.default_disclaimer = disclaimer
    section.save()
    MediaWireArticlePageFactory(
        parent=section,
        title="Uses the note",
        body__0="source",
        body__1__disclaimer__disclaimer=disclaimer,
    )

    usage = admin_client.get(_url("usage", disclaimer.pk))
    assert usage.status_code == 200
    html = usage.content.decode()
    assert "Uses the note" in html
    assert section.title in html

    confirm = admin_client.get(_url("delete", disclaimer.pk))
    assert confirm.status_code == 200
    assert "This disclaimer is referenced 2 times." in " ".join(confirm.content.decode().split())

    admin_client.post(_url("delete", disclaimer.pk))
    assert not Disclaimer.objects.filter(pk=disclaimer.pk).exists()
    for page in (section, *section.get_children()):
        assert admin_client.get(page.url).status_code == 200
