"""Rule-based, grounded extraction of action items, decisions, open questions, topics and the next meeting.

Every item is built from transcript sentences and carries them as evidence: nothing here can invent a
name, a date or a fact. Language models may rephrase items later; the transcript decides what exists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from companion.llm.dates import resolve_date, resolve_time
from companion.llm.people import match_person
from companion.llm.sentences import Sentence, overlap
from companion.models import ActionItem, Evidence, Statement, Topic

_NAME = r"(?P<name>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
_FILLER = r"(?:(?:okay|ok|so|and|great|alright|right|then|also|thanks|good)[,.!]?\s+)*"
_REQUEST = r"(?:please|can you|could you|would you|will you|i need you to|make sure (?:you|to))"
_ADDRESSED = re.compile(rf"^{_FILLER}{_NAME},\s+{_REQUEST}\s+(?P<task>.+)$", re.IGNORECASE)
_ASSIGNED = re.compile(rf"^{_FILLER}{_NAME}\s+(?:owns|will own|takes|is taking|will take care of)\s+(?P<task>.+)$",
                       re.IGNORECASE)
_COMMITTED = re.compile(
    r"\b(?:i'll|i will|i shall|i am going to|i'm going to|i can(?= have\b))\s+(?P<task>.+)$", re.IGNORECASE
)
_AFFIRMATION = re.compile(r"^(?:yes|yeah|yep|sure|will do|of course|okay|ok|on it|absolutely|no problem|i will|i'll)\b",
                          re.IGNORECASE)
_PROPOSAL = re.compile(r"\b(?:suggest|propose|proposal|should we|maybe|perhaps|could we|what if)\b", re.IGNORECASE)
_DECIDED = re.compile(
    r"\b(?:we agree|we agreed|we all agree|agreed on|let'?s go with|we'?ll go with|we go with|we will go with|"
    r"decision made|the decision is|we decided|we decide|we have decided|we've decided|it'?s decided|"
    r"final decision|we are going with|we're going with)\b",
    re.IGNORECASE,
)
_CONFIRMATION = re.compile(
    r"^(?:agreed|no objections?|none from|fine with me|sounds good|works for me|deal|yes,? agreed|i agree)\b",
    re.IGNORECASE,
)
_KEPT_OPEN = re.compile(
    r"\b(?:open question|keep (?:that|it|this) open|stays? open|remains? open|leave (?:that|it|this) open|"
    r"we don'?t know yet|no one knows|nobody knows|still unclear|to be answered)\b",
    re.IGNORECASE,
)
_NON_QUESTIONS = re.compile(r"^(?:any (?:objections|questions|thoughts)|right|okay|ok|yes|no)\b", re.IGNORECASE)
_TOPIC = re.compile(
    r"^(?:(?:okay|so|alright|right|now|thanks)[,.]?\s+)*(?:next topic|last topic|first topic|next item|"
    r"moving on to|let'?s (?:start with|talk about|move on to|go through|turn to)|now)[,:]?\s+(?:the\s+)?"
    r"(?P<title>[^,.?!]{3,60})",
    re.IGNORECASE,
)
_AGENDA = re.compile(r"\b(?:settle|discuss|cover|talk about|go through|decide on)\s+(?:the\s+)?(?P<first>[^,.]{3,40})",
                     re.IGNORECASE)
_NEXT_MEETING = re.compile(r"\b(?:next (?:meeting|sync|call|check-?in)|meet again|see you (?:all )?(?:on|next))\b",
                           re.IGNORECASE)
_TRAILING_FILLER = re.compile(r"(?:[\s,]+(?:so|and|then|or))*[\s,]*$", re.IGNORECASE)
_DUE_MARKERS = re.compile(r"(?:,?\s+(?:by|until|before|due|on|for)\s+|\s+(?=today|tomorrow|tonight))", re.IGNORECASE)


def action_items(sentences: Sequence[Sentence], people: Sequence[str], meeting_date: dt.date) -> list[ActionItem]:
    """Requests addressed to a person, assignments ("Emma owns ...") and first-person commitments.

    A reply by the addressee ("Sure, I will cancel it today") confirms a request and may give its due date.
    """
    items: list[ActionItem] = []
    replied: set[int] = set()
    for sentence in sentences:
        if sentence.index in replied:
            continue
        owner, task = _owner_and_task(sentence, people)
        if not task:
            continue
        evidence = [sentence]
        reply = _reply_from(owner, sentence, sentences) if owner and owner != sentence.speaker else None
        if reply is not None:
            replied.add(reply.index)
            evidence.append(reply)
        due = next((d for s in evidence if (d := resolve_date(s.text, meeting_date))), None)
        item = ActionItem(owner, _without_due(task, meeting_date), due.isoformat() if due else None,
                          tuple(s.evidence for s in evidence))
        items = _merge_item(items, item)
    return items


def _owner_and_task(sentence: Sentence, people: Sequence[str]) -> tuple[str | None, str]:
    text = sentence.text.strip()
    for pattern in (_ADDRESSED, _ASSIGNED):
        match = pattern.match(text)
        if match and (owner := match_person(match["name"], people)):
            return owner, _clean_task(match["task"])
    match = _COMMITTED.search(text)
    if match and not _PROPOSAL.search(text):
        # With a list of people, an owner must be one of them: an unnamed "Speaker 3" is no owner (yet).
        owner = match_person(sentence.speaker, people) if people else sentence.speaker or None
        return owner, _clean_task(match["task"])
    return None, ""


def _reply_from(owner: str, request: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """The addressee's agreeing reply in the next two turns, if any."""
    for sentence in sentences[request.index + 1:]:
        if sentence.turn > request.turn + 2:
            return None
        if sentence.speaker == owner and _AFFIRMATION.match(sentence.text):
            return sentence
    return None


def _clean_task(task: str) -> str:
    return task.strip().rstrip("?.!").strip()


DUE_PHRASE_WORDS = 5
"""A due-date phrase after its marker is this many words at most: "the end of next month"."""


def _without_due(task: str, meeting_date: dt.date) -> str:
    """Drop the trailing due-date phrase: "run a load test on the service by Friday" -> "run a load test on
    the service"."""
    for marker in reversed(list(_DUE_MARKERS.finditer(task))):
        # The date must follow the marker ("on Tuesday, March 24"), not come later in the task ("on the
        # beta feedback and share it my Thursday", where ASR heard "by" as "my").
        if marker.start() > 0 and resolve_date(" ".join(task[marker.end():].split()[:DUE_PHRASE_WORDS]), meeting_date):
            return _TRAILING_FILLER.sub("", task[: marker.start()])
    return task


def _merge_item(items: list[ActionItem], new: ActionItem) -> list[ActionItem]:
    """Fold ``new`` into an earlier item of the same owner about the same thing, else append it."""
    for position, old in enumerate(items):
        if old.owner == new.owner and overlap(old.task, new.task) >= 0.5:
            items[position] = ActionItem(old.owner, old.task, old.due or new.due, old.evidence + new.evidence)
            return items
    return [*items, new]


def decisions(sentences: Sequence[Sentence]) -> list[Statement]:
    """Explicit decisions, and proposals that the next speaker confirms ("Agreed.", "No objection.")."""
    found: list[Statement] = []
    for sentence in sentences:
        if _DECIDED.search(sentence.text) and not sentence.is_question:
            # An explicit decision's wording replaces that of the proposal it settles.
            found = _merge_statement(found, Statement(sentence.text, (sentence.evidence,)), reword=True)
        elif _CONFIRMATION.match(sentence.text) and (proposal := _confirmed_proposal(sentence, sentences)):
            found = _merge_statement(found, Statement(proposal.text, (proposal.evidence, sentence.evidence)))
    return found


def _confirmed_proposal(confirmation: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """The statement a confirmation answers: the last non-question sentence before the run of confirmations."""
    for earlier in reversed(sentences[: confirmation.index]):
        if earlier.turn == confirmation.turn or _CONFIRMATION.match(earlier.text):
            continue
        if earlier.turn < confirmation.turn - 3 or earlier.speaker == confirmation.speaker:
            return None
        if not earlier.is_question:
            return earlier
    return None


def open_questions(sentences: Sequence[Sentence]) -> list[Statement]:
    """Questions that someone explicitly leaves open ("That stays an open question", "let's keep it open")."""
    found: list[Statement] = []
    for sentence in sentences:
        if not _KEPT_OPEN.search(sentence.text):
            continue
        question = next(
            (s for s in reversed(sentences[: sentence.index])
             if s.is_question and s.turn >= sentence.turn - 3 and not _NON_QUESTIONS.match(s.text)),
            None,
        )
        if question is not None:
            found = _merge_statement(found, Statement(question.text, (question.evidence, sentence.evidence)))
    return found


def _merge_statement(found: list[Statement], new: Statement, reword: bool = False) -> list[Statement]:
    """Fold ``new`` into an earlier statement about the same thing (keeping both evidences), else append it."""
    for position, old in enumerate(found):
        if old.text == new.text or overlap(old.text, new.text) >= 0.5:
            evidence = old.evidence + tuple(e for e in new.evidence if e not in old.evidence)
            found[position] = Statement(new.text if reword else old.text, evidence)
            return found
    return [*found, new]


def topics(sentences: Sequence[Sentence], duration_s: float) -> list[Topic]:
    """Topic spans from spoken transitions ("Next topic, the analytics vendor"); the opening from the agenda."""
    if not sentences:
        return []
    starts = [(s, m["title"].strip()) for s in sentences if (m := _TOPIC.match(s.text))]
    if not starts or starts[0][0].turn > 0:
        agenda = next((m for s in sentences[:3] if (m := _AGENDA.search(s.text))), None)
        starts.insert(0, (sentences[0], agenda["first"].strip() if agenda else "Opening"))
    begins = [sentences[0].start] + [s.start for s, _ in starts[1:]]  # the first topic opens the meeting
    ends = [*begins[1:], max(duration_s, sentences[-1].end)]
    return [Topic(title, round(b, 2), round(e, 2)) for (_, title), b, e in zip(starts, begins, ends, strict=True)]


def next_meeting(sentences: Sequence[Sentence], meeting_date: dt.date) -> tuple[str, Evidence] | None:
    """When the next meeting is, as ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``, with its evidence."""
    for sentence in reversed(sentences):
        if _NEXT_MEETING.search(sentence.text) and (day := resolve_date(sentence.text, meeting_date)):
            time = resolve_time(sentence.text)
            return (f"{day.isoformat()}T{time}" if time else day.isoformat()), sentence.evidence
    return None
