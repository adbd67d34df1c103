"""The editorial rule: no publishing (nor scheduling, nor submitting) without a source."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from wagtail_mediawire.factories import MediaWireArticlePageFactory
from wagtail_mediawire.models import MediaWireArticlePage
from wagtail_mediawire.source_rule import NO_SOURCE_MESSAGE

SOURCE = {
    "name": "Harbourline News",
    "url": "https://harbourline.example/r/1",
    "original_headline": "",
    "published_at": "",
}


def _data(*, source=None, action=None, **extra):
    blocks = [("paragraph", rich_text("<p>The ferry timetable changes on Monday.</p>"))]
    if source is not None:
        blocks.append(("source", source))
    data = nested_form_data(
        {
            "title": "Ferry timetable changes",
            "slug": "ferry-timetable",
            "summary": "",
            "body": streamfield(blocks),
            "comments": inline_formset([]),
            **extra,
        }
    )
    if action:
        data[action] = action
    return data


def _add_url(section):
    return reverse(
        "wagtailadmin_pages:add", args=("wagtail_mediawire", "mediawirearticlepage", section.pk)
    )


def _body_errors(response):
    return [str(e) for e in response.context["form"].errors.get("body", [])]


@pytest.mark.django_db
def test_publishing_without_a_source_is_refused_on_the_body_field(admin_client, section):
    response = admin_client.post(_add_url(section), _data(action="action-publish"))
    assert response.status_code == 200
    assert _body_errors(response) == [str(NO_SOURCE_MESSAGE)]
    assert "before publishing" in response.content.decode()
    assert not MediaWireArticlePage.objects.exists()


@pytest.mark.django_db
def test_a_draft_can_be_saved_without_a_source(admin_client, section):
    response = admin_client.post(_add_url(section), _data())
    assert response.status_code == 302
    page = MediaWireArticlePage.objects.get(slug="ferry-timetable")
    assert not page.live
    assert page.source_name == ""


@pytest.mark.django_db
def test_publishing_with_a_source_works(admin_client, section):
    response = admin_client.post(_add_url(section), _data(source=SOURCE, action="action-publish"))
    assert response.status_code == 302
    page = MediaWireArticlePage.objects.get(slug="ferry-timetable")
    assert page.live
    assert (page.source_name, page.source_url) == (SOURCE["name"], SOURCE["url"])


@pytest.mark.django_db
def test_a_javascript_url_is_refused_on_the_url_field(admin_client, section):
    bad = {**SOURCE, "url": "javascript:alert(document.cookie)"}
    response = admin_client.post(_add_url(section), _data(source=bad, action="action-publish"))
    assert response.status_code == 200
    error = response.context["form"].errors["body"].as_data()[0]
    assert "url" in error.block_errors[1].block_errors
    assert not MediaWireArticlePage.objects.exists()


@pytest.mark.django_db
def test_scheduling_without_a_source_is_refused(admin_client, section):
    go_live = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    response = admin_client.post(
        _add_url(section), _data(action="action-publish", go_live_at=go_live)
    )
    assert _body_errors(response) == [str(NO_SOURCE_MESSAGE)]
    assert not MediaWireArticlePage.objects.exists()


@pytest.mark.django_db
def test_submitting_to_a_workflow_without_a_source_is_refused(admin_client, section):
    response = admin_client.post(_add_url(section), _data(action="action-submit"))
    assert _body_errors(response) == [str(NO_SOURCE_MESSAGE)]
    assert not MediaWireArticlePage.objects.exists()


@pytest.mark.django_db
def test_editing_a_live_article_follows_the_same_rule(admin_client, section):
    page = MediaWireArticlePageFactory(parent=section, slug="ferry-timetable")
    page.save_revision().publish()
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))

    response = admin_client.post(url, _data(action="action-publish"))
    assert _body_errors(response) == [str(NO_SOURCE_MESSAGE)]

    # A draft without the source is kept as a revision; the live page keeps its source.
    response = admin_client.post(url, _data())
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.has_unpublished_changes
    assert page.source_name.startswith("Agency")


@pytest.mark.django_db
def test_publishing_without_a_form_is_refused_too(section):
    draft = MediaWireArticlePageFactory(parent=section, body=[], live=False)
    revision = draft.save_revision()  # a draft revision is fine
    with pytest.raises(ValidationError) as excinfo:
        revision.publish()
    assert excinfo.value.message_dict["body"] == [str(NO_SOURCE_MESSAGE)]
    draft.refresh_from_db()
    assert not draft.live


@pytest.mark.django_db
@pytest.mark.parametrize("include_descendants", [False, True])
def test_bulk_publish_is_refused_with_a_message(admin_client, section, include_descendants):
    with_source = MediaWireArticlePageFactory(parent=section, live=False)
    without = MediaWireArticlePageFactory(
        parent=section, title="No source yet", body=[], live=False
    )
    target = section if include_descendants else without
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    query = f"?id={target.pk}&next=/admin/pages/{section.pk}/"
    data = {"include_descendants": "on"} if include_descendants else {}
    response = admin_client.post(url + query, data, follow=True)
    assert response.status_code == 200
    assert "add a Source block before publishing “No source yet”" in response.content.decode()
    without.refresh_from_db()
    with_source.refresh_from_db()
    assert not without.live
    assert not with_source.live  # nothing at all was published


@pytest.mark.django_db
def test_bulk_publish_with_sources_works(admin_client, section):
    draft = MediaWireArticlePageFactory(parent=section, live=False)
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    response = admin_client.post(url + f"?id={draft.pk}", {})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.live


@pytest.mark.django_db
def test_during_moderation_a_draft_must_keep_its_source(admin_client, section):
    # Wagtail's default "Moderators approval" workflow covers the whole tree.
    page = MediaWireArticlePageFactory(parent=section, live=False, slug="ferry-timetable")
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = admin_client.post(url, _data(source=SOURCE, action="action-submit"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.workflow_in_progress

    # Approval publishes the latest revision, so a sourceless draft is refused now.
    response = admin_client.post(url, _data())
    assert _body_errors(response) == [str(NO_SOURCE_MESSAGE)]

    task_state = page.current_workflow_state.current_task_state
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)
    )
    assert admin_client.post(approve, {"comment": ""}).status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.source_url == SOURCE["url"]


# Scheduling, publish_scheduled and workflow approval: the paths around the form.


def _sourceless_revision(page, **attrs):
    """A revision without a source, as code (not the editor) can write one."""
    page.body = []
    for name, value in attrs.items():
        setattr(page, name, value)
    return page.save_revision(clean=False)


@pytest.mark.django_db
@pytest.mark.parametrize("live", [False, True])
def test_scheduling_without_a_source_is_refused_by_code(section, live):
    page = MediaWireArticlePageFactory(parent=section, live=False)
    if live:
        page.save_revision().publish()
    revision = _sourceless_revision(page, go_live_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        revision.publish()
    assert excinfo.value.message_dict["body"] == [str(NO_SOURCE_MESSAGE)]
    revision.refresh_from_db()
    assert revision.approved_go_live_at is None
    page.refresh_from_db()
    assert page.live is live


@pytest.mark.django_db
def test_scheduling_a_live_article_without_a_source_is_refused_in_the_editor(admin_client, section):
    page = MediaWireArticlePageFactory(parent=section, slug="ferry-timetable")
    page.save_revision().publish()
    go_live = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = admin_client.post(url, _data(action="action-publish", go_live_at=go_live))
    assert _body_errors(response) == [str(NO_SOURCE_MESSAGE)]
    assert not page.revisions.filter(approved_go_live_at__isnull=False).exists()


@pytest.mark.django_db
def test_publish_scheduled_skips_a_sourceless_schedule_and_publishes_the_rest(section, caplog):
    from django.core.management import call_command
    from wagtail.models import PageLogEntry

    soon = timezone.now() + timedelta(minutes=1)
    # The sourceless schedule comes first, as the command orders them.
    sourceless = MediaWireArticlePageFactory(parent=section, live=False, title="No source")
    bad = _sourceless_revision(sourceless, go_live_at=soon)
    # A schedule written around the rule (or before it existed).
    type(bad).objects.filter(pk=bad.pk).update(approved_go_live_at=soon)
    fine = []
    for n in range(2):
        page = MediaWireArticlePageFactory(parent=section, live=False, title=f"Due {n}")
        page.go_live_at = soon + timedelta(seconds=n + 1)
        page.save_revision().publish()  # scheduled, with a source
        fine.append(page)

    with time_machine.travel(soon + timedelta(minutes=10)):
        with caplog.at_level("ERROR", logger="wagtail_mediawire"):
            call_command("publish_scheduled", stdout=StringIO())

    for page in fine:
        page.refresh_from_db()
        assert page.live
    sourceless.refresh_from_db()
    assert not sourceless.live
    bad.refresh_from_db()
    assert bad.approved_go_live_at is None  # not retried every run
    assert "No source" in caplog.text and "no source" in caplog.text
    assert PageLogEntry.objects.filter(page=sourceless, action="wagtail.schedule.cancel").exists()


def _in_moderation(admin_client, section):
    page = MediaWireArticlePageFactory(parent=section, live=False, slug="ferry-timetable")
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert admin_client.post(url, _data(source=SOURCE, action="action-submit")).status_code == 302
    page.refresh_from_db()
    return page


@pytest.mark.django_db
@pytest.mark.parametrize("xhr", [False, True])
def test_approving_a_revision_that_lost_its_source_says_why_and_changes_nothing(
    admin_client, section, xhr
):
    page = _in_moderation(admin_client, section)
    task_state = page.current_workflow_state.current_task_state
    _sourceless_revision(page)  # by code, around the form
    revisions = page.revisions.count()

    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)
    )
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if xhr else {}
    response = admin_client.post(approve, {"comment": ""}, **headers)
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    if xhr:
        assert response.json() == {"step": "success", "redirect": edit_url}
    else:
        assert response.status_code == 302
        assert response["Location"] == edit_url
    html = admin_client.get(edit_url).content.decode()
    assert "was not approved" in html and "Source block" in html

    page.refresh_from_db()
    assert not page.live
    assert page.workflow_in_progress
    task_state.refresh_from_db()
    assert task_state.status == task_state.STATUS_IN_PROGRESS
    assert page.revisions.count() == revisions
