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
from .policies import SeoPolicy
from .seo import site_name

# Google News reads articles of the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000


def news_sitemap(request: HttpRequest) -> HttpResponse:
    """A Google News sitemap of the wire articles a reader of this site may see
    (``for_readers``) under the ``index`` policy, published in the last 48 hours,
    newest first."""
    site = Site.find_for_request(request)
    articles = []
    if site is not None:
        since = timezone.now() - NEWS_WINDOW
        candidates = (
            MediaWireArticlePage.objects.for_readers(site.root_page)
            .filter(first_published_at__gte=since)
            .with_section_seo_policy()
            .defer_streamfields()
            .newest_first()[:NEWS_LIMIT]
        )
        for article in candidates:
            if article.effective_seo_policy != SeoPolicy.INDEX:
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
