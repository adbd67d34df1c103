"""The one URL rule of the package: a source link is an absolute http(s) URL; and the
rule that keeps a feed's drop folder inside ``FEED_DROP_ROOT``.

Shared by the blocks, the page models and (later) the feed importer, so that a
``javascript:``, ``data:`` or relative URL is refused wherever it comes from.
"""

import re
import unicodedata
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .settings import get_setting
from .text import split_list

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


def drop_folder_path(folder: str) -> Path:
    """The absolute path of a feed's drop folder: ``folder`` (relative) under the
    ``FEED_DROP_ROOT`` setting, which it may never leave (``..``, an absolute path, a
    link out of it). Raises ValidationError, in plain words, otherwise."""
    root = get_setting("FEED_DROP_ROOT")
    if not root:
        raise ValidationError(
            _("Reading a folder needs the FEED_DROP_ROOT setting: ask your developers."),
            code="no_drop_root",
        )
    root_path = Path(root).resolve()
    relative = Path(folder)
    if relative.is_absolute() or not folder.strip():
        raise ValidationError(
            _("Give the folder's path under the drop folder, not an absolute path."),
            code="absolute",
        )
    path = (root_path / relative).resolve()
    if not path.is_relative_to(root_path) or path == root_path:
        raise ValidationError(_("The folder must be inside the drop folder."), code="outside")
    if not path.is_dir():
        raise ValidationError(
            _("There is no folder %(folder)s in the drop folder."),
            code="missing",
            params={"folder": folder},
        )
    return path


# A BCP 47 language tag as rules and documents write it (en, de-CH, zh-Hant-TW).
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
# An IPTC Media Topic: medtop:15000000, 15000000, or its URI.
_MEDIA_TOPIC = re.compile(r"(?:medtop:|https?://cv\.iptc\.org/newscodes/mediatopic/)?(\d{8})")


def language_tag(value: str) -> str:
    """``value`` as a lower-case BCP 47 tag (``en-gb``), or "" when it is not one."""
    tag = (value or "").strip().replace("_", "-").lower()
    return tag if _LANGUAGE_TAG.fullmatch(tag) else ""


def language_tags(value: str, *, strict: bool = False) -> list[str]:
    """A rule's language tags; ``strict`` (the form) refuses one that is not a tag."""
    tags = []
    for entry in split_list(value):
        tag = language_tag(entry)
        if tag:
            tags.append(tag)
        elif strict:
            raise ValueError(
                gettext("“%(entry)s” is not a language tag (en, de-CH, fa).") % {"entry": entry}
            )
    return tags


def media_topic(value: str) -> str:
    """``value`` as ``medtop:<8 digits>`` when it is an IPTC Media Topic, else ""."""
    match = _MEDIA_TOPIC.fullmatch((value or "").strip().rstrip("/").lower())
    return f"medtop:{match.group(1)}" if match else ""


def topic_codes(value: str, *, strict: bool = False) -> list[str]:
    """A rule's Media Topic codes; ``strict`` (the form) refuses one that is not one."""
    codes = []
    for entry in split_list(value):
        code = media_topic(entry)
        if code:
            codes.append(code)
        elif strict:
            raise ValueError(
                gettext(
                    "“%(entry)s” is not an IPTC Media Topic code (medtop:15000000 or 15000000)."
                )
                % {"entry": entry}
            )
    return codes
