from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.images.api.v2.views import ImagesAPIViewSet

from wagtail_mediawire.api import DisclaimersAPIViewSet, MediaWirePagesAPIViewSet
from wagtail_mediawire.views import news_sitemap

# Wagtail's API v2, as its docs set it up, with the package's snippet endpoint.
api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", MediaWirePagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("disclaimers", DisclaimersAPIViewSet)

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("sitemap.xml", sitemap),
    path("news-sitemap.xml", news_sitemap),
    path("api/v2/", api_router.urls),
    path("wire/", include("wagtail_mediawire.urls")),
    path("", include(wagtail_urls)),
]
