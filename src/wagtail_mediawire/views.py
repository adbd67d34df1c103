"""Views a site adds to its URLconf: the Google News sitemap.

from wagtail_mediawire.views import news_sitemap
urlpatterns = [path("news-sitemap.xml", news_sitemap), ...]

And the admin's view of articles that already use a source URL (registered by the
package's ``register_admin_urls`` hook).
"""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.models import Site

from .models import MediaWireArticlePage
from .models.base_page import BasePage
from .policies import SeoPolicy
from .seo import site_name
from .validators import positive_id, safe_http_url

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


# More would not help an editor decide; the same report is rarely republished often.
DUPLICATES_SHOWN = 5


def source_duplicates(request: HttpRequest) -> JsonResponse:
    """Other articles of the site whose source URL is ``?url=``, live or in a draft.

    ``?page=`` is the article being edited (left out), ``?parent=`` the section of a
    new one; either gives the site. Only articles the user may explore are listed.
    """
    from .modeladmin import explorable, with_status

    url = safe_http_url(request.GET.get("url", "").strip())
    page_id = positive_id(request.GET.get("page"))
    anchor = BasePage.objects.filter(pk=page_id or positive_id(request.GET.get("parent"))).first()
    if not url or anchor is None:
        return JsonResponse({"duplicates": []})
    site = anchor.get_site()
    articles = MediaWireArticlePage.objects.all()
    if page_id is not None:
        # The article itself and its aliases are the same story, not a duplicate.
        articles = articles.exclude(pk=page_id).exclude(alias_of_id=page_id)
    if site is not None:
        articles = articles.filter(path__startswith=site.root_page.path)
    articles = with_status(explorable(articles, request.user))
    # The row holds the live version's (or a never published draft's) source; a newer
    # draft's is in its latest revision, which only pages with unpublished changes have.
    found = list(articles.filter(source_url=url)[:DUPLICATES_SHOWN])
    found += articles.filter(
        has_unpublished_changes=True, latest_revision__content__source_url=url
    ).exclude(pk__in=[page.pk for page in found])[: DUPLICATES_SHOWN - len(found)]
    # Most recently edited first; a page made in code may have no revision at all.
    found.sort(
        key=lambda page: (
            page.latest_revision_created_at is not None,
            page.latest_revision_created_at or 0,
            page.pk,
        ),
        reverse=True,
    )
    finder = AdminURLFinder(request.user)
    return JsonResponse(
        {
            "duplicates": [
                {
                    "title": page.get_admin_display_title(),
                    # Wagtail's words: "live + draft", "scheduled", "in moderation"…
                    "status": page.status_string,
                    "edit_url": finder.get_edit_url(page),
                    "live_url": page.url if page.live else None,
                }
                for page in found
            ]
        }
    )
