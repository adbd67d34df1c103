"""The source rule: an article goes live, or is scheduled to, only with a source.

Every way of publishing passes here, and only publishing does:

- the page editor's form (``forms.MediaWireArticlePageForm``) refuses it with the
  message on the body field, for every action but "Save draft";
- ``MediaWireArticlePage.publish`` refuses a revision without a source for every
  path without a form (code, bulk actions, workflow approval, ``publish_scheduled``);
- ``MediaWireArticlePage.save`` refuses to write a live article's body without one
  (``add_child`` of a live page, a script that sets ``live``). A save Wagtail makes
  with ``clean=False``, as it does for revisions and its own bookkeeping, is exempt:
  that is the one way to exempt a save;
- a bulk publish, and a workflow approval, that meet a refusal answer with a message.

Drafts (revisions) never meet the rule: a draft may be saved without a source.
"""

from collections.abc import Callable, Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .text import iter_raw_values
from .validators import safe_http_url

NO_SOURCE_MESSAGE = _(
    "Add a Source block with the report's web address before publishing. "
    "A draft can be saved without one."
)


class SourceRequiredError(ValidationError):
    """Publishing or scheduling a revision that has no Source block with a web address."""

    def __init__(self) -> None:
        super().__init__({"body": ValidationError(NO_SOURCE_MESSAGE, code="no_source")})


def iter_raw_sources(raw_stream: Any) -> Iterator[dict]:
    """The raw values of the ``source`` blocks, in order, without converting others."""
    return iter_raw_values(raw_stream, "source", dict)


def has_source_url(raw_stream: Any) -> bool:
    """Whether a body (raw StreamField data) has a Source block with a safe URL."""
    return any(safe_http_url(value.get("url")) for value in iter_raw_sources(raw_stream))


def require_source(raw_stream: Any) -> None:
    """Raise ``SourceRequiredError`` unless the body has a source."""
    if not has_source_url(raw_stream):
        raise SourceRequiredError()


def form_requires_source(form) -> bool:
    """Whether the page form's action must meet the rule.

    Wagtail defers required-field validation only for "Save draft"; every other action
    (publish, schedule, submit to a workflow, a workflow action) validates fully. While
    a workflow runs, approval publishes the latest revision, so even a draft saved then
    must keep its source.
    """
    instance = form.instance
    return not form.is_deferred_validation or (
        instance.pk is not None and instance.workflow_in_progress
    )


def _articles_to_publish(objects, include_descendants: bool, user):
    from .models import MediaWireArticlePage

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
    # Imported here, not above: the models import this module while apps load.
    # AbstractPage: every page model, whichever base page model the site uses.
    from wagtail.models import AbstractPage

    from .models import MediaWireArticlePage

    if action_type != "publish" or not issubclass(getattr(action, "model", object), AbstractPage):
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
        gettext("Nothing was published: add a Source block before publishing %(titles)s.")
        % {"titles": ", ".join(f"“{title}”" for title in missing)},
    )
    return redirect(action.next_url)


def refuse_approval_without_source(view: Callable) -> Callable:
    """Wraps Wagtail's page workflow action view (see ``wagtail_hooks``).

    Approving a workflow's last task publishes the page's latest revision, which
    ``MediaWireArticlePage.publish`` refuses without a source (a revision written by
    code can lack it). Wagtail approves inside a transaction, so when the refusal
    arrives nothing has changed: the task still awaits review. The refusal becomes a
    message on the page editor instead of a server error.
    """
    from wagtail.admin.modal_workflow import render_modal_workflow
    from wagtail.admin.utils import get_latest_str

    from .models.base_page import BasePage

    def wrapped(request: HttpRequest, *args, page_id: int, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, page_id=page_id, **kwargs)
        except SourceRequiredError:
            page = BasePage.objects.get(pk=page_id)
            messages.error(
                request,
                gettext(
                    "“%(title)s” was not approved: the version under review has no "
                    "Source block with the report's web address. Add one, then approve."
                )
                % {"title": get_latest_str(page)},
            )
            edit_url = reverse("wagtailadmin_pages:edit", args=(page_id,))
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                return render_modal_workflow(
                    request, "", None, {}, json_data={"step": "success", "redirect": edit_url}
                )
            return redirect(edit_url)

    return wrapped
