"""Public factory-boy factories, for the package's tests and a site's own.

Needs the ``factories`` extra: ``pip install "wagtail-mediawire[factories]"``.

    article = MediaWireArticlePageFactory(parent=section)        # with a valid source
    MediaWireArticlePageFactory(parent=section, body__0__source__name="Agency")
    MediaWireArticlePageFactory(parent=section, body=[], live=False)  # a draft, no source
"""

try:
    import factory
    import wagtail_factories
except ImportError as error:
    # For the developer reading a traceback, not a reader of the site: not translated.
    raise ModuleNotFoundError(
        f"wagtail_mediawire.factories needs factory-boy and wagtail-factories "
        f"(No module named {error.name!r}). Install the package's 'factories' extra: "
        f'pip install "wagtail-mediawire[factories]" (from a checkout: '
        f'pip install "/path/to/wagtail-mediawire[factories]").',
        name=error.name,
    ) from error

from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.models import Locale, Site
from wagtail.rich_text import RichText

from .blocks import DisclaimerBlock, QuoteBlock, SourceBlock
from .models import (
    Disclaimer,
    MediaWireArticlePage,
    MediaWireIndexPage,
    WireFeed,
    WireItem,
    WireSubject,
)


class DisclaimerFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Wire disclaimer {n}")
    text = "<p>Reports in this section come from other agencies and are not our own.</p>"
    locale = factory.LazyFunction(Locale.get_default)

    class Meta:
        model = Disclaimer


class SourceBlockFactory(wagtail_factories.StructBlockFactory):
    name = factory.Sequence(lambda n: f"Agency {n}")
    url = factory.Sequence(lambda n: f"https://agency.example/reports/{n}")
    original_headline = ""
    published_at = None

    class Meta:
        model = SourceBlock


class QuoteBlockFactory(wagtail_factories.StructBlockFactory):
    text = "We expect the harbour to reopen by Friday."
    attribution = "A port spokesperson"

    class Meta:
        model = QuoteBlock


class DisclaimerBlockFactory(wagtail_factories.blocks.ChooserBlockFactory):
    disclaimer = factory.SubFactory(DisclaimerFactory)

    class Meta:
        model = DisclaimerBlock

    @classmethod
    def _build(cls, model_class, disclaimer):
        return disclaimer

    @classmethod
    def _create(cls, model_class, disclaimer):
        return disclaimer


class ParagraphBlockFactory(wagtail_factories.blocks.BlockFactory):
    """A rich text paragraph; pass ``value="<p>…</p>"``."""

    value = factory.Sequence(lambda n: f"<p>Paragraph {n} of a wire report.</p>")

    class Meta:
        model = wagtail_factories.blocks.blocks.RichTextBlock

    @classmethod
    def _construct_block(cls, block_class, *args, **kwargs):
        return RichText(kwargs["value"])


class HeadingBlockFactory(wagtail_factories.CharBlockFactory):
    pass


class _ArticleBodyFactory(wagtail_factories.StreamFieldFactory):
    """The body, defaulting to one paragraph and one valid source."""

    def evaluate(self, instance, step, extra):
        return super().evaluate(instance, step, extra or {"0": "paragraph", "1": "source"})


class MediaWireIndexPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Media Wire {n}")
    signature = "Example Media Wire"
    intro = "<p>Reports from other news agencies.</p>"

    class Meta:
        model = MediaWireIndexPage


class MediaWireArticlePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Wire report {n}")
    summary = ""
    first_published_at = factory.LazyFunction(timezone.now)
    body = _ArticleBodyFactory(
        {
            "paragraph": factory.SubFactory(ParagraphBlockFactory),
            "heading": factory.SubFactory(HeadingBlockFactory),
            "quote": factory.SubFactory(QuoteBlockFactory),
            "source": factory.SubFactory(SourceBlockFactory),
            "disclaimer": factory.SubFactory(DisclaimerBlockFactory),
        }
    )

    class Meta:
        model = MediaWireArticlePage


def _default_site_root():
    return Site.objects.get(is_default_site=True).root_page


class WireFeedFactory(DjangoModelFactory):
    """An agency's feed; its section defaults to a new one under the default site's
    home page."""

    name = factory.Sequence(lambda n: f"Agency feed {n}")
    url = factory.Sequence(lambda n: f"https://agency.example/feeds/{n}.xml")
    section = factory.SubFactory(
        MediaWireIndexPageFactory, parent=factory.LazyFunction(_default_site_root)
    )
    source_name = factory.Sequence(lambda n: f"Agency {n}")

    class Meta:
        model = WireFeed


class WireSubjectFactory(DjangoModelFactory):
    code = factory.Sequence(lambda n: f"medtop:{20000000 + n}")
    name = factory.Sequence(lambda n: f"Subject {n}")

    class Meta:
        model = WireSubject
        django_get_or_create = ("code",)


class WireItemFactory(DjangoModelFactory):
    """An item as a feed brought it, with the draft the import made of it in its
    section (the feed's).

        WireItemFactory(feed=feed)                          # a new item and its draft
        WireItemFactory(feed=feed, draft=False, decision="skip")  # skipped: no article
        WireItemFactory(feed=feed, draft__body=[])          # a draft without a source
        WireItemFactory(feed=feed, subjects=[subject])
    """

    feed = factory.SubFactory(WireFeedFactory)
    section = factory.LazyAttribute(lambda item: item.feed.section if item.feed else None)
    guid = factory.Sequence(lambda n: f"urn:agency.example:item:{n}")
    link = factory.Sequence(lambda n: f"https://agency.example/reports/{n}")
    title = factory.Sequence(lambda n: f"Wire item {n}")
    text = "<p>The harbour reopened on Friday morning, the port authority said.</p>"
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    received_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = WireItem
        skip_postgeneration_save = True

    @factory.post_generation
    def draft(self, create, extracted, **kwargs):
        """The article, a draft as the import leaves it (its one revision is the
        imported one); ``draft=False`` for none, ``draft__…`` for the article factory."""
        if not create or extracted is False or self.article_id or self.section is None:
            return
        kwargs = {
            "title": self.title[:255],
            "slug": f"wire-item-{self.pk}",  # items may share a headline
            "live": False,
            "first_published_at": None,
            **kwargs,
        }
        article = MediaWireArticlePageFactory(parent=self.section, **kwargs)
        self.article, self.imported_revision = article, article.save_revision()
        self.save(update_fields=["article", "imported_revision"])

    @factory.post_generation
    def subjects(self, create, extracted, **kwargs):
        if create and extracted:
            self.subjects.set(extracted)
