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
- a bulk publish, and a workflow approval, that meet a refusal answer with a message
  (``admin/publishing.py``, which ``wagtail_hooks`` registers).

Drafts (revisions) never meet the rule: a draft may be saved without a source.
"""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
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


WITHDRAWN_MESSAGE = _(
    "The agency withdrew this report (%(reason)s): it cannot be published again until "
    "the agency sends a newer, usable version."
)


class WithdrawnError(ValidationError):
    """Publishing an article whose agency killed or withheld its report
    (``ingest/lifecycle.py``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(WITHDRAWN_MESSAGE, code="withdrawn", params={"reason": reason})


WITHDRAWN_SOURCE_MESSAGE = _(
    "An agency withdrew a report this article cites (%(reason)s): remove its Source "
    "block to publish, or wait until the agency sends a newer, usable version."
)


class WithdrawnSourceError(ValidationError):
    """Publishing a merged article that still cites a report its agency killed or
    withheld (``ingest/lifecycle.py``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            WITHDRAWN_SOURCE_MESSAGE, code="withdrawn_source", params={"reason": reason}
        )


EMBARGO_MESSAGE = _(
    "The agency embargoes this report until %(time)s: it cannot go live before. Schedule "
    "it for that time or later (Settings, “Go-live date/time”)."
)


class EmbargoError(ValidationError):
    """Publishing, or scheduling earlier, an article under its agency's embargo."""

    def __init__(self, until: Any) -> None:
        when = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
        super().__init__(EMBARGO_MESSAGE, code="embargoed", params={"time": when})


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
