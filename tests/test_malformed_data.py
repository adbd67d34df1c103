"""Stream data written by code, not by the editor, never breaks a save or a page.

Imports, migrations and shells write raw StreamField data without validation: a
value of the wrong type is treated as absent (and logged), never a TypeError or 500.
"""

import pytest
from django.urls import reverse

from wagtail_mediawire.factories import DisclaimerFactory, MediaWireArticlePageFactory
from wagtail_mediawire.models import MediaWireArticlePage

pytestmark = pytest.mark.django_db

GOOD_SOURCE = {
    "type": "source",
    "value": {"name": "Cobalt Wire", "url": "https://cobalt.example/1"},
}

MALFORMED = [
    {"type": "source", "value": {"name": 123, "url": 456, "original_headline": ["x"]}},
    {"type": "source", "value": {"name": "Dated", "url": "https://d.example/", "published_at": 7}},
    {"type": "source", "value": {"name": "Bad date", "published_at": "2024-13-45T10:00:00"}},
    {"type": "source", "value": "not a dict"},
    {"type": "disclaimer", "value": "abc"},
    {"type": "disclaimer", "value": {"id": 1}},
    {"type": "disclaimer", "value": 2**70},
    {"type": "disclaimer", "value": -1},
    {"type": "paragraph", "value": 42},
    {"type": "heading", "value": None},
    {"type": "quote", "value": "a quote that is not a struct"},
    {"type": "image", "value": "abc"},
    {"type": "image", "value": {"image": "abc", "alt_text": "", "decorative": False}},
    {"type": ["paragraph"], "value": "<p>x</p>"},
    {"value": "<p>no type</p>"},
    "a string where a block should be",
    None,
]


def _article_with(section, items, **kwargs):
    page = MediaWireArticlePageFactory(parent=section, **kwargs)
    page.body = [{"type": "paragraph", "value": "<p>Readable first paragraph.</p>"}, *items]
    page.save_revision(clean=False).publish()
    return MediaWireArticlePage.objects.get(pk=page.pk)


@pytest.mark.parametrize("item", MALFORMED, ids=range(len(MALFORMED)))
def test_one_malformed_item_is_treated_as_absent(client, section, item, caplog):
    disclaimer = DisclaimerFactory(text="<p>The section's own note.</p>")
    section.default_disclaimer = disclaimer
    section.save()
    page = _article_with(section, [item, GOOD_SOURCE])

    assert (page.source_name, page.source_url) in {
        ("Cobalt Wire", "https://cobalt.example/1"),
        ("", ""),  # the malformed source came first: its name and URL are absent
        ("Dated", "https://d.example/"),
        ("Bad date", ""),
    }
    for url in (page.url, section.url):
        response = client.get(url)
        assert response.status_code == 200
    html = client.get(page.url).content.decode()
    assert "Readable first paragraph." in html
    assert "https://cobalt.example/1" in html
    assert "The section's own note." in html  # a bad Disclaimer value counts as none
    assert "Ignoring" in caplog.text


def test_everything_malformed_at_once_saves_renders_and_edits(admin_client, client, section):
    page = _article_with(section, [*MALFORMED, GOOD_SOURCE])
    assert page.source_url == ""  # the first source had no usable URL
    assert client.get(page.url).status_code == 200
    page.save_revision(clean=False)
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert edit.status_code == 200


def test_malformed_fields_are_dropped_but_the_good_ones_kept(section):
    page = _article_with(
        section,
        [
            {
                "type": "source",
                "value": {"name": 5, "url": "https://kept.example/", "published_at": 1},
            }
        ],
    )
    (source,) = [block.value for block in page.body if block.block_type == "source"]
    assert source["name"] == ""
    assert source["url"] == "https://kept.example/"
    assert source["published_at"] is None
    assert page.sources == [source]
    assert page.source_url == "https://kept.example/"
