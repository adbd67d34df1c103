"""cProfile of 200 renders of the article page, the section page and the bare page.

    .venv/bin/python benchmarks/profile_pages.py [--renders 200] [--top 25]
    scripts/with-postgres .venv/bin/python benchmarks/profile_pages.py

Builds (or reuses) the bench site of ``bench.py`` (a section of 100 articles), warms
each page, then profiles ``--renders`` requests of each through Django's test client and
prints, per page, its wall time per request unprofiled and profiled, its queries, and
the functions of the package, Wagtail's templates and the database that cost the most
(cumulative time). ``--dump DIR`` writes the raw profiles (``pstats``) there.
"""

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402  (sets Django up on the bench database)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    site = bench.build([100])
    client = Client()
    pages = {
        "article page": site["articles"][0].url,
        "section page": site["sections"][100].url,
        "bare page": site["bare"].url,
    }
    for url in pages.values():
        for _ in range(10):
            client.get(url)
    print(f"database: {connection.vendor}; {args.renders} renders of each page")
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        started = time.perf_counter()
        for _ in range(args.renders):
            client.get(url)
        plain = (time.perf_counter() - started) / args.renders * 1000
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(args.renders):
            client.get(url)
        profile.disable()
        profiled = (time.perf_counter() - started) / args.renders * 1000
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            profile.dump_stats(args.dump / f"{name.replace(' ', '-')}.prof")
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(
            r"wagtail_mediawire|template/(base|loader_tags)|db/models/sql/compiler.py:\d+\(execute_sql\)|route|serve",
            args.top,
        )
        print(
            f"\n## {name}: {plain:.2f} ms a request ({profiled:.2f} ms profiled), "
            f"{len(queries)} queries"
        )
        body = out.getvalue()
        print(body[body.index("   ncalls") :] if "   ncalls" in body else body)


if __name__ == "__main__":
    main()
