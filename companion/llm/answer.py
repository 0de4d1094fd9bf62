"""Quick answers from what retrieval found: the graph's current state first, every answer with citations.

Nothing here generates text freely: an answer names the owner, due date, decision or quote of the item
(or transcript passage) that supports it best, and says so plainly when nothing does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from companion.kg.records import Answer, Citation, Item
from companion.kg.text import GENERIC, coverage, stems
from companion.llm.dates import resolve_date
from companion.models import Evidence

NO_ANSWER = "I found nothing in this team's meetings that answers that."
_QUESTION_WORDS = GENERIC | {"who", "what", "when", "which", "where", "whom", "whose", "how", "did", "does", "is"}
_WHO = re.compile(r"\b(?:who|whom|whose|which person|anyone)\b", re.IGNORECASE)
_WHEN = re.compile(r"\b(?:when|what (?:date|day|time)|by when|deadline|due)\b", re.IGNORECASE)
_DECIDED = re.compile(r"\b(?:decid\w*|decision|chose|choose|chosen|pick(?:ed)?|go(?:ing)? with|agree\w*|settled?|"
                      r"which)\b", re.IGNORECASE)
_COUNT = re.compile(r"\bhow (?:many|much|long)\b|\bnumber of\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|thousand)\b",
                     re.IGNORECASE)
MIN_COVERAGE = 0.5
MIN_SIMILARITY = 0.55


@dataclass(frozen=True)
class Passage:
    """One retrieved thing: a graph item, or a transcript segment of a meeting."""

    meeting_id: int
    title: str
    date: str
    evidence: tuple[Evidence, ...]
    similarity: float = 0.0
    item: Item | None = None
    context: str = ""
    """Extra words the item is known by (its topic, what was said around it)."""

    @property
    def text(self) -> str:
        return self.item.text if self.item else " ".join(e.quote for e in self.evidence)


def readable_date(iso: str) -> str:
    """``2026-03-17`` -> ``Tuesday, March 17, 2026`` (a ``THH:MM`` time is kept: ``... at 10:00``)."""
    day, _, time = iso.partition("T")
    try:
        text = dt.date.fromisoformat(day).strftime("%A, %B %d, %Y").replace(" 0", " ")
    except ValueError:
        return iso
    return f"{text} at {time}" if time else text


def answer_question(question: str, passages: Sequence[Passage], newer: Mapping[int, Passage],
                    older: Mapping[int, Sequence[Passage]] | None = None) -> Answer:
    """The answer the best supporting passage gives, or :data:`NO_ANSWER` when none supports one.

    Args:
        question: what the user asked.
        passages: what retrieval found (items and transcript segments of one team).
        newer: for an item id, the item that superseded or followed it up (the graph's current state).
        older: for an item id, the earlier items it superseded or followed up (named in the answer).
    """
    wanted = stems(question, _QUESTION_WORDS)
    scored = [(score, p) for p in passages if (score := _score(question, wanted, p)) > 0]
    if not wanted or not scored:
        return Answer(NO_ANSWER)
    best = max(scored, key=lambda pair: pair[0])[1]
    seen = 0
    while best.item is not None and best.item.id in newer and seen < 10:
        best, seen = newer[best.item.id], seen + 1
    earlier = list((older or {}).get(best.item.id, ())) if best.item is not None else []
    text = _sentence(question, best, earlier)
    evidence = [(best, e) for e in best.evidence[:3]] + [(p, p.evidence[0]) for p in earlier if p.evidence]
    citations = tuple(Citation(p.meeting_id, p.title, p.date, e.start, e.end, e.quote) for p, e in evidence)
    return Answer(text, citations)


def _score(question: str, wanted: set[str], passage: Passage) -> float:
    """Relevance plus a preference for the kind of passage the question asks about; 0 when unsupported."""
    found = stems(f"{passage.text} {passage.context} {passage.item.owner or '' if passage.item else ''}")
    lexical = coverage(wanted, found)
    if lexical < MIN_COVERAGE and not (lexical > 0 and passage.similarity >= MIN_SIMILARITY):
        return 0.0
    item = passage.item
    kind = item.kind if item else "segment"
    bonus = {"segment": 0.0, "topic": -0.1}.get(kind, 0.05)
    if _WHO.search(question):
        bonus += 0.3 if item and item.owner else 0.0
    elif _WHEN.search(question):
        bonus += 0.3 if _date_of(passage) else 0.0
        bonus += 0.1 if kind == "decision" else 0.0
    elif _COUNT.search(question):
        bonus += 0.2 if _NUMBER.search(passage.text) else 0.0
        bonus += 0.1 if kind == "decision" else 0.0
    elif _DECIDED.search(question):
        bonus += 0.3 if kind == "decision" else 0.0
    if item is not None:
        bonus += {"active": 0.1, "open": 0.05, "superseded": -0.2}.get(item.status, 0.0)
    return 0.5 * lexical + 0.5 * max(passage.similarity, 0.0) + bonus


def _date_of(passage: Passage) -> str | None:
    """The date a passage is about: an action item's due date, else the first date its quotes name."""
    if passage.item is not None and passage.item.kind == "action_item":
        return passage.item.due
    try:
        meeting_day = dt.date.fromisoformat(passage.date)
    except ValueError:
        return None
    dates = [d for e in passage.evidence if (d := resolve_date(e.quote, meeting_day))]
    return dates[0].isoformat() if dates else None


def _sentence(question: str, best: Passage, older: Sequence[Passage]) -> str:
    item, when = best.item, readable_date(best.date)
    day = _date_of(best)
    if item is None:
        speaker = best.evidence[0].speaker if best.evidence else ""
        text = f"{speaker or 'Someone'} said in {best.title!r} ({when}): \u201c{best.text}\u201d"
    elif item.kind == "action_item":
        state = "done" if item.status == "done" else "overdue" if item.overdue else item.status
        due = f", due {readable_date(item.due)}" if item.due else ""
        text = f"{item.owner or 'Nobody yet'} owns \u201c{item.text}\u201d{due} ({state}; from {when})."
    elif item.kind == "decision":
        prefix = f"{readable_date(day)}. " if day and _WHEN.search(question) else ""
        text = f"{prefix}Decided in {best.title!r} ({when}): \u201c{item.text}\u201d"
    elif item.kind == "open_question":
        state = "still open" if item.status == "open" else item.status
        text = f"An open question since {when} ({state}): \u201c{item.text}\u201d"
    else:
        text = f"Discussed in {best.title!r} ({when}) under \u201c{item.text}\u201d."
    for old in older:
        if old.item is not None:
            verb = "supersedes" if old.item.kind == "decision" else "follows up"
            text += f" This {verb} \u201c{old.item.text}\u201d ({readable_date(old.date)})."
    return text
