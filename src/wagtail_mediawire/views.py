"""Views a site adds to its URLconf: the Google News sitemap, and the wire's push
endpoints (through ``wagtail_mediawire.urls``).

from wagtail_mediawire.views import news_sitemap
urlpatterns = [path("news-sitemap.xml", news_sitemap), ...]
"""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from wagtail.models import Site

from .ingest import websub
from .ingest.formats import media_types
from .ingest.importer import FEED_TYPES
from .ingest.push import SIGNATURE_HEADER, record_delivery, signed_with
from .models import MediaWireArticlePage, WebSubSubscription, WireFeed
from .policies import SeoPolicy
from .seo import site_name
from .settings import get_setting
from .tasks import enqueue_delivery

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


def _answer(status: int, message: str) -> HttpResponse:
    return HttpResponse(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")


def _body(request: HttpRequest) -> bytes | HttpResponse:
    """The raw body, or the answer that refuses it: read only once its declared length
    is known to be within ``FEED_MAX_BYTES``, so an oversize body is never read."""
    length = request.META.get("CONTENT_LENGTH", "").strip()
    if not length.isdigit():
        return _answer(411, gettext("Send the document with its Content-Length."))
    limit = get_setting("FEED_MAX_BYTES")
    if int(length) > limit:
        return _answer(
            413,
            gettext("The document is larger than this site takes (%(limit)d bytes).")
            % {"limit": limit},
        )
    return request.read(int(length))


def _refused(feed_id: int, status: int, message: str) -> HttpResponse:
    """Refuse a delivery, and say why as the feed's last delivery (for its editors)."""
    record_delivery(
        feed_id, gettext("refused (%(status)d): %(why)s") % {"status": status, "why": message}
    )
    return _answer(status, message)


def _accepted(feed_id: int, body: bytes, via: str) -> HttpResponse:
    record_delivery(feed_id, gettext("received; being imported"))
    enqueue_delivery(feed_id, body, via)
    return _answer(202, gettext("Accepted: the document is being imported."))


@csrf_exempt  # authenticated by its signature, not by a session
@never_cache
def push(request: HttpRequest, feed_id: int) -> HttpResponse:
    """``push/<feed_id>/``: a document an agency POSTs, signed with the feed's push secret
    (``X-Hub-Signature: sha256=<hex>``), imported as a task. Nothing is read before
    the feed, the signature's presence, the media type and the length pass."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    feed = WireFeed.objects.filter(pk=feed_id, is_active=True).first()
    if feed is None:
        return _answer(404, gettext("There is no active feed here."))
    if feed.delivery != WireFeed.Delivery.PUSH or not feed.push_secret:
        return _answer(403, gettext("This feed takes no push deliveries."))
    header = request.headers.get(SIGNATURE_HEADER, "")
    if not header:
        return _refused(
            feed.pk,
            403,
            gettext(
                "Sign the document: X-Hub-Signature: sha256=<HMAC-SHA256 of the body with "
                "the feed's push secret>."
            ),
        )
    if request.content_type not in media_types(feed.format):
        return _refused(
            feed.pk,
            415,
            gettext("A %(format)s feed takes no %(type)s.")
            % {"format": feed.get_format_display(), "type": request.content_type or "-"},
        )
    body = _body(request)
    if isinstance(body, HttpResponse):
        return _refused(feed.pk, body.status_code, body.content.decode().strip())
    if not signed_with(header, body, feed.push_secrets()):
        return _refused(
            feed.pk, 403, gettext("The signature does not match the document and the secret.")
        )
    return _accepted(feed.pk, body, "push")


@csrf_exempt  # authenticated by its signature, not by a session
@never_cache
def websub_callback(request: HttpRequest, feed_id: int) -> HttpResponse:
    """``websub/<feed_id>/``: a WebSub feed's callback. GET is the hub's verification of
    intent, POST a delivery (``ingest/websub.py``)."""
    if request.method == "GET":
        challenge = websub.verify(feed_id, request.GET)
        if challenge is None:
            return _answer(404, gettext("No such subscription was asked for."))
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    subscription = (
        WebSubSubscription.objects.select_related("feed")
        .filter(feed_id=feed_id, feed__is_active=True, feed__delivery=WireFeed.Delivery.WEBSUB)
        .first()
    )
    if subscription is None:
        return _answer(404, gettext("There is no active WebSub feed here."))
    if request.content_type not in FEED_TYPES:
        return _refused(
            feed_id, 415, gettext("This is not a feed: %(type)s.") % {"type": request.content_type}
        )
    body = _body(request)
    if isinstance(body, HttpResponse):
        return _refused(feed_id, body.status_code, body.content.decode().strip())
    if not websub.delivery_signed(subscription, request.headers.get(SIGNATURE_HEADER, ""), body):
        # As WebSub asks: acknowledged, so a forger learns nothing, and ignored.
        record_delivery(feed_id, gettext("ignored: not signed with the subscription's secret"))
        return _answer(202, gettext("Received."))
    return _accepted(feed_id, body, "websub")
