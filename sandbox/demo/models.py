from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from wagtail_mediawire.models import MediaWireIndexPage


class HomePage(Page):
    """The sandbox's front page: an intro and links to the Media Wire sections."""

    intro = RichTextField(_("intro"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    # One home page per site, directly under the tree root.
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = (
            MediaWireIndexPage.objects.descendant_of(self).live().public().order_by("path")
        )
        return context


class StandardPage(Page):
    """A plain Wagtail page (a title and rich text): an "About" page, and the load
    test's baseline, a page with nothing of the package."""

    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")
