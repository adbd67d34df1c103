"""Benchmark: the Recent Posts block, cold and warm, at 100 and 100,000 articles.

    scripts/with-postgres .venv/bin/python benchmarks/recent_posts.py   # PostgreSQL
    .venv/bin/python benchmarks/recent_posts.py --sizes 100 10000       # SQLite

Prints the mean time of a cold render (cache just invalidated: the two SQL queries)
and of a warm one (from the cache), and, on PostgreSQL, the plan of the posts query.
Articles are inserted in bulk, bypassing Wagtail's per-page save, so 100,000 take
seconds; they are real rows of the real tables, with real tree paths.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.models import Locale, Page, Site  # noqa: E402

from wagtail_mediawire.factories import MediaWireIndexPageFactory  # noqa: E402
from wagtail_mediawire.models import MediaWireArticlePage  # noqa: E402
from wagtail_mediawire.recent import (  # noqa: E402
    get_recent_posts,
    invalidate,
    recent_posts_queryset,
)


def bulk_articles(section, count: int) -> None:
    content_type = ContentType.objects.get_for_model(MediaWireArticlePage)
    locale = Locale.get_default()
    now = timezone.now()
    pages = []
    for n in range(count):
        slug = f"bench-{section.pk}-{n}"
        pages.append(
            Page(
                title=f"Benchmark report {n}",
                draft_title=f"Benchmark report {n}",
                slug=slug,
                path=section._get_path(section.path, section.depth + 1, n + 1),
                depth=section.depth + 1,
                numchild=0,
                url_path=f"{section.url_path}{slug}/",
                content_type=content_type,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now - timedelta(minutes=n),
                last_published_at=now - timedelta(minutes=n),
                locale=locale,
                translation_key=uuid.uuid4(),
            )
        )
    Page.objects.bulk_create(pages, batch_size=5000)
    table = MediaWireArticlePage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608
            "(page_ptr_id, summary, body, source_name, source_url, excerpt, seo_policy) "
            "SELECT id, '', '[]', 'Bench Agency', 'https://bench.example/r', "
            "'A benchmark report about the harbour and its ferries.', '' "
            "FROM wagtailcore_page WHERE path LIKE %s AND depth = %s",
            [section.path + "%", section.depth + 1],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    Page.objects.filter(pk=section.pk).update(numchild=count)


def measure(request, runs: int, cold: bool) -> tuple[float, int]:
    times, queries = [], 0
    for _ in range(runs):
        if cold:
            invalidate()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            posts = get_recent_posts(request)
            times.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
        assert len(posts) == 6
    return statistics.median(times) * 1000, queries


def explain() -> str:
    site = Site.objects.get(is_default_site=True)
    return recent_posts_queryset(site=site)[:6].explain(analyze=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        root = Site.objects.get(is_default_site=True).root_page
        request = RequestFactory().get("/")
        request._wagtail_site = Site.find_for_request(request)
        print(f"database: {connection.vendor}; median of {args.runs} runs")
        results = {}
        for size in args.sizes:
            MediaWireArticlePage.objects.all().delete()
            section = MediaWireIndexPageFactory(parent=root, slug=f"bench-{size}")
            started = time.perf_counter()
            bulk_articles(section, size)
            Site.get_site_root_paths()
            load = time.perf_counter() - started
            cold, cold_queries = measure(request, args.runs, cold=True)
            warm, warm_queries = measure(request, args.runs * 10, cold=False)
            results[size] = cold
            print(
                f"{size:>7} articles (loaded in {load:5.1f} s): "
                f"cold {cold:6.2f} ms ({cold_queries} queries), "
                f"warm {warm:6.3f} ms ({warm_queries} queries)"
            )
            if connection.vendor == "postgresql" and size == max(args.sizes):
                print(explain())
        if len(results) > 1:
            small, large = min(results), max(results)
            print(f"cold at {large} / cold at {small}: {results[large] / results[small]:.2f}x")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
