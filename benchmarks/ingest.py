"""Importing feed items beside creating the same pages directly, in the same run.

    .venv/bin/python benchmarks/ingest.py [--items 1000]     # SQLite file, benchmarks/.cache
    scripts/with-postgres .venv/bin/python benchmarks/ingest.py

The import is ``fetch(feed, content=...)`` (``--format``: RSS, or an agency format: one
document of every item, or for NITF one document an item): parsing, sanitising, the one look-up of
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
from wagtail_mediawire.models import (  # noqa: E402
    MediaWireArticlePage,
    MediaWireIndexPage,
    WireFeed,
    WireItem,
)

TEXT = (
    "<p>The harbour office said the morning crossings would resume on Monday, and that "
    "freight would follow within the week.</p><p>Crews were told to expect the outer "
    "moorings back by the weekend, <b>weather permitting</b>.</p>"
)
HEADLINE = "Harbour report {n}: ferries, freight and the outer moorings"
NEWSML = "http://iptc.org/std/nar/2006-10-01/"


def ninjs_content(count: int) -> bytes:
    import json

    return json.dumps(
        [
            {
                "uri": f"bench-northwind-{n}",
                "version": "1",
                "type": "text",
                "pubStatus": "usable",
                "language": "en",
                "urgency": 4,
                "versionCreated": "2026-11-24T08:00:00+0000",
                "headlines": [{"value": HEADLINE.format(n=n)}],
                "bodies": [{"contentType": "text/html", "value": TEXT}],
                "edNote": "For the desk only.",
            }  # fmt: skip
            for n in range(count)
        ]
    ).encode()


def ap_media_content(count: int) -> bytes:
    import json

    return json.dumps(
        {
            "data": {
                "items": [
                    {
                        "item": {
                            "uri": f"bench-northwind-{n}",
                            "version": 1,
                            "type": "text",
                            "pubstatus": "usable",
                            "headline": HEADLINE.format(n=n),
                            "versioncreated": "2026-11-24T08:00:00Z",
                            "body_html": TEXT,
                        }  # fmt: skip
                    }
                    for n in range(count)
                ],
                "next_page": None,
            }
        }
    ).encode()


def newsml_content(count: int) -> bytes:
    items = "".join(
        f'<newsItem guid="bench-northwind-{n}" version="1" standard="NewsML-G2">'
        "<itemMeta><itemClass qcode='ninat:text'/><versionCreated>2026-11-24T08:00:00Z"
        "</versionCreated><pubStatus qcode='stat:usable'/></itemMeta>"
        f"<contentMeta><headline>{HEADLINE.format(n=n)}</headline>"
        "<language tag='en'/></contentMeta>"
        "<contentSet><inlineXML contenttype='application/xhtml+xml'>"
        f"<html xmlns='http://www.w3.org/1999/xhtml'><body>{TEXT}</body></html>"
        "</inlineXML></contentSet></newsItem>"
        for n in range(count)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><newsMessage xmlns="{NEWSML}"><header>'
        f"<sent>2026-11-24T08:00:00Z</sent></header><itemSet>{items}</itemSet></newsMessage>"
    ).encode()


def nitf_document(n: int) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE nitf SYSTEM "nitf.dtd"><nitf>'
        f'<head><docdata management-status="usable"><doc-id id-string="bench-northwind-{n}"/>'
        '<date.issue norm="20261124T080000+0000"/><du-key version="1"/></docdata></head>'
        f"<body><body.head><hedline><hl1>{HEADLINE.format(n=n)}</hl1></hedline></body.head>"
        f"<body.content>{TEXT.replace('<b>', '<em>').replace('</b>', '</em>')}</body.content>"
        "</body></nitf>"
    ).encode()


# Per format: the documents a fetch reads (one for most, one per item for NITF).
FORMATS = {
    "rss": lambda count: [feed_content(count)],
    "ninjs": lambda count: [ninjs_content(count)],
    "ap-media": lambda count: [ap_media_content(count)],
    "newsml-g2": lambda count: [newsml_content(count)],
    "nitf": lambda count: [nitf_document(n) for n in range(count)],
}


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


def measure(count: int, format_name: str = "rss") -> dict:
    """Seconds and queries per item, for the import of ``count`` items in
    ``format_name`` and for the bare creation of the same pages."""
    from django.core.management import call_command

    from wagtail_mediawire.ingest.formats import read_document

    call_command("migrate", verbosity=0)
    documents = FORMATS[format_name](count)
    # What a previous run left, had it been interrupted: its items would count as known.
    WireItem.objects.filter(guid__startswith="bench-northwind-").delete()
    bare_section, import_section = _section("bench-bare-pages"), _section("bench-import")
    feed = WireFeed.objects.create(
        name="Bench feed", url="https://northwind.example/feed", section=import_section,
        source_name="Northwind Press Agency", source_url="https://northwind.example/",
        format=format_name,
    )  # fmt: skip
    items = [item for document in documents for item in read_document(document, format_name).items]
    assert len(items) == count, (format_name, len(items))
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
            imported_items = sum(
                fetch(feed.pk, content=document).imported for document in documents
            )
            imported = time.perf_counter() - started
        assert imported_items == count, (format_name, imported_items)
    finally:
        WireItem.objects.filter(guid__startswith="bench-northwind-").delete()
        WireFeed.objects.filter(pk=feed.pk).delete()
        for section in (bare_section, import_section):
            section.delete()
    return {
        "format": format_name,
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
    parser.add_argument("--format", choices=sorted(FORMATS), default="rss")
    args = parser.parse_args()
    figures = measure(args.items, args.format)
    print(f"database: {connection.vendor}; {figures['items']:,} {args.format} items")
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
