"""A feed's rules (ingest/rules.py, WireFeedRule): words, urgency, languages and Media
Topics decide whether an item becomes a draft, is published at once or is skipped, and
in which section; the first rule that matches decides, on import and on each newer
version, never over an editor's work. The feed form validates them and holds them to
the user's page permissions."""

import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from wagtail.models import GroupPagePermission

from tests.utils import feed_rules_formset, page_permission
from wagtail_mediawire.factories import MediaWireIndexPageFactory
from wagtail_mediawire.ingest.importer import fetch
from wagtail_mediawire.ingest.parse import parse_feed
from wagtail_mediawire.models import WireFeed, WireFeedRule, WireItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_feeds")]

FEEDS_URL = "/admin/wagtail_mediawire/wirefeed/"
SKIP, DRAFT, PUBLISH = "skip", "draft", "publish"


def story(
    name: str,
    headline: str,
    body: str = "",
    *,
    version: int = 1,
    urgency: int | None = None,
    language: str = "en",
    subjects: tuple[str, ...] = (),
) -> dict:
    item = {
        "uri": f"urn:newsml:northwind.example:2026:{name}",
        "type": "text",
        "version": str(version),
        "versioncreated": "2026-12-03T08:00:00Z",
        "pubstatus": "usable",
        "language": language,
        "headline": headline,
        "body_text": body or headline,
        "altids": [{"role": "url", "value": f"https://northwind.example/{name}"}],
        "subjects": [
            {"uri": f"http://cv.iptc.org/newscodes/mediatopic/{code}", "name": f"topic {code}"}
            for code in subjects
        ],
    }
    if urgency is not None:
        item["urgency"] = urgency
    return item


def document(*stories: dict) -> bytes:
    return json.dumps(list(stories)).encode()


@pytest.fixture
def feed(section):
    return WireFeed.objects.create(
        name="Northwind",
        format=WireFeed.Format.NINJS,
        push_secret="",
        delivery=WireFeed.Delivery.PUSH,
        section=section,
        source_name="Northwind Press Agency",
    )


def rule(feed, **fields) -> WireFeedRule:
    fields.setdefault("sort_order", feed.rules.count())
    return WireFeedRule.objects.create(feed=feed, **fields)


def decided(feed, *stories: dict) -> dict[str, str]:
    """Import ``stories``; each item's title → what became of it."""
    result = fetch(feed.pk, content=document(*stories))
    assert not result.error, result.error
    outcome = {}
    for item in WireItem.objects.filter(feed=feed).select_related("article"):
        if item.article is None:
            outcome[item.title] = SKIP
        else:
            outcome[item.title] = PUBLISH if item.article.live else DRAFT
    return outcome


# Words


def test_include_keywords_match_whole_words_whatever_the_case_and_accents(feed):
    rule(feed, include_keywords="café marée, ferry", action=PUBLISH)
    feed.publish_mode = WireFeed.PublishMode.SKIP
    feed.save()

    outcome = decided(
        feed,
        story("a", "Fire at the CAFE MAREE on the seafront"),
        story("b", "The Ferry resumes"),
        story("c", "Ferrymen strike"),  # not the word "ferry"
        story("d", "Nothing to see", "A quiet day in the café."),  # "café" alone
    )

    assert outcome == {
        "Fire at the CAFE MAREE on the seafront": PUBLISH,
        "The Ferry resumes": PUBLISH,
        "Ferrymen strike": SKIP,
        "Nothing to see": SKIP,
    }


def test_exclude_keywords_skip_an_item_the_rule_would_take(feed):
    rule(feed, include_keywords="election", exclude_keywords="opinion poll", action=SKIP)

    outcome = decided(
        feed,
        story("a", "Election called", "An opinion poll puts the parties level."),
        story("b", "Election called for May"),
    )

    # The first passes the rule (it is excluded), so the feed's choice, drafts, applies.
    assert outcome == {"Election called": DRAFT, "Election called for May": SKIP}


def test_words_in_persian_and_chinese_match(feed):
    rule(feed, include_keywords="زلزله, 地震", action=PUBLISH)
    feed.publish_mode = WireFeed.PublishMode.SKIP
    feed.save()

    outcome = decided(
        feed,
        # Arabic kaf and yeh, a tatweel, where the rule has Persian letters.
        story("fa", "زلـزله در كرمان", language="fa"),
        story("fa-other", "باران در تهران", language="fa"),
        # No spaces between Chinese words: a keyword is looked for anywhere.
        story("zh", "四川发生地震", language="zh"),
        story("zh-other", "四川发生暴雨", language="zh"),
    )

    assert outcome == {
        "زلـزله در كرمان": PUBLISH,
        "باران در تهران": SKIP,
        "四川发生地震": PUBLISH,
        "四川发生暴雨": SKIP,
    }


# Urgency, languages, topics


def test_minimum_urgency_takes_items_as_urgent_or_more(feed):
    rule(feed, minimum_urgency=3, action=PUBLISH)

    outcome = decided(
        feed,
        story("flash", "Flash", urgency=1),
        story("three", "Three", urgency=3),
        story("routine", "Routine", urgency=5),
        story("none", "Unrated"),
    )

    assert outcome == {"Flash": PUBLISH, "Three": PUBLISH, "Routine": DRAFT, "Unrated": DRAFT}


def test_languages_take_regional_variants(feed):
    rule(feed, languages="en", action=SKIP)

    outcome = decided(
        feed,
        story("gb", "In British English", language="en-GB"),
        story("de", "Auf Deutsch", language="de"),
    )

    assert outcome == {"In British English": SKIP, "Auf Deutsch": DRAFT}


def test_media_topics_route_items_to_another_section(feed, section, root_page):
    sport = MediaWireIndexPageFactory(parent=root_page, title="Sport", slug="sport")
    rule(feed, topics="medtop:15000000", section=sport)

    decided(
        feed,
        story("match", "Cup final", subjects=("15000000",)),
        story("vote", "Council vote", subjects=("11000000",)),
    )

    match = WireItem.objects.get(title="Cup final")
    vote = WireItem.objects.get(title="Council vote")
    assert match.article.get_parent().specific == sport and match.section == sport
    assert vote.article.get_parent().specific == section and vote.section == section
    assert list(match.subjects.values_list("code", "name")) == [
        ("medtop:15000000", "topic 15000000")
    ]
    assert match.language == "en"


def test_the_first_rule_that_matches_decides_and_the_queue_says_which(feed):
    rule(feed, include_keywords="storm", action=PUBLISH)
    rule(feed, include_keywords="storm, flood", action=SKIP)

    outcome = decided(
        feed,
        story("storm", "Storm warning"),
        story("flood", "Flood warning"),
        story("other", "Harbour reopens"),
    )

    assert outcome == {"Storm warning": PUBLISH, "Flood warning": SKIP, "Harbour reopens": DRAFT}
    by = dict(WireItem.objects.values_list("title", "decided_by"))
    assert by == {
        "Storm warning": "Rule 1 (any of “storm”)",
        "Flood warning": "Rule 2 (any of “storm”, “flood”)",
        "Harbour reopens": "The feed's choice: Drafts for review",
    }
    decisions = dict(WireItem.objects.values_list("title", "decision"))
    assert decisions == {"Storm warning": PUBLISH, "Flood warning": SKIP, "Harbour reopens": DRAFT}


def test_a_feed_that_skips_imports_only_what_a_rule_takes_and_says_so(feed):
    rule(feed, include_keywords="harbour")
    feed.publish_mode = WireFeed.PublishMode.SKIP
    feed.save()

    result = fetch(
        feed.pk, content=document(story("a", "Harbour reopens"), story("b", "Cat rescued"))
    )

    assert (result.imported, result.skipped) == (1, 1)
    assert "1 item skipped by The feed's choice: Skip" in result.notes[0]
    skipped = WireItem.objects.get(title="Cat rescued")
    assert skipped.article is None and skipped.decision == SKIP


# Each newer version


def test_rules_run_again_on_a_newer_version_of_a_skipped_item(feed):
    rule(feed, include_keywords="ferry", action=PUBLISH)
    feed.publish_mode = WireFeed.PublishMode.SKIP
    feed.save()
    assert decided(feed, story("a", "Harbour news")) == {"Harbour news": SKIP}

    outcome = decided(feed, story("a", "Harbour news: the ferry is back", version=2))

    assert outcome == {"Harbour news: the ferry is back": PUBLISH}
    assert WireItem.objects.count() == 1


def test_a_newer_version_a_rule_publishes_publishes_the_untouched_draft(feed):
    rule(feed, include_keywords="confirmed", action=PUBLISH)
    assert decided(feed, story("a", "Storm expected")) == {"Storm expected": DRAFT}

    outcome = decided(feed, story("a", "Storm confirmed", version=2))

    assert outcome == {"Storm confirmed": PUBLISH}
    assert WireItem.objects.get().decided_by == "Rule 1 (any of “confirmed”)"


def test_rules_never_touch_an_editors_work(feed):
    rule(feed, include_keywords="confirmed", action=PUBLISH)
    decided(feed, story("a", "Storm expected"))
    article = WireItem.objects.get().article
    article.title = "Storm expected tonight (edited)"
    article.save_revision()

    decided(feed, story("a", "Storm confirmed", version=2))

    item = WireItem.objects.get()
    item.article.refresh_from_db()
    assert not item.article.live
    assert item.updated_at_source and item.source_title == "Storm confirmed"
    assert item.decided_by == "The feed's choice: Drafts for review"


def test_a_discarded_item_is_never_imported_again(feed):
    decided(feed, story("a", "Storm expected"))
    item = WireItem.objects.get()
    item.article.delete()
    WireItem.objects.filter(pk=item.pk).update(discarded_at="2026-12-03T09:00:00Z")

    result = fetch(feed.pk, content=document(story("a", "Storm confirmed", version=2)))

    assert (result.imported, result.updated, result.unchanged) == (0, 0, 1)
    item.refresh_from_db()
    assert item.article is None and item.title == "Storm expected"


def test_a_rule_publishing_where_the_owner_may_not_keeps_drafts_and_says_why(
    feed, section, root_page
):
    sport = MediaWireIndexPageFactory(parent=root_page, title="Sport", slug="sport")
    owner = User.objects.create_user("desk", password="pw")
    group = Group.objects.create(name="desk")
    owner.groups.add(group)
    for page, action in ((section, "add"), (section, "publish"), (sport, "add")):
        GroupPagePermission.objects.create(
            group=group, page=page, permission=page_permission(action)
        )
    WireFeed.objects.filter(pk=feed.pk).update(owner=owner)
    rule(feed, include_keywords="cup", action=PUBLISH, section=sport)
    rule(feed, action=PUBLISH)

    result = fetch(feed.pk, content=document(story("a", "Cup final"), story("b", "Council vote")))

    cup = WireItem.objects.get(title="Cup final")
    vote = WireItem.objects.get(title="Council vote")
    assert not cup.article.live and vote.article.live
    assert cup.decision == DRAFT and "may not publish in Sport" in cup.decided_by
    assert any("may not publish in Sport" in note for note in result.notes)


# Reading RSS's language and categories


def test_rss_language_and_categories_are_read():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>
    <language>en-GB</language><item><title>Cup final</title><guid>a</guid>
    <category>Sport</category><category domain="http://cv.iptc.org/newscodes/mediatopic/">
    medtop:15000000</category></item></channel></rss>"""

    (item,) = parse_feed(rss)

    assert item.language == "en-GB"
    assert item.subjects == (("Sport", "Sport"), ("medtop:15000000", "medtop:15000000"))


# The model and the form


def test_a_rule_with_a_word_language_or_topic_that_cannot_match_is_refused(feed):
    bad = WireFeedRule(feed=feed, include_keywords="…", languages="english!", topics="sport")
    with pytest.raises(ValidationError) as raised:
        bad.full_clean()
    assert set(raised.value.message_dict) == {"include_keywords", "languages", "topics"}
    assert raised.value.message_dict["topics"] == [
        "“sport” is not an IPTC Media Topic code (medtop:15000000 or 15000000)."
    ]


def feed_editor(client, section, actions) -> User:
    group = Group.objects.create(name="desk")
    group.permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "add_wirefeed", "change_wirefeed"])
    )
    for action in actions:
        GroupPagePermission.objects.create(
            group=group, page=section, permission=page_permission(action)
        )
    user = User.objects.create_user("desk", password="pw")
    user.groups.add(group)
    client.force_login(user)
    return user


def form_data(section, *rules: dict) -> dict:
    return {
        "name": "Northwind", "url": "https://northwind.example/feed.xml",
        "section": section.pk, "source_name": "Northwind Press Agency", "disclaimer": "",
        "is_active": "on", "publish_mode": "draft", "fetch_interval": "15",
        "delivery": "poll", "format": "auto",
        **feed_rules_formset(*rules),
    }  # fmt: skip


def test_the_form_offers_rule_sections_the_user_may_add_to_and_saves_rules(
    client, section, root_page
):
    MediaWireIndexPageFactory(parent=root_page, title="Closed", slug="closed")
    feed_editor(client, section, ("add", "change"))

    form = client.get(f"{FEEDS_URL}create/").context["form"]
    assert list(form.formsets["rules"].empty_form.fields["section"].queryset) == [section]

    response = client.post(
        f"{FEEDS_URL}create/",
        form_data(section, {"include_keywords": "storm, Café", "minimum_urgency": "3"}),
    )
    assert response.status_code == 302
    (saved,) = WireFeed.objects.get().rules.all()
    assert (saved.include_keywords, saved.minimum_urgency) == ("storm, Café", 3)


def test_the_form_refuses_a_publishing_rule_where_the_user_may_not_publish(
    client, section, root_page
):
    closed = MediaWireIndexPageFactory(parent=root_page, title="Closed", slug="closed")
    feed_editor(client, section, ("add", "change"))

    response = client.post(f"{FEEDS_URL}create/", form_data(section, {"action": PUBLISH}))
    (rule_form,) = response.context["form"].formsets["rules"].forms
    (error,) = rule_form.errors["action"]
    assert error.startswith("You may not publish in Media Wire")

    response = client.post(f"{FEEDS_URL}create/", form_data(section, {"section": str(closed.pk)}))
    (rule_form,) = response.context["form"].formsets["rules"].forms
    assert "section" in rule_form.errors
    assert not WireFeed.objects.exists()


def test_words_match_across_digit_scripts_and_ta_marbuta():
    from wagtail_mediawire.text import has_words, keywords, word_text

    assert has_words(word_text("انتخابات ۲۰۲۶ في المدينة"), keywords("2026")[0])
    assert has_words(word_text("في المدينه"), keywords("المدينة")[0])
