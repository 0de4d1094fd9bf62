"""Speakers on a transcript: labels from diarization, names from voice profiles and from what people say.

Names come, in order of trust, from the team's voice profiles (a voice heard before, with a confidence),
then from the transcript: a self-introduction ("I'm Emma", "this is Emma", "Emma here") names its
speaker; direct address ("Ben, can you ...") names whoever speaks next; thanks ("Thanks Carla") names
whoever spoke before. Transcript names are proposals until the user confirms them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from companion.audio.diarize import Diarization
from companion.models import Segment, Transcript, Word
from companion.text.people import match_person

RECOGNISE_SIMILARITY = 0.80  # cosine similarity to a voice profile needed to name a speaker


@dataclass(frozen=True)
class SpeakerName:
    """A name given to a diarized speaker label, and why."""

    label: str
    name: str
    confidence: float
    source: str  # "profile" | "proposed"


def label_transcript(transcript: Transcript, diarization: Diarization) -> Transcript:
    """Give every word a speaker and split segments where the speaker changes between words."""
    if not diarization.turns:
        return transcript
    segments: list[Segment] = []
    for segment in transcript.segments:
        if not segment.words:
            speaker = diarization.speaker_between(segment.start, segment.end) or ""
            segments.append(Segment(segment.start, segment.end, segment.text, speaker))
            continue
        runs: list[tuple[str, list[Word]]] = []
        for word in segment.words:
            speaker = diarization.speaker_between(word.start, word.end) or ""
            if runs and runs[-1][0] == speaker:
                runs[-1][1].append(word)
            else:
                runs.append((speaker, [word]))
        segments.extend(
            Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), speaker, tuple(words))
            for speaker, words in _absorb_short_runs(runs)
        )
    return Transcript(tuple(segments), transcript.duration_s, transcript.language)


def _absorb_short_runs(runs: list[tuple[str, list[Word]]]) -> list[tuple[str, list[Word]]]:
    """A run of one or two words between two runs of one speaker is a boundary wobble: one run of three."""
    merged: list[tuple[str, list[Word]]] = []
    for index, (speaker, words) in enumerate(runs):
        wobble = (0 < index < len(runs) - 1 and len(words) <= 2 and runs[index - 1][0] == runs[index + 1][0])
        if merged and (merged[-1][0] == speaker or wobble):
            merged[-1] = (merged[-1][0], merged[-1][1] + words)
        else:
            merged.append((speaker, list(words)))
    return merged


def recognise(voices: dict[str, np.ndarray], profiles: dict[str, np.ndarray], source: str = "profile"
              ) -> list[SpeakerName]:
    """Name speakers whose voice is close to a team profile; each profile names at most one speaker.

    ``source`` is what the names are called: "profile" for voices people confirmed, "proposed" for voices
    only proposed so far.
    """
    candidates = sorted(
        ((float(voice @ profile), label, name) for label, voice in voices.items()
         for name, profile in profiles.items()),
        reverse=True,
    )
    named: list[SpeakerName] = []
    for similarity, label, name in candidates:
        if similarity < RECOGNISE_SIMILARITY:
            break
        if all(n.label != label and n.name != name for n in named):
            named.append(SpeakerName(label, name, round(similarity, 3), source))
    return named


_SELF = re.compile(r"\b(?:I'm|I am|this is|my name is)\s+([A-Z][a-z]+)|^([A-Z][a-z]+) here\b")
_ADDRESS = re.compile(r"(?:^|[.?!,]\s+)([A-Z][a-z]+),\s")  # "Carla, can you ..." / "Last topic, David, what ..."
_THANKS = re.compile(r"^(?i:thanks|thank you),?\s+([A-Z][a-z]+)\b")


def propose_names(segments: Sequence[Segment], participants: Sequence[str],
                  taken: Sequence[str] = ()) -> list[SpeakerName]:
    """Names suggested by the transcript for unnamed speaker labels (participants only, when known).

    A self-introduction is a full vote. A reply to "Ben, can you ..." or the turn before "Thanks Carla"
    votes by its length: a one-word "Sure." is easily put on the wrong speaker, a long answer is not.
    """
    votes: dict[str, dict[str, float]] = {}

    def vote(index: int, said: str, weight: float) -> None:
        if not 0 <= index < len(segments) or not segments[index].speaker:
            return
        name = match_person(said, participants) if participants else said
        if name:
            names = votes.setdefault(segments[index].speaker, {})
            names[name] = names.get(name, 0.0) + weight

    for index, segment in enumerate(segments):
        for match in _SELF.finditer(segment.text):
            vote(index, match.group(1) or match.group(2), 1.0)
        following = _next_speaker(segments, index)
        for address in _ADDRESS.finditer(segment.text) if participants and following is not None else ():
            vote(following or 0, address.group(1), _turn_weight(segments, following or 0))
        thanks = _THANKS.match(segment.text) if participants else None
        if thanks and index > 0 and segments[index - 1].speaker != segment.speaker:
            vote(index - 1, thanks.group(1), _turn_weight(segments, index - 1))
    return _assign(votes, taken)


TURN_WORDS = 8
"""A turn this many words long (or longer) is a full vote for the name it answers to."""


def _turn_weight(segments: Sequence[Segment], index: int) -> float:
    """How much a name vote for the turn around ``segments[index]`` counts: its words, up to TURN_WORDS."""
    speaker = segments[index].speaker
    start = index
    while start > 0 and segments[start - 1].speaker == speaker:
        start -= 1
    end = index
    while end + 1 < len(segments) and segments[end + 1].speaker == speaker:
        end += 1
    words = sum(len(s.text.split()) for s in segments[start:end + 1])
    return min(words, TURN_WORDS) / TURN_WORDS


def last_one_left(labels: Sequence[str], participants: Sequence[str], named: Sequence[SpeakerName]
                  ) -> list[SpeakerName]:
    """When one speaker is still unnamed and one participant has no voice yet, they are the same person."""
    unnamed = [label for label in labels if label not in {n.label for n in named}]
    voiceless = [p for p in participants if p not in {n.name for n in named} and p not in labels]
    if len(unnamed) == 1 and len(voiceless) == 1:
        return [SpeakerName(unnamed[0], voiceless[0], 0.5, "proposed")]
    return []


def _next_speaker(segments: Sequence[Segment], index: int) -> int | None:
    return next((i for i in range(index + 1, len(segments)) if segments[i].speaker != segments[index].speaker),
                None)


def _assign(votes: dict[str, dict[str, float]], taken: Sequence[str]) -> list[SpeakerName]:
    """Give each label its most voted name, strongest first; a name goes to one label only."""
    ranked = sorted(((count, label, name) for label, names in votes.items() for name, count in names.items()),
                    reverse=True)
    named: list[SpeakerName] = []
    for count, label, name in ranked:
        if name in taken or label in taken or any(n.label == label or n.name == name for n in named):
            continue
        total = sum(votes[label].values())
        named.append(SpeakerName(label, name, round(count / total, 2), "proposed"))
    return named


def renamed_transcript(transcript: Transcript, names: dict[str, str]) -> Transcript:
    """The transcript with speaker labels replaced by ``names``."""
    return Transcript(
        tuple(Segment(s.start, s.end, s.text, names.get(s.speaker, s.speaker), s.words) for s in transcript.segments),
        transcript.duration_s, transcript.language,
    )
