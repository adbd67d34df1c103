"""What wire pages tell machines in their <head>: read as a crawler reads it."""

import json
from html.parser import HTMLParser

import pytest

from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory
from wagtail_mediawire.models.pages import SeoPolicy

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    """The <head>'s links, metas and JSON-LD scripts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.metas: list[dict] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta":
            self.metas.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def canonicals(self) -> list[str]:
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]

    def meta(self, key: str) -> list[str]:
        return [m.get("content") for m in self.metas if key in (m.get("property"), m.get("name"))]


@pytest.fixture
def article(section):
    return MediaWireArticlePageFactory(
        parent=section,
        title="Harbour reopens",
        slug="harbour-reopens",
        summary="Ferries run again from Monday.",
        body__0__source__name="Northwind Press Agency",
        body__0__source__url="https://northwind.example/reports/harbour",
    )


def head_of(client, page, query: str = "") -> Head:
    response = client.get(page.url + query)
    assert response.status_code == 200
    return Head(response.content.decode())


def test_an_article_carries_news_article_json_ld(client, article):
    head = head_of(client, article)

    (raw,) = head.json_ld
    data = json.loads(raw)
    url = "http://localhost/wire/harbour-reopens/"
    assert data["@type"] == "NewsArticle" and data["@context"] == "https://schema.org"
    assert data["headline"] == "Harbour reopens"
    assert data["url"] == url and data["mainEntityOfPage"]["@id"] == url
    assert data["publisher"] == {"@type": "Organization", "name": "Test site"}
    assert data["isBasedOn"] == ["https://northwind.example/reports/harbour"]
    assert data["sourceOrganization"] == [
        {"@type": "Organization", "name": "Northwind Press Agency"}
    ]
    assert data["description"] == "Ferries run again from Monday."
    assert data["inLanguage"] == "en"
    assert data["datePublished"] == article.first_published_at.isoformat(timespec="seconds")
    assert "image" not in data


def test_a_title_cannot_break_out_of_the_json_ld_script(client, section):
    title = '</script><script>alert("x")</script><!-- & -->'
    article = MediaWireArticlePageFactory(
        parent=section, title=title, body__0__source__url="https://northwind.example/r"
    )
    html = client.get(article.url).content.decode()

    assert '<script>alert("x")' not in html
    (raw,) = Head(html).json_ld
    assert json.loads(raw)["headline"] == title


@pytest.mark.parametrize(
    ("section_policy", "article_policy", "canonical", "news_noindex"),
    [
        (SeoPolicy.INDEX, "", "self", False),
        (SeoPolicy.NOINDEX_NEWS, "", "self", True),
        (SeoPolicy.CANONICAL_TO_SOURCE, "", "source", False),
        (SeoPolicy.INDEX, SeoPolicy.CANONICAL_TO_SOURCE, "source", False),
        (SeoPolicy.CANONICAL_TO_SOURCE, SeoPolicy.NOINDEX_NEWS, "self", True),
    ],
)
def test_the_seo_policy_gives_exactly_one_canonical(
    client, root_page, section_policy, article_policy, canonical, news_noindex
):
    section = MediaWireIndexPageFactory(parent=root_page, slug="desk", seo_policy=section_policy)
    article = MediaWireArticlePageFactory(
        parent=section,
        slug="report",
        seo_policy=article_policy,
        body__0__source__url="https://northwind.example/reports/7",
    )

    head = head_of(client, article)

    expected = {
        "self": "http://localhost/desk/report/",
        "source": "https://northwind.example/reports/7",
    }[canonical]
    assert head.canonicals() == [expected]
    assert head.meta("Googlebot-News") == (["noindex"] if news_noindex else [])


def test_social_tags_use_the_article_text_and_site(client, article):
    head = head_of(client, article)
    assert head.meta("og:type") == ["article"]
    assert head.meta("og:title") == ["Harbour reopens"]
    assert head.meta("og:description") == ["Ferries run again from Monday."]
    assert head.meta("og:url") == ["http://localhost/wire/harbour-reopens/"]
    assert head.meta("og:site_name") == ["Test site"]
    assert head.meta("twitter:card") == ["summary"]
    assert head.meta("og:image") == []


def test_the_image_is_the_articles_first_else_the_sections_default(client, section):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    Image = get_image_model()
    own = Image.objects.create(title="Quay", file=get_test_image_file(), description="The quay")
    default = Image.objects.create(title="Desk", file=get_test_image_file(), description="Desk")
    section.social_image = default
    section.save_revision().publish()
    with_image = MediaWireArticlePageFactory(
        parent=section, slug="with-image", body__0__source__url="https://northwind.example/a"
    )
    own.contextual_alt_text, own.decorative = "The quay at dawn", False
    with_image.body = [("image", own), *[(b.block_type, b.value) for b in with_image.body]]
    with_image.save_revision().publish()
    without = MediaWireArticlePageFactory(
        parent=section, slug="without", body__0__source__url="https://northwind.example/b"
    )

    head = head_of(client, with_image)
    assert head.meta("og:image")[0].startswith("http://localhost/")
    assert head.meta("og:image:alt") == ["The quay at dawn"]  # the block's alt text
    assert head.meta("twitter:card") == ["summary_large_image"]
    assert json.loads(head.json_ld[0])["image"] == head.meta("og:image")

    head = head_of(client, without)
    assert head.meta("og:image:alt") == ["Desk"]


def test_a_section_and_its_pages_are_each_their_own_canonical(client, section, article):
    head = head_of(client, section)
    assert head.canonicals() == ["http://localhost/wire/"]
    assert head.meta("og:type") == ["website"] and head.json_ld == []
    assert head_of(client, section, "?page=2").canonicals() == ["http://localhost/wire/?page=2"]
    assert head_of(client, section, "?page=abc").canonicals() == ["http://localhost/wire/"]


def test_other_pages_get_no_tags(rf, root_page):
    from django.template import Context, Template

    request = rf.get("/")
    html = Template("{% load mediawire_tags %}{% mediawire_head_tags %}").render(
        Context({"page": root_page, "request": request})
    )
    assert html == ""
