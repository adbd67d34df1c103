"""A feed's rules (``WireFeedRule``): which of its items become drafts, which are
published at once, which are skipped, and in which section.

The first rule an item matches decides, top to bottom, as in Superdesk's routing
schemes and a mail program's filters; an item no rule takes gets the feed's own
choice ("new items") in the feed's section. The importer asks for every item it
imports and for every newer version of one, but it changes only what the import made
and nobody touched since (``WireItem.untouched_draft``): never an editor's work.
"""

from dataclasses import dataclass
from html import unescape

from django.utils.html import strip_tags
from django.utils.translation import gettext

from ..models import MediaWireIndexPage, WireFeed, WireFeedRule, WireItem
from ..text import has_words, keywords, word_text
from ..validators import language_tag, language_tags, media_topic, topic_codes
from .item import FeedItem
from .permissions import publishing_withheld

DRAFT, PUBLISH, SKIP = WireItem.Decision.DRAFT, WireItem.Decision.PUBLISH, WireItem.Decision.SKIP


@dataclass(frozen=True)
class Decision:
    action: str  # DRAFT, PUBLISH or SKIP
    section: MediaWireIndexPage
    decided_by: str  # for the wire queue: which rule, or the feed's own choice


@dataclass(frozen=True)
class Rule:
    """A ``WireFeedRule`` read once per import: its words folded, its tags parsed."""

    number: int
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    minimum_urgency: int | None
    languages: tuple[str, ...]
    topics: frozenset[str]
    action: str
    section: MediaWireIndexPage | None

    @classmethod
    def read(cls, rule: WireFeedRule, number: int) -> "Rule":
        return cls(
            number=number,
            include=tuple(keywords(rule.include_keywords)),
            exclude=tuple(keywords(rule.exclude_keywords)),
            minimum_urgency=rule.minimum_urgency,
            languages=tuple(language_tags(rule.languages)),
            topics=frozenset(topic_codes(rule.topics)),
            action=rule.action,
            section=rule.section,
        )

    def matches(self, item: FeedItem, text_words: str) -> bool:
        if self.include and not any(has_words(text_words, word) for word in self.include):
            return False
        if any(has_words(text_words, word) for word in self.exclude):
            return False
        if self.minimum_urgency is not None and (
            item.urgency is None or item.urgency > self.minimum_urgency
        ):
            return False
        if self.languages and not language_matches(item.language, self.languages):
            return False
        if self.topics and not self.topics & {media_topic(code) for code, _ in item.subjects}:
            return False
        return True

    def describe(self) -> str:
        """The rule in a line, as the wire queue shows what decided."""
        said = []
        if self.include:
            said.append(gettext("any of %(words)s") % {"words": _quoted(self.include)})
        if self.exclude:
            said.append(gettext("none of %(words)s") % {"words": _quoted(self.exclude)})
        if self.minimum_urgency is not None:
            said.append(gettext("urgency 1–%(urgency)d") % {"urgency": self.minimum_urgency})
        if self.languages:
            said.append(gettext("in %(languages)s") % {"languages": ", ".join(self.languages)})
        if self.topics:
            said.append(gettext("topics %(topics)s") % {"topics": ", ".join(sorted(self.topics))})
        return gettext("Rule %(number)d (%(conditions)s)") % {
            "number": self.number,
            "conditions": "; ".join(said) or gettext("every item"),
        }


def _quoted(words: tuple[str, ...]) -> str:
    return ", ".join(f"“{word}”" for word in words)


def language_matches(language: str, tags: tuple[str, ...]) -> bool:
    """Whether an item in ``language`` is in one of ``tags``: "en" takes "en-gb"."""
    language = language_tag(language)
    return bool(language) and any(language == tag or language.startswith(f"{tag}-") for tag in tags)


def item_words(item: FeedItem) -> str:
    """What a rule's words are looked for in: the headline and the text, as words."""
    return word_text(f"{item.title}\n{unescape(strip_tags(item.html))}")


class Rules:
    """One import's decisions for one feed: its rules read once (one query), and each
    section's publishing permission asked once."""

    def __init__(self, feed: WireFeed) -> None:
        self.feed = feed
        rules = feed.rules.select_related("section").order_by("sort_order", "pk")
        self.rules = [Rule.read(rule, number) for number, rule in enumerate(rules, start=1)]
        self._withheld: dict[int, str] = {}
        self.notes: list[str] = []  # each "kept as a draft" reason, once

    def decide(self, item: FeedItem) -> Decision:
        feed = self.feed
        text_words = item_words(item) if self.rules else ""
        for rule in self.rules:
            if rule.matches(item, text_words):
                action, section, decided_by = rule.action, rule.section, rule.describe()
                break
        else:
            action, section = feed.publish_mode, None
            decided_by = gettext("The feed's choice: %(choice)s") % {
                "choice": feed.get_publish_mode_display()
            }
        section = section or feed.section
        if action == PUBLISH and (why := self._withheld_in(section)):
            action, decided_by = DRAFT, f"{decided_by}; {why}"
        return Decision(action=action, section=section, decided_by=decided_by[:512])

    def _withheld_in(self, section: MediaWireIndexPage) -> str:
        if section.pk not in self._withheld:
            why = publishing_withheld(self.feed, section)
            self._withheld[section.pk] = why
            if why:
                self.notes.append(why)
        return self._withheld[section.pk]
