"""A site's own base page model (Wagtail 8's ``WAGTAIL_PAGE_MODEL``), for
``tests/settings_swapped_page.py``.

As Wagtail's guide defines one: ``AbstractPage`` with a field of the site's own, and
without the default ``Page``'s ``seo_title``, ``search_description`` and
``show_in_menus``, so nothing of the package may count on those.
"""

from django.db import models
from wagtail.models import AbstractPage


class CustomBasePage(AbstractPage):
    desk_note = models.CharField(max_length=255, blank=True)

    promote_panels = [*AbstractPage.promote_panels, "desk_note"]
