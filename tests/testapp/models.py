"""Page types of a plain Wagtail site, beside the package's: baselines for benchmarks."""

from wagtail.fields import RichTextField
from wagtail.models import Page


class BarePage(Page):
    """A bare Wagtail page: a title and rich text, nothing of the package."""

    body = RichTextField(blank=True)
    template = "testapp/bare_page.html"


class HomePage(Page):
    """A ``wagtail start`` style home page that shows the Recent Posts block."""

    template = "testapp/home_page.html"
