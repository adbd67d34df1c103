"""The stylesheet: linked once per page by whoever needs it first, restylable by a site."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tests.testapp.models import HomePage
from wagtail_mediawire.factories import MediaWireArticlePageFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "src" / "wagtail_mediawire" / "static" / "wagtail_mediawire" / "css" / "mediawire.css"
REFERENCE = ROOT / "docs" / "reference" / "recent-posts.md"
LINK = '<link rel="stylesheet" href="/static/wagtail_mediawire/css/mediawire.css">'


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_recent_posts_on_a_site_page_links_the_stylesheet(client, root_page, section):
    MediaWireArticlePageFactory(parent=section, title="Harbour reopens")
    # A `wagtail start` style home page whose template only adds the tag.
    home = root_page.add_child(instance=HomePage(title="Front page", slug="front"))
    html = _get(client, home.url)
    assert html.count(LINK) == 1
    # In the block, just before it: styled wherever it is placed.
    assert html.index(LINK) < html.index('class="mediawire-recent"')
    assert html.index("<body") < html.index(LINK)


def test_two_blocks_on_one_page_link_it_once(section):
    MediaWireArticlePageFactory(parent=section)
    template = Template(
        "{% load mediawire_tags %}"
        "{% mediawire_recent_posts count=1 %}{% mediawire_recent_posts count=2 %}"
    )
    html = template.render(Context({"request": RequestFactory().get("/")}))
    assert html.count('class="mediawire-recent"') == 2
    assert html.count(LINK) == 1
    # Each request links it again: the mark is on the request, not the template.
    assert template.render(Context({"request": RequestFactory().get("/")})).count(LINK) == 1


def test_the_packages_pages_link_it_once_in_the_head(client, section):
    article = MediaWireArticlePageFactory(parent=section)
    MediaWireArticlePageFactory(parent=section)  # so the article has Recent Posts
    for page in (article, section):
        html = _get(client, page.url)
        assert html.count(LINK) == 1, page
        assert html.index(LINK) < html.index("</head>")
    assert 'class="mediawire-recent"' in _get(client, article.url)


def test_an_empty_block_links_nothing(section):
    html = Template("{% load mediawire_tags %}{% mediawire_recent_posts %}").render(
        Context({"request": RequestFactory().get("/")})
    )
    assert html.strip() == ""


def test_without_a_request_the_tag_always_links():
    template = Template("{% load mediawire_tags %}{% mediawire_stylesheet %}")
    assert template.render(Context({})) == LINK


def test_the_documented_custom_properties_restyle_the_block():
    """Every custom property the reference documents has a weightless default (so a
    site's own :root wins) and is used by the block's rules."""
    documented = set(re.findall(r"`(--mediawire-[a-z-]+)`", REFERENCE.read_text()))
    assert documented >= {"--mediawire-accent", "--mediawire-muted", "--mediawire-rule"}
    css = CSS.read_text()
    defaults = re.search(r":where\(:root\)\s*\{([^}]*)\}", css).group(1)
    block_rules = "".join(re.findall(r"\.mediawire-recent[^{]*\{[^}]*\}", css))
    for name in documented:
        assert f"{name}:" in defaults, name
        assert f"var({name}" in block_rules, name


def test_the_documented_classes_are_the_templates():
    documented = set(re.findall(r"`\.(mediawire-recent[a-z_-]*)`", REFERENCE.read_text()))
    template = (
        ROOT / "src/wagtail_mediawire/templates/wagtail_mediawire/tags/recent_posts.html"
    ).read_text()
    used = set(re.findall(r'class="(mediawire-recent[a-z_-]*)"', template))
    assert documented == used
