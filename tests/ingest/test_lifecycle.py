"""Kills and withholds: the article made of an agency's item comes down at once,
whatever its state, its address answers 410 Gone, and it cannot be published again
until a newer usable version arrives."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import PageLogEntry, Workflow

from wagtail_mediawire.factories import MediaWireArticlePageFactory
from wagtail_mediawire.ingest.importer import fetch
from wagtail_mediawire.models import MediaWireArticlePage, WireFeed, WireItem

pytestmark = pytest.mark.usefixtures("loopback_feeds")
URI = "urn:northwind:story:gull-point"


def ninjs(version: int, status: str = "usable", **fields) -> dict:
    return {
        "uri": URI, "version": str(version), "type": "text", "pubStatus": status,
        "headlines": [{"value": fields.pop("headline", "Gull Point lighthouse relit")}],
        "bodies": [{"contentType": "text/html", "value": "<p>The lamp burns again.</p>"}],
        **fields,
    }  # fmt: skip


@pytest.fixture
def feed(section, httpserver):
    return WireFeed.objects.create(
        name="Northwind", url=httpserver.url_for("/ninjs"), section=section,
        source_name="Northwind Press Agency", source_url="https://northwind.example/",
    )  # fmt: skip


def deliver(httpserver, document) -> None:
    httpserver.clear()
    httpserver.expect_request("/ninjs").respond_with_data(
        json.dumps(document), content_type="application/json"
    )


def article() -> MediaWireArticlePage:
    return MediaWireArticlePage.objects.get(alias_of__isnull=True)


def editor_form(page, **fields) -> dict:
    """The article editor's form as a browser posts it, with one Source block."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    source = {
        "name": "Northwind Press Agency", "url": "https://northwind.example/",
        "original_headline": "", "published_at": "",
    }  # fmt: skip
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "summary": "",
            **fields,
            "body": streamfield([("source", source)]),
            "comments": inline_formset([]),
        }  # fmt: skip
    )


def publish(page) -> None:
    page.save_revision().publish()


def edit_after_publishing(page) -> None:
    publish(page)
    page.title = "Gull Point lighthouse relit, keepers say"
    page.save_revision()


def in_moderation(page) -> None:
    workflow = Workflow.objects.first()
    page.save_revision()
    workflow.start(page, user=None)


def scheduled(page) -> None:
    page.go_live_at = timezone.now() + timezone.timedelta(days=1)
    page.save_revision().publish()


def aliased(page) -> None:
    publish(page)
    page.create_alias(update_slug="gull-point-again")


STATES = {
    "draft": lambda page: None,
    "published": publish,
    "edited after publishing": edit_after_publishing,
    "in moderation": in_moderation,
    "scheduled": scheduled,
    "aliased": aliased,
}


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize(
    ("kill", "word"),
    [
        ({"pubStatus": "canceled", "edNote": "Legal: remove from websites"}, "killed"),
        ({"pubStatus": "withheld"}, "withheld"),
        ({"signals": [{"uri": "sig:kill"}]}, "killed"),
    ],
    ids=["canceled", "withheld", "kill signal"],
)
def test_a_kill_takes_the_article_down_whatever_its_state(
    feed, httpserver, client, section, state, kill, word
):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    page = article()
    STATES[state](page)
    page = article()
    url = page.get_url() or f"{section.url}{page.slug}/"

    deliver(httpserver, {**ninjs(2), **kill})
    result = fetch(feed.pk)

    assert result.withdrawn == 1, result.notes
    for each in MediaWireArticlePage.objects.all():  # the article and any alias
        assert not each.live, each
        assert not each.revisions.filter(approved_go_live_at__isnull=False).exists()
    assert client.get(url).status_code == 410
    assert "lighthouse relit" not in client.get(url).content.decode()
    for listing in ("", "feed/", "feed/atom/", "feed/json/"):
        assert "gull-point" not in client.get(section.url + listing).content.decode()
    for output in (
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/api/v2/pages/?type=wagtail_mediawire.MediaWireArticlePage",
    ):
        assert "gull-point" not in client.get(output).content.decode(), output
    assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404
    log = PageLogEntry.objects.filter(page=page, action="wagtail_mediawire.withdraw").get()
    assert word in log.data["reason"] and "Northwind Press Agency" in log.data["reason"]
    record = WireItem.objects.get()
    assert record.is_withdrawn and record.status in ("canceled", "withheld")
    assert not article().workflow_in_progress

    # Publishing again is refused, in code and in the editor…
    with pytest.raises(ValidationError, match="withdrew this report"):
        article().save_revision().publish()
    assert not article().live


def test_a_kill_comes_down_from_cached_pages_at_once(feed, httpserver, client, section):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    publish(article())
    url = article().url
    other = MediaWireArticlePageFactory(parent=section, title="Another report")
    # Each page read twice: the second from its cached fragments.
    for path in (url, section.url, other.url):
        client.get(path)
        assert "lighthouse relit" in client.get(path).content.decode(), path

    deliver(httpserver, {**ninjs(2), "pubStatus": "canceled"})
    assert fetch(feed.pk).withdrawn == 1

    assert client.get(url).status_code == 410
    for path in (section.url, other.url):  # the listing, Recent Posts
        assert "lighthouse relit" not in client.get(path).content.decode(), path


def test_a_newer_usable_version_lifts_the_refusal_but_publishes_nothing(feed, httpserver):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    publish(article())
    deliver(httpserver, ninjs(2, "canceled"))
    fetch(feed.pk)
    deliver(httpserver, ninjs(3, headline="Gull Point lighthouse relit after repairs"))
    assert fetch(feed.pk).updated == 1
    page = article()
    assert not page.live and not WireItem.objects.get().is_withdrawn
    publish(page)  # an editor's decision, now allowed
    assert article().live


def test_a_kill_of_an_item_never_imported_makes_nothing(feed, httpserver):
    deliver(httpserver, ninjs(4, "canceled"))
    result = fetch(feed.pk)
    assert (result.imported, result.withdrawn, result.skipped) == (0, 0, 1)
    assert not MediaWireArticlePage.objects.exists()


def test_the_editor_refuses_to_publish_a_withdrawn_article(feed, httpserver, admin_client):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    deliver(httpserver, ninjs(2, "withheld"))
    fetch(feed.pk)
    page = article()
    editor = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Withdrawn by the agency" in editor
    data = editor_form(page)
    response = admin_client.post(
        f"/admin/pages/{page.pk}/edit/", {**data, "action-publish": "publish"}
    )
    assert response.status_code == 200
    assert "withdrew this report" in response.content.decode()
    assert not article().live


def test_a_kill_purges_the_article_its_section_and_the_home_page(
    feed, httpserver, settings, django_capture_on_commit_callbacks
):
    from tests.frontend_cache import RecordingBackend

    settings.WAGTAILFRONTENDCACHE = {
        "recording": {"BACKEND": "tests.frontend_cache.RecordingBackend"}
    }
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    publish(article())
    RecordingBackend.urls.clear()
    deliver(httpserver, ninjs(2, "canceled"))
    with django_capture_on_commit_callbacks(execute=True):
        fetch(feed.pk)
    urls = set(RecordingBackend.urls)
    assert {f"http://localhost/wire/{article().slug}/", "http://localhost/wire/"} <= urls
    assert {"http://localhost/", "http://localhost/wire/feed/"} <= urls


# Embargoes and expiry

EMBARGO = "2026-12-24T06:00:00Z"


def embargo_time():
    from wagtail_mediawire.ingest.vocabulary import wire_datetime

    return wire_datetime(EMBARGO)


@pytest.fixture
def before_the_embargo():
    import time_machine

    with time_machine.travel(embargo_time() - timezone.timedelta(days=2), tick=True):
        yield


@pytest.mark.usefixtures("before_the_embargo")
def test_an_embargoed_item_is_scheduled_for_the_embargo_and_shown_nowhere_before(
    feed, httpserver, client, section
):
    import time_machine
    from django.core.management import call_command

    feed.publish_mode = WireFeed.PublishMode.PUBLISH
    feed.save()
    deliver(httpserver, ninjs(1, embargoedUntil=EMBARGO))
    fetch(feed.pk)
    page = article()
    assert not page.live and page.go_live_at == embargo_time()
    assert (
        page.revisions.get(approved_go_live_at__isnull=False).approved_go_live_at == embargo_time()
    )
    for url in (f"{section.url}{page.slug}/", section.url, section.url + "feed/", "/sitemap.xml"):
        assert "lamp burns" not in client.get(url).content.decode()
        assert "lighthouse relit" not in client.get(url).content.decode().lower()

    with time_machine.travel(embargo_time() + timezone.timedelta(minutes=1)):
        call_command("publish_scheduled")
        assert article().live


@pytest.mark.usefixtures("before_the_embargo")
def test_nobody_publishes_or_schedules_before_the_embargo(feed, httpserver):
    deliver(httpserver, ninjs(1, embargoedUntil=EMBARGO))
    fetch(feed.pk)
    page = article()
    page.go_live_at = None
    with pytest.raises(ValidationError, match="embargoes this report until"):
        page.save_revision().publish()
    page.go_live_at = embargo_time() - timezone.timedelta(hours=1)
    with pytest.raises(ValidationError, match="embargoes this report until"):
        page.save_revision().publish()
    page.go_live_at = embargo_time()
    page.save_revision().publish()  # scheduled for the embargo: allowed
    assert not article().live and article().go_live_at == embargo_time()


@pytest.mark.usefixtures("before_the_embargo")
def test_a_newer_version_moves_the_schedule(feed, httpserver):
    feed.publish_mode = WireFeed.PublishMode.PUBLISH
    feed.save()
    deliver(httpserver, ninjs(1, embargoedUntil=EMBARGO))
    fetch(feed.pk)
    later = "2026-12-25T06:00:00Z"
    deliver(httpserver, ninjs(2, embargoedUntil=later))
    fetch(feed.pk)
    page = article()
    scheduled = page.revisions.get(approved_go_live_at__isnull=False)
    assert scheduled.approved_go_live_at == embargo_time() + timezone.timedelta(days=1)
    assert page.go_live_at == embargo_time() + timezone.timedelta(days=1)


def test_the_agencys_expiry_or_the_feeds_retention_is_the_articles(feed, httpserver):
    deliver(httpserver, ninjs(1, expires="2027-01-31T00:00:00+0000"))
    fetch(feed.pk)
    assert article().expire_at.isoformat() == "2027-01-31T00:00:00+00:00"

    MediaWireArticlePage.objects.all().delete()
    WireItem.objects.all().delete()
    feed.retention_days = 30
    feed.save()
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    expected = timezone.now() + timezone.timedelta(days=30)
    assert abs((article().expire_at - expected).total_seconds()) < 60


@pytest.mark.usefixtures("before_the_embargo")
def test_the_editor_names_the_embargo_on_the_go_live_field(feed, httpserver, admin_client):

    deliver(httpserver, ninjs(1, embargoedUntil=EMBARGO))
    fetch(feed.pk)
    page = article()
    data = editor_form(page, go_live_at="")
    response = admin_client.post(
        f"/admin/pages/{page.pk}/edit/", {**data, "action-publish": "publish"}
    )
    assert response.status_code == 200
    assert "embargoes this report until" in str(response.context["form"].errors["go_live_at"])
    assert not article().live


# Corrections


def test_a_correction_waits_for_the_desk_then_shows_on_the_page(
    feed, httpserver, client, admin_client
):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    publish(article())
    live_html = client.get(article().url).content.decode()
    assert "mediawire-correction" not in live_html

    correction = ninjs(
        2, headline="Gull Point lighthouse relit on Tuesday", signals=[{"uri": "sig:correction"}]
    )
    deliver(httpserver, correction)
    assert fetch(feed.pk).updated == 1
    page = article()
    record = WireItem.objects.get()
    # Not published by itself: the live page is unchanged, the correction a revision.
    assert page.title == "Gull Point lighthouse relit" and page.has_unpublished_changes
    assert record.correction_revision_id == page.latest_revision_id
    assert "relit on Tuesday" not in client.get(page.url).content.decode()
    editor = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Correction from Northwind Press Agency" in editor
    compare = f"/admin/pages/{page.pk}/revisions/compare/live...{record.correction_revision_id}/"
    assert compare in editor
    assert admin_client.get(compare).status_code == 200
    assert PageLogEntry.objects.filter(page=page, action="wagtail_mediawire.correction").exists()

    # The desk publishes it: the page says when it was corrected; so does its JSON-LD.
    record.correction_revision.publish()
    page = article()
    assert page.title == "Gull Point lighthouse relit on Tuesday" and page.corrected_at
    html = client.get(page.url).content.decode()
    assert "this report was corrected on" in html
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["correction"]["@type"] == "CorrectionComment"
    assert data["correction"]["datePublished"] == page.corrected_at.isoformat(timespec="seconds")
    assert WireItem.objects.get().correction_revision_id is None


def test_an_update_without_the_signal_follows_the_update_rules(feed, httpserver):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    publish(article())
    deliver(httpserver, ninjs(2, headline="Gull Point lighthouse relit, again"))
    fetch(feed.pk)
    record = WireItem.objects.get()
    assert record.updated_at_source and record.correction_revision_id is None
    assert not article().has_unpublished_changes


def test_the_dashboard_lists_withdrawals_and_corrections(feed, httpserver, admin_client):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    publish(article())
    deliver(httpserver, ninjs(2, signals=[{"uri": "sig:correction"}], headline="Relit on Tuesday"))
    fetch(feed.pk)
    dashboard = admin_client.get("/admin/").content.decode()
    assert "Corrections from agencies awaiting review" in dashboard
    assert "correction from Northwind Press Agency" in dashboard
    deliver(httpserver, ninjs(3, "canceled"))
    fetch(feed.pk)
    dashboard = admin_client.get("/admin/").content.decode()
    assert "Withdrawn by agencies" in dashboard and "killed by Northwind Press Agency" in dashboard


def test_the_users_who_edited_a_withdrawn_article_are_told(
    feed, httpserver, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    deliver(httpserver, ninjs(1))
    fetch(feed.pk)
    editor = django_user_model.objects.create_user("desk", "desk@example.com", "pw")
    quiet = django_user_model.objects.create_user("quiet", "", "pw")  # no address
    page = article()
    page.save_revision(user=editor)
    page.save_revision(user=quiet).publish()
    deliver(httpserver, ninjs(2, "canceled", edNote="Legal: remove from websites"))
    with django_capture_on_commit_callbacks(execute=True):
        fetch(feed.pk)
    (mail,) = mailoutbox
    assert mail.to == ["desk@example.com"]
    assert "Withdrawn: Gull Point lighthouse relit" == mail.subject
    assert "killed by Northwind Press Agency: Legal: remove from websites" in mail.body
    assert f"/admin/pages/{page.pk}/edit/" in mail.body
    # Delivered again, the kill tells nobody twice, and counts as unchanged.
    with django_capture_on_commit_callbacks(execute=True):
        again = fetch(feed.pk)
    assert (again.withdrawn, again.unchanged) == (0, 1)
    assert len(mailoutbox) == 1
