"""Views a site adds to its URLconf: the Google News sitemap.

from wagtail_mediawire.views import news_sitemap
urlpatterns = [path("news-sitemap.xml", news_sitemap), ...]
"""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.models import Site

from .models import MediaWireArticlePage
from .models.pages import SeoPolicy, _seo_policy
from .seo import site_name

# Google News reads articles of the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000


def news_sitemap(request: HttpRequest) -> HttpResponse:
    """A Google News sitemap of this site's public wire articles under the ``index``
    policy, published in the last 48 hours, newest first."""
    site = Site.find_for_request(request)
    articles = []
    if site is not None:
        since = timezone.now() - NEWS_WINDOW
        candidates = (
            MediaWireArticlePage.objects.live()
            .public()
            .descendant_of(site.root_page)
            .filter(first_published_at__gte=since)
            .defer_streamfields()
            .order_by("-first_published_at")[:NEWS_LIMIT]
        )
        for article in candidates:
            if _seo_policy(article, request) != SeoPolicy.INDEX:
                continue
            if url := article.get_full_url(request):
                articles.append((url, article))
    content = render_to_string(
        "wagtail_mediawire/news_sitemap.xml",
        {
            "articles": articles,
            "publication": site_name(request),
            "language": (translation.get_language() or "en").split("-")[0],
        },
    )
    return HttpResponse(content, content_type="application/xml")
