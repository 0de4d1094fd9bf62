"""What the minutes rules share: the cue patterns several of them read, and how to walk the sentences around one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from companion.models import Evidence, Statement
from companion.text import wording
from companion.text.people import match_person
from companion.text.sentences import Sentence, named_words
from companion.text.stems import overlap

NAME = r"(?P<name>[A-Z][\w-]*(?:'[A-Z][\w-]+)?(?: [A-Z][\w-]*(?:'[A-Z][\w-]+)?)?)"
FILLER = r"(?:(?:okay|ok|so|and|great|alright|right|then|also|thanks|good|um|uh|well|now)[,.!]?\s+)*"


COMMITTED = re.compile(
    r"\b(?:i'll|i will|i shall|i am going to|i'm going to|i can(?= have\b))\s+(?P<task>.+)$", re.IGNORECASE
)


NOBODY = r"(?:nobody|no one|no-one)"
PROPOSING = r"would it be (?:an? )?(?:\w+ )?idea|(?:all|those|who'?s) in favou?r of"
"""A proposal put as a question of leave or a vote: "Would it be a terrible idea to ...", "All in favour of ..."."""
PROPOSAL = re.compile(rf"\b(?:suggest|propose|proposal|should we|maybe|perhaps|could we|what if|{PROPOSING})\b",
                      re.IGNORECASE)


KEPT_OPEN = re.compile(
    r"\b(?:open question|(?:keep|leave|leaving|keeping) (?:that|it|this)(?: one)? (?:open|unresolved|undecided|hanging|"
    r"on hold)|(?:stays?|remains?|is left|still) (?:open|unresolved|undecided|hanging|up in the air|on hold|parked)|"
    r"unresolved|not calling (?:that|it|this)|"
    r"(?:not|n't) (?:deciding|decide|settling|settle) (?:that|it|this)|(?:we )?don'?t know(?: yet)?|no one knows|"
    r"nobody knows|no idea|no clue|still unclear|unclear|"
    r"to be (?:answered|decided|confirmed|determined)|tbd|park (?:it|that|this)|parking (?:it|that|this)|"
    r"(?:someone|somebody) (?:has|needs|will have) to (?:ask|check|find out)|not (?:sure|decided) yet|"
    r"come back to (?:it|that|this)|flag (?:it|that|this)(?= *[.!]|$)|revisit (?:it|that|this)|"
    r"can'?t answer (?:it|that) (?:yet|today)|(?:discuss|take) (?:it|that|this) offline|"
    r"hold (?:it|that|this)(?: one)? over|(?:don'?t|do not) want to decide|"
    r"(?:don'?t|do not) have an answer(?: yet)?(?=\s*[.!]|$))\b",
    re.IGNORECASE,
)


ASKS_ASSENT = (r"(?:is |are )?(?:every(?:one|body)|we all|all)(?: still)? (?:okay|ok|happy|fine|agreed|good|"
               r"comfortable)|any(?:one|body)? (?:objections?|questions|thoughts|against)|agreed|all agreed|"
               r"(?:is that|are you all) (?:okay|ok|alright|fine)|show of hands|hands up|"
               r"(?:all|those) in favou?r(?! of)|shall we (?:call|say) (?:it|that)|are we (?:all )?agreed|"
               r"can we agree(?! (?:on|to))|(?:would|does|do) any(?:one|body) mind(?: terribly| at all)?(?=\W*$)")


NON_QUESTIONS = re.compile(rf"^(?:{ASKS_ASSENT}|right|okay|ok|yes|no)\b", re.IGNORECASE)
"""Questions that only ask for assent ("Everyone okay with that?"): the proposal is what came before them."""


NEXT_MEETING = re.compile(
    r"\b(?:next (?:\w+ )?(?:meeting|sync|call|check-?in|one|review|stand-?up|session|catch-?up|get-?together)|"
    r"meet again|regroup|reconvene|pick (?:this|it|that) up again|same (?:time|stand-?up|meeting|call|place)|"
    r"see you (?:all )?(?:on|next|tomorrow|in)|"
    r"talk (?:again )?(?:on|next)|"
    r"schedule (?:the |a |our )?(?:[\w-]+ ){0,2}(?:meeting|retro(?:spective)?|review|sync|call|check-?in|stand-?up|"
    r"session|catch-?up|workshop|planning))\b",
    re.IGNORECASE)


RULE_SUPPORT = 0.5
"""A first-person commitment also needs the detector's probability at this share of its threshold: "I'll have
a bash at it" matches the commitment rule, but nothing around it reads like an action."""


def turns_before(sentence: Sentence, sentences: Sequence[Sentence], turns: int) -> list[Sentence]:
    """The sentences before ``sentence`` in its turn and the ``turns`` turns before it, in order, at most
    ``MAX_CONTEXT_SENTENCES`` (read backwards, so a long meeting or turn costs no more per sentence)."""
    first = sentence.index
    while (first > 0 and sentence.index - first < MAX_CONTEXT_SENTENCES
           and sentences[first - 1].turn >= sentence.turn - turns):
        first -= 1
    return list(sentences[first:sentence.index])


MAX_CONTEXT_SENTENCES = 12
"""However long the turns, the context before a sentence holds at most this many sentences."""
CONTEXT_TURNS = 3
"""Pronouns in a task or decision ("call them", "we keep it") are resolved from its own turn and this many turns
before it."""


def previous_turn_start(sentence: Sentence, sentences: Sequence[Sentence]) -> float:
    """When the turn before ``sentence``'s own began (within ``MAX_CONTEXT_SENTENCES``)."""
    return turns_before(sentence, sentences, 1)[0].start if sentence.index else sentence.start


def next_sentence(sentence: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """The sentence after ``sentence``, if any."""
    return sentences[sentence.index + 1] if sentence.index + 1 < len(sentences) else None


def speaker_owner(sentence: Sentence, people: Sequence[str]) -> str | None:
    """``sentence``'s speaker as an owner: one of ``people`` when there is a list (an unnamed "Speaker 3" is no
    owner yet), else the label itself."""
    return match_person(sentence.speaker, people) if people else sentence.speaker or None


def about_meeting(sentence: Sentence) -> bool:
    """A sentence about the next meeting or a question left open: neither an action nor a decision."""
    return bool(NEXT_MEETING.search(sentence.text) or KEPT_OPEN.search(sentence.text))


def turn_of(sentence: Sentence, sentences: Sequence[Sentence]) -> Sequence[Sentence]:
    """The sentences of the turn ``sentence`` belongs to."""
    first = last = sentence.index
    while first > 0 and sentences[first - 1].turn == sentence.turn:
        first -= 1
    while last + 1 < len(sentences) and sentences[last + 1].turn == sentence.turn:
        last += 1
    return sentences[first:last + 1]


MAX_EVIDENCE = 12
"""An item quotes at most this many transcript spans, the first that said it: a thing said over and over needs no
more quotes, and merging its mentions stays linear in their number."""


def joined_evidence(old: tuple[Evidence, ...], new: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    """The ``old`` evidence and then the ``new`` it lacks, at most ``MAX_EVIDENCE`` in all."""
    if len(old) >= MAX_EVIDENCE:
        return old
    return old + tuple(e for e in new if e not in old)[:MAX_EVIDENCE - len(old)]


def with_topic(sentence: Sentence, sentences: Sequence[Sentence]) -> list[Sentence]:
    """``sentence`` with the one before it when that only names its subject: "Raffle. Do we need a licence?"."""
    before = sentences[sentence.index - 1] if sentence.index > 0 else None
    if before is not None and before.turn == sentence.turn and not before.is_question and wording.is_topic(before.text):
        return [before, sentence]
    return [sentence]


def merge_statement(found: list[Statement], new: Statement, reword: bool = False) -> list[Statement]:
    """Fold ``new`` into an earlier statement about the same thing (keeping both evidences), else append it; with
    ``reword``, its wording replaces the earlier one unless it names less ("Folded A4 it is." after the proposal)."""
    for position, old in enumerate(found):
        if old.text == new.text or overlap(old.text, new.text) >= 0.5:
            fuller = reword and named_words(new.text) >= named_words(old.text)
            found[position] = Statement(new.text if fuller else old.text, joined_evidence(old.evidence, new.evidence))
            return found
    return [*found, new]
