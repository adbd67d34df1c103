"""The editor's lookup of articles that already use a source URL (registered by the
package's ``register_admin_urls`` hook, read by ``source-duplicates.js``)."""

from django.http import HttpRequest, JsonResponse
from wagtail.admin.admin_url_finder import AdminURLFinder

from ..models import MediaWireArticlePage
from ..models.base_page import BasePage
from ..models.querysets import explorable, with_status
from ..validators import positive_id, safe_http_url

# More would not help an editor decide; the same report is rarely republished often.
DUPLICATES_SHOWN = 5


def source_duplicates(request: HttpRequest) -> JsonResponse:
    """Other articles of the site whose source URL is ``?url=``, live or in a draft.

    ``?page=`` is the article being edited (left out), ``?parent=`` the section of a
    new one; either gives the site. Only articles the user may explore are listed.
    """
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
