"""The meeting's topics and when it meets next."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence

import numpy as np

from companion.models import Evidence, Topic
from companion.text import topics as segmenter
from companion.text.dates import resolve_date, resolve_time
from companion.text.extract.context import COMMITTED, NEXT_MEETING
from companion.text.sentences import Sentence

_TOPIC = re.compile(
    r"^(?:(?:okay|so|alright|right|now|thanks)[,.]?\s+)*(?:next topic|last topic|first topic|next item|"
    r"moving on to|let'?s (?:start with|talk about|move on to|go through|turn to)|now)[,:]?\s+(?:the\s+)?"
    r"(?P<title>[^,.?!]{3,60})",
    re.IGNORECASE,
)
_AGENDA = re.compile(r"\b(?:settle|discuss|cover|talk about|go through|decide on)\s+(?:the\s+)?(?P<first>[^,.]{3,40})",
                     re.IGNORECASE)


def topics(sentences: Sequence[Sentence], duration_s: float, vectors: np.ndarray | None = None) -> list[Topic]:
    """Topic spans from spoken transitions ("Next topic, the analytics vendor"); the opening from the agenda.

    A meeting with no spoken transition is segmented by what is said (TextTiling over ``vectors``, the
    sentence embeddings), each topic titled by its most distinctive words.
    """
    if not sentences:
        return []
    starts = [(s, m["title"].strip()) for s in sentences if (m := _TOPIC.match(s.text))]
    if not starts and vectors is not None:
        starts = _segmented(sentences, vectors)
    if not starts or starts[0][0].turn > 0:
        agenda = next((m for s in sentences[:3] if (m := _AGENDA.search(s.text))), None)
        starts.insert(0, (sentences[0], agenda["first"].strip() if agenda else "Opening"))
    begins = [sentences[0].start] + [s.start for s, _ in starts[1:]]  # the first topic opens the meeting
    ends = [*begins[1:], max(duration_s, sentences[-1].end)]
    return [Topic(title, round(b, 2), round(e, 2)) for (_, title), b, e in zip(starts, begins, ends, strict=True)]


def _segmented(sentences: Sequence[Sentence], vectors: np.ndarray) -> list[tuple[Sentence, str]]:
    """Topics found by the segmenter, as (first sentence, title); none for a meeting too short to split."""
    cuts = [0, *segmenter.boundaries(vectors, [s.start for s in sentences]), len(sentences)]
    if len(cuts) == 2:
        return []
    texts = [" ".join(s.text for s in sentences[a:b]) for a, b in itertools.pairwise(cuts)]
    return [(sentences[a], title) for a, title in zip(cuts, segmenter.titles(texts), strict=False)]


def next_meeting(sentences: Sequence[Sentence], meeting_date: dt.date) -> tuple[str, Evidence] | None:
    """When the next meeting is, as ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``, with its evidence: the last sentence
    that says so ("next review call is the 21st"), with a time it or the next two sentences of its turn give, else
    a day and a clock time said as the meeting closes ("Okay, first Tuesday in July, two o'clock.")."""
    closing = [s for s in sentences if s.turn >= sentences[-1].turn - CLOSING_TURNS] if sentences else []
    for sentence in reversed(sentences):
        if NEXT_MEETING.search(sentence.text) and (day := resolve_date(sentence.text, meeting_date)):
            sentence, day = _corrected(sentence, day, sentences, meeting_date)
            # the time may follow on its own: "Next one Thursday the 9th, before the inspection. Six thirty."
            said = [sentence, *(s for s in sentences[sentence.index + 1:sentence.index + 3] if s.turn == sentence.turn)]
            time = next((t for s in said if (t := resolve_time(s.text))), None)
            return _when(day, time), sentence.evidence
    for sentence in reversed(closing):
        day = resolve_date(sentence.text, meeting_date)
        if day is not None and day > meeting_date and (time := resolve_time(sentence.text)):
            return _when(day, time), sentence.evidence
    # the chair's last words name the day alone: "Same slot next Tuesday, the 15th.", "Mateo's chairing on the third"
    for sentence in reversed([s for s in closing if s.turn == sentences[-1].turn]):
        day = resolve_date(sentence.text, meeting_date)
        if day is not None and day > meeting_date and not COMMITTED.search(sentence.text) \
                and not _TASK_OR_ABSENCE.search(sentence.text):
            return _when(day, None), sentence.evidence
    return None


_ASKED_OR_ABSENT = re.compile(r"(?<!\bsee )\byou\b|\b(?:your|please)\b|\bi'?m (?:away|off|out|on leave|"
                              r"on holiday) (?:on|from|until|till)\b", re.IGNORECASE)
"""A sentence that asks something of someone ("Send it by Monday, please") or says the speaker is away ("I'm away
on the 20th") gives a task's or an absence's day, not the next meeting's; "See you Monday" is one."""
_TASK_OR_ABSENCE = re.compile(rf"{_ASKED_OR_ABSENT.pattern}|\b(?:can|could)\b", re.IGNORECASE)
"""In the closing words, "can" and "could" ask too ("Can you send it by Monday?"); in a correction they move the
meeting ("Could we do Friday instead?")."""


def _corrected(said: Sentence, day: dt.date, sentences: Sequence[Sentence],
               meeting_date: dt.date) -> tuple[Sentence, dt.date]:
    """The day ``said`` names for the next meeting, or the one a correction just after it names instead ("Same time
    next week?" / "No, I'm on a course on Monday. Wednesday the 14th, at ten."): the last in the correcting turn."""
    corrected = (said, day)
    for later in sentences[said.index + 1:said.index + 1 + MAX_CORRECTION_SENTENCES]:
        if later.turn > said.turn + 1 or (corrected[0] is not said and later.turn != corrected[0].turn):
            break
        if (any(_CORRECTION.search(s.text) for s in sentences[said.index + 1:later.index + 1])
                and (other := resolve_date(later.text, meeting_date)) and other > meeting_date
                and not COMMITTED.search(later.text) and not _ASKED_OR_ABSENT.search(later.text)):
            corrected = (later, other)
    return corrected


_CORRECTION = re.compile(r"^(?:no|nope|actually|wait|hang on)\b(?! (?:problem|worries)\b)|\b(?:actually,? no|instead|"
                         r"make it|rather|(?:can|could) we do|how about|what about)\b", re.IGNORECASE)
MAX_CORRECTION_SENTENCES = 4
"""A correction of the next meeting's day comes within this many sentences, in the same turn or the next."""


CLOSING_TURNS = 3
"""A meeting closes in its last few turns: a day and a time said there name the next meeting."""


def _when(day: dt.date, time: str | None) -> str:
    return f"{day.isoformat()}T{time}" if time else day.isoformat()
