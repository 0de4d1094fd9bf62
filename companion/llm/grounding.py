"""The grounding gate: models propose, the transcript decides.

An item survives only when its evidence quotes the transcript; a generated sentence only when the
transcript supports its words, and every name and number in it.
"""

from __future__ import annotations

import re

from companion.llm.sentences import content_words
from companion.models import ActionItem, Evidence, Minutes, Statement, Transcript

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
