"""Hear the participants' names again where speech recognition may have missed one.

tiny.en hears "Ben, please fix both bugs" as "Man, please fix both bugs": a rare name loses to a common
word. Told the participants' names (Whisper's hotwords) it hears them; but told them for a whole meeting
it also writes names nobody said and hears other words worse. So only sentences that address someone
("X, can you ...", "please", a question, thanks) are heard a second time with the names, and only the
names are taken from that second hearing; every other word stays as first heard.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import numpy as np

from companion.audio.decode import SAMPLE_RATE
from companion.audio.stt import SpeechToText, to_word, word_key
from companion.jobs import CancelToken, Job, Progress
from companion.models import Segment, Transcript, Word
from companion.text.people import match_person

ADDRESSING = re.compile(r"\?|\b(?:can|could|will|would) you\b|\bplease\b|^\W*\w+,|^\W*thank", re.IGNORECASE)
"""A sentence that may be said to someone by name."""

PAD_S = 0.3
"""Audio heard again on either side of a segment: its first word's onset, its last word's end."""

MIN_AGREEMENT = 0.6
"""How alike both hearings must be (difflib ratio over letters) for the second one to lend its names."""

MAX_REPLACED = 2
"""A name replaces at most this many words of the first hearing ("When" -> "Ben,")."""


def rehear_names(stt: SpeechToText, audio: np.ndarray, transcript: Transcript, participants: Sequence[str],
                 cancel: CancelToken | None = None) -> Job[Transcript]:
    """The transcript with names heard again in addressing sentences; unchanged without participants."""
    cancel = cancel or CancelToken()
    candidates = [i for i, s in enumerate(transcript.segments) if s.words and ADDRESSING.search(s.text)]
    if not participants or not candidates:
        return transcript
    hint = ", ".join(participants)
    segments = list(transcript.segments)
    for done, index in enumerate(candidates):
        cancel.raise_if_cancelled()
        yield Progress("listening for names", done, len(candidates))
        segment = segments[index]
        segments[index] = with_names_from(segment, _hear(stt, audio, segment, hint), participants)
    yield Progress("listening for names", len(candidates), len(candidates))
    return Transcript(tuple(segments), transcript.duration_s, transcript.language)


def _hear(stt: SpeechToText, audio: np.ndarray, segment: Segment, hint: str) -> list[Word]:
    start = max(0.0, segment.start - PAD_S)
    clip = audio[int(start * SAMPLE_RATE): int((segment.end + PAD_S) * SAMPLE_RATE)]
    raw, _ = stt.clip_segments(clip, hotwords=hint)
    return [to_word(w, start) for s in raw for w in s.words or ()]


def with_names_from(segment: Segment, heard: list[Word], participants: Sequence[str]) -> Segment:
    """``segment`` with the names a second hearing put where the first heard other words (or none)."""
    first = list(segment.words)
    first_keys, heard_keys = [word_key(w) for w in first], [word_key(w) for w in heard]
    # Compared letter by letter: "check out my Friday" and "checkout burns by Friday" agree.
    if difflib.SequenceMatcher(a=" ".join(first_keys), b=" ".join(heard_keys)).ratio() < MIN_AGREEMENT:
        return segment  # the second hearing is of something else
    matcher = difflib.SequenceMatcher(a=first_keys, b=heard_keys, autojunk=False)
    words: list[Word] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        new = heard[j1:j2]
        named = op in ("replace", "insert") and i2 - i1 <= MAX_REPLACED and len(new) == 1 and bool(
            match_person(word_key(new[0]), participants, cutoff=1.0))
        words.extend(new if named else first[i1:i2])
    if words == first:
        return segment
    return Segment(segment.start, segment.end, " ".join(w.text for w in words), segment.speaker, tuple(words))
