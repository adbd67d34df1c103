"""The one URL rule of the package: a source link is an absolute http(s) URL.

Shared by the blocks, the page models and (later) the feed importer, so that a
``javascript:``, ``data:`` or relative URL is refused wherever it comes from.
"""

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
    """

    message = _("Enter a full web address starting with http:// or https://.")

    def __init__(self, **kwargs):
        kwargs.setdefault("schemes", list(ALLOWED_SCHEMES))
        super().__init__(**kwargs)

    def __call__(self, value):
        if not isinstance(value, str) or "\x00" in value:
            raise ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


validate_http_url = HttpURLValidator()


def safe_http_url(value: object) -> str:
    """``value`` if it is a valid http(s) URL, else ``""``: what may reach an ``href``."""
    try:
        validate_http_url(value)
    except ValidationError:
        return ""
    return value  # type: ignore[return-value]
