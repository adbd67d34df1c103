"""The package's system checks (wagtail_mediawire.E00x, W00x)."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings


def _ids(**settings):
    # DEBUG on unless a test says otherwise: the tests' cache is per-process (W004).
    settings.setdefault("DEBUG", True)
    with override_settings(**settings):
        return {m.id for m in run_checks() if m.id.startswith("wagtail_mediawire.")}


def test_checks_pass_with_defaults():
    assert _ids() == set()


LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
SHARED = [
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1"},
    {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_table"},
    {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "cache-dir"},
]


@pytest.mark.parametrize("cache", [LOCMEM, DUMMY])
def test_check_warns_about_a_process_local_or_dummy_cache_without_debug(cache):
    assert _ids(DEBUG=False, CACHES={"default": cache}) == {"wagtail_mediawire.W004"}
    assert _ids(DEBUG=True, CACHES={"default": cache}) == set()
    # The alias the package uses is the one that counts.
    caches = {"default": SHARED[0], "local": cache}
    assert _ids(DEBUG=False, CACHES=caches) == set()
    assert _ids(DEBUG=False, CACHES=caches, WAGTAIL_MEDIAWIRE={"CACHE_ALIAS": "local"}) == {
        "wagtail_mediawire.W004"
    }


@pytest.mark.parametrize("cache", SHARED)
def test_check_accepts_caches_that_processes_share(cache):
    assert _ids(DEBUG=False, CACHES={"default": cache}) == set()


def test_check_unknown_key_warns():
    assert _ids(WAGTAIL_MEDIAWIRE={"INDEX_PAGESIZE": 5}) == {"wagtail_mediawire.W001"}


def test_check_setting_must_be_a_dict():
    assert _ids(WAGTAIL_MEDIAWIRE=["BASE_TEMPLATE"]) == {"wagtail_mediawire.E001"}


@pytest.mark.parametrize(
    "key",
    [
        "INDEX_PAGE_SIZE",
        "RECENT_POSTS_COUNT",
        "RECENT_POSTS_EXCERPT_WORDS",
        "CACHE_TIMEOUT",
        "FEED_TIMEOUT",
        "FEED_MAX_BYTES",
        "FEED_IMAGE_MAX_PIXELS",
    ],
)
@pytest.mark.parametrize("value", [0, "10", None, True])
def test_check_numbers_must_be_positive_whole_numbers(key, value):
    assert _ids(WAGTAIL_MEDIAWIRE={key: value}) == {"wagtail_mediawire.E002"}


@pytest.mark.parametrize(
    "value",
    [{"PURGE_SITE_ROOT": "yes"}, {"PURGE_PATHS": "/news/"}, {"PURGE_PATHS": ["/news/", 3]}],
)
def test_check_purge_settings(value):
    assert _ids(WAGTAIL_MEDIAWIRE=value) == {"wagtail_mediawire.E005"}


@pytest.mark.parametrize("key", ["FEED_ALLOW_PRIVATE_HOSTS", "FEED_IMPORT_IMAGES"])
@pytest.mark.parametrize("value", ["yes", 1, None])
def test_check_feed_flags_must_be_booleans(key, value):
    assert _ids(DEBUG=True, WAGTAIL_MEDIAWIRE={key: value}) == {"wagtail_mediawire.E006"}


def test_check_private_feed_hosts_in_production_warn():
    allowed = {"FEED_ALLOW_PRIVATE_HOSTS": True}
    assert _ids(DEBUG=True, WAGTAIL_MEDIAWIRE=allowed) == set()
    assert "wagtail_mediawire.W005" in _ids(DEBUG=False, WAGTAIL_MEDIAWIRE=allowed)


def test_check_task_backend_must_exist():
    assert _ids(WAGTAIL_MEDIAWIRE={"TASK_BACKEND": "feeds"}) == {"wagtail_mediawire.E007"}
    tasks = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "feeds": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    assert _ids(TASKS=tasks, WAGTAIL_MEDIAWIRE={"TASK_BACKEND": "feeds"}) == set()


def test_check_cache_alias_must_exist():
    assert _ids(WAGTAIL_MEDIAWIRE={"CACHE_ALIAS": "nope"}) == {"wagtail_mediawire.E004"}


def test_check_base_template_must_exist():
    assert _ids(WAGTAIL_MEDIAWIRE={"BASE_TEMPLATE": "missing.html"}) == {"wagtail_mediawire.W003"}


@override_settings(DEBUG=True)
def test_check_modeladmin_and_humanize_are_installed(monkeypatch):
    from django.apps import apps

    from wagtail_mediawire.checks import check_settings

    def installed_without(*missing):
        monkeypatch.setattr(apps, "is_installed", lambda name: name not in missing)
        return {message.id for message in check_settings()}

    assert installed_without("wagtail_modeladmin") == {"wagtail_mediawire.E003"}
    assert installed_without("django.contrib.humanize") == {"wagtail_mediawire.W002"}
    assert installed_without() == set()


def test_check_drop_root_must_be_an_existing_absolute_folder(tmp_path):
    assert _ids(WAGTAIL_MEDIAWIRE={"FEED_DROP_ROOT": str(tmp_path)}) == set()
    for bad in ("relative/folder", str(tmp_path / "missing"), 42):
        assert _ids(WAGTAIL_MEDIAWIRE={"FEED_DROP_ROOT": bad}) == {"wagtail_mediawire.E008"}
    assert _ids(WAGTAIL_MEDIAWIRE={"FEED_DROP_SETTLE_SECONDS": 0}) == {"wagtail_mediawire.E002"}


def test_check_story_settings():
    assert _ids(WAGTAIL_MEDIAWIRE={"STORY_THRESHOLD": 0.5}) == set()
    assert _ids(WAGTAIL_MEDIAWIRE={"STORY_THRESHOLD": 1}) == set()
    for bad in (0, 1.5, "0.3", True, None):
        assert _ids(WAGTAIL_MEDIAWIRE={"STORY_THRESHOLD": bad}) == {"wagtail_mediawire.E009"}
    assert _ids(WAGTAIL_MEDIAWIRE={"STORY_WINDOW_HOURS": 0}) == {"wagtail_mediawire.E002"}
