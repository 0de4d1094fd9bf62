"""The grounding gate: models propose, the transcript decides.

An item survives only when its evidence quotes the transcript; a generated sentence only when the
transcript supports its words, and every name and number in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from companion.models import ActionItem, Evidence, Minutes, Statement, Transcript
from companion.text.sentences import content_words

_NAMES_AND_NUMBERS = re.compile(r"\b(?:[A-Z][a-z]+|\d[\d.,:]*)\b")


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def quotes_transcript(evidence: Evidence, transcript: Transcript) -> bool:
    """True when the quote is verbatim in a segment that overlaps the evidence's time span."""
    quote = _squash(evidence.quote)
    return bool(quote) and any(
        quote in _squash(s.text) for s in transcript.segments if s.start <= evidence.end and s.end >= evidence.start
    )


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


def supported_by_one(sentence: str, passages: Sequence[tuple[str, str]], min_support: float = 0.9) -> bool:
    """True when one passage (speaker, text) supports ``sentence`` on its own (``min_support`` of its words).

    Facts blended from two places ("QA found two double charges when the card is declined") fail, and so
    does a sentence credited to the wrong speaker ("Emma: the build was approved" when Carla said it).
    """
    speaker, _, rest = sentence.partition(": ")
    speakers = {who for who, _ in passages}
    if rest and speaker in speakers:
        return any(supported(rest, text, min_support) for who, text in passages if who == speaker)
    if rest and len(speaker.split()) <= 3 and speaker[:1].isupper():
        return False  # credited to someone who did not speak
    return any(supported(sentence, text, min_support) for _, text in passages)


def gate(minutes: Minutes, transcript: Transcript) -> Minutes:
    """Drop every item whose evidence is missing or does not quote the transcript."""

    def kept_evidence(evidence: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        return tuple(e for e in evidence if quotes_transcript(e, transcript))

    decisions = tuple(Statement(d.text, ev) for d in minutes.decisions if (ev := kept_evidence(d.evidence)))
    questions = tuple(Statement(q.text, ev) for q in minutes.open_questions if (ev := kept_evidence(q.evidence)))
    items = tuple(
        ActionItem(a.owner, a.task, a.due, ev, a.status)
        for a in minutes.action_items
        if (ev := kept_evidence(a.evidence))
    )
    return Minutes(minutes.summary, decisions, items, questions, minutes.topics, minutes.next_meeting, minutes.authors)
