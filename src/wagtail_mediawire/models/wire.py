"""Agency feeds (``WireFeed``) and the provenance of each item imported from one
(``WireItem``)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from ..fields import HttpURLField
from ..text import keywords
from ..validators import drop_folder_path, language_tags, topic_codes
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


class WireFeed(ClusterableModel):
    class Delivery(models.TextChoices):
        POLL = "poll", _("Fetched on schedule")
        PUSH = "push", _("Pushed by the agency (signed deliveries to the push address)")
        WEBSUB = "websub", _("WebSub: subscribed to the feed's hub")

    class PublishMode(models.TextChoices):
        DRAFT = "draft", _("Drafts for review")
        PUBLISH = "publish", _("Publish at once")
        SKIP = "skip", _("Skip (only the items a rule takes are imported)")

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
    quiet_after = models.PositiveIntegerField(
        _("quiet after (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Flag the feed as quiet when it has brought no new or updated item for this "
            "long. Leave empty for four fetch intervals."
        ),
    )
    unpublish_merged_on_kill = models.BooleanField(
        _("take down merged articles when this agency kills a report"),
        default=True,
        help_text=_(
            "An article merged from several agencies' reports is flagged for review when "
            "one of this agency's reports in it is killed or withheld; with this, it is "
            "also unpublished at once."
        ),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)
    # When the feed last brought a new or updated item, fetched or pushed.
    last_item_at = models.DateTimeField(_("last new item"), null=True, blank=True, editable=False)

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
                FieldPanel("quiet_after"),
            ],
            heading=_("Fetching"),
        ),
        InlinePanel(
            "rules",
            heading=_("Rules"),
            label=_("Rule"),
            help_text=_(
                "Each item the feed brings, new or updated at the source, is taken by the "
                "first rule it matches, top to bottom; an item no rule matches gets the "
                "feed's “new items” choice in its section. Rules never touch an article an "
                "editor has worked on."
            ),
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
    def quiet_minutes(self) -> int:
        """How long the feed may bring nothing before it is flagged as quiet."""
        return self.quiet_after or 4 * self.fetch_interval

    def quiet_since(self, now=None) -> datetime | None:
        """Since when an active feed has brought nothing, if that is longer than its
        ``quiet_after``; None when it is not quiet (or not active)."""
        now = now or timezone.now()
        since = self.last_item_at or self.created_at
        if not self.is_active or since is None:
            return None
        return since if since + timedelta(minutes=self.quiet_minutes) <= now else None

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


URGENCY_VALIDATORS = [MinValueValidator(1), MaxValueValidator(9)]


class WireFeedRule(Orderable):
    """One of a feed's rules (``ingest/rules.py``): which items it takes, and what
    becomes of them. The first rule an item matches decides."""

    class Action(models.TextChoices):
        DRAFT = "draft", _("Draft for review")
        PUBLISH = "publish", _("Publish at once")
        SKIP = "skip", _("Skip")

    feed = ParentalKey(WireFeed, on_delete=models.CASCADE, related_name="rules")
    include_keywords = models.TextField(
        _("any of these words"),
        blank=True,
        help_text=_(
            "One word or phrase a line (or separated by commas): the item's headline or "
            "text must contain one of them, as whole words. Capitals and accents do not "
            "matter. Leave empty for any item."
        ),
    )
    exclude_keywords = models.TextField(
        _("none of these words"),
        blank=True,
        help_text=_("The same, for words the item must not contain."),
    )
    minimum_urgency = models.PositiveSmallIntegerField(
        _("at least this urgent"),
        null=True,
        blank=True,
        validators=URGENCY_VALIDATORS,
        help_text=_(
            "From 1 (flash) to 9: the item's urgency must be this number or lower. An item "
            "without an urgency does not match. Leave empty for any urgency."
        ),
    )
    languages = models.CharField(
        _("languages"),
        max_length=255,
        blank=True,
        help_text=_(
            "Language tags, separated by commas (en, de, fa): “en” takes en-GB and en-US "
            "as well. An item whose language is not given does not match. Leave empty for "
            "any language."
        ),
    )
    topics = models.TextField(
        _("IPTC Media Topics"),
        blank=True,
        help_text=_(
            "Media Topic codes, separated by commas or a line each (medtop:15000000 or "
            "15000000): the item must carry one of them. Leave empty for any topic."
        ),
    )
    action = models.CharField(
        _("then"), max_length=16, choices=Action.choices, default=Action.DRAFT
    )
    section = models.ForeignKey(
        MediaWireIndexPage,
        verbose_name=_("in section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the rule's items become articles. Leave empty for the feed's section."),
    )

    panels = [
        FieldPanel("include_keywords"),
        FieldPanel("exclude_keywords"),
        FieldPanel("minimum_urgency"),
        FieldPanel("languages"),
        FieldPanel("topics"),
        FieldPanel("action"),
        FieldPanel("section"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("feed rule")
        verbose_name_plural = _("feed rules")

    def __str__(self) -> str:
        return _("Rule %(number)s") % {"number": (self.sort_order or 0) + 1}

    def clean(self) -> None:
        super().clean()
        errors = {}
        for name, read in (
            ("include_keywords", keywords),
            ("exclude_keywords", keywords),
            ("languages", language_tags),
            ("topics", topic_codes),
        ):
            try:
                read(getattr(self, name), strict=True)
            except ValueError as error:
                errors[name] = str(error)
        if errors:
            raise ValidationError(errors)


class WireSubject(models.Model):
    """A subject an agency gave an item (an IPTC Media Topic, a category), by its code."""

    code = models.CharField(_("code"), max_length=255, unique=True)
    name = models.CharField(_("name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("wire subject")
        verbose_name_plural = _("wire subjects")
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name or self.code


class WireStory(models.Model):
    """One story as several items tell it: other agencies' reports of the same event,
    and an agency's rewrites under a new id (``ingest/stories.py`` groups them)."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("wire story")
        verbose_name_plural = _("wire stories")

    def __str__(self) -> str:
        return gettext("Story %(number)d") % {"number": self.pk}


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
    language = models.CharField(_("language"), max_length=35, blank=True)
    subjects = models.ManyToManyField(
        WireSubject, verbose_name=_("subjects"), blank=True, related_name="items"
    )
    # The wire queue: when the last version came, where the item went (the feed's
    # section, or a rule's), what was decided and by which rule (ingest/rules.py).
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    section = models.ForeignKey(
        MediaWireIndexPage,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Decision(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISH = "publish", _("published at once")
        SKIP = "skip", _("skipped")

    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.DRAFT
    )
    decided_by = models.CharField(_("decided by"), max_length=512, blank=True)
    # Discarded from the wire queue: kept, so that it is never imported again.
    discarded_at = models.DateTimeField(_("discarded"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("discarded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The story it tells (``ingest/stories.py``): its text's MinHash signature, found
    # again through ``WireStoryKey``.
    story = models.ForeignKey(
        WireStory,
        verbose_name=_("story"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        editable=False,
    )
    signature = models.BinaryField(blank=True, editable=False)
    # The article an editor merged the story into, with a Source block for this item.
    merged_into = models.ForeignKey(
        MediaWireArticlePage,
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_items",
        editable=False,
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
    def untouched_draft(self) -> bool:
        """Its article is as the import made it: still a draft, no later revision, not
        locked, not in a workflow. Only such an article may the wire change or discard;
        anything else is an editor's work."""
        article = self.article
        return (
            article is not None
            and not article.live
            and not article.locked
            and article.latest_revision_id == self.imported_revision_id
            and not article.workflow_in_progress
        )

    @property
    def is_withdrawn(self) -> bool:
        """Killed or withheld by the agency, and no newer usable version since: its
        article may not be published."""
        return self.withdrawn_at is not None


class WireStoryKey(models.Model):
    """One band of an item's signature, hashed: items that share a key are candidates
    for the same story (locality-sensitive hashing), found through one index whatever
    the number of items."""

    item = models.ForeignKey(WireItem, on_delete=models.CASCADE, related_name="story_keys")
    key = models.BigIntegerField()

    class Meta:
        verbose_name = _("wire story key")
        verbose_name_plural = _("wire story keys")
        # A key's newest items, read in order from the index (ingest/stories.py).
        indexes = [models.Index(fields=["key", "item"], name="mw_story_key_item")]

    def __str__(self) -> str:
        return str(self.key)


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
