"""One story from several agencies: grouping items on import (near duplicates).

An item's headline and text become a set of shingles (``text.story_words``: folded
words, so case, accents, spelling variants and digits of other scripts do not count;
in a script without spaces, pairs of characters), their MinHash signature
(``datasketch``), and the signature's bands hashed into ``WireStoryKey`` rows
(locality-sensitive hashing). A new item is compared only with the recent items that
share a key with it, found through one index however many items there are, and joins
the story of the most similar one whose similarity reaches ``STORY_THRESHOLD``; else
it starts a story of its own.

The similarity is the share of the shorter text's shingles that the other text has
too (estimated from the signatures and the sizes): a one-line flash and the full
report of the same event are alike though the full report says much more.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import numpy as np
import stopwordsiso
from datasketch import MinHash, MinHashLSH
from django.db import connections, router
from django.utils import timezone
from django.utils.html import strip_tags

from ..models import WireItem, WireStory, WireStoryKey
from ..settings import get_setting
from ..text import story_words

NUM_PERM = 128
SEED = 1
# 32-bit hashes (datasketch 2's default), stored as such: changing it would make the
# stored signatures incomparable.
SCHEME = "affine32"
# The bands are laid out for a similarity (Jaccard's) below any threshold a site would
# set, so that STORY_THRESHOLD can change without hashing the stored items again.
CANDIDATE_JACCARD = 0.15
# Of the items that share a key with a new one, the newest this many are compared.
PER_KEY = 2
# Words are compared by their first letters: an inflection or a compound's ending
# (Hochwasser, Hochwassers; evacuated, evacuation) does not make another word, in any
# language, without a stemmer for each.
PREFIX = 6
# Fewer shingles than this say too little to tell one story from another.
MIN_SHINGLES = 4
# Two reports that share fewer words than this are not one story, however short: two
# flashes that share an agency's boilerplate ("the harbour office confirmed") are not.
MIN_SHARED = 6
# Stored signature: the number of shingles, then the minimum hashes (uint32, little-endian).
_DTYPE = np.dtype("<u4")
_SIZE = (NUM_PERM + 1) * _DTYPE.itemsize


@cache
def _stopwords() -> frozenset[str]:
    """The words every report has (the, und, از, в…) in the 50-odd languages of
    stopwords-iso, as ``story_words`` reads them: what is left is what a story is
    about (its names, numbers, places and things). All languages at once: an item's
    language is not always given, and one language's stopword is rarely what
    another's story is about."""
    return frozenset(
        word
        for language in stopwordsiso.langs()
        for stopword in stopwordsiso.stopwords(language)
        for word in story_words(stopword)
    )


def shingles(title: str, html: str) -> set[str]:
    """What two reports of one story share: the words of the headline and the text,
    without stopwords, each cut to its first ``PREFIX`` letters. (Pairs of words, and
    whole words, tried too, lose more of agencies' rewordings than they gain:
    docs/explanation/story-grouping.md.)"""
    stopwords = _stopwords()
    words = story_words(f"{title}\n{strip_tags(html)}")
    return {word[:PREFIX] for word in words if word not in stopwords}


@cache
def _bands() -> tuple[int, int]:
    """The number of bands and of rows in each, as datasketch chooses them."""
    lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


@cache
def _permutations():
    # Drawn once: making them is most of the cost of a signature.
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


@dataclass(frozen=True)
class Signature:
    """An item's MinHash signature and the number of its shingles."""

    hashes: np.ndarray
    size: int

    @classmethod
    def of(cls, found: set[str]) -> "Signature":
        minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)
        minhash.update_batch([shingle.encode() for shingle in found])
        return cls(minhash.hashvalues.astype(_DTYPE), len(found))

    @classmethod
    def load(cls, data: bytes) -> "Signature | None":
        data = bytes(data or b"")
        if len(data) != _SIZE:
            return None
        values = np.frombuffer(data, dtype=_DTYPE)
        return cls(values[1:], int(values[0]))

    def dump(self) -> bytes:
        return np.concatenate([np.array([self.size], dtype=_DTYPE), self.hashes]).tobytes()

    def keys(self) -> list[int]:
        """The bands, each hashed with its number into a signed 64-bit key."""
        bands, rows = _bands()
        return [
            int.from_bytes(
                hashlib.blake2b(
                    band.to_bytes(2, "little")
                    + self.hashes[band * rows : (band + 1) * rows].tobytes(),
                    digest_size=8,
                ).digest(),
                "little",
                signed=True,
            )
            for band in range(bands)
        ]

    def similarity(self, other: "Signature") -> float:
        """The share of the smaller set's shingles in the other (overlap coefficient),
        from the estimated Jaccard similarity and the two sizes."""
        jaccard = np.mean(self.hashes == other.hashes)
        return float(_overlap(np.array([jaccard]), np.array([other.size]), self.size)[0])


def _overlap(jaccard: np.ndarray, sizes: np.ndarray, size: int) -> np.ndarray:
    """Overlap coefficients from Jaccard similarities: |A ∩ B| = J (|A| + |B|) / (1 + J),
    over the smaller of |A| and |B|; 0 where fewer than ``MIN_SHARED`` words are shared."""
    sizes = sizes.astype(float)
    shared = jaccard * (sizes + size) / (1 + jaccard)
    overlap = np.minimum(1.0, shared / np.maximum(1.0, np.minimum(sizes, size)))
    return np.where(shared >= MIN_SHARED - 0.5, overlap, 0.0)


def signature(title: str, html: str) -> Signature | None:
    """The signature of a report, or None when it is too short to compare."""
    found = shingles(title, html)
    return Signature.of(found) if len(found) >= MIN_SHINGLES else None


@cache
def _candidates_sql(alias: str) -> str:
    """The recent items that share a key with a signature: of each key, its newest
    ``PER_KEY`` items, each read in order from the (key, item) index, so that a key
    that many items share (their common words) costs no more than a rare one, and the
    cost stays the same however many items there are. In SQL of its own: the ORM takes
    longer to build this query of one subquery a band than the database to answer it."""
    # Only the models' own table names and numbers are written in; values are
    # parameters.
    quote = connections[alias].ops.quote_name
    keys, items = quote(WireStoryKey._meta.db_table), quote(WireItem._meta.db_table)
    shared = " UNION ALL ".join(
        f"SELECT * FROM (SELECT item_id FROM {keys} WHERE key = %s "  # noqa: S608
        f"ORDER BY item_id DESC LIMIT {PER_KEY}) AS band{band}"
        for band in range(_bands()[0])
    )
    return (
        f"SELECT story_id, signature FROM {items} WHERE id IN ({shared}) "  # noqa: S608
        "AND received_at >= %s AND story_id IS NOT NULL AND id <> %s"
    )


def find_story(
    sig: Signature, *, exclude: int | None = None, keys: list[int] | None = None
) -> int | None:
    """The story of the most similar recent item at or above the threshold, or None."""
    since = timezone.now() - timedelta(hours=get_setting("STORY_WINDOW_HOURS"))
    threshold = get_setting("STORY_THRESHOLD")
    # The database the site's routers choose for the keys, as the ORM would.
    alias = router.db_for_read(WireStoryKey)
    connection = connections[alias]
    with connection.cursor() as cursor:
        since = connection.ops.adapt_datetimefield_value(since)
        sql = _candidates_sql(alias)
        cursor.execute(sql, [*(keys or sig.keys()), since, exclude or 0])
        candidates = [(story, bytes(data)) for story, data in cursor.fetchall()]
    candidates = [(story, data) for story, data in candidates if len(data) == _SIZE]
    if not candidates:
        return None
    # All candidates at once: a row of each one's size and hashes.
    rows = np.frombuffer(b"".join(data for _, data in candidates), dtype=_DTYPE)
    rows = rows.reshape(len(candidates), NUM_PERM + 1)
    scores = _overlap(np.mean(rows[:, 1:] == sig.hashes, axis=1), rows[:, 0], sig.size)
    best = int(np.argmax(scores))
    return candidates[best][0] if scores[best] >= threshold else None


def group(record: WireItem) -> None:
    """Give a newly recorded item its story (in the import's transaction): the story
    of a recent item alike enough, else a new one."""
    sig = signature(record.title, record.text)
    keys = sig.keys() if sig is not None else []
    story_id = find_story(sig, exclude=record.pk, keys=keys) if sig is not None else None
    if story_id is None:
        story_id = WireStory.objects.create().pk
    record.story_id = story_id
    record.signature = sig.dump() if sig is not None else b""
    WireItem.objects.filter(pk=record.pk).update(story_id=story_id, signature=record.signature)
    if sig is not None:
        WireStoryKey.objects.bulk_create([WireStoryKey(item_id=record.pk, key=key) for key in keys])
