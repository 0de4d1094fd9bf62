"""Transcript sentences with speaker and time: the units that minutes items quote as evidence."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from companion.models import Evidence, Segment

_NOT_AN_ENTITY = "".join(rf"(?<!&[a-z]{{{letters}}};)" for letters in range(2, 7))
_SENTENCE_END = re.compile(rf"(?<=[.!?])\s+(?=\S)|(?<=\w;){_NOT_AN_ENTITY}\s+(?=\S)", re.IGNORECASE)
"""A sentence ends at its stop, or at a semicolon after a word: a recap lists one item a clause ("Kofi orders the
pumps; Mei redoes the letters."); a semicolon after a bracket or ending "&amp;" is text."""
_WORD = re.compile(r"[a-z0-9']+")
STOPWORDS = frozenset(
    "a an the and or but so to of in on at by for with from into about as is are was were be been being it its "
    "this that these those i you he she we they me him her us them my your our their mine yours ours do does "
    "did done have has had will would can could should shall may might must not no yes okay ok just then than "
    "there here what which who whom when where why how all any some more most very also too up out over again "
    "until before after if because while let's lets i'll i'm we'll we're you're it's that's don't doesn't can't "
    "please".split()
)




@lru_cache(maxsize=16)
def stop_words(language: str) -> frozenset[str]:
    """The words a search leaves out in ``language`` (a Whisper code): English's above, another language's from
    ``data/stopwords-<language>.txt`` (a second language is a data file), none for a language without one."""
    if language == "en":
        return STOPWORDS
    path = Path(__file__).with_name("data") / f"stopwords-{language}.txt"
    if not path.is_file():
        return frozenset()
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return frozenset(" ".join(lines).split())


@dataclass(frozen=True)
class Sentence:
    index: int
    """Position in the meeting, counting sentences."""
    turn: int
    """Speaker turn it belongs to: the segment's index, unless a segment before it was over
    ``MAX_TURN_SENTENCES`` sentences long (each such segment counts as several turns)."""
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


MAX_SENTENCE_WORDS = 120
"""A longer run of words without a sentence end (unpunctuated speech) is cut into pieces of this many words."""
MAX_TURN_SENTENCES = 50
"""A segment of more sentences (one long paragraph) counts as several turns of this many, so that the rules that
look a few turns back or ahead stay local."""


def sentence_texts(text: str) -> list[str]:
    """The sentences of ``text`` in order, found in one pass; a run over ``MAX_SENTENCE_WORDS`` words is cut."""
    texts: list[str] = []
    for part in _SENTENCE_END.split(text):
        words = part.split()
        if len(words) <= MAX_SENTENCE_WORDS:
            texts += [part.strip().removesuffix(";")] if words else []
        else:
            texts += [" ".join(words[i:i + MAX_SENTENCE_WORDS]) for i in range(0, len(words), MAX_SENTENCE_WORDS)]
    return texts


def split_sentences(segments: Sequence[Segment]) -> list[Sentence]:
    """Split each segment into sentences, once; times come from word timestamps when the segment has them.

    Without word times a segment's span is shared among its sentences by length.
    """
    sentences: list[Sentence] = []
    turn = 0
    for segment in segments:
        parts = sentence_texts(segment.text)
        counts = [len(part.split()) for part in parts]
        total = max(1, sum(counts))
        span = segment.end - segment.start
        word_at = 0
        for position, (part, count) in enumerate(zip(parts, counts, strict=True)):
            start, end = segment.start, segment.end
            if len(segment.words) >= word_at + count > word_at:
                start, end = segment.words[word_at].start, segment.words[word_at + count - 1].end
            elif len(parts) > 1:  # no word times: share the segment's span by length
                start = segment.start + span * word_at / total
                end = segment.start + span * min(total, word_at + count) / total
            word_at += count
            sentences.append(Sentence(len(sentences), turn + position // MAX_TURN_SENTENCES, segment.speaker, part,
                                      start, end))
        turn += max(1, math.ceil(len(parts) / MAX_TURN_SENTENCES))
    return sentences


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning (no stop words)."""
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1}


def named_words(text: str) -> int:
    """How many words of a text name something (content words other than numbers): of two wordings of one item,
    the one that names more is the fuller."""
    return sum(not word.isdigit() for word in content_words(text))
