"""The editorial rule in one home: an article goes live (or is scheduled) only with a source.

The page form applies it in the editor, with its message on the body field;
``MediaWireArticlePage.publish`` and ``clean`` apply it on every path without a form;
the bulk action and workflow approval turn a refusal into a message.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .blocks import iter_raw_sources
from .validators import safe_http_url

NO_SOURCE_MESSAGE = _(
    "Add a Source block with the report's web address before publishing. "
    "A draft can be saved without one."
)


class SourceRequiredError(ValidationError):
    """Publishing or scheduling a revision that has no Source block with a web address."""

    def __init__(self) -> None:
        super().__init__({"body": ValidationError(NO_SOURCE_MESSAGE, code="no_source")})


def has_source_url(raw_stream: Any) -> bool:
    """Whether a body (raw StreamField data) has a Source block with a safe URL."""
    return any(safe_http_url(value.get("url")) for value in iter_raw_sources(raw_stream))
