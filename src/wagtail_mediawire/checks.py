"""System checks for the ``WAGTAIL_MEDIAWIRE`` setting (documented in docs/reference/checks.md)."""

from django.apps import apps
from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Tags, Warning, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.module_loading import import_string

from .settings import DEFAULTS, SETTING_NAME, get_config

# (app, level, check id, what goes wrong without it)
REQUIRED_APPS = (
    ("wagtail_modeladmin", Error, "wagtail_mediawire.E003", "the Media Wire admin needs it"),
    (
        "django.contrib.humanize",
        Warning,
        "wagtail_mediawire.W002",
        "the Recent Posts block's relative times will not be translated",
    ),
)

POSITIVE_WHOLE_NUMBERS = (
    "INDEX_PAGE_SIZE",
    "RECENT_POSTS_COUNT",
    "RECENT_POSTS_EXCERPT_WORDS",
    "CACHE_TIMEOUT",
    "FEED_TIMEOUT",
    "FEED_MAX_BYTES",
    "FEED_IMAGE_MAX_PIXELS",
)


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    user = getattr(settings, SETTING_NAME, {})
    if not isinstance(user, dict):
        return [
            Error(
                f"{SETTING_NAME} must be a dict.",
                hint="See docs/reference/settings.md.",
                id="wagtail_mediawire.E001",
            )
        ]
    for key in sorted(set(user) - set(DEFAULTS)):
        errors.append(
            Warning(
                f"{SETTING_NAME} has an unknown key {key!r}; it is ignored.",
                hint="Known keys: " + ", ".join(sorted(DEFAULTS)) + ".",
                id="wagtail_mediawire.W001",
            )
        )
    config = get_config()
    for key in POSITIVE_WHOLE_NUMBERS:
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(
                Error(
                    f"{SETTING_NAME}[{key!r}] must be a positive whole number, not {value!r}.",
                    id="wagtail_mediawire.E002",
                )
            )
    paths = config["PURGE_PATHS"]
    if not isinstance(config["PURGE_SITE_ROOT"], bool) or not (
        isinstance(paths, list | tuple) and all(isinstance(path, str) for path in paths)
    ):
        errors.append(
            Error(
                f"{SETTING_NAME}['PURGE_SITE_ROOT'] must be True or False and "
                f"{SETTING_NAME}['PURGE_PATHS'] a list of paths such as ['/news/'].",
                id="wagtail_mediawire.E005",
            )
        )
    feed_flags = ("FEED_ALLOW_PRIVATE_HOSTS", "FEED_IMPORT_IMAGES")
    for key in feed_flags:
        if not isinstance(config[key], bool):
            errors.append(
                Error(
                    f"{SETTING_NAME}[{key!r}] must be True or False, not {config[key]!r}.",
                    id="wagtail_mediawire.E006",
                )
            )
    if config["FEED_ALLOW_PRIVATE_HOSTS"] is True and not settings.DEBUG:
        errors.append(
            Warning(
                f"{SETTING_NAME}['FEED_ALLOW_PRIVATE_HOSTS'] is True while DEBUG is off: "
                "anyone who may add a feed can make the server fetch addresses on its own "
                "network (databases, metadata services, admin interfaces).",
                hint="Leave it False in production unless an agency's feed really is on "
                "your private network; silence wagtail_mediawire.W005 once you decided so.",
                id="wagtail_mediawire.W005",
            )
        )
    tasks = getattr(settings, "TASKS", None) or {"default": {}}
    if config["TASK_BACKEND"] not in tasks:
        errors.append(
            Error(
                f"{SETTING_NAME}['TASK_BACKEND'] is {config['TASK_BACKEND']!r}, "
                "which is not a backend in TASKS: feed fetches cannot be queued.",
                hint="Use an alias of settings.TASKS, such as 'default'.",
                id="wagtail_mediawire.E007",
            )
        )
    if config["CACHE_ALIAS"] not in settings.CACHES:
        errors.append(
            Error(
                f"{SETTING_NAME}['CACHE_ALIAS'] is {config['CACHE_ALIAS']!r}, "
                "which is not a cache in CACHES.",
                hint="Use an alias of settings.CACHES, such as 'default'.",
                id="wagtail_mediawire.E004",
            )
        )
    elif not settings.DEBUG:
        errors.extend(_check_cache_is_shared(config["CACHE_ALIAS"]))
    try:
        get_template(config["BASE_TEMPLATE"])
    except TemplateDoesNotExist:
        errors.append(
            Warning(
                f"{SETTING_NAME}['BASE_TEMPLATE'] is {config['BASE_TEMPLATE']!r}, "
                "which no template loader finds: wire pages will fail to render.",
                hint="Create that template or point BASE_TEMPLATE at your base template.",
                id="wagtail_mediawire.W003",
            )
        )
    for app, level, id_, why in REQUIRED_APPS:
        if not apps.is_installed(app):
            errors.append(
                level(
                    f"{app} is not in INSTALLED_APPS: {why}.",
                    hint=f"Add '{app}' to INSTALLED_APPS.",
                    id=id_,
                )
            )
    return errors


def _check_cache_is_shared(alias: str) -> list:
    """W004: in production, Recent Posts needs a cache every worker process shares.

    Publishing clears the cache of the process that handled it; with a per-process
    cache, every other worker keeps listing what was unpublished until the timeout.
    """
    try:
        backend = import_string(settings.CACHES[alias]["BACKEND"])
    except (ImportError, KeyError, TypeError):
        return []  # Django's own cache checks report a broken CACHES
    if issubclass(backend, LocMemCache):
        problem = (
            "a cache of each process (LocMemCache): with several worker processes, an "
            "unpublished or expired article stays in Recent Posts in the other processes "
            "for up to CACHE_TIMEOUT seconds"
        )
    elif issubclass(backend, DummyCache):
        problem = "a dummy cache: every Recent Posts block runs its queries on every render"
    else:
        return []
    return [
        Warning(
            f"{SETTING_NAME}['CACHE_ALIAS'] is {alias!r}, {problem}.",
            hint=(
                "Point CACHE_ALIAS at a cache all processes share (Redis, Memcached, the "
                "database or file-based cache). A site served by one process may silence "
                "wagtail_mediawire.W004."
            ),
            id="wagtail_mediawire.W004",
        )
    ]
