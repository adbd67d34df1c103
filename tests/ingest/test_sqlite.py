"""Feeds fetched while another process writes to an SQLite database: SQLite locks the
whole database for each write, where PostgreSQL locks rows."""

import os
import sqlite3
import subprocess
from contextlib import closing

import pytest
from django.db import connection

from tests.ingest.test_processes import ROOT, django_command, make_feed, many_items
from tests.utils import default_site_root
from wagtail_mediawire.factories import MediaWireIndexPageFactory

RSS = "application/rss+xml"

pytestmark = [
    pytest.mark.sqlite,
    # The other process reads a copy of what this one has committed.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("loopback_feeds"),
]


def test_a_feed_locked_by_another_writer_is_skipped_and_the_others_fetched(httpserver, tmp_path):
    section = MediaWireIndexPageFactory(parent=default_site_root(), title="Wire", slug="wire")
    first = make_feed(section, httpserver.url_for("/a.xml"), "Northwind A")
    second = make_feed(section, httpserver.url_for("/b.xml"), "Northwind B")
    httpserver.expect_request("/b.xml").respond_with_data(many_items(2), content_type=RSS)
    database = tmp_path / "wire.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(database)) as copy:
        connection.connection.backup(copy)

    # Another process writing (an import, say) holds SQLite's write lock: the claim on
    # the first feed waits out the busy timeout, then SQLite says "database is locked".
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    command = django_command(
        "mediawire_fetch_feeds", "--feed", str(first.pk), "--feed", str(second.pk)
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIAWIRE_TEST_FEED_PROCESS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        first_line = process.stdout.readline()
    finally:
        writer.execute("ROLLBACK")  # the writer is done: the next feed's claim goes through
        writer.close()
    rest = process.communicate(timeout=120)[0]

    assert process.returncode == 0, first_line + rest
    assert first_line == f"Northwind A (#{first.pk}): skipped: another worker is fetching it\n"
    assert f"Northwind B (#{second.pk}): 2 new" in rest
    assert [request.path for request, _ in httpserver.log] == ["/b.xml"]
    with closing(sqlite3.connect(database)) as copy:
        assert copy.execute("SELECT count(*) FROM wagtail_mediawire_wireitem").fetchone() == (2,)
