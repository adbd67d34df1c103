from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.images.api.v2.views import ImagesAPIViewSet

from wagtail_mediawire.api import DisclaimersAPIViewSet, MediaWirePagesAPIViewSet
from wagtail_mediawire.views import news_sitemap

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", MediaWirePagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("disclaimers", DisclaimersAPIViewSet)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("sitemap.xml", sitemap),
    path("news-sitemap.xml", news_sitemap),
    # The wire's push endpoints: push/<feed_id>/ and websub/<feed_id>/.
    path("wire/", include("wagtail_mediawire.urls")),
]

if settings.DEBUG:
    from demo.views import demo_feed
    from django.conf.urls.static import static

    # The demo agency's feed, served by the sandbox itself so that "Fetch now" works.
    urlpatterns.append(path("demo-feed.xml", demo_feed, name="demo_feed"))
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    # runserver serves static files itself; this also covers other dev servers.
    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other URL, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
