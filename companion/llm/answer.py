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
from companion.models import Evidence, Meeting
from companion.text.dates import resolve_date
from companion.text.sentences import split_sentences
from companion.text.stems import GENERIC, coverage, stems

NO_ANSWER = "I found nothing in this team's meetings that answers that."
_QUESTION_WORDS = GENERIC | {"who", "what", "when", "which", "where", "whom", "whose", "how", "did", "does", "is"}
_WHO = re.compile(r"\b(?:who|whom|whose|which person|anyone)\b", re.IGNORECASE)
_WHEN = re.compile(r"\b(?:when|what (?:date|day|time)|by when|deadline|due)\b", re.IGNORECASE)
_DECIDED = re.compile(r"\b(?:decid\w*|decision|chose|choose|chosen|pick(?:ed)?|go(?:ing)? with|agree\w*|settled?|"
                      r"which)\b", re.IGNORECASE)
_COUNT = re.compile(r"\bhow (?:many|much|long)\b|\bnumber of\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|thousand)\b",
                     re.IGNORECASE)
_NEXT_MEETING = re.compile(r"\b(?:next|upcoming|following) (?:meeting|sync|call|check-?in|stand-?up)\b|"
                           r"\bmeet(?:ing)? (?:again|next)\b", re.IGNORECASE)
_WORKLOAD = re.compile(r"\b(?:working on|work on|open for|on (?:his|her|their) plate|assigned to|responsible for|"
                       r"(?:has|have) to do|to-?dos?|tasks?|action items?|owe|owes)\b", re.IGNORECASE)
_OPEN_LIST = re.compile(
    r"\b(?:open|outstanding|unanswered|unresolved|pending|remaining)\s+(?P<what>questions?|issues?|action items?|"
    r"items?|tasks?|to-?dos?)\b|\b(?P<what2>questions?|action items?|tasks?|items?)\b[^?]*\b(?:still )?"
    r"(?:open|outstanding|unanswered|pending)\b", re.IGNORECASE)
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve")
_ORDINAL_WORDS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                  "tenth", "eleventh", "twelfth")
_QUANTITY = re.compile(
    r"\b(?:versions?\s+|v\.?\s?|q)?(?:(?P<digits>\d+(?:[.:/-]\d+)*)(?:st|nd|rd|th|s|am|pm)?|"
    rf"(?P<word>{'|'.join(_NUMBER_WORDS + _ORDINAL_WORDS)}))\b", re.IGNORECASE)
"""A number, version, ordinal, quarter or time: "2027", "v3", "version 3", "3.2", "3rd", "third", "Q3", "2026-03-17",
"5pm"."""
_CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split())
_NOT_SUBJECT = _QUESTION_WORDS | _CALENDAR_WORDS
"""Words a question's subject is without (with its numbers, :data:`_QUANTITY`)."""
RECENCY = 0.05
"""Among equally good passages the newer meeting wins (the current state)."""
NUMBER_MATCH = 0.2
"""Among passages about the question's subject, one naming the question's numbers wins ("version 3", not 2)."""
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
    wanted = stems(_QUANTITY.sub(" ", question), _NOT_SUBJECT)
    numbers = _numbers(question)
    days = sorted({p.date for p in passages})
    recency = {day: RECENCY * (rank + 1) / len(days) for rank, day in enumerate(days)}
    scored = [(score + recency[p.date], p) for p in passages if (score := _score(question, wanted, numbers, p)) > 0]
    if not wanted or not scored:
        return Answer(NO_ANSWER)
    best = max(scored, key=lambda pair: pair[0])[1]
    seen = 0
    while best.item is not None and best.item.id in newer and seen < 10:
        best, seen = newer[best.item.id], seen + 1
    earlier = list((older or {}).get(best.item.id, ())) if best.item is not None else []
    text = _sentence(question, best, earlier)
    citations = [_cite(best.meeting_id, best.title, best.date, e) for e in best.evidence[:3]]
    item = best.item
    if item is not None and item.resolution is not None and item.resolved_in is not None:
        citations.append(_cite(item.resolved_in, item.resolved_title or "", item.resolved_date or "",
                               item.resolution))
    citations += [_cite(p.meeting_id, p.title, p.date, p.evidence[0]) for p in earlier if p.evidence]
    return Answer(text, tuple(dict.fromkeys(citations)))


def _cite(meeting_id: int, title: str, date: str, evidence: Evidence) -> Citation:
    return Citation(meeting_id, title, date, evidence.start, evidence.end, evidence.quote)


def _numbers(text: str) -> frozenset[str]:
    """The numbers ``text`` names, each as plain digits ("v3", "version 3", "3rd", "third" -> "3"; "2.0" -> "2")."""
    found: set[str] = set()
    for match in _QUANTITY.finditer(text):
        if match["word"]:
            word = match["word"].lower()
            found.add(str(_NUMBER_WORDS.index(word) if word in _NUMBER_WORDS else _ORDINAL_WORDS.index(word)))
            continue
        parts = [part.lstrip("0") or "0" for part in re.split(r"[.:/-]", match["digits"])]
        while len(parts) > 1 and parts[-1] == "0":
            parts.pop()
        found.add(".".join(parts))
    return frozenset(found)


def _score(question: str, wanted: frozenset[str], numbers: frozenset[str], passage: Passage) -> float:
    """Relevance plus a preference for the kind of passage the question asks about; 0 when unsupported.

    Args:
        question: what the user asked.
        wanted: the stems of the question's subject, which the passage must cover.
        numbers: the numbers the question names (:func:`_numbers`): never required, only preferred.
        passage: the retrieved item or transcript segment.
    """
    said = f"{passage.text} {passage.context}"
    found = stems(f"{said} {passage.item.owner or '' if passage.item else ''}")
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
    if numbers:
        bonus += NUMBER_MATCH * len(numbers & _numbers(said)) / len(numbers)
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
        prefix = f"{readable_date(day)}. " if day and _WHEN.search(question) else ""
        text = f"{prefix}{speaker or 'Someone'} said in {best.title!r} ({when}): \u201c{best.text}\u201d"
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
    if item is not None and item.resolution is not None and item.status in ("done", "answered"):
        verb = "Done" if item.status == "done" else "Answered"
        text += (f" {verb} in {item.resolved_title!r} ({readable_date(item.resolved_date or '')}): "
                 f"\u201c{item.resolution.quote}\u201d")
    for old in older:
        if old.item is not None:
            verb = "supersedes" if old.item.kind == "decision" else "follows up"
            text += f" This {verb} \u201c{old.item.text}\u201d ({readable_date(old.date)})."
    return text


def names_in(question: str) -> list[str]:
    """The names a question asks about ("iOS", "Berlin", "S3"), not its first word.

    Numbers, versions, ordinals and dates ("2027", "v3", "3rd", "Q3", "March") are no names: the question is
    matched on its subject, and they only prefer among the passages about it (:func:`answer_question`).
    """
    tokens = re.findall(r"[^\W_][\w'-]*", question)
    names = [t for t in tokens[1:] if t[0].isupper() or any(c.isdigit() for c in t)
             or (not t.islower() and not t.isupper())] + [t for t in tokens[:1] if any(c.isdigit() for c in t)]
    return [t for t in names if not _QUANTITY.fullmatch(t) and t.lower() not in _CALENDAR_WORDS]


def nothing_about(terms: Sequence[str]) -> Answer:
    """The answer when a question names something the team never talked about: no guess from the rest."""
    named = ", ".join(f"\u201c{t}\u201d" for t in terms)
    return Answer(f"I found nothing about {named} in this team's meetings.")


def open_list_answer(question: str, items: Sequence[Item]) -> Answer | None:
    """"What questions are still open?" / "What action items are outstanding?": the list, each cited."""
    match = _OPEN_LIST.search(question)
    if match is None:
        return None
    what = (match["what"] or match["what2"]).lower()
    kind = "open_question" if what.startswith(("question", "issue")) else "action_item"
    found = [i for i in items if i.kind == kind and i.status == "open"]
    label = "open question" if kind == "open_question" else "open action item"
    if not found:
        return Answer(f"There is no {label} in this team's meetings.")
    parts = [f"{i.owner + ': ' if i.owner else ''}\u201c{i.text}\u201d ({readable_date(i.meeting_date)})"
             for i in found]
    citations = tuple(_cite(i.meeting_id, i.meeting_title, i.meeting_date, i.evidence[0]) for i in found if i.evidence)
    return Answer(f"{len(found)} {label}{'s' if len(found) > 1 else ''}: {'; '.join(parts)}.", citations)


def asks_next_meeting(question: str) -> bool:
    return bool(_NEXT_MEETING.search(question))


def next_meeting_answer(meeting: Meeting, when: str) -> Answer | None:
    """When the next meeting is, from the minutes of ``meeting`` that said so (None without a sentence)."""
    try:
        said_on = dt.date.fromisoformat(meeting.date)
    except ValueError:
        return None
    source = next((s for s in reversed(split_sentences(meeting.segments))
                   if (d := resolve_date(s.text, said_on)) and d.isoformat() == when[:10]), None)
    if source is None:
        return None
    return Answer(f"The next meeting is {readable_date(when)} (said in {meeting.title!r}, "
                  f"{readable_date(meeting.date)}): \u201c{source.text}\u201d",
                  (_cite(meeting.id, meeting.title, meeting.date, source.evidence),))


def asked_person(question: str, people: Mapping[str, Sequence[str]]) -> str | None:
    """The person a "what is Mei working on?" question is about (by name or alias), else None."""
    if not _WORKLOAD.search(question) or _WHO.match(question.strip()):
        return None
    said = {w.lower() for w in re.findall(r"[^\W\d_]+", question)}
    return next((name for name, aliases in people.items()
                 if any(form.split()[0].lower() in said for form in (name, *aliases))), None)


def workload_answer(person: str, items: Sequence[Item]) -> Answer:
    """A person's open action items, overdue first, each cited where it was agreed."""
    if not items:
        return Answer(f"{person} has no open action items in this team's meetings.")
    parts = [f"\u201c{i.text}\u201d" + (f" (due {readable_date(i.due)}{', overdue' if i.overdue else ''})"
                                        if i.due else "") for i in items]
    count = f"{len(items)} open action item{'s' if len(items) > 1 else ''}"
    citations = tuple(_cite(i.meeting_id, i.meeting_title, i.meeting_date, i.evidence[0]) for i in items if i.evidence)
    return Answer(f"{person} has {count}: {'; '.join(parts)}.", citations)
