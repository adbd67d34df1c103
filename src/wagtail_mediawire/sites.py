"""Site helpers the outputs share."""

from django.conf import settings
from django.http import HttpRequest
from wagtail.models import Site


def site_name(request: HttpRequest) -> str:
    """The request's Wagtail site's name, else ``WAGTAIL_SITE_NAME``."""
    site = Site.find_for_request(request)
    if site is not None and site.site_name:
        return site.site_name
    return getattr(settings, "WAGTAIL_SITE_NAME", "")
