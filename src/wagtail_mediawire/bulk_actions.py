"""Bulk publishing goes through the editorial rule too, with a message, not an error."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.models import Page

from .models import MediaWireArticlePage
from .publishing import has_source_url


def _articles_to_publish(objects, include_descendants: bool, user):
    for page in objects:
        yield page
        if include_descendants:
            # The descendants Wagtail will publish: drafts this user may publish.
            for descendant in page.get_descendants().not_live().type(MediaWireArticlePage):
                if descendant.permissions_for_user(user).can_publish():
                    yield descendant


def refuse_bulk_publish_without_source(
    request: HttpRequest, action_type: str, objects, action
) -> HttpResponse | None:
    """A ``before_bulk_action`` hook: stop a bulk publish that includes a sourceless article."""
    if action_type != "publish" or not issubclass(getattr(action, "model", object), Page):
        return None
    form = getattr(action, "cleaned_form", None)
    include_descendants = bool(form and form.cleaned_data.get("include_descendants"))
    missing = []
    for page in _articles_to_publish(objects, include_descendants, request.user):
        page = page.specific_deferred
        if not isinstance(page, MediaWireArticlePage):
            continue
        # What would be published: the latest revision, else the page as it is.
        content = page.get_latest_revision_as_object()
        if not has_source_url(content.body.raw_data):
            missing.append(content.title)
    if not missing:
        return None
    messages.error(
        request,
        _("Nothing was published: add a Source block before publishing %(titles)s.")
        % {"titles": ", ".join(f"“{title}”" for title in missing)},
    )
    return redirect(action.next_url)
