"""The suite's fixtures; its hooks are in tests/plugin.py."""

import shutil

import pytest
from django.core.cache import cache
from wagtail.models import Site

from tests import parallel
from tests.sandbox_site import DemoDatabase, build_demo_database
from tests.utils import page_model
from wagtail_mediawire.factories import MediaWireIndexPageFactory

# The hooks (markers, run order, CI=true, the shared databases) are the plugin's.
pytest_plugins = ["tests.plugin"]


@pytest.fixture(autouse=True)
def _media_root_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def search_index(settings):
    """Pages and snippets indexed as they are saved, as on a site: the suite's settings
    leave that off for the tests that do not search."""
    backend = settings.WAGTAILSEARCH_BACKENDS["default"]
    settings.WAGTAILSEARCH_BACKENDS = {"default": {**backend, "AUTO_UPDATE": True}}


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


@pytest.fixture(scope="session")
def demo_database(request, tmp_path_factory) -> DemoDatabase:
    """The sandbox migrated from nothing with its demo loaded, once per run: each test
    that serves the sandbox works on a copy (tests/sandbox_site.py)."""
    shared = parallel.shared_directory(request.config)
    if shared is not None and parallel.builds(shared, "sandbox"):
        parallel.wait_for(shared, "sandbox")
        return build_demo_database(shared)
    return build_demo_database(tmp_path_factory.mktemp("sandbox-demo"))
