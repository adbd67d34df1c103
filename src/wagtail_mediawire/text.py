"""Excerpts: text cut between words, with "…" where it was cut.

One home for the cut, so that the stored excerpt (``models/pages.py``) and the
shorter Recent Posts excerpt (``recent.py``) end the same way.
"""

import unicodedata
from collections.abc import Iterator
from typing import Any

from django.utils.text import Truncator

ELLIPSIS = "…"


def cut_excerpt(text: str, words: int, chars: int | None = None) -> str:
    """``text`` on one line, at most ``words`` words and ``chars`` characters ("…"
    included), cut between words, with "…" where it was cut.

    Punctuation left at the cut is dropped ("the quay…", never "the quay,…"): a
    comma or a full stop before the ellipsis reads as a typing slip. A single word
    longer than ``chars`` is cut inside, as nothing else fits.
    """
    text = " ".join(str(text).split())
    # truncate="" so that Truncator cuts and this function alone says how it ends.
    cut = Truncator(text).words(words, truncate="")
    if chars is not None and len(cut) > chars:
        room = max(chars - len(ELLIPSIS), 0)
        head = cut[:room]
        if cut[room] != " " and " " in head:
            head = head.rsplit(" ", 1)[0]  # the last word was cut in the middle
        cut = head
    if cut == text:
        return text
    cut = _without_trailing_punctuation(cut)
    return cut + ELLIPSIS if cut else ""


def _without_trailing_punctuation(text: str) -> str:
    end = len(text)
    while end and (text[end - 1] == " " or unicodedata.category(text[end - 1]).startswith("P")):
        end -= 1
    # Nothing but punctuation: keep it rather than show a bare "…".
    return text[:end] or text.rstrip()


def iter_raw_values(raw_stream: Any, block_type: str, value_type: type) -> Iterator[Any]:
    """The raw values of a body's ``block_type`` blocks, in order, skipping any that is
    not a ``value_type``, without converting the other blocks."""
    for item in raw_stream or ():
        if (
            isinstance(item, dict)
            and item.get("type") == block_type
            and isinstance(item.get("value"), value_type)
        ):
            yield item["value"]


def iter_raw_paragraphs(raw_stream: Any) -> Iterator[str]:
    """The raw rich text of a body's ``paragraph`` blocks, in order (an excerpt needs
    only the first)."""
    return iter_raw_values(raw_stream, "paragraph", str)
