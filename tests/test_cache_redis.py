"""The Recent Posts cache across processes, on a real Redis server on loopback."""

import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from tests.utils import free_port
from wagtail_mediawire.factories import MediaWireArticlePageFactory
from wagtail_mediawire.recent import get_recent_posts

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _in_another_process(redis_url: str, code: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "MEDIAWIRE_TEST_REDIS_URL": redis_url,
    }
    env.pop("DATABASE_URL", None)  # the other process only talks to the cache
    subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )


@pytest.mark.django_db
def test_invalidation_in_one_process_reaches_another(section, redis_url, settings):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url},
    }
    settings.WAGTAIL_MEDIAWIRE = {"CACHE_ALIAS": "shared"}
    caches["shared"].clear()
    MediaWireArticlePageFactory(
        parent=section,
        title="Harbour reopens",
        first_published_at=timezone.now() - timedelta(hours=1),
    )
    request = RequestFactory().get("/")
    request._wagtail_site = Site.find_for_request(request)
    Site.get_site_root_paths()

    assert [p.title for p in get_recent_posts(request)] == ["Harbour reopens"]
    with CaptureQueriesContext(connection) as warm:
        get_recent_posts(request)
    assert len(warm.captured_queries) == 0  # served by Redis

    # What the signal handlers of another web process run after a publish there.
    _in_another_process(redis_url, "from wagtail_mediawire.recent import invalidate; invalidate()")

    with CaptureQueriesContext(connection) as after:
        get_recent_posts(request)
    assert len(after.captured_queries) > 0  # the entry is gone for this process too
