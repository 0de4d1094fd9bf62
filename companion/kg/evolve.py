"""How a new meeting changes what a team already knows: rules over its transcript, each change with evidence.

"The double charge is fixed" closes the matching open action item; "it slipped, I need until Wednesday"
moves its due date; an action item said again becomes the old one (new due date, history kept);
"Legal answered ..." answers an open question; a later decision on the same subject supersedes the
earlier one. A change needs a transcript sentence that names what it is about: nothing closes silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from companion.models import Evidence, Minutes
from companion.text.dates import MONTHS, WEEKDAYS, resolve_date
from companion.text.sentences import Sentence
from companion.text.stems import GENERIC, stems

_DONE = re.compile(
    r"\b(?:fixed|done|finished|completed?|shipped|deployed|released|cancell?ed|sent|published|merged|resolved|"
    r"closed|sorted|approved|delivered|submitted|booked|passed|landed|signed(?: off)?|went (?:out|live|to)|"
    r"renewed|paid|hired|ordered|uploaded|installed|migrated|upgraded|updated|rewritten|written|drafted|"
    r"finali[sz]ed|handled|taken care of|wrapped up|set up|cleaned up|configured|implemented|reviewed|tested|"
    r"verified|documented|translated|scheduled|rolled out)\b"
    r"|\b(?:is|are) (?:now )?(?:live|in (?:the )?(?:release|production|prod|main|master|build|team channel|channel|"
    r"repo|wiki|drive|shared))\b",
    re.IGNORECASE,
)
_NOT_DONE = re.compile(
    r"\b(?:not|never|no longer|yet|still open|still pending|will|going to|need to|needs to|have to|has to|should|"
    r"must|can|could|would|plan to|hope to|want to|almost|nearly|half|partly|partially|delayed|blocked|stuck|"
    r"pending|waiting|if|once|when|before|whether)\b|n't\b|'ll\b",
    re.IGNORECASE,
)
_MOVED = re.compile(
    r"\b(?:moves? to|moved to|slip(?:s|ped)?|push(?:ed)? (?:it |that |this )?(?:to|back)|postponed?|delay(?:ed|s)?|"
    r"need (?:until|till|more time)|needs? another|reschedul\w*|instead|now due|new (?:due )?date|"
    r"extend(?:ed|ing)?|give (?:[\w']+ ){0,4}until|deadline (?:is|moves|moved))\b",
    re.IGNORECASE,
)
_ANSWERED = re.compile(
    r"\b(?:answered|answer is|turns out|confirmed|found out|we (?:now )?know|came back|heard back|got back|replied|"
    r"responded|clarified|said|says|decided|agreed|took|takes|yes|no|\d+|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)
_DEPENDS = re.compile(r"\b(?:once|after|as soon as|depends on|blocked by|waiting (?:for|on))\s+(?P<what>.+)$",
                      re.IGNORECASE)
_AFFIRMED = re.compile(r"^(?:yes|yeah|yep|yup|correct|right|exactly|indeed|it is|they are|that's right)\b",
                       re.IGNORECASE)
_CLAUSES = re.compile(r",\s+(?:and|but|so)\s+|;\s+|\s+but\s+", re.IGNORECASE)
_STATE_WORDS = ("moves moved slipped push pushed postponed delayed until till another instead answered confirmed "
                "decision made proposal propose suggest objection none question open use using used pick picked "
                "choose chose chosen adopt").split()
"""Words about what happens to an item, not what it is about (done words are cut out with ``_DONE``)."""
DROP = frozenset(GENERIC | set(_STATE_WORDS) | set(MONTHS) | set(WEEKDAYS))
MATCH_THRESHOLD = 0.5
RESTATED_THRESHOLD = 0.7
"""A new action item becomes an old one only when it clearly says the same ("write tests for the Android
login" is not "fix the login bug on Android")."""
CONTEXT_WEIGHT = 0.6
OWNER_BONUS = 0.2
CONTEXT_TURNS = 4


@dataclass
class Known:
    """An item the team already has, as the rules see it (its status changes as the meeting goes on)."""

    id: int
    kind: str
    text: str
    owner: str | None
    due: str | None
    status: str
    context: str = ""
    """What was said around it: the discussion before it, its evidence and its topic."""
    closed_here: bool = field(default=False, repr=False)

    @cached_property
    def own_stems(self) -> frozenset[str]:
        return stems(self.text, DROP)

    @cached_property
    def context_stems(self) -> frozenset[str]:
        return stems(self.context, DROP)

    def relevance(self, text: str, speaker: str = "") -> tuple[float, int]:
        """How well ``text`` names this item: weighted share of its stems found here, and how many are
        missing from the two that a match needs ("The Android tests are done" names one word of "fix the
        login bug on Android": not enough)."""
        wanted = stems(text, DROP)
        if not wanted:
            return 0.0, 2
        own, around = self.own_stems, self.context_stems
        weight = sum(1.0 if s in own else CONTEXT_WEIGHT if s in around else 0.0 for s in wanted)
        missing = min(2, len(wanted)) - len(wanted & (own | around))
        bonus = OWNER_BONUS if speaker and self.owner and speaker == self.owner else 0.0
        return weight / len(wanted) + bonus, max(missing, 0)


@dataclass(frozen=True)
class Update:
    """One change the new meeting makes to a known item."""

    action: str
    """``close`` | ``due`` | ``answer`` | ``supersede`` | ``merge`` | ``follow_up`` | ``depends_on``"""
    item_id: int
    evidence: Evidence
    value: str | None = None
    """The new due date (``due``, ``merge``)."""
    new_index: int | None = None
    """The new item's position in the meeting's minutes (``merge``, ``follow_up``, ``supersede``, ``depends_on``)."""


def discussion(sentences: Sequence[Sentence], start: float, turns: int = CONTEXT_TURNS) -> str:
    """The text of the ``turns`` speaker turns before the sentence at ``start`` (what led to an item)."""
    first = next((s for s in sentences if s.start >= start - 1e-6), None)
    if first is None:
        return ""
    return " ".join(s.text for s in sentences if first.turn - turns <= s.turn <= first.turn)


def best_match(text: str, known: Sequence[Known], speaker: str = "",
               threshold: float = MATCH_THRESHOLD) -> Known | None:
    """The known item ``text`` is about, or None when none is named clearly enough."""
    scored = [(k.relevance(text, speaker), k) for k in known]
    good = [(score, k) for (score, missing), k in scored if score >= threshold and not missing]
    return max(good, key=lambda pair: pair[0])[1] if good else None


def plan_updates(known: Sequence[Known], sentences: Sequence[Sentence], minutes: Minutes,
                 meeting_date: dt.date) -> list[Update]:
    """The changes a meeting makes to the team's earlier items, in the order they were said."""
    updates: list[Update] = []
    item_starts = {a.evidence[0].start: i for i, a in enumerate(minutes.action_items) if a.evidence}
    for position, sentence in enumerate(sentences):
        if sentence.is_question:
            continue
        asked = _asked(sentence, sentences[position - 1] if position else None)
        updates += _completions(sentence, known, asked)
        updates += _due_moves(sentence, known, meeting_date, asked)
        updates += _answers(sentence, known)
        if (index := item_starts.get(sentence.evidence.start)) is not None:
            updates += _restated(index, minutes, known)
    updates += _superseded(minutes, known)
    updates += _dependencies(minutes, known)
    return updates


def _open(known: Sequence[Known], kind: str) -> list[Known]:
    return [k for k in known if k.kind == kind and k.status in ("open", "active")]


def _asked(sentence: Sentence, previous: Sentence | None) -> str:
    """The question just put to the speaker by someone else, which a short reply answers ("Yes, it passed")."""
    if previous is None or not previous.is_question or previous.speaker == sentence.speaker:
        return ""
    return previous.text.rstrip("?")


def _completions(sentence: Sentence, known: Sequence[Known], asked: str = "") -> list[Update]:
    """Each clause that says a known item is done closes it; "Is the load test done?" "Yes." does too."""
    found = []
    text = f"{asked}, {sentence.text}" if asked and _AFFIRMED.match(sentence.text) else sentence.text
    for clause in _CLAUSES.split(text):
        if not _DONE.search(clause) or _NOT_DONE.search(clause):
            continue
        # "is in the release build" says that it is done, not what is done.
        open_items = _open(known, "action_item")
        rest = _DONE.sub(" ", clause)
        item = best_match(rest, open_items, sentence.speaker) or (
            best_match(f"{asked} {rest}", open_items, sentence.speaker) if asked else None)
        if item is not None:
            item.status, item.closed_here = "done", True
            found.append(Update("close", item.id, sentence.evidence))
    return found


def _due_moves(sentence: Sentence, known: Sequence[Known], meeting_date: dt.date, asked: str = "") -> list[Update]:
    text = f"{asked}, {sentence.text}" if asked and _AFFIRMED.match(sentence.text) else sentence.text
    if not _MOVED.search(text) or (due := resolve_date(sentence.text, meeting_date) or
                                   resolve_date(text, meeting_date)) is None:
        return []
    open_items = _open(known, "action_item")
    item = best_match(sentence.text, open_items, sentence.speaker) or (
        best_match(f"{asked} {sentence.text}", open_items, sentence.speaker) if asked else None)
    if item is None or item.due == due.isoformat():
        return []
    item.due = due.isoformat()
    return [Update("due", item.id, sentence.evidence, value=item.due)]


def _answers(sentence: Sentence, known: Sequence[Known]) -> list[Update]:
    if not _ANSWERED.search(sentence.text):
        return []
    said = stems(sentence.text, DROP)
    for question in _open(known, "open_question"):
        wanted = question.own_stems
        shared = wanted & said
        if len(shared) >= 2 and len(shared) >= MATCH_THRESHOLD * len(wanted):
            question.status = "answered"
            return [Update("answer", question.id, sentence.evidence)]
    return []


def _restated(index: int, minutes: Minutes, known: Sequence[Known]) -> list[Update]:
    """A new action item that restates an earlier one of the same owner: merge it, or follow up a closed one."""
    new = minutes.action_items[index]
    same_owner = [k for k in known if k.kind == "action_item" and k.owner == new.owner
                  and (k.status == "open" or k.closed_here)]
    text = " ".join([new.task, *(e.quote for e in new.evidence)])
    item = best_match(text, same_owner, threshold=RESTATED_THRESHOLD)
    if item is None:
        return []
    if item.status == "open":
        item.due = new.due or item.due
        return [Update("merge", item.id, new.evidence[0], value=new.due, new_index=index)]
    return [Update("follow_up", item.id, new.evidence[0], value=item.due, new_index=index)]


def _superseded(minutes: Minutes, known: Sequence[Known]) -> list[Update]:
    """Each new decision supersedes the earlier active decision it shares a subject with (two stems or more)."""
    found = []
    for index, decision in enumerate(minutes.decisions):
        subject = stems(" ".join([decision.text, *(e.quote for e in decision.evidence)]), DROP)
        best, best_shared = None, 1
        for old in _open(known, "decision"):
            old_subject = old.own_stems | old.context_stems
            shared = len(subject & old_subject)
            if shared > best_shared and shared >= 0.4 * min(len(subject), len(old_subject)):
                best, best_shared = old, shared
        if best is not None:
            best.status = "superseded"
            found.append(Update("supersede", best.id, decision.evidence[0], new_index=index))
    return found


def _dependencies(minutes: Minutes, known: Sequence[Known]) -> list[Update]:
    """"I'll deploy it once the migration is done": the new item depends on the open item it names."""
    found = []
    for index, item in enumerate(minutes.action_items):
        match = _DEPENDS.search(item.evidence[0].quote) if item.evidence else None
        if match and (other := best_match(match["what"], _open(known, "action_item"))) is not None:
            found.append(Update("depends_on", other.id, item.evidence[0], new_index=index))
    return found
