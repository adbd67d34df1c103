"""Agency feeds (``WireFeed``) and the provenance of each item imported from one
(``WireItem``)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from ..fields import HttpURLField
from ..validators import drop_folder_path
from .disclaimer import Disclaimer
from .pages import MediaWireArticlePage, MediaWireIndexPage

# A worker that died while fetching frees its feed after this long.
CLAIM_TIMEOUT = timedelta(minutes=30)
# A fetch takes seconds (each download is bounded by FEED_TIMEOUT); a claim this old
# more likely belongs to a worker that stopped than to one still at work.
CLAIM_STALE_AFTER = timedelta(minutes=5)


def owner_removed(collector, field, sub_objs, using) -> None:
    """``on_delete`` of ``WireFeed.owner``: the owner's account is deleted, so nobody
    answers any more for publishing at once, and the feed goes on importing drafts.

    Without this, the feed would look like one made in code (no owner), which
    publishes at once unchecked.
    """
    models.SET_NULL(collector, field, sub_objs, using)
    publish_mode = field.model._meta.get_field("publish_mode")
    collector.add_field_update(publish_mode, WireFeed.PublishMode.DRAFT, sub_objs)


class WireFeed(models.Model):
    class Delivery(models.TextChoices):
        POLL = "poll", _("Fetched on schedule")
        PUSH = "push", _("Pushed by the agency (signed deliveries to the push address)")
        WEBSUB = "websub", _("WebSub: subscribed to the feed's hub")

    class PublishMode(models.TextChoices):
        DRAFT = "draft", _("Drafts for review")
        PUBLISH = "publish", _("Publish at once")

    class Format(models.TextChoices):
        AUTO = "auto", _("Detect from the content")
        RSS = "rss", _("RSS or Atom")
        NINJS = "ninjs", _("IPTC ninjs (1.x, 2.x, 3.x)")
        AP_MEDIA = "ap-media", _("AP Media API")
        NEWSML_G2 = "newsml-g2", _("IPTC NewsML-G2")
        NITF = "nitf", _("IPTC NITF")

    name = models.CharField(_("name"), max_length=255)
    url = HttpURLField(
        _("feed URL"),
        max_length=2048,
        blank=True,
        help_text=_("An RSS or Atom feed, or an agency's ninjs, NewsML-G2, NITF or API address."),
    )
    folder = models.CharField(
        _("drop folder"),
        max_length=512,
        blank=True,
        help_text=_(
            "Instead of an address: the folder, under the site's drop folder, that the "
            "agency delivers files into. Each file is imported once, then moved to done/ "
            "(or failed/, with its error beside it)."
        ),
    )
    format = models.CharField(
        _("format"),
        max_length=16,
        choices=Format.choices,
        default=Format.AUTO,
        blank=True,  # an older form or script that does not send it means "auto"
        help_text=_("What the address delivers; detected from its content unless chosen."),
    )
    delivery = models.CharField(
        _("delivery"),
        max_length=8,
        choices=Delivery.choices,
        default=Delivery.POLL,
        blank=True,  # an older form or script that does not send it means "poll"
        help_text=_(
            "Fetched on schedule from the address or the drop folder; pushed by the agency, "
            "signed with the feed's push secret, to its push address (an address given as "
            "well is still fetched on schedule, to catch what a push missed); or delivered "
            "by the WebSub hub the feed names, polled only while the hub does not deliver."
        ),
    )
    section = models.ForeignKey(
        MediaWireIndexPage,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="wire_feeds",
        help_text=_("Where its items become articles."),
    )
    source_name = models.CharField(
        _("source name"),
        max_length=255,
        help_text=_("The agency, written into the Source block of each article."),
    )
    source_url = HttpURLField(
        _("source web address"),
        max_length=2048,
        blank=True,
        help_text=_(
            "The agency's page readers can visit, for the Source block of items that have "
            "no web address of their own."
        ),
    )
    disclaimer = models.ForeignKey(
        Disclaimer,
        verbose_name=_("disclaimer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Added to each article. Leave empty for the section's default."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    publish_mode = models.CharField(
        _("new items"), max_length=16, choices=PublishMode.choices, default=PublishMode.DRAFT
    )
    retention_days = models.PositiveIntegerField(
        _("keep online (days)"),
        null=True,
        blank=True,
        help_text=_(
            "How long this agency's copy may stay online, for items that carry no expiry "
            "of their own. Leave empty for no limit."
        ),
    )
    fetch_interval = models.PositiveIntegerField(
        _("fetch every (minutes)"), default=15, help_text=_("For mediawire_fetch_feeds --due.")
    )

    # Fetch state, written by the fetch task only.
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    etag = models.CharField(max_length=255, blank=True)
    # Where the next fetch asks, when the agency's API gave a cursor (AP's next_page).
    next_page_url = models.CharField(max_length=2048, blank=True, editable=False)
    last_modified = models.CharField(max_length=255, blank=True)
    last_imported = models.PositiveIntegerField(_("imported"), default=0)
    last_updated = models.PositiveIntegerField(_("updated"), default=0)
    last_skipped = models.PositiveIntegerField(_("skipped"), default=0)
    # The last successful fetch's warning: read, but not as the feed declares itself
    # (bytes that contradict its character encoding). Empty when all was well.
    last_warning = models.TextField(_("last warning"), blank=True)
    # A claim on the feed while one worker fetches it; a crashed worker's claim expires.
    fetching_since = models.DateTimeField(null=True, blank=True, editable=False)
    # What the last fetch with content noted, one line each (an image not imported…).
    last_notes = models.TextField(_("last notes"), blank=True)
    # Push delivery: the secret that signs the agency's deliveries (never shown again
    # once the editor has copied it), and the one it replaced while its grace lasts.
    push_secret = models.CharField(max_length=128, blank=True, editable=False)
    push_secret_previous = models.CharField(max_length=128, blank=True, editable=False)
    push_secret_previous_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The last push or WebSub delivery: when it came, and what became of it.
    last_delivery_at = models.DateTimeField(
        _("last delivery"), null=True, blank=True, editable=False
    )
    last_delivery_result = models.TextField(_("last delivery's result"), blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        editable=False,
        on_delete=owner_removed,
        related_name="+",
        help_text=_(
            "Who last saved the feed in the admin: new items are published at once only "
            "while they may publish in the section."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("url"),
        FieldPanel("folder"),
        FieldPanel("format"),
        FieldPanel("delivery"),
        FieldPanel("section"),
        FieldPanel("source_name"),
        FieldPanel("source_url"),
        FieldPanel("disclaimer"),
        MultiFieldPanel(
            [
                FieldPanel("is_active"),
                FieldPanel("publish_mode"),
                FieldPanel("retention_days"),
                FieldPanel("fetch_interval"),
            ],
            heading=_("Fetching"),
        ),
    ]

    class Meta:
        verbose_name = _("wire feed")
        verbose_name_plural = _("wire feeds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.delivery == self.Delivery.WEBSUB and not self.url:
            raise ValidationError(
                {"url": _("A WebSub feed needs its address: the hub is found there.")}
            )
        if self.delivery == self.Delivery.WEBSUB and self.folder:
            raise ValidationError({"folder": _("A WebSub feed is delivered by its hub.")})
        if self.url and self.folder:
            message = _("Give the feed's address or its drop folder, not both.")
            raise ValidationError({"url": message, "folder": message})
        if not self.url and not self.folder and self.delivery != self.Delivery.PUSH:
            message = _("Give the feed's address or its drop folder, one of them.")
            raise ValidationError({"url": message, "folder": message})
        if self.folder:
            try:
                drop_folder_path(self.folder)
            except ValidationError as error:
                raise ValidationError({"folder": error}) from None

    @property
    def polled(self) -> bool:
        """Whether the schedule fetches it: it has an address or a drop folder."""
        return bool(self.url or self.folder)

    def is_due(self, now=None) -> bool:
        now = now or timezone.now()
        if not self.polled or self.websub_live(now):
            return False  # nothing to fetch, or the hub delivers
        if self.last_fetched_at is None:
            return True
        return self.last_fetched_at + timedelta(minutes=self.fetch_interval) <= now

    def websub_live(self, now=None) -> bool:
        """A WebSub feed whose hub confirmed a subscription that has not ended."""
        if self.delivery != self.Delivery.WEBSUB:
            return False
        try:
            subscription = self.websub
        except WebSubSubscription.DoesNotExist:
            return False
        return subscription.is_live(now)

    def push_secrets(self, now=None) -> list[str]:
        """The secrets a push delivery may be signed with: the current one, and the one
        it replaced until its grace period ends."""
        now = now or timezone.now()
        secrets = [self.push_secret] if self.push_secret else []
        until = self.push_secret_previous_until
        if self.push_secret_previous and until is not None and until > now:
            secrets.append(self.push_secret_previous)
        return secrets

    @property
    def claim_freed_at(self) -> datetime | None:
        """When a worker's claim on the feed expires, if one holds it."""
        return self.fetching_since + CLAIM_TIMEOUT if self.fetching_since else None

    def claim_held(self, now=None) -> bool:
        """A worker's claim holds the feed: another fetch would skip it."""
        now = now or timezone.now()
        return self.fetching_since is not None and self.claim_freed_at > now

    @property
    def state(self) -> str:
        if self.fetching_since is not None:
            # What is happening now comes before how the last fetch went.
            if self.fetching_since > timezone.now() - CLAIM_STALE_AFTER:
                return "fetching"
            return "stalled"
        if not self.is_active:
            return "inactive"
        if self.last_error:
            return "failing"
        if self.last_success_at is None:
            return "new"
        return "ok"


class WireItem(models.Model):
    """One agency item as received, and the article made of it.

    It outlives its article: an item whose article an editor deleted is not imported
    again. The unique constraints stop two fetches at once from importing it twice.
    """

    feed = models.ForeignKey(
        WireFeed, null=True, on_delete=models.SET_NULL, related_name="items", editable=False
    )
    article = models.OneToOneField(
        MediaWireArticlePage,
        null=True,
        on_delete=models.SET_NULL,
        related_name="wire_item",
        editable=False,
    )
    guid = models.CharField(max_length=1024, blank=True)
    link = models.CharField(max_length=2048, blank=True, help_text="Normalised.")
    title = models.CharField(max_length=1024, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The agency's text as received (sanitised), and its fingerprint.
    text = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The agency changed the item after an editor took over the article: its new text
    # waits here for the editor, never written over their work.
    updated_at_source = models.BooleanField(default=False)
    source_title = models.CharField(max_length=1024, blank=True)
    source_text = models.TextField(blank=True)

    # What the agency said about the item beyond its text (ingest/item.py), as of the
    # last version read.
    class Status(models.TextChoices):
        USABLE = "usable", _("usable")
        WITHHELD = "withheld", _("withheld")
        CANCELED = "canceled", _("canceled")

    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.USABLE
    )
    embargoed_until = models.DateTimeField(_("embargoed until"), null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgency"), null=True, blank=True)
    signals = models.JSONField(_("signals"), default=list, blank=True)
    # For editors only: shown in the admin, never in the article or any public output.
    ednote = models.TextField(_("editor's note"), blank=True)
    usage_terms = models.TextField(_("usage terms"), blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # When the agency killed or withheld it (ingest/lifecycle.py), and what it said.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)
    # The agency's correction of a published article, as a revision for the desk to
    # review (compare with the live one) and publish: not published by itself.
    correction_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("wire item")
        verbose_name_plural = _("wire items")
        constraints = [
            models.UniqueConstraint(fields=["guid"], condition=~Q(guid=""), name="mw_item_guid"),
            models.UniqueConstraint(fields=["link"], condition=~Q(link=""), name="mw_item_link"),
        ]

    def __str__(self) -> str:
        return self.title or self.link or self.guid

    @property
    def is_withdrawn(self) -> bool:
        """Killed or withheld by the agency, and no newer usable version since: its
        article may not be published."""
        return self.withdrawn_at is not None


class WebSubSubscription(models.Model):
    """A WebSub feed's subscription at its hub (W3C WebSub): what was asked, what the hub
    confirmed, and until when (``ingest/websub.py``)."""

    class Pending(models.TextChoices):
        NOTHING = "", _("nothing")
        SUBSCRIBE = "subscribe", _("subscription")
        UNSUBSCRIBE = "unsubscribe", _("unsubscription")

    feed = models.OneToOneField(
        WireFeed, on_delete=models.CASCADE, primary_key=True, related_name="websub"
    )
    hub = models.CharField(_("hub"), max_length=2048, blank=True)
    topic = models.CharField(_("topic"), max_length=2048, blank=True)
    # Given to the hub, which signs each delivery with it; nobody else ever sees it.
    secret = models.CharField(max_length=128)
    # What was asked of the hub and awaits its verification request, and since when.
    pending = models.CharField(max_length=16, choices=Pending.choices, blank=True)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    verified_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    lease_ends_at = models.DateTimeField(_("lease ends"), null=True, blank=True)
    # Why the feed is polled instead: the hub refused, denied, or could not be asked.
    error = models.TextField(_("error"), blank=True)
    # The strongest signature method the hub has used: a weaker one is refused after.
    signed_with = models.CharField(max_length=8, blank=True)

    class Meta:
        verbose_name = _("WebSub subscription")
        verbose_name_plural = _("WebSub subscriptions")

    def __str__(self) -> str:
        return self.topic or str(self.feed)

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.lease_ends_at is not None and self.lease_ends_at > now
