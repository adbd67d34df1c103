from datetime import date, datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html

from ..recent import get_recent_posts
from ..text import xml_safe

register = template.Library()

_CURRENT_PAGE = object()
DEFAULT_TEMPLATE = "wagtail_mediawire/tags/recent_posts.html"
STYLESHEET = "wagtail_mediawire/css/mediawire.css"
# Set on the request once the stylesheet is linked: one <link> per page, whoever asks first.
STYLESHEET_LINKED = "_mediawire_stylesheet_linked"


@register.simple_tag(takes_context=True)
def mediawire_stylesheet(context) -> str:
    """The package's stylesheet link, once per request.

    The package's pages call it in ``extra_css`` and the Recent Posts block in its own
    template, so the block is styled wherever it is placed, and a page with the
    stylesheet already linked (or two blocks) links it once. ``<link rel="stylesheet">``
    is allowed in ``<body>``. Without a request in the context it always links.
    """
    request = context.get("request")
    if request is not None:
        if getattr(request, STYLESHEET_LINKED, False):
            return ""
        setattr(request, STYLESHEET_LINKED, True)
    return format_html('<link rel="stylesheet" href="{}">', static(STYLESHEET))


@register.simple_tag(takes_context=True)
def mediawire_recent_posts(
    context,
    count=None,
    section=None,
    exclude=_CURRENT_PAGE,
    template=DEFAULT_TEMPLATE,
):
    """Render the Recent Posts block.

    ``count`` defaults to ``RECENT_POSTS_COUNT``; ``section`` limits it to one section
    (all sections of the current site by default); ``exclude`` defaults to the page
    being rendered; ``template`` replaces the inclusion template. Arguments it cannot
    use are clamped or ignored (see docs/reference/recent-posts.md), never an error.
    """
    request = context.get("request")
    if request is None:
        return ""
    if exclude is _CURRENT_PAGE:
        exclude = context.get("page")
    posts = get_recent_posts(request, count=count, section=section, exclude=exclude)
    if not isinstance(template, str) or not template.strip():
        template = DEFAULT_TEMPLATE
    return render_to_string(template, {"posts": posts, "request": request})


@register.simple_tag(takes_context=True)
def mediawire_head_tags(context) -> str:
    """The canonical link, search engine policy, social tags and JSON-LD of the wire
    page in context (a section or an article); nothing on other pages."""
    from ..models import MediaWireArticlePage, MediaWireIndexPage
    from ..seo import head_tags

    page, request = context.get("page"), context.get("request")
    if request is None or not isinstance(page, MediaWireArticlePage | MediaWireIndexPage):
        return ""
    return render_to_string("wagtail_mediawire/tags/head_tags.html", head_tags(page, request))


# Humanize's filter, available without adding django.contrib.humanize to a template's
# {% load %}; its translations need the app in INSTALLED_APPS (check W002).
register.filter("mediawire_naturaltime", naturaltime)
# Text into XML (sitemaps): without the characters XML 1.0 forbids.
register.filter("mediawire_xml_safe", xml_safe, is_safe=True)


@register.filter
def mediawire_datetime(value: object) -> str:
    """A date or time as HTML's ``datetime`` attribute takes it, in whole seconds.

    Django's ``date:'c'`` keeps microseconds, which HTML does not allow (at most
    three digits of a second), and costs ten times more.
    """
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return ""
