"""Page types of a plain Wagtail site, beside the package's: baselines for benchmarks."""

from wagtail.fields import RichTextField

# Wagtail's Page, or the site's own base page model (WAGTAIL_PAGE_MODEL, Wagtail 8).
from wagtail_mediawire.models.base_page import BasePage as Page


class BarePage(Page):
    """A bare Wagtail page: a title and rich text, nothing of the package."""

    body = RichTextField(blank=True)
    template = "testapp/bare_page.html"


class HomePage(Page):
    """A ``wagtail start`` style home page that shows the Recent Posts block."""

    template = "testapp/home_page.html"
