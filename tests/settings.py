"""Settings for the package's test suite. ``DATABASE_URL`` selects the database."""

import os
from pathlib import Path

import dj_database_url
import wagtail
from django.template import Context, Engine

BASE_DIR = Path(__file__).resolve().parent


def _wagtail_start_base_html() -> str:
    """The base.html that ``wagtail start`` writes, from the installed Wagtail.

    Rendering the package's pages inside it proves they fit a new project as is.
    """
    path = Path(wagtail.__file__).parent / "project_template/project_name/templates"
    source = (path / "base.html").read_text()
    return Engine().from_string(source).render(Context({"project_name": "testsite"}))


SECRET_KEY = "tests-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "wagtail_mediawire",
    "tests.testapp",
    "wagtail_modeladmin",
    # The database task backend, for the test with a real task worker.
    "django_tasks_db",
    "wagtail.contrib.forms",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Cached, as Django does in production (DEBUG off, no loaders given), so
            # benchmarks measure rendering, not compiling templates.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        (
                            "django.template.loaders.locmem.Loader",
                            {"base.html": _wagtail_start_base_html()},
                        ),
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'test.sqlite3'}", conn_max_age=0
    )
    if os.environ.get("DATABASE_URL")
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
}
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Wagtail's search index uses PostgreSQL's GIN indexes, which Django 6.1 checks for.
    INSTALLED_APPS.append("django.contrib.postgres")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static-collected"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"  # replaced by a temporary folder in conftest
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite runs in one process, so a per-process cache is right here; the tests of
# W004 call the checks directly.
SILENCED_SYSTEM_CHECKS = ["wagtail_mediawire.W004"]

WAGTAIL_SITE_NAME = "Test site"
WAGTAILADMIN_BASE_URL = "http://testserver"
# Indexing on every save is a fifth of what creating a page costs, and few tests search:
# those that do ask for the ``search_index`` fixture (tests/conftest.py), which turns it on.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}
WAGTAILEMBEDS_FINDERS: list = []  # no network: embeds are never fetched in tests

# The cross-process cache test points a "shared" cache at a real Redis server.
if os.environ.get("MEDIAWIRE_TEST_REDIS_URL"):
    CACHES["shared"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["MEDIAWIRE_TEST_REDIS_URL"],
    }
    WAGTAIL_MEDIAWIRE = {"CACHE_ALIAS": "shared"}

# Wagtail's own tasks (reference and search index) run at once; feed fetches go to a
# queue of their own on the database backend. Wagtail 8.0 uses the django-tasks backport
# even on Django 6, where django-tasks-db builds on django.tasks: the two frameworks
# share TASKS but not their backends, so each gets its own alias.
FEED_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "feeds": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# Processes started by the feed tests (a task worker, concurrent fetches): the database
# task backend, and feeds on the tests' own servers on 127.0.0.1.
if os.environ.get("MEDIAWIRE_TEST_FEED_PROCESS"):
    TASKS = FEED_TASKS
    WAGTAIL_MEDIAWIRE = {
        "FEED_ALLOW_PRIVATE_HOSTS": True,
        "FEED_IMPORT_IMAGES": False,
        # A test server may hold its answer while another process starts (on a busy
        # machine, for seconds): the timeout itself is tested in tests/ingest/test_download.py.
        "FEED_TIMEOUT": 60,
        "TASK_BACKEND": "feeds",
    }
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "wagtail_mediawire.W005"]
