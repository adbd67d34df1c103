"""The one URL rule of the package: a source link is an absolute http(s) URL.

Shared by the blocks, the page models and (later) the feed importer, so that a
``javascript:``, ``data:`` or relative URL is refused wherever it comes from.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

ALLOWED_SCHEMES = ("http", "https")


@deconstructible
class HttpURLValidator(URLValidator):
    """Django's URLValidator limited to http and https, with a plain-words message.

    URLValidator already refuses whitespace, control characters and relative URLs,
    and compares the scheme case-insensitively, which is what the tricks
    (``JaVaScRiPt:``, ``" javascript:"``, ``"java\\tscript:"``) rely on defeating.
    It lets through Unicode's invisible format characters, which this refuses: a
    right-to-left override or a zero-width space makes the host shown to a reader
    differ from the host linked (``https://\\u202emoc.elpmaxe/`` shows "example.com").
    """

    message = _("Enter a full web address starting with http:// or https://.")

    def __init__(self, **kwargs):
        kwargs.setdefault("schemes", list(ALLOWED_SCHEMES))
        super().__init__(**kwargs)

    def __call__(self, value):
        if not isinstance(value, str) or any(_invisible(char) for char in value):
            raise ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


def _invisible(char: str) -> bool:
    # Cc: controls (NUL among them); Cf: bidi embeddings, overrides and isolates,
    # zero-width spaces and joiners, the byte order mark, the soft hyphen.
    return unicodedata.category(char) in ("Cc", "Cf")


validate_http_url = HttpURLValidator()


def safe_http_url(value: object) -> str:
    """``value`` if it is a valid http(s) URL, else ``""``: what may reach an ``href``."""
    try:
        validate_http_url(value)
    except ValidationError:
        return ""
    return value  # type: ignore[return-value]


# The largest id a BigAutoField holds (PostgreSQL's bigint; SQLite's INTEGER is as wide).
MAX_ID = 2**63 - 1


def positive_id(value: object) -> int | None:
    """``value`` as a database id (a whole number from 1 to ``MAX_ID``), else None.

    For ids that come from outside the package (template arguments, query strings,
    stream data written by code): a value no row can have is not a query at all,
    since the database would refuse it with an error rather than match nothing.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()):
            return None
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None
