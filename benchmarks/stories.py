"""Grouping one new item into its story (ingest/stories.py) against 100 and against
100,000 recent items, and what grouping adds to an item's import.

    .venv/bin/python benchmarks/stories.py [--sizes 100 100000] [--runs 50]
    scripts/with-postgres .venv/bin/python benchmarks/stories.py

The recent items are real rows (``WireItem`` with its signature, its ``WireStoryKey``
rows), inserted in bulk, each a report of its own: 60 words drawn from a vocabulary
of 30,000 made-up words with Zipf's law (a few words in many reports, most in few), as
a wire's words are once its 300 most frequent (its stopwords) are left out. Timed:
``stories.group`` of one new item, in a transaction rolled back after each run, for an
item of a new story and for another agency's rewrite of a recent one (it joins that
story); each size has a database of its own (a copy of the migrated one), and the runs
alternate between them, so that the machine's drift weighs on every size alike. The
import figure, measured first, is benchmarks/ingest.py's import of RSS items with and
without grouping (``stories.group`` replaced by a no-op), alternated.
``make bench`` runs it after its table.
"""

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    if not os.environ.get("DATABASE_URL"):
        (ROOT / "benchmarks" / ".cache").mkdir(exist_ok=True)
        db = ROOT / "benchmarks" / ".cache" / "stories.sqlite3"
        for path in (db, db.with_suffix(".large.sqlite3")):
            path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, connections, router, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail_mediawire.ingest import stories  # noqa: E402
from wagtail_mediawire.models import WireItem, WireStory, WireStoryKey  # noqa: E402

VOCABULARY = 30_000
STOPWORDS = 300
WORDS = 60
SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "dun", "pra", "zi", "oth", "qua"]
TARGET_SCALE = 1.5  # grouping against 100,000 items: at most 1.5x against 100
TARGET_IMPORT = 1.2  # an item's import with grouping: at most 1.2x without


def _vocabulary() -> list[str]:
    rng = np.random.default_rng(7)
    return [
        "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), size=rng.integers(2, 5)))
        + str(n % 97)
        for n in range(VOCABULARY)
    ]


class Corpus:
    def __init__(self) -> None:
        self.words = _vocabulary()
        self.rng = np.random.default_rng(11)
        # Zipf's law past its head: the most frequent words are the stopwords, which
        # grouping leaves out.
        ranks = np.arange(1, VOCABULARY + 1) + STOPWORDS
        self.weights = 1 / ranks**1.0
        self.weights /= self.weights.sum()
        self.texts: list[str] = []

    def report(self) -> str:
        picks = self.rng.choice(VOCABULARY, size=WORDS, p=self.weights)
        return " ".join(self.words[i] for i in picks)

    def rewrite(self, text: str) -> str:
        """Another agency's report of the same story: most of its words, some others."""
        words = text.split()
        kept = [w for w in words if self.rng.random() > 0.3]
        return " ".join(kept + self.report().split()[: WORDS // 4])

    def add(self, count: int) -> None:
        """``count`` more recent items, each its own story, in bulk."""
        now = timezone.now()
        for start in range(0, count, 2000):
            batch = min(2000, count - start)
            texts = [self.report() for _ in range(batch)]
            story_ids = [WireStory(created_at=now) for _ in range(batch)]
            WireStory.objects.bulk_create(story_ids)
            base = len(self.texts)
            sigs = [stories.Signature.of(stories.shingles("", text)) for text in texts]
            items = WireItem.objects.bulk_create(
                [
                    WireItem(
                        guid=f"bench-story-{base + n}",
                        link=f"https://bench.example/{base + n}",
                        title=f"Report {base + n}",
                        text=text,
                        fingerprint=f"{base + n:064x}",
                        received_at=now,
                        story=story,
                        signature=sig.dump(),
                    )
                    for n, (text, story, sig) in enumerate(zip(texts, story_ids, sigs, strict=True))
                ]
            )
            if connection.vendor == "sqlite":  # no RETURNING of ids before Django 5.x
                items = list(WireItem.objects.filter(guid__in=[i.guid for i in items]))
            WireStoryKey.objects.bulk_create(
                [
                    WireStoryKey(item_id=item.pk, key=key)
                    for item, sig in zip(items, sigs, strict=True)
                    for key in sig.keys()
                ],
                batch_size=5000,
            )
            self.texts += texts


class Pinned:
    """A database router that sends everything to one alias: each corpus has a
    database of its own, and the runs alternate between them."""

    alias = "default"

    def db_for_read(self, model, **hints):
        return self.alias

    db_for_write = db_for_read

    def allow_relation(self, *args, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return True


PINNED = Pinned()


def _add_database(alias: str) -> None:
    """A copy of the migrated ``default`` database, before any corpus: an SQLite file
    beside it, or a PostgreSQL database made from it as a template."""
    config = dict(connections.settings["default"])
    if connection.vendor == "sqlite":
        config["NAME"] = str(Path(config["NAME"]).with_suffix(f".{alias}.sqlite3"))
        connection.close()
        shutil.copyfile(connections.settings["default"]["NAME"], config["NAME"])
    else:
        template, config["NAME"] = config["NAME"], f"{config['NAME']}_{alias}"
        with connections["postgres"].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
            connection.close()  # a template may have no other connection
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}" TEMPLATE "{template}"')
    settings.DATABASES[alias] = connections.settings[alias] = config


def time_group(alias: str, text: str, n: int) -> tuple[float, int]:
    """Seconds and queries of ``stories.group`` for one new item, in ``alias``."""
    PINNED.alias = alias
    with transaction.atomic(using=alias):
        record = WireItem.objects.create(
            guid=f"bench-new-{n}", title="", text=text, fingerprint="new"
        )
        with CaptureQueriesContext(connections[alias]) as ctx:
            start = time.perf_counter()
            stories.group(record)
            elapsed = time.perf_counter() - start
        transaction.set_rollback(True, using=alias)
    PINNED.alias = "default"
    return elapsed, len(ctx.captured_queries)


def measure_scale(sizes: list[int], runs: int) -> dict[int, dict]:
    """Each size in a database of its own (``default`` for the smallest), its corpus
    built once; then the runs, alternated across sizes."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    WireItem.objects.filter(guid__startswith="bench-").delete()
    if connection.vendor == "postgresql":
        # Where CREATE DATABASE … TEMPLATE is run from.
        maintenance = dict(connections.settings["default"], NAME="postgres")
        settings.DATABASES["postgres"] = connections.settings["postgres"] = maintenance
    aliases = {size: f"size{size}" for size in sorted(sizes)[1:]}
    for alias in aliases.values():
        _add_database(alias)
    router.routers = [PINNED]
    corpora = {}
    for size in sorted(sizes):
        alias = aliases.get(size, "default")
        PINNED.alias = alias
        corpus = Corpus()
        corpus.add(size)
        corpora[size] = (alias, corpus.report(), corpus.rewrite(corpus.texts[-1]))
    PINNED.alias = "default"
    times = {(size, kind): [] for size in corpora for kind in ("new", "rewrite")}
    queries = {}
    for n in range(runs + 1):
        for size, (alias, fresh, rewrite) in corpora.items():
            for kind, text in (("new", fresh), ("rewrite", rewrite)):
                elapsed, queries[size, kind] = time_group(alias, text, n)
                if n:  # the first run warms up
                    times[size, kind].append(elapsed)
    return {
        size: {
            kind: (statistics.median(times[size, kind]) * 1000, queries[size, kind])
            for kind in ("new", "rewrite")
        }
        for size in corpora
    }


def measure_import(items: int, rounds: int = 5) -> tuple[float, float]:
    """benchmarks/ingest.py's RSS import, milliseconds per item, with grouping and with
    it replaced by a no-op: the median of ``rounds`` of each, alternated so that the
    machine's drift weighs on both alike, after a round that warms both up."""
    from ingest import measure

    group = stories.group
    measure(20, "rss")
    grouped, bare = [], []
    for _ in range(rounds):
        grouped.append(measure(items, "rss")["import_ms"])
        stories.group = lambda record: None
        try:
            bare.append(measure(items, "rss")["import_ms"])
        finally:
            stories.group = group
    return statistics.median(grouped), statistics.median(bare)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--import-items", type=int, default=300)
    args = parser.parse_args()
    started = time.perf_counter()
    if args.import_items:
        # First, on the database as benchmarks/ingest.py leaves it: no corpus yet.
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        with_grouping, without = measure_import(args.import_items)
    figures = measure_scale(args.sizes, args.runs)
    smallest = min(figures)
    print(f"database: {connection.vendor}; median of {args.runs} runs")
    for kind in ("new", "rewrite"):
        base = figures[smallest][kind][0]
        for size, found in figures.items():
            ms, queries = found[kind]
            print(
                f"group a {kind} item against {size:,}: {ms:.2f} ms ({queries} queries), "
                f"{ms / base:.2f}x of {smallest:,} (target ≤ {TARGET_SCALE}x)"
            )
    if args.import_items:
        print(
            f"import of {args.import_items} RSS items, per item: {with_grouping:.2f} ms "
            f"with grouping, {without:.2f} ms without: {with_grouping / without:.2f}x "
            f"(target ≤ {TARGET_IMPORT}x)"
        )
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
