from datetime import date, datetime

from django import template
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from wagtail.coreutils import make_wagtail_template_fragment_key
from wagtail.models import PAGE_TEMPLATE_VAR, AbstractPage, Site

from .. import __version__
from ..cache import cached_fragment, relative_time, version
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


# Humanize's naturaltime, available without adding django.contrib.humanize to a
# template's {% load %} (its translations need the app in INSTALLED_APPS, check W002),
# and right at each render inside {% mediawire_pagecache %}.
register.filter("mediawire_naturaltime", relative_time)
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


class PageCacheNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, vary_on: list) -> None:
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context) -> str:
        request, page = context.get("request"), context.get(PAGE_TEMPLATE_VAR)
        site = Site.find_for_request(request) if request is not None else None
        if (
            site is None
            or not isinstance(page, AbstractPage)
            or getattr(request, "is_preview", False)
            or request.method not in ("GET", "HEAD")
            # Behind a view restriction the content is not for everyone: never kept.
            or page.get_view_restrictions()
        ):
            return self.nodelist.render(context)
        vary_on = [
            version(),  # publishing, unpublishing, a kill, a disclaimer edit: all new
            __version__,  # a deployment's new templates
            get_language(),
            timezone.get_current_timezone_name(),
            *(var.resolve(context) for var in self.vary_on),
        ]
        name = f"wagtail_mediawire:{self.name}"
        key = make_wagtail_template_fragment_key(name, page, site, vary_on)
        # A node's output goes into the page as it is (what it holds was escaped).
        return cached_fragment(key, lambda: self.nodelist.render(context))


@register.tag
def mediawire_pagecache(parser, token) -> PageCacheNode:
    """``{% mediawire_pagecache name [vary_on ...] %}…{% endmediawire_pagecache %}``

    Wagtail's ``{% wagtailpagecache %}`` (keyed on the page's ``cache_key`` and the
    site, never used in a preview) in the package's cache (``CACHE_ALIAS``, for
    ``CACHE_TIMEOUT``), also keyed on its version token, the language and the time
    zone, and on each ``vary_on`` value. Inside it, ``mediawire_naturaltime`` is right
    at each render, and the fragment ends when the first article it lists expires.
    A page under a view restriction is never cached.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' tag requires a fragment name.")
    nodelist = parser.parse((f"end{bits[0]}",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
