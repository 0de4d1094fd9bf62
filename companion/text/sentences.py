"""Transcript sentences with speaker and time: the units that minutes items quote as evidence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from companion.models import Evidence, Segment

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_WORD = re.compile(r"[a-z0-9']+")
STOPWORDS = frozenset(
    "a an the and or but so to of in on at by for with from into about as is are was were be been being it its "
    "this that these those i you he she we they me him her us them my your our their mine yours ours do does "
    "did done have has had will would can could should shall may might must not no yes okay ok just then than "
    "there here what which who whom when where why how all any some more most very also too up out over again "
    "until before after if because while let's lets i'll i'm we'll we're you're it's that's don't doesn't can't "
    "please".split()
)


@dataclass(frozen=True)
class Sentence:
    index: int
    """Position in the meeting, counting sentences."""
    turn: int
    """Index of the segment (speaker turn) it belongs to."""
    speaker: str
    text: str
    start: float
    end: float

    @property
    def evidence(self) -> Evidence:
        return Evidence(round(self.start, 2), round(self.end, 2), self.speaker, self.text)

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?")


def split_sentences(segments: Sequence[Segment]) -> list[Sentence]:
    """Split each segment into sentences; times come from word timestamps when the segment has them."""
    sentences: list[Sentence] = []
    for turn, segment in enumerate(segments):
        parts = [p.strip() for p in _SENTENCE_END.split(segment.text) if p.strip()]
        word_at = 0
        for part in parts:
            count = len(part.split())
            start, end = segment.start, segment.end
            if len(segment.words) >= word_at + count > word_at:
                start, end = segment.words[word_at].start, segment.words[word_at + count - 1].end
            elif len(parts) > 1:  # no word times: share the segment's span by length
                total = max(1, len(segment.text.split()))
                span = segment.end - segment.start
                start = segment.start + span * word_at / total
                end = segment.start + span * min(total, word_at + count) / total
            word_at += count
            sentences.append(Sentence(len(sentences), turn, segment.speaker, part, start, end))
    return sentences


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning (no stop words)."""
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1}


def overlap(a: str, b: str) -> float:
    """Overlap coefficient of the content words of ``a`` and ``b`` (0 when either has none)."""
    left, right = content_words(a), content_words(b)
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))
