"""System checks for the ``WAGTAIL_MEDIAWIRE`` setting (documented in docs/reference/checks.md).

One registered check per message id. When the setting is not a dict, E001 is the only
message: the other checks cannot read it, so they report nothing
(:func:`_skipped_unless_a_dict`). W006 reads the database, so, like Django's own
database checks, it runs only with ``check --database``.
"""

import os
from datetime import timedelta
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError, router, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.module_loading import import_string

from .settings import DEFAULTS, SETTING_NAME, get_config

POSITIVE_WHOLE_NUMBERS = (
    "INDEX_PAGE_SIZE",
    "RECENT_POSTS_COUNT",
    "RECENT_POSTS_EXCERPT_WORDS",
    "CACHE_TIMEOUT",
    "FEED_TIMEOUT",
    "FEED_MAX_BYTES",
    "FEED_IMAGE_MAX_PIXELS",
    "FEED_DROP_SETTLE_SECONDS",
    "PUSH_SECRET_GRACE_SECONDS",
    "WEBSUB_LEASE_SECONDS",
    "STORY_WINDOW_HOURS",
)
FEED_FLAGS = ("FEED_ALLOW_PRIVATE_HOSTS", "FEED_IMPORT_IMAGES")


def _user_setting():
    """The site's own ``WAGTAIL_MEDIAWIRE``, as it is (``{}`` when it is not set)."""
    return getattr(settings, SETTING_NAME, {})


def _skipped_unless_a_dict(check):
    """Make ``check`` report nothing when the setting is not a dict, which E001 reports."""

    @wraps(check)
    def guarded(app_configs=None, **kwargs) -> list:
        if not isinstance(_user_setting(), dict):
            return []
        return check(app_configs, **kwargs)

    return guarded


@register(Tags.compatibility)
def check_setting_is_a_dict(app_configs=None, **kwargs) -> list:
    """E001: ``WAGTAIL_MEDIAWIRE`` is a dict."""
    if isinstance(_user_setting(), dict):
        return []
    return [
        Error(
            f"{SETTING_NAME} must be a dict.",
            hint="See docs/reference/settings.md.",
            id="wagtail_mediawire.E001",
        )
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_keys_are_known(app_configs=None, **kwargs) -> list:
    """W001: every key of ``WAGTAIL_MEDIAWIRE`` is one the package knows (not a typo)."""
    return [
        Warning(
            f"{SETTING_NAME} has an unknown key {key!r}; it is ignored.",
            hint="Known keys: " + ", ".join(sorted(DEFAULTS)) + ".",
            id="wagtail_mediawire.W001",
        )
        for key in sorted(set(_user_setting()) - set(DEFAULTS))
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_numbers_are_positive_whole_numbers(app_configs=None, **kwargs) -> list:
    """E002: the sizes, counts and timeouts are whole numbers of 1 or more."""
    config = get_config()
    return [
        Error(
            f"{SETTING_NAME}[{key!r}] must be a positive whole number, not {config[key]!r}.",
            id="wagtail_mediawire.E002",
        )
        for key in POSITIVE_WHOLE_NUMBERS
        if not _is_a_positive_whole_number(config[key])
    ]


def _is_a_positive_whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_story_threshold(app_configs=None, **kwargs) -> list:
    """E009: ``STORY_THRESHOLD`` is a number from 0 to 1 (a share of words)."""
    value = get_config()["STORY_THRESHOLD"]
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
        return []
    return [
        Error(
            f"{SETTING_NAME}['STORY_THRESHOLD'] must be a number above 0 and at most 1, "
            f"not {value!r}.",
            hint="The share of the shorter report's words the other must have: 0.35 by default.",
            id="wagtail_mediawire.E009",
        )
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_purge_settings(app_configs=None, **kwargs) -> list:
    """E005: ``PURGE_SITE_ROOT`` is True or False and ``PURGE_PATHS`` a list of paths."""
    config = get_config()
    paths = config["PURGE_PATHS"]
    if isinstance(config["PURGE_SITE_ROOT"], bool) and (
        isinstance(paths, list | tuple) and all(isinstance(path, str) for path in paths)
    ):
        return []
    return [
        Error(
            f"{SETTING_NAME}['PURGE_SITE_ROOT'] must be True or False and "
            f"{SETTING_NAME}['PURGE_PATHS'] a list of paths such as ['/news/'].",
            id="wagtail_mediawire.E005",
        )
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_feed_flags_are_booleans(app_configs=None, **kwargs) -> list:
    """E006: ``FEED_ALLOW_PRIVATE_HOSTS`` and ``FEED_IMPORT_IMAGES`` are True or False."""
    config = get_config()
    return [
        Error(
            f"{SETTING_NAME}[{key!r}] must be True or False, not {config[key]!r}.",
            id="wagtail_mediawire.E006",
        )
        for key in FEED_FLAGS
        if not isinstance(config[key], bool)
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_drop_root_is_a_folder(app_configs=None, **kwargs) -> list:
    """E008: ``FEED_DROP_ROOT`` is None or an existing folder (given as an absolute path)."""
    root = get_config()["FEED_DROP_ROOT"]
    if root is None:
        return []
    if isinstance(root, str | os.PathLike) and os.path.isabs(root) and os.path.isdir(root):
        return []
    return [
        Error(
            f"{SETTING_NAME}['FEED_DROP_ROOT'] must be None or the absolute path of an "
            f"existing folder, not {root!r}.",
            hint="The folder agencies deliver files into; feeds read folders under it.",
            id="wagtail_mediawire.E008",
        )
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_private_feed_hosts_not_in_production(app_configs=None, **kwargs) -> list:
    """W005: feeds may not reach private addresses while ``DEBUG`` is off."""
    if get_config()["FEED_ALLOW_PRIVATE_HOSTS"] is not True or settings.DEBUG:
        return []
    return [
        Warning(
            f"{SETTING_NAME}['FEED_ALLOW_PRIVATE_HOSTS'] is True while DEBUG is off: "
            "anyone who may add a feed can make the server fetch addresses on its own "
            "network (databases, metadata services, admin interfaces).",
            hint="Leave it False in production unless an agency's feed really is on "
            "your private network; silence wagtail_mediawire.W005 once you decided so.",
            id="wagtail_mediawire.W005",
        )
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_task_backend_exists(app_configs=None, **kwargs) -> list:
    """E007: ``TASK_BACKEND`` is an alias of ``TASKS``."""
    backend = get_config()["TASK_BACKEND"]
    tasks = getattr(settings, "TASKS", None) or {"default": {}}
    if backend in tasks:
        return []
    return [
        Error(
            f"{SETTING_NAME}['TASK_BACKEND'] is {backend!r}, "
            "which is not a backend in TASKS: feed fetches cannot be queued.",
            hint="Use an alias of settings.TASKS, such as 'default'.",
            id="wagtail_mediawire.E007",
        )
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_cache_alias_exists(app_configs=None, **kwargs) -> list:
    """E004: ``CACHE_ALIAS`` is an alias of ``CACHES``."""
    alias = get_config()["CACHE_ALIAS"]
    if alias in settings.CACHES:
        return []
    return [
        Error(
            f"{SETTING_NAME}['CACHE_ALIAS'] is {alias!r}, which is not a cache in CACHES.",
            hint="Use an alias of settings.CACHES, such as 'default'.",
            id="wagtail_mediawire.E004",
        )
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_cache_is_shared(app_configs=None, **kwargs) -> list:
    """W004: in production, Recent Posts needs a cache every worker process shares.

    Publishing clears the cache of the process that handled it; with a per-process
    cache, every other worker keeps listing what was unpublished until the timeout.
    Not checked with ``DEBUG`` on, nor when the alias names no cache (E004).
    """
    alias = get_config()["CACHE_ALIAS"]
    if settings.DEBUG or alias not in settings.CACHES:
        return []
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


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_base_template_exists(app_configs=None, **kwargs) -> list:
    """W003: a template loader finds ``BASE_TEMPLATE``."""
    template = get_config()["BASE_TEMPLATE"]
    try:
        get_template(template)
    except TemplateDoesNotExist:
        return [
            Warning(
                f"{SETTING_NAME}['BASE_TEMPLATE'] is {template!r}, "
                "which no template loader finds: wire pages will fail to render.",
                hint="Create that template or point BASE_TEMPLATE at your base template.",
                id="wagtail_mediawire.W003",
            )
        ]
    return []


def _app_is_installed(app: str, level, id_: str, why: str) -> list:
    """A message of ``level`` when ``app`` is not in INSTALLED_APPS; ``why`` says what fails."""
    if apps.is_installed(app):
        return []
    return [
        level(
            f"{app} is not in INSTALLED_APPS: {why}.",
            hint=f"Add '{app}' to INSTALLED_APPS.",
            id=id_,
        )
    ]


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_modeladmin_is_installed(app_configs=None, **kwargs) -> list:
    """E003: ``wagtail_modeladmin`` is installed."""
    return _app_is_installed(
        "wagtail_modeladmin", Error, "wagtail_mediawire.E003", "the Media Wire admin needs it"
    )


@register(Tags.compatibility)
@_skipped_unless_a_dict
def check_humanize_is_installed(app_configs=None, **kwargs) -> list:
    """W002: ``django.contrib.humanize`` is installed."""
    return _app_is_installed(
        "django.contrib.humanize",
        Warning,
        "wagtail_mediawire.W002",
        "the Recent Posts block's relative times will not be translated",
    )


# W006: a worker that fetched nothing for this long has stopped, or was never started.
WORKER_SILENT_AFTER = timedelta(hours=1)


@register(Tags.database)
def check_a_worker_fetches_feeds(app_configs=None, databases=None, **kwargs) -> list:
    """W006: some worker fetched a feed within the hour, when feeds fetched on schedule
    are overdue.

    Feeds fetched on schedule that were added over an hour ago and are overdue by more
    than an hour (never fetched, or their interval passed over an hour ago) while no feed
    at all was fetched within the hour: cron does not run ``mediawire_fetch_feeds``, or
    no task worker takes its fetches. A feed fetched once a day is not overdue between
    its fetches. Nothing is reported before the tables exist (``migrate`` runs this
    check on a new database).
    """
    if not databases:
        return []
    feed_model = apps.get_model("wagtail_mediawire", "WireFeed")  # checks come before models
    since = timezone.now() - WORKER_SILENT_AFTER
    messages = []
    for alias in databases:
        if not router.allow_migrate_model(alias, feed_model):
            continue
        feeds = feed_model._default_manager.using(alias)
        try:
            # A savepoint: on PostgreSQL, a failed query would break an outer transaction.
            with transaction.atomic(using=alias):
                if feeds.filter(last_fetched_at__gte=since).exists():
                    continue
                scheduled = (
                    feeds.filter(is_active=True, delivery="poll", created_at__lte=since)
                    .exclude(url="", folder="")
                    .only("last_fetched_at", "fetch_interval")
                )
                overdue = [
                    feed
                    for feed in scheduled
                    if feed.last_fetched_at is None
                    or feed.last_fetched_at + timedelta(minutes=feed.fetch_interval) <= since
                ]
        except DatabaseError:
            continue  # not migrated yet
        if overdue:
            messages.append(
                Warning(
                    "No worker has fetched a feed for an hour: "
                    f"{len(overdue)} feed(s) fetched on schedule are overdue"
                    + (f" (database {alias!r})." if len(databases) > 1 else "."),
                    hint=(
                        "Run 'manage.py mediawire_fetch_feeds --due --enqueue' every "
                        "minute (cron or a systemd timer) and keep a task worker running "
                        "(such as 'manage.py db_worker'), or 'mediawire_fetch_feeds --due' "
                        "alone to fetch in the cron job. See docs/how-to/production.md."
                    ),
                    id="wagtail_mediawire.W006",
                )
            )
    return messages


CHECKS = (
    check_setting_is_a_dict,
    check_keys_are_known,
    check_numbers_are_positive_whole_numbers,
    check_purge_settings,
    check_feed_flags_are_booleans,
    check_drop_root_is_a_folder,
    check_private_feed_hosts_not_in_production,
    check_task_backend_exists,
    check_cache_alias_exists,
    check_cache_is_shared,
    check_base_template_exists,
    check_modeladmin_is_installed,
    check_humanize_is_installed,
    check_a_worker_fetches_feeds,
)


def check_settings(app_configs=None, **kwargs) -> list:
    """Every check of this module, in the order above, as one list.

    Kept for backward compatibility: this was once the single registered check. It is
    not registered itself (each check in :data:`CHECKS` is), so that ``run_checks()``
    reports each message once.
    """
    return [message for check in CHECKS for message in check(app_configs, **kwargs)]
