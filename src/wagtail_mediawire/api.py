"""Endpoints of Wagtail's API v2: the pages endpoint with wire articles under the
reader rule, and one for the ``Disclaimer`` snippet.

Articles need no endpoint of their own: the pages endpoint serves them with their
``api_fields`` (``?type=wagtail_mediawire.MediaWireArticlePage&fields=*``). A site
registers the package's pages endpoint in place of Wagtail's, and the snippet's::

    api_router.register_endpoint("pages", MediaWirePagesAPIViewSet)
    api_router.register_endpoint("disclaimers", DisclaimersAPIViewSet)
"""

from django.conf import settings
from django.db.models import Q
from wagtail.api.v2.filters import FieldsFilter, OrderingFilter, SearchFilter
from wagtail.api.v2.views import BaseAPIViewSet, PagesAPIViewSet
from wagtail.models import Site

from .models import Disclaimer, MediaWireArticlePage


class MediaWirePagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint, listing of the wire articles only what a reader may
    see (``for_readers``): Wagtail's own lists an expired article until
    ``publish_scheduled`` runs, and an alias beside its original. Other pages are
    as Wagtail lists them."""

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        trees = _site_trees(self.request)
        if not trees:
            return queryset
        readable = MediaWireArticlePage.objects.for_readers(*trees).values("pk")
        articles = MediaWireArticlePage.objects.values("pk")
        return queryset.filter(~Q(pk__in=articles) | Q(pk__in=readable))


def _site_trees(request) -> list:
    """The trees the endpoint lists: the site's root page and, with i18n, its
    translations; every site's without a site (as Wagtail does then)."""
    site = Site.find_for_request(request)
    if site is None:
        return [site.root_page for site in Site.objects.select_related("root_page")]
    trees = [site.root_page]
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        trees += list(site.root_page.get_translations())
    return trees


class DisclaimersAPIViewSet(BaseAPIViewSet):
    filter_backends = [FieldsFilter, OrderingFilter, SearchFilter]
    listing_default_fields = [*BaseAPIViewSet.listing_default_fields, "name", "locale"]
    nested_default_fields = [*BaseAPIViewSet.nested_default_fields, "name"]
    name = "disclaimers"
    model = Disclaimer

    def get_queryset(self):
        return super().get_queryset().select_related("locale")
