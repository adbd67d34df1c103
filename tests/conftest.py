import os
import shutil

import pytest
from django.core.cache import cache
from wagtail.models import Site

from tests.utils import page_model
from wagtail_mediawire.factories import MediaWireIndexPageFactory

BROWSER_TESTS = os.path.join(os.path.dirname(__file__), "browser", "")


def pytest_collection_modifyitems(config, items):
    # Every test of tests/browser is marked, so that "-m browser" selects them and
    # "-m 'not browser'" (tox, without the dev extra's Playwright) leaves them out.
    for item in items:
        if str(item.path).startswith(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)
    # Deselected, not skipped, on SQLite: `.ci/run` runs them in its PostgreSQL step.
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        postgres_only = [item for item in items if item.get_closest_marker("postgres")]
        if postgres_only:
            config.hook.pytest_deselected(items=postgres_only)
            items[:] = [item for item in items if item not in postgres_only]
    # The executed tutorial (a new site in a new virtualenv) runs only when "-m" names it:
    # `make test-tutorial`, its own step in `.ci/run`, so that CI runs it once.
    if "tutorial" not in (config.option.markexpr or ""):
        tutorial = [item for item in items if item.get_closest_marker("tutorial")]
        if tutorial:
            config.hook.pytest_deselected(items=tutorial)
            items[:] = [item for item in items if item not in tutorial]
    # Under CI=true a skip is a failure: a missing server or browser must not pass silently.
    if os.environ.get("CI") == "true":
        config.pluginmanager.register(_FailOnSkip(), "mediawire-fail-on-skip")


class _FailOnSkip:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.skipped and not hasattr(report, "wasxfail"):
            report.outcome = "failed"
            report.longrepr = f"skipped under CI=true: {report.longrepr}"


@pytest.fixture(autouse=True)
def _media_root_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def root_page(db):
    """The site's home page (Wagtail's initial migration creates it)."""
    return Site.objects.get(is_default_site=True).root_page


@pytest.fixture
def section(root_page):
    return MediaWireIndexPageFactory(parent=root_page, title="Media Wire", slug="wire")


@pytest.fixture
def wagtail_root(db):
    return page_model().get_first_root_node()


@pytest.fixture
def loopback_feeds(settings):
    """Feed settings for test servers on 127.0.0.1, which the defaults refuse."""
    settings.WAGTAIL_MEDIAWIRE = {
        "FEED_ALLOW_PRIVATE_HOSTS": True,
        "FEED_TIMEOUT": 5,
        # The fixtures' images are on .example hosts: no lookup leaves the machine.
        "FEED_IMPORT_IMAGES": False,
    }
