"""One story from several agencies at the desk: the wire queue shows a story once
("also from …"), discards it whole, and merges it into one draft with a Source block
per report; the lifecycle follows every merged report (a kill flags the article and,
by the feed's setting, takes it down); the provenance panel lists the story."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from tests.test_wire_queue import QUEUE, _messages, _queries, _rows, _section_user, _url
from wagtail_mediawire.factories import MediaWireIndexPageFactory, WireFeedFactory, WireItemFactory
from wagtail_mediawire.ingest.importer import fetch
from wagtail_mediawire.ingest.queue import merge
from wagtail_mediawire.models import MediaWireArticlePage, WireFeed, WireItem, WireStory

pytestmark = pytest.mark.django_db


def _item(feed, title, story, minutes_ago=1, **kwargs):
    n = WireItem.objects.count()
    kwargs.setdefault("guid", f"urn:newsml:{feed.name.lower()}.example:2026:{n}")
    kwargs.setdefault("link", f"https://{feed.name.lower()}.example/{n}")
    return WireItemFactory(
        feed=feed,
        title=title,
        story=story,
        received_at=timezone.now() - timedelta(minutes=minutes_ago),
        **kwargs,
    )


@pytest.fixture
def agencies(section):
    return [
        WireFeedFactory(
            section=section,
            name=name,
            source_name=f"{name} Agency",
            format=WireFeed.Format.NINJS,
            delivery=WireFeed.Delivery.PUSH,
        )
        for name in ("Harbour", "Meridian", "Cobalt")
    ]


@pytest.fixture
def fire(agencies):
    """One story from three agencies; the Cobalt report is the newest."""
    story = WireStory.objects.create()
    return [
        _item(agencies[0], "Warehouse fire at Kestrel docks", story, 30),
        _item(agencies[1], "Kestrel docks warehouse burns", story, 20),
        _item(agencies[2], "Blaze on the Kestrel docks", story, 10),
    ]


class TestQueue:
    def test_a_story_is_one_row_with_the_other_agencies(self, admin_client, fire, agencies):
        alone = _item(agencies[0], "Council approves tram line", WireStory.objects.create(), 5)
        response = admin_client.get(QUEUE)
        assert _rows(response) == [alone.title, "Blaze on the Kestrel docks"]
        html = response.content.decode()
        assert "also from Harbour, Meridian" in html
        assert html.count("also from") == 1
        assert _url("merge", fire[2]) in html

    def test_the_filters_choose_which_item_stands_for_the_story(self, admin_client, fire):
        response = admin_client.get(QUEUE, {"feed": fire[0].feed_id})
        assert _rows(response) == [fire[0].title]

    def test_the_search_finds_a_story_by_any_of_its_reports(self, admin_client, fire):
        response = admin_client.get(QUEUE, {"q": "Warehouse fire"})
        assert _rows(response) == [fire[0].title]

    def test_an_editor_sees_only_the_reports_of_their_sections(self, client, fire, root_page):
        closed = MediaWireIndexPageFactory(parent=root_page, title="Closed", slug="closed")
        WireItem.objects.filter(pk=fire[2].pk).update(section=closed)
        client.force_login(_section_user(fire[0].section))
        response = client.get(QUEUE)
        assert _rows(response) == [fire[1].title]
        assert "also from Harbour" in response.content.decode()
        assert "Cobalt" not in response.content.decode()

    def test_queries_stay_constant_with_stories(self, admin_client, agencies):
        def stories(count):
            for n in range(count):
                story = WireStory.objects.create()
                for feed in agencies:
                    _item(feed, f"Story {n} from {feed.name}", story, n + 1)

        stories(3)
        few, rows = _queries(admin_client)
        assert rows == 3
        stories(12)
        many, rows = _queries(admin_client)
        assert rows == 15
        assert many == few

    def test_discarding_the_row_discards_its_story(self, admin_client, fire):
        response = admin_client.post(_url("discard", fire[2]), follow=True)
        assert "2 other reports of the story were discarded with it." in _messages(response)
        assert WireItem.objects.filter(discarded_at__isnull=True).count() == 0
        assert not MediaWireArticlePage.objects.exists()  # the untouched drafts went too

    def test_bulk_discard_takes_each_rows_story(self, admin_client, fire):
        url = reverse("wagtail_bulk_action", args=("wagtail_mediawire", "wireitem", "discard"))
        admin_client.post(f"{url}?id={fire[2].pk}")
        assert WireItem.objects.filter(discarded_at__isnull=True).count() == 0


class TestMerge:
    def test_the_form_lists_the_story_and_the_merge_opens_the_draft(self, admin_client, fire):
        form = admin_client.get(_url("merge", fire[2]))
        assert form.status_code == 200
        assert [item.pk for item in form.context["items"]] == [item.pk for item in fire]
        response = admin_client.post(_url("merge", fire[2]), {"text_from": fire[0].pk})
        article = WireItem.objects.get(pk=fire[0].pk).merged_into.specific
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_pages:edit", args=[article.pk])
        assert article.title == fire[0].title and not article.live
        sources = [block.value for block in article.body if block.block_type == "source"]
        assert [(s["name"], s["url"], s["original_headline"]) for s in sources] == [
            (item.feed.source_name, item.link, item.title) for item in fire
        ]
        assert str(article.body[0].value) == fire[0].text
        assert set(WireItem.objects.values_list("merged_into", flat=True)) == {article.pk}
        # The reports' untouched drafts are gone: one draft of the story is left.
        assert list(MediaWireArticlePage.objects.all()) == [article]
        assert WireItem.objects.get(pk=fire[0].pk).article == article
        assert PageLogEntry.objects.filter(page=article, action="wagtail_mediawire.merge").exists()

    def test_after_the_merge_the_storys_row_publishes_the_merged_article(
        self, admin_client, admin_user, fire
    ):
        article = merge(fire[0], fire, admin_user).article
        response = admin_client.get(QUEUE)
        assert _rows(response) == [fire[2].title]
        html = response.content.decode()
        assert article.title in html
        assert reverse("wagtailadmin_pages:edit", args=[article.pk]) in html
        admin_client.post(_url("publish", fire[2]))
        article.refresh_from_db()
        assert article.live
        statuses = admin_client.get(QUEUE).content.decode()
        assert "published" in statuses

    def test_an_editors_work_is_kept(self, admin_user, fire):
        worked_on = fire[1].article
        worked_on.save_revision(user=admin_user)
        outcome = merge(fire[0], fire, admin_user)
        assert outcome.ok
        assert MediaWireArticlePage.objects.filter(pk=worked_on.pk).exists()
        assert WireItem.objects.get(pk=fire[1].pk).merged_into == outcome.article

    def test_a_story_is_merged_once(self, admin_user, fire):
        assert merge(fire[0], fire, admin_user).ok
        again = merge(
            fire[1], list(WireItem.objects.filter(pk__in=[i.pk for i in fire])), admin_user
        )
        assert not again.ok and "merged already" in again.message

    def test_without_a_choice_nothing_is_made(self, admin_client, fire):
        response = admin_client.post(_url("merge", fire[2]), {}, follow=True)
        assert "Choose the report whose text the article takes." in _messages(response)
        assert not WireItem.objects.filter(merged_into__isnull=False).exists()

    def test_an_editor_who_may_not_add_in_the_section_cannot_merge(self, client, fire):
        client.force_login(_section_user(fire[0].section, actions=("change",), username="ed"))
        response = client.post(_url("merge", fire[2]), {"text_from": fire[0].pk}, follow=True)
        assert "You may not add an article to this section." in _messages(response)
        assert not WireItem.objects.filter(merged_into__isnull=False).exists()

    def test_an_item_outside_the_users_sections_is_not_found(self, client, fire, root_page):
        closed = MediaWireIndexPageFactory(parent=root_page, title="Closed", slug="closed")
        client.force_login(_section_user(closed, username="other-desk"))
        assert client.get(_url("merge", fire[2])).status_code == 404


# The lifecycle of a merged article, through the importer as agencies deliver.


def _ninjs(item, *, pubstatus="usable", version=2, headline=None):
    return json.dumps(
        [
            {
                "uri": item.guid,
                "type": "text",
                "version": str(version),
                "pubstatus": pubstatus,
                "headline": headline or item.title,
                "body_text": "The agency's newer text.",
                "altids": [{"role": "url", "value": item.link}],
            }
        ]
    ).encode()


@pytest.fixture
def merged(admin_user, fire):
    outcome = merge(fire[0], fire, admin_user)
    article = outcome.article
    article.save_revision(user=admin_user).publish()
    article.refresh_from_db()
    assert article.live
    return article


class TestLifecycle:
    def test_a_kill_of_a_merged_source_takes_the_article_down(self, merged, fire):
        result = fetch(fire[1].feed_id, content=_ninjs(fire[1], pubstatus="canceled"))
        assert result.withdrawn == 1
        merged.refresh_from_db()
        assert not merged.live
        assert PageLogEntry.objects.filter(
            page=merged, action="wagtail_mediawire.withdraw"
        ).exists()

    def test_by_the_feeds_setting_a_kill_only_flags_it(self, merged, fire):
        WireFeed.objects.filter(pk=fire[1].feed_id).update(unpublish_merged_on_kill=False)
        fetch(fire[1].feed_id, content=_ninjs(fire[1], pubstatus="canceled"))
        merged.refresh_from_db()
        assert merged.live
        assert PageLogEntry.objects.filter(
            page=merged, action="wagtail_mediawire.withdraw"
        ).exists()

    def test_publishing_is_refused_while_it_cites_the_killed_report(self, merged, fire, admin_user):
        fetch(fire[1].feed_id, content=_ninjs(fire[1], pubstatus="canceled"))
        merged.refresh_from_db()
        with pytest.raises(Exception, match="remove its Source block"):
            merged.save_revision(user=admin_user).publish()
        # Without its Source block, the article may go live again.
        merged.body = [
            (block.block_type, block.value)
            for block in merged.body
            if not (block.block_type == "source" and block.value["url"] == fire[1].link)
        ]
        merged.save_revision(user=admin_user).publish()
        merged.refresh_from_db()
        assert merged.live

    def test_the_address_of_a_merged_article_taken_down_answers_gone(self, client, merged, fire):
        fetch(fire[1].feed_id, content=_ninjs(fire[1], pubstatus="canceled"))
        merged.refresh_from_db()
        assert client.get(merged.url).status_code == 410

    def test_a_kill_of_the_report_whose_text_it_took_is_a_kill_of_the_article(self, merged, fire):
        WireFeed.objects.filter(pk=fire[0].feed_id).update(unpublish_merged_on_kill=False)
        fetch(fire[0].feed_id, content=_ninjs(fire[0], pubstatus="canceled"))
        merged.refresh_from_db()
        assert not merged.live  # its text is that agency's: down whatever the setting

    def test_a_newer_version_waits_beside_the_merged_article(self, merged, fire):
        fetch(fire[1].feed_id, content=_ninjs(fire[1], headline="Kestrel fire: cause found"))
        record = WireItem.objects.get(pk=fire[1].pk)
        assert record.updated_at_source and record.source_title == "Kestrel fire: cause found"
        merged.refresh_from_db()
        assert merged.live and merged.title == fire[0].title
        assert MediaWireArticlePage.objects.count() == 1  # no new draft of it


def test_a_correction_of_the_merged_text_waits_beside_it(merged, fire):
    document = json.loads(_ninjs(fire[0], headline="Kestrel fire: corrected toll"))
    document[0]["signals"] = ["correction"]
    fetch(fire[0].feed_id, content=json.dumps(document).encode())
    record = WireItem.objects.get(pk=fire[0].pk)
    assert record.correction_revision is None and record.updated_at_source
    merged.refresh_from_db()
    assert merged.get_latest_revision().content["title"] == fire[0].title


def test_the_provenance_panel_lists_the_merged_reports(admin_client, merged, fire):
    fetch(fire[1].feed_id, content=_ninjs(fire[1], pubstatus="canceled"))
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=[merged.pk])).content.decode()
    assert "Merged from 3 reports:" in html
    for item in fire:
        assert item.title in html
    assert "Remove its Source block to publish." in html


def test_the_provenance_panel_lists_the_storys_other_reports(admin_client, fire):
    html = admin_client.get(
        reverse("wagtailadmin_pages:edit", args=[fire[0].article_id])
    ).content.decode()
    assert "The same story from other reports:" in html
    assert fire[1].title in html and fire[2].title in html
