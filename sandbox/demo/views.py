from pathlib import Path

from django.http import HttpRequest, HttpResponse

DEMO_FEED = Path(__file__).resolve().parent / "feeds" / "cobalt-wire.xml"


def demo_feed(request: HttpRequest) -> HttpResponse:
    """The demo agency's RSS feed, as an agency's server would answer."""
    return HttpResponse(DEMO_FEED.read_bytes(), content_type="application/rss+xml")
