import socket
from datetime import timedelta

from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone


def free_port() -> int:
    """A free TCP port on loopback, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_site_root():
    """The default site's home page, made again if an earlier transactional test's flush
    took away what Wagtail's migrations created (the locale, the tree, the site)."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    Page = page_model()
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def page_model() -> type:
    """The base page model: ``wagtail.models.Page``, or the site's own where Wagtail 8's
    ``WAGTAIL_PAGE_MODEL`` swaps it (``tests/settings_swapped_page.py``)."""
    import swapper

    return swapper.load_model("wagtailcore", "Page")


def page_permission(action: str):
    """The page ``Permission`` for ``action`` ("add", "change", "publish"…), named after
    the base page model: ``publish_page``, or ``publish_custombasepage`` when swapped."""
    from django.contrib.auth import get_permission_codename
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    model = page_model()
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(model),
        codename=get_permission_codename(action, model._meta),
    )


# Recent Posts: requests, renders and articles, for the tests of its tag and its cache.
# The package's modules are imported inside: this module is imported by tests that
# run without them too.


def site_request(host: str = "localhost", **attrs):
    """A GET request for ``host``, with ``attrs`` set on it."""
    request = RequestFactory().get("/", HTTP_HOST=host)
    for name, value in attrs.items():
        setattr(request, name, value)
    return request


def render_recent(tag: str = "{% mediawire_recent_posts %}", request=None, **context) -> str:
    """``tag`` (the Recent Posts tag by default) rendered for ``request``."""
    template = Template("{% load mediawire_tags %}" + tag)
    request = request or site_request()
    # Each render is a new page: the stylesheet is linked once per request, and a test
    # that renders one request twice compares pages (see test_stylesheet.py).
    from wagtail_mediawire.templatetags.mediawire_tags import STYLESHEET_LINKED

    request.__dict__.pop(STYLESHEET_LINKED, None)
    return template.render(Context({"request": request, **context}))


def recent_titles(request=None, **kwargs) -> list[str]:
    """The titles Recent Posts lists for ``request``."""
    from wagtail_mediawire.recent import get_recent_posts

    return [post.title for post in get_recent_posts(request or site_request(), **kwargs)]


def published_article(section, title: str, hours_ago: float = 1, **kwargs):
    """A live article of ``section``, first published ``hours_ago`` hours ago."""
    from wagtail_mediawire.factories import MediaWireArticlePageFactory

    kwargs.setdefault("first_published_at", timezone.now() - timedelta(hours=hours_ago))
    return MediaWireArticlePageFactory(parent=section, title=title, **kwargs)


def feed_rules_formset(*rules: dict) -> dict:
    """The feed form's Rules (an inline formset): its management data and ``rules``."""
    data = {
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for index, rule in enumerate(rules):
        fields = {"action": "draft", "ORDER": str(index + 1), "DELETE": "", **rule}
        data.update({f"rules-{index}-{name}": value for name, value in fields.items()})
    return data
