"""Text rules: excerpts cut between words, and text that XML can carry.

One home for the cut, so that the stored excerpt (``models/pages.py``) and the
shorter Recent Posts excerpt (``recent.py``) end the same way; and one home for the
characters XML 1.0 forbids, stripped where text enters (the editor's fields, the
feed form, the importer) and again where it leaves (feeds, sitemaps).
"""

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext

ELLIPSIS = "…"

# What XML 1.0 forbids (§2.2 Char): C0 controls but tab, LF and CR; lone surrogates;
# U+FFFE and U+FFFF. Django's feed generators refuse them (UnserializableContentError),
# and a sitemap holding one is not XML at all.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Word writes a manual line break as U+000B and a page break as U+000C: both read as a space.
_XML_AS_SPACE = str.maketrans({"\x0b": " ", "\x0c": " "})


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (vertical tab and form feed
    become spaces), so that every output can carry it."""
    if not text or not _XML_FORBIDDEN.search(text):
        return text  # the usual case, without a copy
    return _XML_FORBIDDEN.sub("", text.translate(_XML_AS_SPACE))


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


def search_text(query: str) -> str:
    """A search box's text as plain words for Wagtail's search backends.

    SQLite's full-text search reads a double quote as the start of a phrase, and one
    left open is a database error (a 500 for a lone ``"``); the admin's searches are
    plain words, so quotes become spaces (and nothing but quotes, no search).
    """
    return " ".join(query.replace('"', " ").split())


# Word matching for the feeds' rules (ingest/rules.py): whole words, whatever the
# case, the accents or the spelling variant, in any script.

# Arabic letters Persian writes otherwise, the same word either way; tatweel stretches a
# word and the zero-width non-joiner splits one (می‌خواهد, میخواهد): neither changes it.
_FOLDED_LETTERS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ـ": None,
        "\u200c": None,
        # Arabic writes a final ta marbuta as ha as often as not.
        "ة": "ه",
        # Arabic-Indic and Persian digits: the same number as 0-9.
        **{chr(0x0660 + n): str(n) for n in range(10)},
        **{chr(0x06F0 + n): str(n) for n in range(10)},
    }
)
_WORD = re.compile(r"\w+")
_LIST_SEPARATORS = re.compile(r"[\n,;،]+")
# Scripts written without spaces between words: a keyword in them is found anywhere.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)


def fold(text: str) -> str:
    """``text`` without case, accents or spelling variants: what word matching compares."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED_LETTERS))
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", kept).casefold()


def word_text(text: str) -> str:
    """The words of ``text``, folded, one space between and around them: a phrase of
    whole words is in it when `` phrase `` is (``has_words``)."""
    return " " + " ".join(_WORD.findall(fold(text))) + " "


def split_list(value: str) -> list[str]:
    """A field's entries: a line each, or separated by commas or semicolons."""
    return [entry.strip() for entry in _LIST_SEPARATORS.split(value or "") if entry.strip()]


def keywords(value: str, *, strict: bool = False) -> list[str]:
    """A rule's words and phrases, folded (``word_text`` without its outer spaces).

    ``strict`` (the form) refuses an entry without a letter or digit, which could never
    match; otherwise it is left out.
    """
    found = []
    for entry in split_list(value):
        words = word_text(entry).strip()
        if words:
            found.append(words)
        elif strict:
            raise ValueError(
                gettext("“%(entry)s” has no letter or digit to look for.") % {"entry": entry}
            )
    return found


def has_words(text_words: str, keyword: str) -> bool:
    """Whether ``text_words`` (``word_text``) holds ``keyword`` (``keywords``) as whole
    words; a keyword in a script without spaces is looked for anywhere."""
    if _UNSPACED.search(keyword):
        return keyword.replace(" ", "") in text_words.replace(" ", "")
    return f" {keyword} " in text_words


def story_words(text: str) -> list[str]:
    """The words of ``text``, folded, for comparing two reports of one story: in a
    script written without spaces, each pair of neighbouring characters stands for a
    word (Chinese words are mostly one or two characters long)."""
    words: list[str] = []
    for word in _WORD.findall(fold(text)):
        if not _UNSPACED.search(word):
            words.append(word)
            continue
        for run in re.findall(f"{_UNSPACED.pattern}+|[^{_UNSPACED.pattern[1:-1]}]+", word):
            if not _UNSPACED.match(run):
                words.append(run)
            elif len(run) == 1:
                words.append(run)
            else:
                words.extend(run[i : i + 2] for i in range(len(run) - 1))
    return words
