"""Feed items to articles, and one fetch of a feed from start to finish.

Each item is imported in a transaction of its own, so a failing item leaves nothing
behind and the others go on. ``WireItem``'s unique constraints, not a lookup, are
what stop an item from being imported twice when two fetches run at once.
"""

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from wagtail.coreutils import find_available_slug
from wagtail.log_actions import log
from wagtail.rich_text import RichText

from ..models import MediaWireArticlePage, WireFeed, WireItem, WireSubject
from ..models.wire import CLAIM_TIMEOUT
from ..settings import get_setting
from ..text import xml_safe
from ..validators import drop_folder_path, language_tag, media_topic, safe_http_url
from . import drop, lifecycle, push, stories, websub
from .download import DownloadError, download
from .formats import AUTO, media_types, read_document
from .images import ImageError, create_image, download_image
from .item import USABLE, FeedError, FeedItem
from .rules import PUBLISH, SKIP, Decision, Rules

logger = logging.getLogger("wagtail_mediawire")

IMPORT_ACTION = "wagtail_mediawire.import"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/json;q=0.9, application/vnd.iptc.g2.newsitem+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
# Media types a server may send a feed as: any format's, and what a server that does not
# know better says. HTML means a web page, not a feed.
FEED_TYPES = media_types(AUTO) | {"application/octet-stream", "text/plain", ""}


@dataclass
class FetchResult:
    feed_id: int
    feed_name: str = ""
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    withdrawn: int = 0  # killed or withheld by the agency, taken down
    not_modified: bool = False
    error: str = ""
    images_failed: int = 0
    busy: bool = False  # another worker was fetching this feed
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    # The feed was read, but something in it needs an editor's eye (its declared
    # character encoding is not what its bytes are).
    warning: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        if self.busy:
            return gettext("skipped: another worker is fetching it")
        if self.error:
            return gettext("error: %(error)s") % {"error": self.error}
        if self.not_modified:
            return gettext("not modified since the last fetch")
        text = gettext(
            "%(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(skipped)d skipped"
        ) % {
            "new": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }
        if self.withdrawn:
            text += ngettext(
                ", %(count)d withdrawn by the agency",
                ", %(count)d withdrawn by the agency",
                self.withdrawn,
            ) % {"count": self.withdrawn}
        if self.images_failed:
            text += ngettext(
                ", %(count)d image not imported",
                ", %(count)d images not imported",
                self.images_failed,
            ) % {"count": self.images_failed}
        if self.warning:
            text += gettext("; warning: %(warning)s") % {"warning": self.warning}
        return text + (gettext(" (dry run: nothing written)") if self.dry_run else "")


def source_url(feed: WireFeed | None, item: FeedItem | WireItem) -> str:
    """The Source block's address: the item's own web address, else the agency's page
    (``WireFeed.source_url``), else "" (a draft that asks for the report's address)."""
    return safe_http_url(item.link) or (safe_http_url(feed.source_url) if feed else "")


def source_block(feed: WireFeed | None, item: FeedItem | WireItem) -> tuple[str, dict]:
    """The Source block of a report, as read (``FeedItem``) or recorded (``WireItem``):
    the agency, the report's address, its original headline and time."""
    return (
        "source",
        {
            # Typed by whoever added the feed, perhaps pasted from a document.
            "name": xml_safe(feed.source_name if feed else ""),
            "url": source_url(feed, item),
            "original_headline": item.title[:255],
            "published_at": item.published_at,
        },
    )


def article_body(feed: WireFeed, item: FeedItem, image=None) -> list:
    # The editor's note (item.ednote) is for editors only: WireItem keeps it, the body
    # never does.
    body: list = []
    if image is not None:
        image.contextual_alt_text, image.decorative = item.title[:255], False
        body.append(("image", image))
    if item.html:
        body.append(("paragraph", RichText(item.html)))
    body.append(source_block(feed, item))
    if feed.disclaimer_id:
        body.append(("disclaimer", feed.disclaimer))
    return body


def _create_article(
    feed: WireFeed, item: FeedItem, decision: Decision, upload=None
) -> tuple[MediaWireArticlePage, object]:
    section = decision.section
    image = None
    if upload is not None:
        image = create_image(upload, title=item.title, credit=_image_credit(feed, item))
    article = MediaWireArticlePage(
        title=item.title[:255],
        slug=find_available_slug(section, slugify(item.title)[:60] or "report"),
        live=False,
        owner=None,
        body=article_body(feed, item, image),
        # The embargo's end and the agency's expiry (or the feed's retention).
        go_live_at=lifecycle.go_live_at(item),
        expire_at=lifecycle.expire_at(feed, item),
    )
    section.add_child(instance=article)
    revision = article.save_revision(log_action=False)
    log(instance=article, action=IMPORT_ACTION, revision=revision, data={"feed": feed.name})
    if decision.action == PUBLISH:
        _publish(feed, item, revision)
    return article, revision


def _publish(feed: WireFeed, item: FeedItem, revision) -> None:
    # Without a web address the source rule refuses to publish: it stays a draft, and
    # the fetch's notes ask for the report's address. An embargoed one is scheduled for
    # the embargo's end (its go_live_at).
    if source_url(feed, item) and item.status == USABLE:
        revision.publish()


def _image_credit(feed: WireFeed, item: FeedItem) -> str:
    """The picture's own credit line where the document gives one, else the agency."""
    credit = next((r.credit for r in item.renditions if r.url == item.image_url and r.credit), "")
    return xml_safe(credit or feed.source_name)[:255]


def _update(feed: WireFeed, record: WireItem, item: FeedItem, decision: Decision | None) -> None:
    """A newer version of an item with an article (or whose article was deleted).

    ``decision`` is the rules' for an untouched draft (``None`` for an editor's work): a
    rule that now publishes publishes it. It stays in its section: a newer version never
    moves or takes down what the import made (a kill does).
    """
    article = record.article
    lifecycle.follow_embargo(record, item)
    if decision is not None:
        article.refresh_from_db(fields=["go_live_at"])
        article.title = item.title[:255]
        article.body = article_body(feed, item)
        article.expire_at = lifecycle.expire_at(feed, item)
        article.save()
        revision = article.save_revision(log_action=False)
        log(
            instance=article,
            action=IMPORT_ACTION,
            revision=revision,
            data={"feed": feed.name, "updated": True},
        )
        record.imported_revision = revision
        record.text, record.title = item.html, item.title
        record.updated_at_source = False
        record.source_title = record.source_text = ""
        record.decision, record.decided_by = decision.action, decision.decided_by
        if decision.action == PUBLISH and not record.is_withdrawn:
            _publish(feed, item, revision)
    elif lifecycle.propose_correction(feed, record, item, article_body(feed, item)):
        record.text, record.title = item.html, item.title
        record.updated_at_source = False
        record.source_title = record.source_text = ""
    else:
        # An editor's work (or a deleted article) is never written over: the agency's
        # new version waits beside it.
        record.updated_at_source = True
        record.source_title, record.source_text = item.title, item.html
    record.fingerprint = item.fingerprint
    record.published_at = item.published_at
    _record_metadata(record, item)
    if record.is_withdrawn:
        lifecycle.restore(record)  # a newer usable version: an editor may publish again
    record.save()
    _set_subjects(record, item)


def _record_metadata(record: WireItem, item: FeedItem) -> None:
    """What the agency says about the item beyond its text, as of this version."""
    record.version = item.version
    record.status = item.status
    record.embargoed_until = item.embargoed_until
    record.urgency = item.urgency
    record.signals = list(item.signals)
    record.ednote = item.ednote
    record.usage_terms = item.usage_terms
    record.expires_at = item.expires_at
    record.language = language_tag(item.language)


def _set_subjects(record: WireItem, item: FeedItem, *, created: bool = False) -> None:
    """The item's subjects, a Media Topic under its one code (``medtop:…``) however the
    document wrote it; each new code is added once, whoever else adds it meanwhile."""
    names: dict[str, str] = {}
    for code, name in item.subjects:
        code = (media_topic(code) or code.strip())[:255]
        if code and not names.get(code):
            names[code] = name.strip()[:255]
    if not names:
        if not created:
            record.subjects.clear()
        return
    WireSubject.objects.bulk_create(
        [WireSubject(code=code, name=name) for code, name in names.items()],
        ignore_conflicts=True,
    )
    record.subjects.set(WireSubject.objects.filter(code__in=names))


def _ruled_out(record: WireItem) -> bool:
    """An item a rule skipped: recorded, without an article, until a version a rule
    takes (an item whose article an editor deleted is not one)."""
    return record.decision == SKIP and record.article_id is None and record.merged_into_id is None


def _not_newer(record: WireItem, item: FeedItem) -> bool:
    """An older or the same version of what was read: it changes nothing."""
    return (
        record.version is not None and item.version is not None and item.version <= record.version
    )


def import_items(feed: WireFeed, items: list[FeedItem], result: FetchResult) -> None:
    """Import, update or skip each item; one query finds the items already known."""
    keyed = [(item, item.guid, item.normalised_link) for item in items]
    guids = {guid for _, guid, _ in keyed if guid}
    links = {link for _, _, link in keyed if link}
    known = list(
        WireItem.objects.filter(Q(guid__in=guids) | Q(link__in=links)).select_related(
            "article", "feed"
        )
    )
    by_guid = {record.guid: record for record in known if record.guid}
    by_link = {record.link: record for record in known if record.link}
    seen: set[str] = set()
    elsewhere: Counter[str] = Counter()  # items another feed imported, by its name
    without_text: Counter[str] = Counter()  # pictures, videos… by kind
    # What the readers noticed in the document (an item without an id, an embargo
    # without a date…), each said once however many items share it.
    read_notes = dict.fromkeys(note for item, _, _ in keyed for note in item.notes)
    rules = Rules(feed)
    ruled_out: Counter[str] = Counter()  # items a rule skipped, by the rule
    delivered = False  # an item new or newer than what was received: the feed is alive
    for item, guid, link in keyed:
        if lifecycle.is_withdrawal(item) and _has_address(item):
            # Before any other rule: a kill may come in any version, without text.
            _withdraw(feed, (guid and by_guid.get(guid)) or by_link.get(link), item, result)
            continue
        if not _has_address(item):
            result.skipped += 1
            result.notes.append(
                gettext("unsafe or missing link: %(link)r") % {"link": item.link[:200]}
            )
            continue
        if item.kind != "text":
            # Never an empty article: a picture, a video, a graphic.
            result.skipped += 1
            without_text[item.kind] += 1
            continue
        if not item.title or (guid and guid in seen) or (link and link in seen):
            result.skipped += 1
            continue
        seen.update(key for key in (guid, link) if key)
        record = (guid and by_guid.get(guid)) or by_link.get(link)
        if record is not None and record.feed_id != feed.pk and not _adopt(record, feed, result):
            # The same story from another feed: the feed that brought it first keeps it,
            # else two feeds would rewrite each other's version on every fetch.
            result.skipped += 1
            elsewhere[record.feed.name if record.feed else ""] += 1
            continue
        if record is not None and record.discarded_at is not None:
            # Discarded in the wire queue: recorded so that it never comes back.
            result.unchanged += 1
            continue
        if record is not None and _not_newer(record, item):
            result.unchanged += 1
            continue
        moved = record is not None and link and _moved(record, link, by_link)
        if record is not None and record.fingerprint == item.fingerprint and not moved:
            if not result.dry_run and item.version is not None:
                # A newer version of the same text: what it says about the item counts.
                lifecycle.follow_embargo(record, item)
                _record_metadata(record, item)
                record.save()
                _set_subjects(record, item)
            result.unchanged += 1
            continue
        if moved:
            record.link = link  # saved by the update
        # The rules decide what the import makes, never what an editor made.
        new = record is None or _ruled_out(record)
        decision = rules.decide(item) if new or record.untouched_draft else None
        if result.dry_run:
            result.updated += not new
            result.imported += new and decision.action != SKIP
            result.skipped += new and decision.action == SKIP
            continue
        delivered = True
        # Downloaded before the item's transaction, which must not wait on the network.
        upload = _image_for(item, result) if new and decision.action != SKIP else None
        try:
            if _import_one(feed, record, item, upload, result, decision) == SKIP:
                ruled_out[decision.decided_by] += 1
        except Exception:
            logger.exception("Could not import %r from feed %s", item.link, feed.pk)
            result.skipped += 1
            result.notes.append(gettext("could not import %(link)r") % {"link": item.link[:200]})
    result.notes += [_imported_elsewhere(name, count) for name, count in sorted(elsewhere.items())]
    result.notes += [_without_text(kind, count) for kind, count in sorted(without_text.items())]
    result.notes += [_ruled_out_note(rule, count) for rule, count in ruled_out.items()]
    result.notes += [note for note in rules.notes if note not in result.notes]
    result.notes += list(read_notes)
    if delivered:
        WireFeed.objects.filter(pk=feed.pk).update(last_item_at=timezone.now())


def _ruled_out_note(rule: str, count: int) -> str:
    return ngettext(
        "%(count)d item skipped by %(rule)s",
        "%(count)d items skipped by %(rule)s",
        count,
    ) % {"count": count, "rule": rule}


def _withdraw(feed: WireFeed, record: WireItem | None, item: FeedItem, result) -> None:
    if record is None or (record.feed_id not in (None, feed.pk)):
        # Never imported here (or another feed's): nothing to take down, nothing made.
        result.skipped += 1
        result.notes.append(
            gettext("withdrawn by the agency, not imported: %(title)s")
            % {"title": item.title[:200]}
        )
        return
    if result.dry_run:
        result.withdrawn += 1
        return
    already = record.is_withdrawn
    taken_down = lifecycle.withdraw(feed, record, item)
    if already and not taken_down:
        result.unchanged += 1  # the same kill again: said and done before
        return
    result.withdrawn += 1
    result.notes.append(
        gettext("%(reason)s: “%(title)s” taken down (%(count)d pages)")
        % {"reason": record.withdrawn_reason, "title": record.title[:200], "count": len(taken_down)}
    )


def _has_address(item: FeedItem) -> bool:
    """An item with a link must have a safe one; an agency's item without one is known
    by its id (its Source block then takes the feed's source address)."""
    if item.link:
        return bool(safe_http_url(item.link))
    return bool(item.guid)


def _without_text(kind: str, count: int) -> str:
    if kind == "text-elsewhere":  # AP's list answers: the text is a rendition of its own
        return ngettext(
            "%(count)d item whose text is not in the document skipped",
            "%(count)d items whose text is not in the document skipped",
            count,
        ) % {"count": count}
    return ngettext(
        "%(count)d item without text (%(kind)s) skipped",
        "%(count)d items without text (%(kind)s) skipped",
        count,
    ) % {"count": count, "kind": kind}


def _moved(record: WireItem, link: str, by_link: dict[str, WireItem]) -> bool:
    """Whether the agency moved the item to a new address, which no other item holds
    (links are unique: an address another item has stays with that one)."""
    return link != record.link and link not in by_link


def _adopt(record: WireItem, feed: WireFeed, result: FetchResult) -> bool:
    """Whether ``feed`` takes over an item whose feed was deleted (a feed deleted and
    added again brings the same items): it becomes that item's feed from now on."""
    if record.feed_id is not None:
        return False
    if not result.dry_run:
        # Unless another feed took it over a moment ago.
        if not WireItem.objects.filter(pk=record.pk, feed=None).update(feed=feed):
            return False
    record.feed = feed
    return True


def _imported_elsewhere(feed_name: str, count: int) -> str:
    if not feed_name:
        return ngettext(
            "%(count)d item already imported from another feed",
            "%(count)d items already imported from another feed",
            count,
        ) % {"count": count}
    return ngettext(
        "%(count)d item already imported from feed %(name)s",
        "%(count)d items already imported from feed %(name)s",
        count,
    ) % {"count": count, "name": feed_name}


def _import_one(
    feed: WireFeed,
    record: WireItem | None,
    item: FeedItem,
    upload,
    result: FetchResult,
    decision: Decision | None,
) -> str:
    """Import, or update, one item in a transaction; the action taken (a ``Decision``
    action, or "" for an update or an item another fetch imported meanwhile)."""
    guid, link = item.guid, item.normalised_link
    for attempt in (1, 2, 3):
        try:
            with transaction.atomic():
                if record is not None and not _ruled_out(record):
                    _update(feed, record, item, decision)
                    result.updated += 1
                    return ""
                _take(feed, record, item, decision, upload)
                if decision.action == SKIP:
                    result.skipped += 1
                    return SKIP
                result.imported += 1
                if not source_url(feed, item):
                    result.notes.append(
                        gettext(
                            "imported as a draft: add the report's web address to its "
                            "Source block: %(title)s"
                        )
                        % {"title": item.title[:200]}
                    )
                return decision.action
        except (IntegrityError, ValidationError) as error:
            if isinstance(error, ValidationError) and "slug" not in getattr(
                error, "error_dict", {}
            ):
                raise
            if record is not None:
                # A skipped item a rule now takes: its article, rolled back, is made again.
                record.article = record.imported_revision = None
                if attempt < 3:
                    continue
            known = Q(link=link) | (Q(guid=guid) if guid else Q(pk__in=[]))
            if record is None and attempt < 3 and not WireItem.objects.filter(known).exists():
                # Not a duplicate: a concurrent import into the same section took the page
                # tree position or the slug this one was given. Again, with fresh ones.
                continue
            # Imported meanwhile by another fetch (of this feed or another).
            result.skipped += 1
            return ""
    return ""


def _take(
    feed: WireFeed, record: WireItem | None, item: FeedItem, decision: Decision, upload
) -> WireItem:
    """Record an item as the rules decided, with its article unless a rule skips it; a
    skipped item (``record``) that a newer version's rule takes gets its article now."""
    created = record is None
    if created:
        record = WireItem(feed=feed, guid=item.guid, link=item.normalised_link)
    record.title, record.text, record.fingerprint = item.title, item.html, item.fingerprint
    record.published_at = item.published_at
    record.section = decision.section
    record.decision, record.decided_by = decision.action, decision.decided_by
    _record_metadata(record, item)
    record.save(force_insert=created)
    _set_subjects(record, item, created=created)
    if created:
        stories.group(record)
    if decision.action != SKIP:
        record.article, record.imported_revision = _create_article(feed, item, decision, upload)
        record.save(update_fields=["article", "imported_revision"])
    return record


def _image_for(item: FeedItem, result: FetchResult):
    if not item.image_url or not get_setting("FEED_IMPORT_IMAGES"):
        return None
    try:
        return download_image(item.image_url)
    except ImageError as error:
        # The article is imported without it: an image never holds up a report.
        result.images_failed += 1
        result.notes.append(gettext("image not imported: %(error)s") % {"error": error})
        return None


def _claim(feed_id: int) -> bool:
    now = timezone.now()
    free = Q(fetching_since__isnull=True) | Q(fetching_since__lt=now - CLAIM_TIMEOUT)
    try:
        return WireFeed.objects.filter(free, pk=feed_id).update(fetching_since=now) == 1
    except OperationalError as error:
        if not _locked(error):
            raise
        # SQLite locks the whole database while another process writes (an import): the
        # claim waited out the busy timeout. The feed is busy, as it would be on
        # PostgreSQL, and the other feeds are tried.
        return False


def _locked(error: OperationalError) -> bool:
    """SQLite's "database is locked" (or "database table is locked")."""
    vendor = connections[router.db_for_write(WireFeed)].vendor
    return vendor == "sqlite" and "is locked" in str(error)


def fetch(feed_id: int, *, dry_run: bool = False, content: bytes | None = None) -> FetchResult:
    """Download, parse and import one feed, and record how it went on the feed.

    Given ``content`` (a feed file's bytes), nothing is downloaded: the bytes go through
    the same parsing and import as a fetched feed's (the sandbox's demo feed, a replay).
    """
    result = FetchResult(feed_id=feed_id, dry_run=dry_run)
    feed = WireFeed.objects.select_related("section", "disclaimer").filter(pk=feed_id).first()
    if feed is None:
        result.error = gettext("There is no feed %(id)s.") % {"id": feed_id}
        return result
    result.feed_name = feed.name
    if content is None and not feed.polled:
        # Not an error of the feed's: it has no address or folder, and waits for pushes.
        result.error = gettext("The agency pushes this feed's items: there is nothing to fetch.")
        return result
    if not dry_run and not _claim(feed_id):
        result.busy = True
        return result
    try:
        if content is not None:
            _import_content(feed, content, result)
        elif feed.folder:
            _import_folder(feed, result)
        else:
            _fetch(feed, result)
    finally:
        if not dry_run:
            _record(feed, result)
    return result


def deliver(feed_id: int, content: bytes, *, via: str) -> FetchResult:
    """Import one document pushed to an active feed (``via`` "push" or "websub"), through
    the same reading and import as a fetched one, and record how it went as the feed's
    last delivery.

    Unlike a fetch, it takes no claim on the feed: an agency may push several items
    at once, and WireItem's constraints, not the claim, keep each item once. Nor does
    it touch the fetch's state (its schedule, ETag, counts).
    """
    result = FetchResult(feed_id=feed_id)
    feed = (
        WireFeed.objects.select_related("section", "disclaimer")
        .filter(pk=feed_id, is_active=True)
        .first()
    )
    if feed is None:
        result.error = gettext("There is no active feed %(id)s.") % {"id": feed_id}
        return result
    result.feed_name = feed.name
    _import_content(feed, content, result)
    lines = [result.summary(), *(" ".join(note.split()) for note in result.notes)]
    push.record_delivery(feed.pk, "\n".join(lines))
    logger.info("Delivery (%s) to feed %s: %s", via, feed.pk, lines[0])
    return result


def _fetch(feed: WireFeed, result: FetchResult) -> None:
    try:
        response = download(
            _next_url(feed),
            accept=FEED_ACCEPT,
            etag="" if result.dry_run else feed.etag,
            last_modified="" if result.dry_run else feed.last_modified,
        )
        if response.status == 304:
            result.not_modified = True
            return
        if response.content_type not in FEED_TYPES:
            raise FeedError(
                gettext("The server sent %(type)s, not a feed.") % {"type": response.content_type}
            )
        parsed = read_document(response.content, feed.format)
    except (DownloadError, FeedError) as error:
        result.error = str(error)
        return
    feed.etag, feed.last_modified = response.etag[:255], response.last_modified[:255]
    feed.next_page_url = parsed.next_page[:2048]
    if feed.delivery == WireFeed.Delivery.WEBSUB and not result.dry_run:
        websub.discovered(feed, response.links + parsed.links, response.url)
    result.warning = parsed.warning
    import_items(feed, parsed.items, result)


def _import_content(feed: WireFeed, content: bytes, result: FetchResult) -> None:
    try:
        parsed = read_document(content, feed.format)
    except FeedError as error:
        result.error = str(error)
        return
    result.warning = parsed.warning
    import_items(feed, parsed.items, result)


def _next_url(feed: WireFeed) -> str:
    """The feed's address, or the page its API said to ask for next, if that is on the
    same host (a response never sends the feed elsewhere)."""
    cursor = feed.next_page_url
    if cursor and urlsplit(cursor).hostname == urlsplit(feed.url).hostname:
        return cursor
    return feed.url


def _import_folder(feed: WireFeed, result: FetchResult) -> None:
    """Every file of the feed's drop folder that is ready, through the same reading and
    import as a downloaded document; each filed away in done/ or failed/ after."""
    try:
        folder = drop_folder_path(feed.folder)
    except ValidationError as error:
        result.error = " ".join(error.messages)
        return
    files, waiting = drop.ready_files(folder, get_setting("FEED_DROP_SETTLE_SECONDS"))
    for path in files:
        try:
            parsed = read_document(drop.read(path, get_setting("FEED_MAX_BYTES")), feed.format)
        except (FeedError, drop.TooLarge, OSError) as error:
            message = _file_error(error)
            result.notes.append(
                gettext("%(file)s not imported: %(error)s") % {"file": path.name, "error": message}
            )
            result.warning = result.notes[-1]
            if not result.dry_run:
                drop.file_away(path, drop.FAILED, message)
            continue
        if parsed.warning:
            result.warning = parsed.warning
        import_items(feed, parsed.items, result)
        if not result.dry_run:
            drop.file_away(path, drop.DONE)
    if waiting:
        result.notes.append(
            ngettext(
                "%(count)d file still being written waits for the next fetch",
                "%(count)d files still being written wait for the next fetch",
                waiting,
            )
            % {"count": waiting}
        )


def _file_error(error: Exception) -> str:
    if isinstance(error, drop.TooLarge):
        return gettext("the file is larger than FEED_MAX_BYTES allows")
    if isinstance(error, OSError):
        return gettext("the file could not be read (%(reason)s)") % {
            "reason": error.strerror or error.__class__.__name__
        }
    return str(error)


def _record(feed: WireFeed, result: FetchResult) -> None:
    now = timezone.now()
    feed.last_fetched_at = now
    feed.fetching_since = None
    fields = ["last_fetched_at", "fetching_since"]
    if result.error:
        feed.last_error = result.error
        feed.failing_since = feed.failing_since or now
        fields += ["last_error", "failing_since"]
    elif result.not_modified:
        # A 304 writes nothing but the fetch time (and ends a failure, if any).
        if feed.last_error:
            feed.last_error, feed.failing_since, feed.last_success_at = "", None, now
            fields += ["last_error", "failing_since", "last_success_at"]
    else:
        feed.last_success_at = now
        feed.last_error, feed.failing_since = "", None
        feed.last_imported, feed.last_updated = result.imported, result.updated
        feed.last_skipped = result.skipped
        feed.last_notes = "\n".join(" ".join(note.split()) for note in result.notes)
        feed.last_warning = result.warning
        fields += [
            "last_success_at", "last_error", "failing_since", "etag", "last_modified",
            "last_imported", "last_updated", "last_skipped", "last_notes", "last_warning",
            "next_page_url",
        ]  # fmt: skip
    WireFeed.objects.filter(pk=feed.pk).update(**{name: getattr(feed, name) for name in fields})


def due_feed_ids(now=None) -> list[int]:
    now = now or timezone.now()
    feeds = WireFeed.objects.filter(is_active=True).select_related("websub")
    return [feed.pk for feed in feeds if feed.is_due(now)]
