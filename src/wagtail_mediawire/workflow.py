"""Workflow approval that would publish an article without a source answers with a message.

Approving a workflow's last task publishes the page's latest revision, and
``MediaWireArticlePage.publish`` refuses one without a source (a revision written by
code can lack it; the editor's form never lets one through). Wagtail approves
inside a transaction, so when the refusal arrives nothing has changed: the task
is still awaiting review. This turns the refusal into a message on the page
editor instead of a server error.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.admin.modal_workflow import render_modal_workflow
from wagtail.admin.utils import get_latest_str
from wagtail.models import Page

from .publishing import SourceRequiredError


def refuse_approval_without_source(view: Callable) -> Callable:
    """Wraps Wagtail's page workflow action view (see ``wagtail_hooks``)."""

    def wrapped(request: HttpRequest, *args, page_id: int, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, page_id=page_id, **kwargs)
        except SourceRequiredError:
            page = Page.objects.get(pk=page_id)
            messages.error(
                request,
                _(
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
