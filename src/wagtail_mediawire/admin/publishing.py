"""The source rule (``source_rule.py``) in the admin's bulk publishing and workflow
approval: a refusal becomes a message, never a server error."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from wagtail.admin.modal_workflow import render_modal_workflow
from wagtail.admin.utils import get_latest_str
from wagtail.models import AbstractPage

from ..models import MediaWireArticlePage
from ..models.base_page import BasePage
from ..source_rule import SourceRequiredError, has_source_url


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
    # AbstractPage: every page model, whichever base page model the site uses.
    if action_type != "publish" or not issubclass(getattr(action, "model", object), AbstractPage):
        return None
    form = getattr(action, "cleaned_form", None)
    include_descendants = bool(form and form.cleaned_data.get("include_descendants"))
    missing, withdrawn = [], []
    for page in _articles_to_publish(objects, include_descendants, request.user):
        page = page.specific_deferred
        if not isinstance(page, MediaWireArticlePage):
            continue
        # What would be published: the latest revision, else the page as it is.
        content = page.get_latest_revision_as_object()
        if not has_source_url(content.body.raw_data):
            missing.append(content.title)
        elif page.get_withdrawal() is not None:
            withdrawn.append(content.title)
    if not missing and not withdrawn:
        return None
    if missing:
        messages.error(
            request,
            gettext("Nothing was published: add a Source block before publishing %(titles)s.")
            % {"titles": ", ".join(f"“{title}”" for title in missing)},
        )
    if withdrawn:
        messages.error(
            request,
            gettext("Nothing was published: the agency withdrew %(titles)s.")
            % {"titles": ", ".join(f"“{title}”" for title in withdrawn)},
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
