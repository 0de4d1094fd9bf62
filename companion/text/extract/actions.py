"""Action items: requests, assignments, commitments and hand-overs, by the rules and the detector."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace

from companion.models import ActionItem
from companion.text import wording
from companion.text.dates import due_phrase_span, resolve_date, resolve_time
from companion.text.detector import Verdicts
from companion.text.extract.context import (
    COMMITTED,
    CONTEXT_TURNS,
    FILLER,
    NAME,
    NOBODY,
    PROPOSAL,
    RULE_SUPPORT,
    about_meeting,
    joined_evidence,
    next_sentence,
    previous_turn_start,
    speaker_owner,
    turn_of,
    turns_before,
)
from companion.text.people import match_person, mentioned_person
from companion.text.sentences import Sentence, content_words, named_words
from companion.text.stems import overlap

_REQUEST = (r"(?:please|can you|could you|would you|will you|i need you to|make sure (?:you|to)|do you mind|"
            r"i'd like you to|you're on|you are on|you take|you'll|you will|you need to|you should|you handle|you do|"
            r"you can|you could|(?:(?:could|can|may) i|i'?ll|i will|i'm going to|i'?d like to|i want to) ask you to|"
            r"i'?d (?:be (?:very |really )?grateful|appreciate it) if you(?: could|'d| would)|"
            r"do you think you could|any chance you could)")
_LEAD_IN = r"(?:[^,.?!]{0,25}?[,:-]\s*){0,2}"
"""A few words before the person addressed or the request: "I'll- actually, Rui, you take it", "Kwame, one more:
could you", "Ravi, you found it, so - would you mind"."""
_ADDRESSED = re.compile(rf"^{FILLER}{_LEAD_IN}{NAME},\s+{_LEAD_IN}{_REQUEST}[\s,]+(?P<task>.+)$", re.IGNORECASE)
_ADDRESSED_IMPERATIVE = re.compile(rf"^{FILLER}{NAME},\s+(?P<you>you\s+)?(?P<task>(?P<verb>[a-z]+)\s+[^,].*)$",
                                   re.IGNORECASE)
"""An order after the addressee's name: "Kim, order it today", "Tobenna, book the pool car", "Lucía, you make the
list?" (a deed's verb)."""
_ADDRESSED_LAST = re.compile(rf"^{FILLER}{_REQUEST}[\s,]+(?P<task>.+?),\s*{NAME}\s*(?:[?.!]*$|,\s*(?:so|and|because|"
                             r"before|then|since|as)\b)", re.IGNORECASE)
"""A request whose addressee is named last, or before a last clause: "Could I ask you to pull the recall list,
Tunde?", "Would you mind typing those up, Ines, so Yusuf can attach them?"."""
_RECAP_LABEL = r"(?:[\w' ]{0,30}\b(?:recap|summary|summing up|to sum up|actions|minutes)\b[\w' ]{0,20}:\s+)?"
"""A recap's label before its first assignment: "Right, quick recap for the minutes: Bronwen rings the supplier"."""
_ASSIGNED = re.compile(
    rf"^{FILLER}{_RECAP_LABEL}{NAME}\s*(?:owns|will own|takes|is taking|will take care of|is going to|'s going to|"
    r"is gonna|will|'ll|is to|to|is on|is handling|handles|volunteers to|volunteered to|offers to|offered to|"
    r"has offered to|agrees to|agreed to|has agreed to|promised to|has promised to)[\s,]+(?P<task>.+)$", re.IGNORECASE)
_ASSIGNED_LATER = re.compile(rf",\s+(?:and|then|so)\s+{NAME}\s+(?:will|'ll|is going to|'s going to|is to|can)\s+"
                             r"(?P<task>.+)$", re.IGNORECASE)
"""An assignment after a first clause: "Right, Tobenna and I go on Tuesday, and Tobenna will bring the snagging
list"."""
_ASSIGNED_PRESENT = re.compile(rf"^{FILLER}{_RECAP_LABEL}{NAME}\s+(?P<task>[a-z]+s\s.+)$", re.IGNORECASE)
"""Minutes-speak in the present: "Folasade runs the checklist on Switch and PC" (a deed's verb, see below)."""
_NEXT_ASSIGNMENT = re.compile(rf",?\s+and\s+{NAME}\s+[a-z]+s\s", re.IGNORECASE)
"""Where a second assignment starts: "..., and Mateo does the PlayStation dev kit"."""
_ACTION_LINE = re.compile(rf"^{FILLER}(?:action(?: item)?|to-?do)s?\s*[:,-]\s*{NAME}[\s,:-]+(?P<task>.+)$",
                          re.IGNORECASE)
_SELF_CORRECTION = re.compile(r"(?:-|--|,)\s*(?:(?:oh|ah|er|erm|um|uh),?\s+)?(?:no|sorry|wait)\b[,.]?"
                              r"(?:\s*(?:actually|wait|make it|rather)\b[,.]?)?"
                              r"|(?:-|--)\s*actually\b[,.]?(?:\s*no\b[,.]?)?|,\s*actually\b[,.]?\s*no\b[,.]?",
                              re.IGNORECASE)
"""A speaker correcting themselves mid-sentence: "by Friday- no, actually Monday", "could you- actually, no"."""
_CORRECTION = re.compile(r"\b(?:no,? wait|(?:oh|ah),? no|no,? actually|no,? hang on|actually|make (?:it|that)|"
                         r"or rather|sorry|scratch that)\b", re.IGNORECASE)


_UNAVAILABLE = re.compile(r"^(?:i'm|i am|you're|you are|he's|he is|she's|she is|they're|they are)\s+(?:away|off|"
                          r"on leave|on holiday|out|at|in|busy|not|travell?ing)\b|^i(?:'ve| have) got\b", re.IGNORECASE)
"""After a self-correction, why the owner cannot do it: the task is withdrawn ("- ah no, you are in Romania")."""
_CORRECTION_FIRST = re.compile(rf"^(?:no\b|{_CORRECTION.pattern})", re.IGNORECASE)
"""A sentence that corrects the one before it: "No, sorry, Jonas has the driver hours.", "Actually ..."."""
_AFFIRMATION = re.compile(r"^(?:yes|yeah|yep|yup|sure|will do|can do|of course|okay|ok|on it|absolutely|no problem|"
                          r"no worries|happy to|fair|fine|mm-?hm+|mhm|uh-huh|i will|i'll)\b", re.IGNORECASE)


_NOT_A_TASK_START = re.compile(r"^(?:the|a|an|this|that|these|those|it|it's|we|we're|they|there|there's|he|she|"
                               r"his|her|their|our|my|i'm|i was|i asked|i started|i don't|i can't|i cannot|i won't|"
                               r"no|yes|sorry|thanks|thank|hi|hello|lovely)(?![\w'])", re.IGNORECASE)
_CHAIRING = re.compile(r"^(?:(?:open|start|close|end)\s+(?:the |this |today's )?(?:meeting|session|call)|"
                       r"call (?:us|the meeting|this meeting|things) to order|(?:kick|start) (?:us|things) off|"
                       r"wrap (?:us|things|this) up)\b", re.IGNORECASE)
"""Running the meeting itself is no action item: "I'll open the meeting", "I'll call us to order"."""
_SECOND_PERSON = re.compile(r"\b(?:you|you'll|you're|your)\b", re.IGNORECASE)
_VOCATIVE = re.compile(rf"^{FILLER}{NAME},")
_LEADING_FILLER = re.compile(rf"^{FILLER}", re.IGNORECASE)
_ASKS_YOU = re.compile(r"\b(?:can|could|would|will) you\b", re.IGNORECASE)
_DIRECTIVE = re.compile(rf"{_ASKS_YOU.pattern}|\bplease\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|i'll|i'm|i've|i'd)\b", re.IGNORECASE)


_POLITE_IF = (r"(?! (?:that|it)(?:'s| is)? (?:helps?|ok|okay|alright|all right|fine|useful)|\s+(?:you like|"
              rf"you want|needed|necessary|possible|you don't mind|that works|it works|(?:{NOBODY}|everyone|"
              r"everybody|people|you all|you)(?: (?:minds?|objects?)|(?: is| are|'s|'re) (?:happy|okay|ok|fine|"
              r"agreed))))")
"""An "if" that only asks leave ("if that helps", "if nobody minds") sets no condition."""
_CONDITION_FIRST = re.compile(rf"^{FILLER}(?:if\b{_POLITE_IF}|unless\b)", re.IGNORECASE)
_CONDITION = re.compile(r"(?<!\bsee )(?<!\bcheck )(?<!\bask )(?<!\bout )(?<!\bknow )(?<!\bconfirm )(?<!\bthem )"
                        rf"(?<!\bhim )(?<!\bher )\bif\b{_POLITE_IF}", re.IGNORECASE)
"""A promise on a condition is a remark: "I'll eat my keyboard if the build goes green first try", "If my name's
on that list I'll resign". Not "see if", "check if", "ask them if", nor "if that helps", "if nobody minds"."""
_ASIDE = re.compile(r"\s+-+\s+(?:i mean|if|unless|but|though|well|assuming|provided)\b|,\s+(?:it's|that's|which is|"
                    r"it is|that is)\s+(?:a|an|only|just|easy|quick|nothing)\b|,\s+(?:i'm|i am|i've|there's|there is|"
                    r"they're|they are)\s", re.IGNORECASE)
"""A hedge or remark after the task: "buy a new one - I mean, if petty cash stretches to it", "ask Velmar what the
bigger sizes cost, it's a two-minute email", "let him in, I'm on the early shift anyway"."""
_RETRACTION = re.compile(r"^(?:(?:no|nah|okay|ok)[,.]?\s+)?(?:i won'?t|i will not|i'm (?:joking|kidding)|just kidding|"
                         r"kidding|not really|i wish)\b", re.IGNORECASE)
"""A speaker taking back what they just said: "I promise I'll stop touching the renderer. No, I won't."."""
_TRAILING_FILLER = re.compile(r"(?:[\s,]+(?:so|and|then|or))*[\s,]*$", re.IGNORECASE)


def action_items(sentences: Sequence[Sentence], people: Sequence[str], meeting_date: dt.date,
                 verdicts: Verdicts | None = None) -> list[ActionItem]:
    """Requests addressed to a person, assignments ("Emma owns ...") and commitments, found by the rules and by
    the detector (``verdicts``; rules alone when None).

    A reply by the addressee ("Sure, I will cancel it today") confirms a request and may give its due date.
    """
    items: list[ActionItem] = []
    replied: set[int] = set()
    learned = _learned_actions(sentences, verdicts) if verdicts is not None else {}
    for sentence in sentences:
        if sentence.index in replied:
            continue
        if handover := _handover(sentence, sentences):
            items = _given_first(items, sentence, people, meeting_date)
            items, reply = _handed_over(items, sentence, sentences, people, handover, meeting_date)
            replied.update(s.index for s in (reply,) if s is not None)
            continue
        if (redated := _redated(items, sentence, sentences, meeting_date)) is not None:
            items = redated
            continue
        owner, task = _candidate(sentence, sentences, people, meeting_date, verdicts, learned)
        if not task:
            continue
        if correction := _SELF_CORRECTION.search(task):  # "get the last two by Friday- no, actually, Monday"
            withdrawn = _UNAVAILABLE.match(task[correction.end():].lstrip(" ,."))
            if withdrawn and not _due(task[:correction.start()], meeting_date):
                continue  # "I'll do it, oh wait, I'm at the synchrotron", not "fixed Monday, no wait, I'm off Monday"
            task = task[:correction.start()]
        if aside := _ASIDE.search(task):  # "buy a new one - I mean, if petty cash stretches to it"
            task = task[:aside.start()]
        if (not wording.is_deed(wording.task(task)) or _CHAIRING.match(wording.task(task))
                or _retracted(sentence, sentences)):
            continue
        context = [s.text for s in turns_before(sentence, sentences, CONTEXT_TURNS)]
        context.append(sentence.text[:max(0, sentence.text.find(task))])  # "the voucher endpoint, I'll have it done"
        # cutting the due phrase can bare a tail ("send it tomorrow, please"): the second pass drops it
        bare = _as_task(task, meeting_date)
        task = _as_task(task, meeting_date, context)
        evidence = [sentence]
        reply = _reply_from(owner, sentence, sentences, meeting_date) if owner and owner != sentence.speaker else None
        if reply is not None:
            replied.add(reply.index)
            evidence.append(reply)
        # The owner's reply says when first ("Wednesday's fine.", "Sure. By the eighteenth."), then the sentence,
        # or the short one after it when the sentence corrects itself ("I'll get it off tomorrow - sorry, no.
        # Friday morning.")
        stated = [sentence, *_date_after(sentence, sentences)]
        said = [reply, *(s for s in turn_of(reply, sentences) if s is not reply)] if reply is not None else []
        if any(_CORRECTION.search(s.text) for s in said):  # "Fine. By Monday - oh no, I'm away. Sunday, then."
            said.reverse()
        said += stated[::-1] if _CORRECTION.search(sentence.text) else stated
        said += _answer_to_when(sentence, sentences)  # "I'll add a lint rule." / "ETA?" / "End of next week."
        due = next((d for s in said if (d := _due(s.text, meeting_date))), None)
        item = ActionItem(owner, task, due.isoformat() if due else None, tuple(s.evidence for s in evidence))
        # A task of under two content words ("Sure, I'll do it by Thursday") replies to the item just before;
        # with none to reply to, it stands when its pronoun was resolved ("Dev. Chase them.").
        if len(content_words(bare)) < 2 and (attached := _attach_reply(items, item, sentence)) is not None:
            items = attached
        elif len(content_words(task)) >= 2:
            items = _merge_item(items, item)
    return items


EVIDENCE_ROUNDING = 0.01
"""Evidence times are rounded to this many seconds: an item's evidence may end just after the next sentence starts."""


_HANDOVER = re.compile(
    r"\b(?:(?P<you>(?:can |could |would )?you (?!know|mean|see|think|said|say)[a-z]+)|"
    r"i'll take|i will take|i'll do|i will do|i'll handle|i can take|i can do)\s+(?:it|that|this)(?: one)?"
    r"(?:\s+(?P<instead>myself|instead))?(?:[\s,.?!]|$)|(?P<you_instead>\byou\b)(?=.*\binstead\b(?! of))|"
    r"(?P<to>\b(?:hand|give|pass|move|switch)\s+(?:it|that|this)(?: one)?\s+(?:over\s+)?to)\s|"
    r"\b(?:could|can|would)\s+(?P<other>\w+)\s+(?:do|take|handle)\s+(?:it|that|this)(?: one)?\?",
    re.IGNORECASE)
"""Taking over what was just given to someone: "Actually, Tomasz, you take it", "I'll do it myself", "Ravi, could
you get the quote instead?", "Actually, let's hand that to Sanna". Only with a correction ("actually", "no") in the
sentence or just before it, or with "myself"/"instead", or asked of someone else ("Could Mei do that one?"): "Sure,
I can do that" accepts what was asked."""


def _handover(sentence: Sentence, sentences: Sequence[Sentence]) -> re.Match[str] | None:
    match = _HANDOVER.search(sentence.text)
    if match is None:
        return None
    before = sentences[sentence.index - 1] if sentence.index > 0 else None
    corrected = _CORRECTION.search(sentence.text[:match.start()]) or (
        before is not None and before.turn == sentence.turn and _CORRECTION_FIRST.match(before.text))
    return match if match["instead"] or match["you_instead"] or match["other"] or corrected else None


def _handed_over(items: list[ActionItem], sentence: Sentence, sentences: Sequence[Sentence],
                 people: Sequence[str], handover: re.Match[str],
                 meeting_date: dt.date) -> tuple[list[ActionItem], Sentence | None]:
    """``items`` with the latest item (said in this turn or the one before) handed to the person ``sentence``
    names ("you take it") or to its speaker ("I'll do it myself"), and the new owner's reply if any. With no such
    item, what was just said to need doing is the task ("The Halden contract needs signing." / "Rui, you take
    it")."""
    said = sentence.text[corrections[-1].end():] if (corrections := list(_CORRECTION.finditer(sentence.text))) \
        else sentence.text
    if handover["to"]:
        owner = mentioned_person(sentence.text[handover.end():], people)
    elif handover["other"]:
        owner = match_person(handover["other"], people)
    elif handover["you"] or handover["you_instead"]:
        owner = mentioned_person(said, people) or _addressee(sentence, sentences, people)
    else:
        owner = speaker_owner(sentence, people)
    if owner is None:
        return items, None
    reply = _reply_from(owner, sentence, sentences, meeting_date) if owner != sentence.speaker else None
    replied_due = next((d for s in turn_of(reply, sentences) if (d := _due(s.text, meeting_date))), None) \
        if reply else None
    due = next((d for s in (sentence, *_date_after(sentence, sentences)) if (d := _due(s.text, meeting_date))), None)
    previous_turn = previous_turn_start(sentence, sentences)
    recent = [i for i in items[-MAX_RECENT_ITEMS:]
              if previous_turn <= i.evidence[-1].end <= sentence.end]
    if recent:  # the new owner's date, if they give one, replaces the old
        given = recent[-1]
        handed = ActionItem(owner, given.task, replied_due.isoformat() if replied_due else given.due or
                            (due.isoformat() if due else None),
                            joined_evidence(given.evidence, tuple(s.evidence for s in (sentence, reply) if s)))
        return _merge_item([i for i in items if i is not given], handed), reply
    context = turns_before(sentence, sentences, CONTEXT_TURNS)
    needed = next(((s, deed) for s in reversed(context) if (deed := wording.needed_deed(s.text))), None)
    if needed is None:
        return items, None
    due = replied_due or due or _due(needed[0].text, meeting_date)
    return _merge_item(items, ActionItem(owner, needed[1], due.isoformat() if due else None,
                                         (needed[0].evidence, sentence.evidence))), reply


def _given_first(items: list[ActionItem], sentence: Sentence, people: Sequence[str],
                 meeting_date: dt.date) -> list[ActionItem]:
    """``items`` with the task a sentence gives before correcting itself and handing it on ("Cy, book the minibus
    for the nineteenth, actually, no, Bo, you book it"), so that the hand-over has it to move."""
    corrections = list(_SELF_CORRECTION.finditer(sentence.text))
    if not corrections:
        return items
    owner, task = _owner_and_task(replace(sentence, text=sentence.text[:corrections[0].start()]), people)
    if not task:
        return items
    return _merge_item(items, ActionItem(owner, _as_task(task, meeting_date), None, (sentence.evidence,)))


_DUE_CORRECTION = re.compile(r"^(?:no|sorry|wait|actually|oh)\b[,.]?\s+(?:(?:no|wait|actually)\b[,.]?\s+)?"
                             r"(?:make (?:it|that)\s+)?(?P<date>[^,.;!?]+)", re.IGNORECASE)
"""A date corrected in a sentence of its own: "No, make that Sunday, I'm examining on Saturday.", "Sorry, Wednesday"."""


def _redated(items: list[ActionItem], sentence: Sentence, sentences: Sequence[Sentence],
             meeting_date: dt.date) -> list[ActionItem] | None:
    """``items`` with the latest one's date corrected by ``sentence``, when it corrects the date of an item said
    in its turn or the one before; None when it does not."""
    correction = _DUE_CORRECTION.match(sentence.text)
    if correction is None or not items or (day := resolve_date(correction["date"], meeting_date)) is None:
        return None
    previous_turn = previous_turn_start(sentence, sentences)
    last = items[-1]
    if not previous_turn <= last.evidence[-1].end <= sentence.start + EVIDENCE_ROUNDING:
        return None
    redated = ActionItem(last.owner, last.task, day.isoformat(), joined_evidence(last.evidence, (sentence.evidence,)))
    return [*items[:-1], redated]


MAX_RECENT_ITEMS = 8
"""A hand-over looks at most this many of the latest items for the one just given."""


def _candidate(sentence: Sentence, sentences: Sequence[Sentence], people: Sequence[str], meeting_date: dt.date,
               verdicts: Verdicts | None, learned: dict[int, bool]) -> tuple[str | None, str]:
    """The owner and task a sentence states, by the rules (if the detector does not object) or, for the
    sentences in ``learned``, the detector."""
    owner, task = _owner_and_task(sentence, people)
    if not task:
        owner, task = (_named_then_told(sentence, sentences, people)
                       or _unnamed_request(sentence, sentences, people, meeting_date)
                       or _volunteered(sentence, sentences, people)
                       or _accepted_offer(sentence, sentences, people))
    if verdicts is None:
        return owner, task
    if task:  # a commitment the detector does not back is mostly a remark ("I'll have a bash at it")
        backed = (not COMMITTED.search(sentence.text) or verdicts.says("action", sentence, RULE_SUPPORT)
                  or _dated(sentence, sentences, meeting_date))
        return (owner, task) if backed else (None, "")
    if sentence.index in learned and not ((COMMITTED.search(sentence.text) and _CONDITION.search(sentence.text))
                                          or _CONDITION_FIRST.match(sentence.text)  # "If he gets my van, I'm ..."
                                          or wording.asks_anyone(sentence.text) or _accepts(sentence)):
        owner = _learned_owner(sentence, sentences, people)
        # one of the meeting's most probable actions stays without an owner ("we'll have to decide on the
        # functions"); the others need one: without, they are mostly remarks
        task = _after_vocative(sentence.text, owner)
        # "The Android crash is harder, I need until Friday" reports; a task says what to do, or is handed out
        # by name in minutes-speak ("Marketing, the user requirement specification")
        handed_out = task != sentence.text and bool(_HANDED_OUT.match(wording.task(task)))
        if (owner or learned[sentence.index]) and (handed_out or not _NOT_A_TASK_START.match(wording.task(task))):
            return owner, task
    return None, ""


def _dated(sentence: Sentence, sentences: Sequence[Sentence], meeting_date: dt.date) -> bool:
    """Whether a promise names its day, or the short sentence after it or the answer to "ETA?" does ("I'll add both
    drivers to the insurance. Give me three days."): a remark seldom has a deadline."""
    said = (sentence, *_date_after(sentence, sentences), *_answer_to_when(sentence, sentences))
    return any(_due(s.text, meeting_date) for s in said)


LEARNED_ACTIONS_PER_MINUTE = 0.15
LEARNED_SHARE = 0.5
"""Beyond the sentences that reach the detector's threshold, its most probable ones down to LEARNED_SHARE of the
threshold, this many a minute: a long real meeting hands out a few tasks in words the detector is less sure of
(chosen on the dev splits)."""


def _learned_actions(sentences: Sequence[Sentence], verdicts: Verdicts) -> dict[int, bool]:
    """The sentences the detector reads as actions, each with whether it is among the meeting's most probable:
    those that reach its threshold, and the most probable as the meeting's length allows. Never a question
    other than a request, nor the next meeting."""
    found = sorted((s for s in sentences if verdicts.says("action", s, LEARNED_SHARE) and not about_meeting(s)
                    and (not s.is_question or bool(_DIRECTIVE.search(s.text)))),
                   key=lambda s: -verdicts.probability("action", s))
    allowed = round(LEARNED_ACTIONS_PER_MINUTE * sentences[-1].end / 60) if sentences else 0
    return {s.index: position < allowed for position, s in enumerate(found)
            if position < allowed or verdicts.says("action", s)}


def _retracted(sentence: Sentence, sentences: Sequence[Sentence]) -> bool:
    """Whether the speaker takes ``sentence`` back in the next sentence of the turn."""
    after = next_sentence(sentence, sentences)
    return after is not None and after.turn == sentence.turn and bool(_RETRACTION.match(after.text))


def _due(text: str, meeting_date: dt.date) -> dt.date | None:
    """The due date a sentence gives, the corrected one when it corrects itself ("Friday- no, actually Monday")."""
    corrections = list(_CORRECTION.finditer(text))
    corrected = resolve_date(text[corrections[-1].end():], meeting_date) if corrections else None
    return corrected or resolve_date(text, meeting_date)


def _after_vocative(text: str, owner: str | None) -> str:
    """"Kim, you're on catering then" -> "you're on catering then" when Kim owns it; "For UID the technical
    functions design" -> "the technical functions design"."""
    if owner:
        match = re.search(rf"\b{re.escape(owner.split()[0])}\b,\s*", text, re.IGNORECASE)
        if match and match.start() < len(text) // 2:
            return text[match.end():]
        allocation = re.match(r"\s*for\s+(?:the\s+)?\S+\s+", text, re.IGNORECASE)
        if allocation and mentioned_person(allocation.group(), [owner]) == owner:
            return text[allocation.end():]
    return text


def _attach_reply(items: list[ActionItem], reply: ActionItem, sentence: Sentence) -> list[ActionItem] | None:
    """Fold a reply without a task of its own into the item said just before by or to the same owner; None when
    there is no such item."""
    if not items:
        return None
    last = items[-1]
    recent = sentence.start - last.evidence[-1].end
    if reply.owner not in (None, last.owner) or not 0 <= recent <= REPLY_SECONDS:
        return None
    joined = ActionItem(last.owner, last.task, last.due or reply.due, joined_evidence(last.evidence, reply.evidence))
    return [*items[:-1], joined]


REPLY_SECONDS = 30.0
"""A reply without a task joins the item whose evidence ended at most this long before it."""


def _learned_owner(sentence: Sentence, sentences: Sequence[Sentence], people: Sequence[str]) -> str | None:
    """Whom a sentence the detector found gives the task: the person it addresses ("as the industrial designer,
    you'll ...", "Kim, order it today"), also when named just before by the same speaker, else the one who spoke
    last before this turn ("You're gonna look at product evaluation" answers them); the speaker of "I"; None for
    "we" and for a person only talked about ("Thanks Carla", "Emma joins us today"); for a bare imperative ("Send it
    to Mei-Lin by Thursday."), whoever spoke last."""
    vocative = _VOCATIVE.match(sentence.text)
    if _SECOND_PERSON.search(sentence.text) or (vocative and match_person(vocative["name"], people)):
        for candidate in (sentence, *reversed(sentences[max(0, sentence.index - 2): sentence.index])):
            if candidate.speaker != sentence.speaker:
                break
            if named := mentioned_person(candidate.text, people):
                return named
        if _SECOND_PERSON.search(sentence.text):
            return _addressee(sentence, sentences, people)
    if _FIRST_PERSON.search(sentence.text):
        return speaker_owner(sentence, people)
    first = _LEADING_FILLER.sub("", sentence.text).split(maxsplit=1)
    if first and first[0].lower() in wording.TASK_VERBS and sentence.turn > 0:  # "Send it to Mei-Lin by Thursday."
        return _addressee(sentence, sentences, people)
    return _allocated_to(sentence.text, people)


_HANDED_OUT = re.compile(r"^(?:the|a|an)\s+[\w'-]+(?:\s+[\w'-]+){0,6}$", re.IGNORECASE)
"""A task handed out by name may be a bare noun phrase: "For UID, the technical functions design"."""
_ALLOCATION = re.compile(r"\bfor\s+(?:the\s+)?", re.IGNORECASE)


def _allocated_to(text: str, people: Sequence[str]) -> str | None:
    """The person a task is handed out for in minutes-speak: "For UID the technical functions design"."""
    for allocation in _ALLOCATION.finditer(text):
        rest = text[allocation.end():]
        if (person := mentioned_person(rest, people)) and mentioned_person(rest[:len(person) + 2], people) == person:
            return person
    return None


ADDRESSEE_SENTENCES = 6
""""You" with no name addresses whoever spoke last, when that was at most this many sentences before."""


def _addressee(sentence: Sentence, sentences: Sequence[Sentence], people: Sequence[str]) -> str | None:
    """The other speaker of the nearest turn before ``sentence`` (one of ``people``), if recent enough."""
    for earlier in reversed(sentences[max(0, sentence.index - ADDRESSEE_SENTENCES):sentence.index]):
        if earlier.speaker != sentence.speaker:
            return match_person(earlier.speaker, people) if people else earlier.speaker or None
    return None


def _owner_and_task(sentence: Sentence, people: Sequence[str]) -> tuple[str | None, str]:
    text = sentence.text.strip()
    corrections = list(_SELF_CORRECTION.finditer(text))
    # "Noor, could you- actually, no, Jae, you do the table plan": the person after the correction owns it
    for said in ([text[corrections[-1].end():].strip()] if corrections else []) + [text]:
        for pattern in (_ADDRESSED, _ADDRESSED_LAST, _ASSIGNED, _ACTION_LINE):
            match = pattern.match(said)
            if match and (owner := match_person(match["name"], people)):
                return owner, match["task"]
        # an order is a statement with a deed's verb: "Marek, chase them?" only floats it
        order = _ADDRESSED_IMPERATIVE.match(said)
        order = None if order and sentence.is_question and not order["you"] else order
        if order and order["verb"].lower() in wording.TASK_VERBS and (owner := match_person(order["name"], people)):
            return owner, order["task"]
    later = _ASSIGNED_LATER.search(text)
    if later and (owner := match_person(later["name"], people)):
        return owner, later["task"]
    present = _ASSIGNED_PRESENT.match(text)
    if present and (owner := match_person(present["name"], people)) and (deed := wording.present_deed(present["task"])):
        second = _NEXT_ASSIGNMENT.search(deed)
        return owner, deed[:second.start()] if second and match_person(second["name"], people) else deed
    # "I'll sign it - oh, sorry, you cut out - I'll sign the lift plan": the promise after the correction stands
    for said in ([text[corrections[-1].end():]] if corrections else []) + [text]:
        match = COMMITTED.search(said)
        if match and not PROPOSAL.search(text) and not _CONDITION.search(text):
            again = COMMITTED.search(match["task"])  # "I'll run it, um, I'll run it on the Wednesday crossing"
            restarted = again is not None and _first_word(again["task"]) == _first_word(match["task"])
            return speaker_owner(sentence, people), again["task"] if again and restarted else match["task"]
    return None, ""


DATE_AFTER_WORDS = 6
"""A short sentence right after a task in the same turn may give its date: "Kwame to renegotiate the quote. Give
me two days."; a longer one says something else."""


_WHEN = re.compile(r"^(?:and |so )?(?:eta|when|by when|when by|what'?s the eta|deadline|timeline|for when)\b[^.!]*\?$",
                   re.IGNORECASE)


def _answer_to_when(sentence: Sentence, sentences: Sequence[Sentence]) -> list[Sentence]:
    """The speaker's next turn when the turn after ``sentence`` only asks when ("ETA?", "By when?")."""
    after = turn_of(sentence, sentences)[-1].index + 1
    asked = sentences[after] if after < len(sentences) else None
    if asked is None or asked.speaker == sentence.speaker or not _WHEN.match(asked.text):
        return []
    return [s for s in sentences[asked.index + 1:asked.index + 1 + MAX_TURN_READ] if s.turn == asked.turn + 1
            and s.speaker == sentence.speaker]


MAX_TURN_READ = 3
"""Sentences of an answer read for its date."""


def _date_after(sentence: Sentence, sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentence after ``sentence`` in its turn, when it is short enough to only give the task's date."""
    following = next_sentence(sentence, sentences)
    if following is None or following.turn != sentence.turn or len(following.text.split()) > DATE_AFTER_WORDS:
        return []
    return [following]


_OFFER = re.compile(r"^(?:[^,.?!]{0,20}[,-]\s*)?(?:i (?:could|can)|shall i(?: just)?|should i(?: just)?|"
                    r"would you like me to|do you want me to)\s+(?P<task>.+?)\??$", re.IGNORECASE)
_ACCEPTANCE = re.compile(r"^(?:would you|could you|please|yes,? please|(?:that|it)(?: would|'d) be (?:great|lovely|"
                         r"perfect|brilliant|helpful|ideal)|great|perfect|lovely|brilliant|do that|go for it)\b",
                         re.IGNORECASE)


OFFER_REASONS = 3
"""An offer asked as a question may give a reason or two before the answer: "Shall I just set that up? I've done the
locum accounts before." / "That'd be brilliant"."""


ACCEPTANCE_WORDS = 8
"""Taking up an offer is short: "That'd be brilliant, thank you."; "Great, so book the room by Friday" asks more."""


def _accepts(sentence: Sentence) -> bool:
    """Whether a sentence only takes up what was offered ("That'd be brilliant, thank you."), asking nothing."""
    accepted = _ACCEPTANCE.match(sentence.text)
    return (accepted is not None and accepted.group().lower() != "please" and not _ASKS_YOU.search(sentence.text)
            and len(sentence.text.split()) <= ACCEPTANCE_WORDS)


def _accepted_offer(sentence: Sentence, sentences: Sequence[Sentence], people: Sequence[str]) -> tuple[str | None, str]:
    """An offer the next speaker takes up: "I could send them the sample chapter." / "Would you? Lovely."; "Shall
    I just set that up?" / "That'd be brilliant." (the offer's question and its reason may come first)."""
    offer = _OFFER.match(sentence.text)
    following = next((s for s in sentences[sentence.index + 1:sentence.index + 1 + OFFER_REASONS]
                      if s.turn != sentence.turn), None) if sentence.is_question else next_sentence(sentence, sentences)
    if (offer is None or following is None or following.turn != sentence.turn + 1
            or following.speaker == sentence.speaker or not _ACCEPTANCE.match(following.text)):
        return None, ""
    return speaker_owner(sentence, people), offer["task"]


def _volunteered(sentence: Sentence, sentences: Sequence[Sentence],
                 people: Sequence[str]) -> tuple[str | None, str] | None:
    """A reply that takes on what a question asked who would do: "Who sends them the link?" / "Me. I send it
    tonight."; "And who's ringing him?" / "I will. Thursday."."""
    before = sentences[sentence.index - 1] if sentence.index > 0 else None
    if (before is None or before.turn != sentence.turn - 1 or before.speaker == sentence.speaker
            or not _VOLUNTEERING.match(sentence.text) or len(sentence.text.split()) > VOLUNTEER_WORDS):
        return None
    deed = next((deed for asked in reversed(turn_of(before, sentences)) if (deed := wording.asked_who(asked.text))), "")
    return (speaker_owner(sentence, people), deed) if deed else None


_VOLUNTEERING = re.compile(r"^(?:me|i will|i can|i'?ll do it|that'?s me|that'?ll be me)(?![\w'?])",
                           re.IGNORECASE)
VOLUNTEER_WORDS = 5
"""A short answer volunteers ("Me.", "That'll be me, I suppose."); a longer one states its own deed ("I can draft
it by Friday")."""


_UNNAMED_REQUEST = re.compile(rf"^{FILLER}(?:can|could|would|will) you\s+(?P<task>.+)$", re.IGNORECASE)


def _unnamed_request(sentence: Sentence, sentences: Sequence[Sentence], people: Sequence[str],
                     meeting_date: dt.date) -> tuple[str | None, str] | None:
    """A request that names nobody, to the one who spoke last, when they agree: "Can you own the postmortem?" /
    "Yep. ETA Thursday."."""
    request = _UNNAMED_REQUEST.match(sentence.text)
    owner = _addressee(sentence, sentences, people) if request else None
    if request is None or owner is None or _reply_from(owner, sentence, sentences, meeting_date) is None:
        return None
    return owner, request["task"]


def _named_then_told(sentence: Sentence, sentences: Sequence[Sentence],
                     people: Sequence[str]) -> tuple[str | None, str] | None:
    """An instruction right after its addressee's name, said alone: "Dev. Chase them."."""
    named = sentences[sentence.index - 1] if sentence.index > 0 else None
    if named is None or named.turn != sentence.turn or len(named.text.split()) > 2:
        return None
    owner = match_person(named.text.strip(" .,!:"), people, cutoff=1.0)
    first = wording.task(sentence.text).split(maxsplit=1)
    if owner is None or not first or first[0] not in wording.TASK_VERBS:
        return None
    return owner, sentence.text


def _reply_from(owner: str, request: Sentence, sentences: Sequence[Sentence], meeting_date: dt.date) -> Sentence | None:
    """The addressee's reply in the next two turns that agrees ("Sure, I'll ...") or opens with when ("Before
    Monday, yeah.", "Wednesday's fine."), if any."""
    for position in range(request.index + 1, len(sentences)):
        sentence = sentences[position]
        if sentence.turn > request.turn + 2:
            return None
        span = due_phrase_span(sentence.text, meeting_date)
        only_when = span is not None and span[0] == 0 and len(sentence.text.split()) <= DATE_AFTER_WORDS
        agrees = _AFFIRMATION.match(sentence.text) or only_when
        if sentence.speaker == owner and agrees and not _handover(sentence, sentences):
            return sentence
    return None


_DUE_LEAD = re.compile(
    r"^\s*,?\s*(?:by|until|till|before|due|on|for|after|in|within|give|need|end|first|this|tonight|today|"
    r"tomorrow|next|eod|cob|close|early|mid|middle|start|beginning|the)\b", re.IGNORECASE)


_TIME_TAIL = re.compile(r"\s+at\s+\S+(?:\s+(?:am|pm|a\.m\.|p\.m\.|thirty|fifteen|forty five))?$", re.IGNORECASE)


def _as_task(said: str, meeting_date: dt.date, context: Sequence[str] = ()) -> str:
    """What was said as a standalone task: wrappers off, pronouns resolved from ``context``, the due phrase cut
    (cutting it can bare a tail, "send it tomorrow, please", which the second wording pass drops)."""
    return wording.task(_without_due(wording.resolve_pronouns(wording.task(said), context), meeting_date))


def _without_due(task: str, meeting_date: dt.date) -> str:
    """The task without its due phrase: "run a load test on the service by Friday" -> "run a load test on the
    service"; "book the venue before the board meeting on the 14th" -> "book the venue".

    A phrase in front goes too: "by Friday we need to prepare the design" -> "we need to prepare the design".
    Only a phrase that opens with a marker is cut ("by", "after", "tomorrow" ...): in "share it my Thursday"
    ASR heard "by" as "my", and cutting "Thursday" alone would leave "share it my".
    """
    for _ in range(2):  # "for Tuesday, March twenty fourth": the date, then the weekday before it
        span = due_phrase_span(task, meeting_date)
        if span is None or not (_DUE_LEAD.match(task[span[0]:span[1]])
                                or (span[0] > 0 and task[:span[0]].endswith(","))):
            break
        task = _TRAILING_FILLER.sub("", task[:span[0]] + task[span[1]:]).strip()
    time = _TIME_TAIL.search(task)
    return task[:time.start()] if time and resolve_time(time.group()) else task


def _merge_item(items: list[ActionItem], new: ActionItem) -> list[ActionItem]:
    """Fold ``new`` into an earlier item of the same owner about the same thing, else append it."""
    for position, old in enumerate(items):
        if old.owner == new.owner and overlap(old.task, new.task) >= 0.5:
            # the fuller wording names the thing ("ring them" resolved wrongly, then "rings the analyser supplier")
            fuller = new.task if named_words(new.task) > named_words(old.task) else old.task
            items[position] = ActionItem(old.owner, fuller, old.due or new.due,
                                         joined_evidence(old.evidence, new.evidence))
            return items
    return [*items, new]


def _first_word(text: str) -> str:
    """A text's first word, lower-cased and without punctuation ("" when it has none)."""
    words = text.split()
    return words[0].strip(",.;:!?-").lower() if words else ""
