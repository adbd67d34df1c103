"""What is in force for an article: its search engine policy and its disclaimer.

One function each. The page, the head tags, the sitemaps and the API call them with
what they have at hand: a page reads its section, a listing reads every section
of a page of results at once, and both come to the same answer.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SeoPolicy(models.TextChoices):
    """What search engines are told about a wire copy of someone else's report."""

    INDEX = "index", _("Index (canonical to this page)")
    NOINDEX_NEWS = "noindex-news", _("Keep out of Google News (canonical to this page)")
    CANONICAL_TO_SOURCE = "canonical-to-source", _("Canonical to the source's report")


def effective_seo_policy(own: str | None, section_policy: str | None) -> str:
    """The article's own policy, else its section's, else ``index``."""
    return own or section_policy or SeoPolicy.INDEX


def effective_disclaimer(
    chosen_in_body: Iterable[Any],
    section_default: Any,
    locale_id: int | None,
    translation: Callable[[Any, int | None], Any],
) -> Any:
    """The article's own Disclaimer block, else its section's default, else None, in
    the article's locale: ``translation(disclaimer, locale_id)`` gives the translation
    there (or None, and the disclaimer chosen is shown).

    ``chosen_in_body`` are the values of the body's Disclaimer blocks, in order; one
    whose snippet was deleted (None) counts as absent.
    """
    chosen = next((value for value in chosen_in_body if value is not None), None)
    if chosen is None:
        chosen = section_default
    if (
        chosen is None
        or chosen.locale_id == locale_id
        or not getattr(settings, "WAGTAIL_I18N_ENABLED", False)
    ):
        return chosen  # no lookup more than the choice itself
    return translation(chosen, locale_id) or chosen
