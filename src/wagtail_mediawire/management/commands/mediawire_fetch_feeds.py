"""``manage.py mediawire_fetch_feeds``: fetch agency feeds now, or enqueue their fetches.

Cron runs ``mediawire_fetch_feeds --due --enqueue`` every minute on a site with task
workers, or ``--due`` alone to fetch in the cron job itself. ``--due`` also asks the
hubs of WebSub feeds for what they need: a subscription, its renewal before the lease
ends, another try after a refusal, or an unsubscription. Each feed's line is
followed by its notes, indented (an image not imported and why…), and ends with the
feed's health when it needs attention ("; quiet since …", "; failing since …").
``--health`` prints only that, a line per active feed, and fetches nothing. It exits 0
when every feed was handled, even if some recorded an error (the feed shows it in the
admin); a usage error (an unknown feed) exits non-zero.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext

from wagtail_mediawire.ingest import health, websub
from wagtail_mediawire.ingest.importer import due_feed_ids, fetch
from wagtail_mediawire.models import WireFeed
from wagtail_mediawire.tasks import enqueue_fetch, enqueue_websub_request, websub_request


class Command(BaseCommand):
    help = "Fetch the active agency feeds (WireFeed) and import their new items."

    def add_arguments(self, parser):
        parser.add_argument(
            "--feed", type=int, action="append", dest="feed_ids", metavar="ID",
            help="Only this feed (repeat for more); inactive feeds too.",
        )  # fmt: skip
        parser.add_argument(
            "--due", action="store_true", help="Only feeds whose fetch interval has passed."
        )
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Download and parse, say what would be imported, write nothing.",
        )  # fmt: skip
        parser.add_argument(
            "--file", metavar="PATH",
            help=(
                "With one --feed: import this saved document (RSS, Atom, ninjs, AP Media "
                "API, NewsML-G2 or NITF, as the feed's format says) instead of downloading."
            ),
        )  # fmt: skip
        parser.add_argument(
            "--enqueue", action="store_true",
            help="Enqueue a fetch_feed task per feed for the task workers instead.",
        )  # fmt: skip
        parser.add_argument(
            "--health", action="store_true",
            help=(
                "Fetch nothing: print each active feed's health (OK, quiet since …, "
                "failing since …: error), or that of the --feed ones."
            ),
        )  # fmt: skip

    def handle(self, *args, feed_ids, due, dry_run, enqueue, file, **options):
        if options["health"]:
            if due or dry_run or enqueue or file is not None:
                raise CommandError("--health fetches nothing: use it alone or with --feed.")
            self._health(feed_ids)
            return
        if dry_run and enqueue:
            raise CommandError("--dry-run and --enqueue cannot be used together.")
        content = None
        if file is not None:
            if enqueue or not feed_ids or len(feed_ids) != 1:
                raise CommandError("--file needs exactly one --feed, and no --enqueue.")
            try:
                content = Path(file).read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        if feed_ids:
            found = set(WireFeed.objects.filter(pk__in=feed_ids).values_list("pk", flat=True))
            if missing := sorted(set(feed_ids) - found):
                raise CommandError(f"No feed with id {', '.join(map(str, missing))}.")
            ids = [pk for pk in feed_ids if pk in found]
            if due:
                due_ids = set(due_feed_ids())
                ids = [pk for pk in ids if pk in due_ids]
        elif due:
            ids = due_feed_ids()
        else:
            # Pushed feeds without an address or a folder have nothing to fetch.
            polled = WireFeed.objects.filter(is_active=True).exclude(url="", folder="")
            ids = list(polled.values_list("pk", flat=True))
        if due:
            self._websub(feed_ids, enqueue, dry_run)
        if not ids:
            self.stdout.write("No feed to fetch.")
            return
        names = dict(WireFeed.objects.filter(pk__in=ids).values_list("pk", "name"))
        progress = self.stderr.isatty() and len(ids) > 1 and options["verbosity"] > 0
        for number, feed_id in enumerate(ids, start=1):
            if progress:
                self._progress(number - 1, len(ids), names[feed_id])
            notes: list[str] = []
            if enqueue:
                enqueue_fetch(feed_id)
                line = "enqueued"
            else:
                result = fetch(feed_id, dry_run=dry_run, content=content)
                line, notes = result.summary(), result.notes
            if progress:
                self.stderr.write("\r\033[K", ending="")
            # The feed as the fetch left it: quiet, or failing since when (and why,
            # unless the line says it already).
            feed = WireFeed.objects.only(*health.FIELDS).filter(pk=feed_id).first()
            if feed is not None and (
                problem := health.describe(feed, error=health.one_line(feed.last_error) not in line)
            ):
                line = f"{line}; {problem}"
            self.stdout.write(f"{names[feed_id]} (#{feed_id}): {line}")
            # Why an image or an item was not imported, under its feed's line.
            for note in notes:
                self.stdout.write(f"    {note}")
        if progress:
            self._progress(len(ids), len(ids), "")
            self.stderr.write("")

    def _health(self, feed_ids) -> None:
        feeds = WireFeed.objects.only(*health.FIELDS).order_by("name", "pk")
        feeds = feeds.filter(pk__in=feed_ids) if feed_ids else feeds.filter(is_active=True)
        if feed_ids and (missing := sorted(set(feed_ids) - {feed.pk for feed in feeds})):
            raise CommandError(f"No feed with id {', '.join(map(str, missing))}.")
        now = timezone.now()
        for feed in feeds:
            line = health.describe(feed, now) or (
                gettext("OK") if feed.is_active else gettext("inactive")
            )
            self.stdout.write(f"{feed.name} (#{feed.pk}): {line}")
        if not feeds:
            self.stdout.write("No active feed.")

    def _websub(self, feed_ids, enqueue: bool, dry_run: bool) -> None:
        for feed in websub.due_feeds():
            if feed_ids and feed.pk not in feed_ids:
                continue
            if dry_run:
                line = f"would ask for {websub.wanted(feed)}"
            elif enqueue:
                enqueue_websub_request(feed.pk)
                line = "request enqueued"
            else:
                line = websub_request.call(feed.pk) or "nothing to ask"
            self.stdout.write(f"{feed.name} (#{feed.pk}): WebSub: {line}")

    def _progress(self, done: int, total: int, name: str) -> None:
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {name[:40]}", ending="")
        sys.stderr.flush()
