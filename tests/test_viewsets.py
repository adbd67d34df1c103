"""The Disclaimer snippet in the admin: listing, chooser, revisions, usage before delete."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from wagtail_mediawire.factories import DisclaimerFactory, MediaWireArticlePageFactory
from wagtail_mediawire.models import Disclaimer

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"wagtailsnippets_wagtail_mediawire_disclaimer:{name}", args=args)


@pytest.mark.usefixtures("search_index")
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
    # Quotes are plain text: a lone one was a database error on SQLite's full-text search.
    for query in ('"', 'opinion"', '"a"b"'):
        assert admin_client.get(_url("list"), {"q": query}).status_code == 200, query
    assert "Opinion pieces" in admin_client.get(_url("list"), {"q": '"opinion'}).content.decode()


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


LONG_TEXT = (
    "<p>Reports in this section are <b>retrieved from other news agencies</b> and do not "
    "reflect our opinion; headlines may be changed, and the source of every report is "
    "given at the bottom of each article, with its address.</p>"
)
LONG_PREVIEW = (
    "Reports in this section are retrieved from other news agencies and do not "
    "reflect our opinion; headlines may be changed…"
)


def _rows(html):
    soup = BeautifulSoup(html, "html.parser")
    return {
        row.select_one("td a").get_text(strip=True): [
            td.get_text(" ", strip=True) for td in row.select("td")
        ]
        for row in soup.select("tbody tr")
    }


class TestChooser:
    """Editors choose a disclaimer by what it says, not only by its name."""

    @pytest.fixture
    def disclaimers(self):
        DisclaimerFactory(name="Agency reports", text=LONG_TEXT)
        DisclaimerFactory(name="Opinion", text="<p>Opinion pieces are the author&#x27;s.</p>")

    @pytest.mark.parametrize("view", ["choose", "choose_results"])
    def test_shows_the_first_words_of_each_text(self, admin_client, disclaimers, view):
        url = reverse(f"wagtailsnippetchoosers_wagtail_mediawire_disclaimer:{view}")
        response = admin_client.get(url)
        assert response.status_code == 200
        html = response.json()["html"] if view == "choose" else response.content.decode()
        rows = _rows(html)
        assert LONG_PREVIEW in rows["Agency reports"]
        assert "Opinion pieces are the author's." in rows["Opinion"]
        assert "&lt;p&gt;" not in html

    @pytest.mark.usefixtures("search_index")
    def test_search_results_show_it_too(self, admin_client, disclaimers):
        url = reverse("wagtailsnippetchoosers_wagtail_mediawire_disclaimer:choose_results")
        rows = _rows(admin_client.get(url, {"q": "opinion"}).content.decode())
        assert rows["Opinion"][1] == "Opinion pieces are the author's."

    def test_the_listing_shows_it_too(self, admin_client, disclaimers):
        rows = _rows(admin_client.get(_url("list")).content.decode())
        assert LONG_PREVIEW in rows["Agency reports"]
