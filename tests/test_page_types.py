"""Page types checked the way Wagtail's own helpers check them, through the real admin."""

from wagtail.models import Site, get_page_models
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from tests.utils import page_model
from wagtail_mediawire.factories import MediaWireArticlePageFactory, MediaWireIndexPageFactory
from wagtail_mediawire.models import MediaWireArticlePage, MediaWireIndexPage


class PageTypeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = Site.objects.get(is_default_site=True).root_page
        cls.section = MediaWireIndexPageFactory(parent=cls.home, slug="wire")
        cls.article = MediaWireArticlePageFactory(parent=cls.section)

    def setUp(self):
        self.login()

    def test_tree_rules(self):
        Page = page_model()  # wagtail.models.Page, or WAGTAIL_PAGE_MODEL's
        self.assertCanCreateAt(Page, MediaWireIndexPage)
        self.assertCanCreateAt(MediaWireIndexPage, MediaWireArticlePage)
        self.assertCanNotCreateAt(Page, MediaWireArticlePage)
        self.assertCanNotCreateAt(MediaWireArticlePage, MediaWireArticlePage)
        self.assertAllowedParentPageTypes(MediaWireArticlePage, {MediaWireIndexPage})
        self.assertAllowedSubpageTypes(MediaWireIndexPage, {MediaWireArticlePage})
        self.assertAllowedSubpageTypes(MediaWireArticlePage, set())

    def test_can_create_an_article_through_the_admin_form(self):
        self.assertCanCreate(
            self.section,
            MediaWireArticlePage,
            nested_form_data(
                {
                    "title": "Harbour reopens after repairs",
                    "slug": "harbour-reopens",
                    "summary": "The harbour is open again.",
                    "body": streamfield(
                        [
                            ("paragraph", rich_text("<p>Ships returned on Monday.</p>")),
                            (
                                "source",
                                {
                                    "name": "Northwind Press",
                                    "url": "https://northwind.example/harbour",
                                    "original_headline": "Harbour open",
                                    "published_at": "",
                                },
                            ),
                        ]
                    ),
                    "comments": inline_formset([]),
                }
            ),
        )
        created = MediaWireArticlePage.objects.get(slug="harbour-reopens")
        assert created.source_name == "Northwind Press"
        assert created.source_url == "https://northwind.example/harbour"

    def test_can_create_a_section_through_the_admin_form(self):
        self.assertCanCreate(
            self.home,
            MediaWireIndexPage,
            nested_form_data(
                {
                    "title": "Wire desk",
                    "slug": "wire-desk",
                    "intro": rich_text("<p>From other agencies.</p>"),
                    "signature": "Example Wire",
                    "comments": inline_formset([]),
                }
            ),
        )

    def test_renderable_editable_previewable(self):
        self.assertPageIsRenderable(self.section)
        self.assertPageIsEditable(self.section)
        self.assertPageIsPreviewable(self.section)

        post_data = nested_form_data(
            {
                "title": self.article.title,
                "slug": self.article.slug,
                "summary": "",
                "body": streamfield(
                    [
                        ("paragraph", rich_text("<p>Edited.</p>")),
                        ("source", {"name": "Agency", "url": "https://agency.example/x"}),
                    ]
                ),
                "comments": inline_formset([]),
            }
        )
        self.assertPageIsRenderable(self.article)
        self.assertPageIsEditable(self.article, post_data=post_data)
        self.assertPageIsPreviewable(self.article, post_data=post_data)


def test_page_types_extend_the_base_page_model(settings):
    """Wagtail's Page, or the site's own where WAGTAIL_PAGE_MODEL swaps it (Wagtail 8;
    ``make test-swapped-page``): the parent link and Wagtail's list of page types follow."""
    Page = page_model()
    assert Page._meta.label == getattr(settings, "WAGTAIL_PAGE_MODEL", "wagtailcore.Page")
    for model in (MediaWireIndexPage, MediaWireArticlePage):
        assert model._meta.pk.remote_field.model is Page
        assert model._meta.pk.name == f"{Page._meta.model_name}_ptr"
        assert model in get_page_models()
