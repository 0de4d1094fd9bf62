"""Speaker names for the live transcript, decided online as the words are committed.

Each step's committed words are grouped into utterances (split at pauses); each utterance's audio, widened
to at least ``policy.speaker_clip_s`` with the audio after it (then before it), is embedded with the
diarizer's voice encoder, all of a step's in one call. An utterance is given a team voice profile when one is
close enough (the :func:`recognise` rule), else the nearest voice heard earlier in this meeting when close
enough (a running mean per live speaker), else a new "Speaker N". Utterances too short to say anything about
a voice keep the previous speaker; an utterance that goes on from the last step is judged on all its audio.
A newcomer whose voice the encoder cannot tell from a colleague's takes that colleague's name.

The full pass after the recording diarizes the whole meeting properly and replaces these labels.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from companion.audio.decode import SAMPLE_RATE
from companion.audio.live_policy import LIVE_POLICY, LivePolicy
from companion.audio.speakers import recognise
from companion.models import Word

log = logging.getLogger(__name__)

Embed = Callable[[np.ndarray, Sequence[tuple[float, float]]], np.ndarray]
"""Unit-length voice embeddings of 16 kHz audio, one per (start, end) span in seconds (see
:meth:`companion.audio.diarize.Diarizer.embed_spans`)."""

@dataclass
class _Voice:
    """A live speaker: a name and the duration-weighted sum of its utterances' embeddings."""

    name: str
    total: np.ndarray

    @property
    def centroid(self) -> np.ndarray:
        centre: np.ndarray = self.total / np.linalg.norm(self.total)
        return centre


class LiveSpeakers:
    """Feed it the live audio with :meth:`add_audio`; :meth:`label` names the speaker of each committed word."""

    def __init__(self, embed: Embed, profiles: Mapping[str, np.ndarray] | None = None,
                 policy: LivePolicy = LIVE_POLICY) -> None:
        """Args:
            embed: the voice encoder (audio, spans in seconds) -> unit-length embeddings.
            profiles: the team's voice profiles by name (unit-length embeddings).
            policy: the live parameters (the ``speaker_*`` fields, ``pause_s`` and ``max_speakers``).
        """
        self._embed = embed
        self._profiles = dict(profiles or {})
        self._policy = policy
        self._keep = int(policy.speaker_keep_s * SAMPLE_RATE)
        self._audio = np.zeros(0, np.float32)
        self._end = 0
        """Samples fed so far: the meeting time of the end of the kept audio, in samples."""
        self._voices: list[_Voice] = []
        self._last_speaker = ""
        self._utterance = (0.0, -policy.pause_s)
        """Start and end of the utterance the last committed word belongs to (it may go on in the next step)."""
        self._unfamiliar_s = 0.0
        """Seconds of speech in a row that matched no voice, each too short to start a new speaker."""

    def add_audio(self, samples: np.ndarray) -> None:
        """Append live mono 16 kHz audio (the same the transcriber gets); only the last
        ``policy.speaker_keep_s`` stay."""
        self._audio = np.concatenate([self._audio, samples.astype(np.float32, copy=False)])[-self._keep:]
        self._end += len(samples)

    @property
    def kept_s(self) -> float:
        """Seconds of audio kept now."""
        return len(self._audio) / SAMPLE_RATE

    def label(self, words: Sequence[Word]) -> tuple[str, ...]:
        """The speaker of each of these newly committed words (in meeting time, in order)."""
        pieces = _utterances(words, self._policy.pause_s)
        starts = [piece[0].start for piece in pieces]
        if pieces and starts[0] - self._utterance[1] < self._policy.pause_s:
            starts[0] = self._utterance[0]  # the last step's utterance goes on: judge it on all its audio
        if pieces:
            self._utterance = (starts[-1], pieces[-1][-1].end)
        spans = [self._clip(start, piece) for start, piece in zip(starts, pieces, strict=True)]
        wanted = [span for span in spans if span is not None]
        voices = iter(self._voices_of(wanted) if wanted else ())
        names: list[str] = []
        for piece, span in zip(pieces, spans, strict=True):
            if span is not None:
                self._last_speaker = self._speaker_of(next(voices), piece[-1].end - piece[0].start)
            names.extend([self._last_speaker] * len(piece))
        return tuple(names)

    def _clip(self, utterance_start: float, piece: list[Word]) -> tuple[float, float] | None:
        """The stretch of audio to embed for ``piece``, in meeting time; None when it takes the previous
        speaker (too short to tell, or its audio is gone).

        Its utterance's audio from ``utterance_start`` (an earlier step may have begun it: steps are shorter than
        utterances), the latest ``policy.speaker_max_clip_s`` of it, widened to ``policy.speaker_clip_s`` with
        the audio after it first: whoever speaks at the end of a committed piece is still speaking after it, while the
        audio before it is often the previous speaker (word times hardly show the pause between two speakers).
        """
        policy = self._policy
        first, last = (self._end - len(self._audio)) / SAMPLE_RATE, self._end / SAMPLE_RATE
        start, end = max(utterance_start, piece[-1].end - policy.speaker_max_clip_s, first), min(piece[-1].end, last)
        if end <= start or (self._last_speaker and end - start < policy.speaker_min_speech_s):
            return None
        end = min(max(end, start + policy.speaker_clip_s), last)
        return max(min(start, end - policy.speaker_clip_s), first), end

    def _voices_of(self, spans: list[tuple[float, float]]) -> np.ndarray:
        """One embedding per span, from one encoder call over the audio that covers them all."""
        first = (self._end - len(self._audio)) / SAMPLE_RATE
        low, high = min(s for s, _ in spans), max(e for _, e in spans)
        audio = self._audio[int((low - first) * SAMPLE_RATE):int((high - first) * SAMPLE_RATE)]
        return self._embed(audio, [(s - low, e - low) for s, e in spans])

    def _speaker_of(self, voice: np.ndarray, seconds: float) -> str:
        """A team profile when one is close enough (the :func:`recognise` rule); else the nearest live speaker
        when close enough, whose running mean takes the utterance (``seconds`` long) in; else a new live
        speaker, when the utterance is long enough to tell; else the previous speaker."""
        if known := recognise({"utterance": voice}, self._profiles):
            self._unfamiliar_s = 0.0
            return known[0].name
        nearest = max(self._voices, key=lambda v: float(voice @ v.centroid), default=None)
        closeness = float(voice @ nearest.centroid) if nearest is not None else -1.0
        policy = self._policy
        if nearest is None or (closeness < policy.speaker_similarity and len(self._voices) < policy.max_speakers):
            self._unfamiliar_s += seconds
            if self._unfamiliar_s < policy.new_speaker_s and self._last_speaker:
                return self._last_speaker
            nearest = _Voice(f"Speaker {len(self._voices) + 1}", np.zeros_like(voice))
            self._voices.append(nearest)
            log.debug("new live speaker %s (nearest known voice at %.2f)", nearest.name, closeness)
        self._unfamiliar_s = 0.0
        nearest.total = nearest.total + max(seconds, 0.1) * voice
        return nearest.name


def _utterances(words: Sequence[Word], pause_s: float) -> list[list[Word]]:
    """Words split where a pause of ``pause_s`` or more separates two."""
    pieces: list[list[Word]] = []
    for word in words:
        if not pieces or word.start - pieces[-1][-1].end >= pause_s:
            pieces.append([])
        pieces[-1].append(word)
    return pieces
