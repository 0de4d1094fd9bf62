"""Word stems for matching what was said across meetings ("bugs" ~ "bug", "migration" ~ "migrate")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from companion.text.sentences import content_words

_SUFFIXES = ("ing", "ed", "es", "s")
_PREFIX = 5
# Words that say what happens to an item rather than what it is about.
GENERIC = frozenset(
    "know knew long many much also now still new next last week today tomorrow decide decided decision made "
    "agree agreed go going ahead went need needs needed think want get got one two thing things something let "
    "sure well yeah yes okay alright right good great thanks everyone team meeting said say says".split()
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude stem: plural and tense endings off, then the first five letters ("crashes" -> "crash")."""
    word = word.lower().strip("'")
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    return word[:_PREFIX]


@lru_cache(maxsize=16384)
def stems(text: str, drop: frozenset[str] = GENERIC) -> frozenset[str]:
    """Stems of the content words of ``text``, without the ``drop`` words."""
    dropped = _stemmed(drop)
    return frozenset(s for s in (stem(w) for w in content_words(text)) if s not in dropped)


@lru_cache(maxsize=16)
def _stemmed(words: frozenset[str]) -> frozenset[str]:
    return frozenset(stem(w) for w in words)


def overlap(a: str, b: str) -> float:
    """Overlap coefficient of the stems of ``a`` and ``b`` (0 when either has none): "book her refresher" and
    "get the refresher course booked" are half the same."""
    left, right = stems(a, frozenset()), stems(b, frozenset())
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


def coverage(wanted: frozenset[str], found_in: frozenset[str]) -> float:
    """The share of ``wanted`` stems that ``found_in`` has (0 when nothing is wanted)."""
    return len(wanted & found_in) / len(wanted) if wanted else 0.0


_MARKS = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{re.escape(_MARKS)}])*")
"""A word with its combining marks: "समीक्षा" is one word, not "सम" and fragments; safe to quote in a full-text query."""


def words(text: str) -> list[str]:
    """Plain alphanumeric words (with their combining marks), safe to quote in a full-text query."""
    return _WORD.findall(text.lower())
