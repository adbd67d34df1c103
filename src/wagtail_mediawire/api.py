"""An endpoint of Wagtail's API v2 for the ``Disclaimer`` snippet.

Articles need no endpoint of their own: Wagtail's pages endpoint serves them with
their ``api_fields`` (``?type=wagtail_mediawire.MediaWireArticlePage&fields=*``).
A site registers this one next to it::

    api_router.register_endpoint("disclaimers", DisclaimersAPIViewSet)
"""

from wagtail.api.v2.filters import FieldsFilter, OrderingFilter, SearchFilter
from wagtail.api.v2.views import BaseAPIViewSet

from .models import Disclaimer


class DisclaimersAPIViewSet(BaseAPIViewSet):
    filter_backends = [FieldsFilter, OrderingFilter, SearchFilter]
    listing_default_fields = [*BaseAPIViewSet.listing_default_fields, "name", "locale"]
    nested_default_fields = [*BaseAPIViewSet.nested_default_fields, "name"]
    name = "disclaimers"
    model = Disclaimer

    def get_queryset(self):
        return super().get_queryset().select_related("locale")
