"""The Django side of ``make load``, run with the sandbox's settings.

    python benchmarks/load_site.py prepare      # prints the URLs under load, as JSON
    python benchmarks/load_site.py churn --seconds 130 --every 2
    python benchmarks/load_site.py kills --count 20
    python benchmarks/load_site.py push-prepare --dir DIR --count 20
    python benchmarks/load_site.py push-count

``prepare`` adds the baseline: a plain Wagtail page (the sandbox's StandardPage) with the
text of the article under load, at the article's depth. ``churn`` publishes a new
article every ``--every`` seconds and unpublishes the one it published before, printing
one JSON line per change once it is committed, with the time it was done. ``kills``
imports an agency's story (ninjs, through the importer, published at once), prints its
address, and on each line read from stdin imports the agency's kill of it, printing when
that is committed; ``--count`` times. ``push-prepare`` adds a section of its own and a
push feed (RSS, published at once) delivering into it, gives the feed a secret
(``rotate_secret``), and writes ``--count`` small RSS documents, one item each, into
``--dir`` with a manifest of their signatures (``sign``); it prints the push address and
the task backend the deliveries run on. ``push-count`` prints what the push feed has
imported so far.
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "sandbox"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings.production")

import django  # noqa: E402

django.setup()

from demo.models import StandardPage  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.models import Site  # noqa: E402
from wagtail.rich_text import RichText  # noqa: E402

from wagtail_mediawire.models import MediaWireArticlePage, MediaWireIndexPage  # noqa: E402

# Every churned article's title carries this and its number, which the load run
# looks for in the pages it reads.
CHURN_TITLE = "Load churn report {number}"


def prepare() -> dict:
    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    section = MediaWireIndexPage.objects.live().descendant_of(home).order_by("path").first()
    article = (
        MediaWireArticlePage.objects.live()
        .child_of(section)
        .exclude(title__startswith=CHURN_TITLE.format(number=""))
        .order_by("-first_published_at")
        .first()
    )
    text = "".join(block.value.source for block in article.body if block.block_type == "paragraph")
    about = StandardPage.objects.child_of(home).filter(slug="about").first()
    if about is None:
        about = home.add_child(instance=StandardPage(title="About", slug="about"))
        about.save_revision().publish()
    bare = StandardPage.objects.child_of(about).filter(slug="plain-page").first()
    if bare is None:
        bare = StandardPage(title=article.title, slug="plain-page")
        about.add_child(instance=bare)
    bare.body = text
    bare.save_revision().publish()
    return {
        "bare page": bare.url,
        "home page": home.url,
        "section page": section.url,
        "article page": article.url,
    }


def churn(seconds: float, every: float) -> None:
    site = Site.objects.get(is_default_site=True)
    section = MediaWireIndexPage.objects.live().descendant_of(site.root_page).first()
    previous = None
    stop = time.monotonic() + seconds
    number = 0
    while time.monotonic() < stop:
        started = time.monotonic()
        number += 1
        article = MediaWireArticlePage(
            title=CHURN_TITLE.format(number=number),
            slug=f"load-churn-{number}-{int(time.time())}",
            summary="Published by the load run.",
            body=[
                ("paragraph", RichText("<p>A report published while the site is under load.</p>")),
                (
                    "source",
                    {
                        "name": "Load Agency",
                        "url": f"https://load.example/reports/{number}",
                        "original_headline": "",
                        "published_at": timezone.now() - timedelta(minutes=5),
                    },
                ),
            ],
        )
        section.add_child(instance=article)
        article.save_revision().publish()
        if previous is not None:
            previous.unpublish()
        # Both changes are committed (and their cache invalidation done) by now.
        print(json.dumps({"number": number, "done_at": time.time()}), flush=True)
        previous = article
        time.sleep(max(0.0, every - (time.monotonic() - started)))
    if previous is not None:
        previous.unpublish()


KILL_FEED = "Load kill feed"


def kills(count: int) -> None:
    from wagtail_mediawire.ingest.importer import fetch
    from wagtail_mediawire.models import WireFeed

    section = MediaWireIndexPage.objects.live().order_by("path").first()
    WireFeed.objects.filter(name=KILL_FEED).delete()
    feed = WireFeed.objects.create(
        name=KILL_FEED, url="https://load.northwind.example/ninjs", section=section,
        source_name="Northwind Press Agency", source_url="https://load.northwind.example/",
        publish_mode=WireFeed.PublishMode.PUBLISH,
    )  # fmt: skip
    stamp = int(time.time())
    for number in range(1, count + 1):
        story = {
            "uri": f"urn:load:kill:{stamp}:{number}", "version": "1", "type": "text",
            "headlines": [{"value": f"Load kill report {stamp}-{number}"}],
            "bodies": [{"contentType": "text/html", "value": "<p>A report to withdraw.</p>"}],
        }  # fmt: skip
        fetch(feed.pk, content=json.dumps(story).encode())
        article = MediaWireArticlePage.objects.get(wire_item__guid=story["uri"])
        print(json.dumps({"number": number, "url": article.url, "slug": article.slug}), flush=True)
        if not sys.stdin.readline():
            return
        started = time.time()
        result = fetch(
            feed.pk, content=json.dumps({**story, "version": "2", "pubStatus": "canceled"}).encode()
        )
        print(
            json.dumps(
                {"number": number, "started": started, "done_at": time.time(),
                 "withdrawn": result.withdrawn}
            ),
            flush=True,
        )  # fmt: skip


PUSH_FEED = "Load push feed"
PUSH_SECTION = {"title": "Load push desk", "slug": "load-push-desk"}
# Each document's one item: a subject and a line of its own, so that no two documents
# carry the same text. Written for the load run.
PUSH_SUBJECTS = [
    ("Tide gauge", "The gauge at the outer pier read within its usual range all morning."),
    ("Ferry timetable", "The island ferry keeps its winter timetable for another week."),
    ("Lighthouse lamp", "Engineers replaced the lamp housing at the northern light."),
    ("Harbour dredging", "Dredging of the inner basin moved to the night shift."),
    ("Coastal path", "A fallen fence closed part of the cliff path near the quarry."),
]


def push_document(stamp: int, number: int) -> bytes:
    from django.utils.feedgenerator import rfc2822_date
    from django.utils.html import escape

    subject, line = PUSH_SUBJECTS[(number - 1) % len(PUSH_SUBJECTS)]
    published = rfc2822_date(timezone.now() - timedelta(minutes=number))
    html = escape(f"<p>{line} Delivery {number} of the load run's push feed.</p>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0"><channel>\n'
        "<title>Lantern Bay Wire</title><link>https://lanternbay.example/</link>\n"
        "<description>Pushed by make load.</description>\n"
        f"<item><title>{subject} update {number}</title>\n"
        f"<link>https://lanternbay.example/push/{stamp}/{number}</link>\n"
        f'<guid isPermaLink="false">urn:load:push:{stamp}:{number}</guid>\n'
        f"<pubDate>{published}</pubDate>\n"
        f"<description>{html}</description></item>\n"
        "</channel></rss>\n"
    ).encode()


def push_prepare(directory: Path, count: int) -> dict:
    from wagtail_mediawire.ingest.push import rotate_secret, sign
    from wagtail_mediawire.models import WireFeed
    from wagtail_mediawire.settings import get_setting
    from wagtail_mediawire.tasks import import_delivery

    home = Site.objects.get(is_default_site=True).root_page
    section = MediaWireIndexPage.objects.child_of(home).filter(slug=PUSH_SECTION["slug"]).first()
    if section is None:
        section = MediaWireIndexPage(**PUSH_SECTION)
        home.add_child(instance=section)
        section.save_revision().publish()
    WireFeed.objects.filter(name=PUSH_FEED).delete()
    feed = WireFeed.objects.create(
        name=PUSH_FEED, section=section, delivery=WireFeed.Delivery.PUSH,
        format=WireFeed.Format.RSS, source_name="Lantern Bay Wire",
        source_url="https://lanternbay.example/", publish_mode=WireFeed.PublishMode.PUBLISH,
    )  # fmt: skip
    secret = rotate_secret(feed)
    stamp = int(time.time())
    lines = []
    for number in range(1, count + 1):
        body = push_document(stamp, number)
        name = f"push-{number:02d}.xml"
        (directory / name).write_bytes(body)
        lines.append(f"{sign(body, secret)} {directory / name}\n")
    (directory / "manifest").write_text("".join(lines))
    backend = import_delivery.using(backend=get_setting("TASK_BACKEND")).get_backend()
    return {
        "path": f"/wire/push/{feed.pk}/",
        "section": section.url,
        "documents": count,
        "manifest": str(directory / "manifest"),
        "task_backend": f"{type(backend).__module__}.{type(backend).__qualname__}",
    }


def push_count() -> dict:
    from wagtail_mediawire.models import WireFeed, WireItem

    feed = WireFeed.objects.select_related("section").get(name=PUSH_FEED)
    articles = MediaWireArticlePage.objects.child_of(feed.section)
    return {
        "items": WireItem.objects.filter(feed=feed).count(),
        "articles": articles.count(),
        "live": articles.live().count(),
        "last_delivery": feed.last_delivery_result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare")
    churn_parser = commands.add_parser("churn")
    churn_parser.add_argument("--seconds", type=float, required=True)
    churn_parser.add_argument("--every", type=float, default=2.0)
    kills_parser = commands.add_parser("kills")
    kills_parser.add_argument("--count", type=int, default=20)
    push_parser = commands.add_parser("push-prepare")
    push_parser.add_argument("--dir", type=Path, required=True)
    push_parser.add_argument("--count", type=int, default=20)
    commands.add_parser("push-count")
    args = parser.parse_args()
    if args.command == "prepare":
        print(json.dumps(prepare()))
    elif args.command == "push-prepare":
        print(json.dumps(push_prepare(args.dir, args.count)))
    elif args.command == "push-count":
        print(json.dumps(push_count()))
    elif args.command == "kills":
        kills(args.count)
    else:
        churn(args.seconds, args.every)


if __name__ == "__main__":
    main()
