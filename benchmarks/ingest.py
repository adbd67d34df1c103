"""Importing feed items beside creating the same pages directly, in the same run.

    .venv/bin/python benchmarks/ingest.py [--items 1000]     # SQLite file, benchmarks/.cache
    scripts/with-postgres .venv/bin/python benchmarks/ingest.py

The import is ``fetch(feed, content=...)``: parsing, sanitising, the one look-up of
known items, and per item a ``WireItem``, the draft page, its revision and its log
entry, each item in its own transaction. The baseline creates the same pages (same
title, same body) with ``add_child`` and ``save_revision`` and nothing else. No network:
downloading is measured by nobody's benchmark but the server's. ``make bench`` prints
this figure in its table; run alone, this prints items per second.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    if not os.environ.get("DATABASE_URL"):
        (ROOT / "benchmarks" / ".cache").mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = (
            f"sqlite:///{ROOT / 'benchmarks' / '.cache' / 'ingest.sqlite3'}"
        )
    import django

    django.setup()

from django.db import connection  # noqa: E402
from django.utils.text import slugify  # noqa: E402
from wagtail.models import Page, Site  # noqa: E402

from wagtail_mediawire.ingest.importer import article_body, fetch  # noqa: E402
from wagtail_mediawire.ingest.parse import parse_feed  # noqa: E402
from wagtail_mediawire.models import (  # noqa: E402
    MediaWireArticlePage,
    MediaWireIndexPage,
    WireFeed,
    WireItem,
)


def feed_content(count: int) -> bytes:
    items = "".join(
        f"<item><title>Harbour report {n}: ferries, freight and the outer moorings</title>"
        f"<link>https://bench.northwind.example/reports/{n}?utm_source=rss</link>"
        f"<guid isPermaLink='false'>bench-northwind-{n}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 08:{n % 60:02d}:00 GMT</pubDate>"
        "<description>&lt;p&gt;The harbour office said the morning crossings would resume "
        "on Monday, and that freight would follow within the week.&lt;/p&gt;&lt;p&gt;Crews "
        "were told to expect the outer moorings back by the weekend, &lt;b&gt;weather "
        "permitting&lt;/b&gt;.&lt;/p&gt;</description></item>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Northwind</title>{items}</channel></rss>"
    ).encode()


class QueryCounter:
    """Counts every query (Django's query log keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _section(slug: str) -> MediaWireIndexPage:
    home = Site.objects.get(is_default_site=True).root_page
    for old in Page.objects.child_of(home).filter(slug=slug):
        old.delete()
    section = MediaWireIndexPage(title=slug, slug=slug)
    home.add_child(instance=section)
    return section


def measure(count: int) -> dict:
    """Seconds and queries per item, for the import and for the bare creation."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    content = feed_content(count)
    # What a previous run left, had it been interrupted: its items would count as known.
    WireItem.objects.filter(guid__startswith="bench-northwind-").delete()
    bare_section, import_section = _section("bench-bare-pages"), _section("bench-import")
    feed = WireFeed.objects.create(
        name="Bench feed", url="https://northwind.example/feed", section=import_section,
        source_name="Northwind Press Agency",
    )  # fmt: skip
    items = parse_feed(content)
    try:
        bare_queries, import_queries = QueryCounter(), QueryCounter()
        with connection.execute_wrapper(bare_queries):
            started = time.perf_counter()
            for item in items:
                page = MediaWireArticlePage(
                    title=item.title, slug=slugify(item.title)[:60], live=False,
                    body=article_body(feed, item),
                )  # fmt: skip
                bare_section.add_child(instance=page)
                page.save_revision()
            bare = time.perf_counter() - started

        with connection.execute_wrapper(import_queries):
            started = time.perf_counter()
            result = fetch(feed.pk, content=content)
            imported = time.perf_counter() - started
        assert result.imported == count, result.summary()
    finally:
        WireItem.objects.filter(guid__startswith="bench-northwind-").delete()
        WireFeed.objects.filter(pk=feed.pk).delete()
        for section in (bare_section, import_section):
            section.delete()
    return {
        "items": count,
        "import_ms": imported * 1000 / count,
        "import_queries": import_queries.count / count,
        "bare_ms": bare * 1000 / count,
        "bare_queries": bare_queries.count / count,
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    figures = measure(args.items)
    print(f"database: {connection.vendor}; {figures['items']:,} items")
    print(
        f"import: {1000 / figures['import_ms']:.1f} items/s "
        f"({figures['import_ms']:.2f} ms, {figures['import_queries']:.1f} queries per item)"
    )
    print(
        f"bare add_child + save_revision: {1000 / figures['bare_ms']:.1f} items/s "
        f"({figures['bare_ms']:.2f} ms, {figures['bare_queries']:.1f} queries per item)"
    )
    print(f"ratio: {figures['import_ms'] / figures['bare_ms']:.2f}x (target ≤ 1.5x)")


if __name__ == "__main__":
    main()
