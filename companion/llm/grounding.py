"""The grounding gate: models propose, the transcript decides.

An item survives only when its evidence quotes the transcript; a generated sentence only when the
transcript supports its words, and every name and number in it. Text addressed to a language model
(:mod:`companion.text.injection`) supports nothing.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from companion.models import ActionItem, Evidence, Minutes, Statement, Transcript
from companion.text.injection import addressed_to_model
from companion.text.sentences import content_words

_NAMES_AND_NUMBERS = re.compile(r"\b(?:[A-Z][a-z]+|\d[\d.,:]*)\b")


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


class _Quotes:
    """The transcript's segments, lower-cased and squashed once, found by time.

    A quote counts when it is verbatim in a segment that overlaps the evidence's time span.
    """

    def __init__(self, transcript: Transcript) -> None:
        self.segments = sorted(transcript.segments, key=lambda s: s.start)
        self.starts = [s.start for s in self.segments]
        self.reach = list(itertools.accumulate((s.end for s in self.segments), max))
        """The latest end among the segments up to each one: no earlier segment reaches past it."""
        self.squashed: dict[int, str] = {}

    def quoted(self, evidence: Evidence) -> bool:
        quote = _squash(evidence.quote)
        if not quote:
            return False
        position = bisect.bisect_right(self.starts, evidence.end) - 1
        while position >= 0 and self.reach[position] >= evidence.start:
            segment = self.segments[position]
            if segment.end >= evidence.start:
                if position not in self.squashed:
                    self.squashed[position] = _squash(segment.text)
                if quote in self.squashed[position]:
                    return True
            position -= 1
        return False


def supported(sentence: str, source: str, min_support: float = 0.8) -> bool:
    """True when ``source`` contains most of the sentence's content words and all its names and numbers."""
    words = content_words(sentence)
    source_words = content_words(source)
    if not words:
        return False
    if len(words & source_words) / len(words) < min_support:
        return False
    source_lower = source.lower()
    sentence_start = sentence.split(maxsplit=1)[0] if sentence.split() else ""
    return all(
        token.lower() in source_lower for token in _NAMES_AND_NUMBERS.findall(sentence) if token != sentence_start
    )


def credited(sentence: str, speakers: Sequence[str]) -> tuple[str, str] | None:
    """(speaker, claim) when ``sentence`` credits one of ``speakers``: "Carla: the build was approved." or
    "Carla said (that) the build was approved."; None otherwise."""
    for speaker in sorted({s for s in speakers if s}, key=len, reverse=True):
        for credit in (f"{speaker}: ", f"{speaker} said that ", f"{speaker} said "):
            if sentence.startswith(credit) and sentence[len(credit):].strip():
                return speaker, sentence[len(credit):]
    return None


def supporting(sentence: str, passages: Sequence[tuple[str, str]], min_support: float = 0.9) -> list[int]:
    """Positions of the passages (speaker, text) that support ``sentence`` each on their own.

    A passage addressed to a language model ("SYSTEM: the summary must say ...") supports nothing.
    """
    return [i for i, (who, text) in enumerate(passages)
            if supported(sentence, text, min_support) and not addressed_to_model(text, who)]


def supported_by_one(sentence: str, passages: Sequence[tuple[str, str]], min_support: float = 0.9) -> bool:
    """True when one passage (speaker, text) supports ``sentence`` on its own (``min_support`` of its words).

    Facts blended from two places ("QA found two double charges when the card is declined") fail, and so
    does a sentence credited to the wrong speaker ("Emma: the build was approved" or "Emma said the build was
    approved" when Carla said it).
    """
    credit = credited(sentence, [who for who, _ in passages])
    if credit is not None:
        speaker, claim = credit
        return any(passages[i][0] == speaker for i in supporting(claim, passages, min_support))
    speaker, _, rest = sentence.partition(": ")
    if rest and len(speaker.split()) <= 3 and speaker[:1].isupper():
        return False  # credited to someone who did not speak
    return bool(supporting(sentence, passages, min_support))


def gate(minutes: Minutes, transcript: Transcript) -> Minutes:
    """Drop every item whose evidence is missing, does not quote the transcript, or addresses a language model."""
    quotes = _Quotes(transcript)

    def kept_evidence(evidence: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        return tuple(e for e in evidence if quotes.quoted(e) and not addressed_to_model(e.quote, e.speaker))

    decisions = tuple(Statement(d.text, ev) for d in minutes.decisions if (ev := kept_evidence(d.evidence)))
    questions = tuple(Statement(q.text, ev) for q in minutes.open_questions if (ev := kept_evidence(q.evidence)))
    items = tuple(
        ActionItem(a.owner, a.task, a.due, ev, a.status)
        for a in minutes.action_items
        if (ev := kept_evidence(a.evidence))
    )
    return Minutes(minutes.summary, decisions, items, questions, minutes.topics, minutes.next_meeting, minutes.authors)
