"""Speech-to-text with faster-whisper: a lazy generator of segments with progress and cancellation."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from companion.audio.decode import SAMPLE_RATE
from companion.audio.live_policy import LIVE_POLICY, LivePolicy
from companion.jobs import CancelToken, Job, Progress
from companion.models import Segment, Transcript, Word
from companion.runtime import Runtime

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

# Whisper writes these for music, applause or noise; they are not speech.
_NON_SPEECH = re.compile(r"^[\s\W]*(\[[^\]]*\]|\([^)]*\)|♪|♫|music|applause)*[\s\W]*$", re.IGNORECASE)


def is_non_speech(text: str) -> bool:
    """True for text Whisper emits on music or noise: empty, ``[Music]``, ``(applause)``, ``♪``."""
    return bool(_NON_SPEECH.match(text))


_DECODING: dict[str, Any] = {"vad_filter": True, "word_timestamps": True, "condition_on_previous_text": False}
"""Options of every hearing. Voice-activity filtering stays on: without it tiny.en invents text on silence."""


class SpeechToText:
    """A faster-whisper model loaded once, on first use, with the runtime's device and compute type.

    Whole recordings (:meth:`file_segments`) are decoded greedily by default (``beam_size``): for whole
    recordings a wider beam costs time and gains nothing measurable (see ``benchmarks/transcribe.py``).
    Short clips (:meth:`clip_segments`: the live buffer, a sentence heard again) follow a
    :class:`~companion.audio.live_policy.LivePolicy`.
    """

    def __init__(self, runtime: Runtime, beam_size: int = 1, language: str | None = None) -> None:
        self.runtime = runtime
        self.beam_size = beam_size
        self.language = language
        """The language of whole recordings (a Whisper code such as ``de``); None: detected per recording."""

    def in_language(self, language: str) -> SpeechToText:
        """This model (loaded once, shared) hearing whole recordings in ``language`` instead of detecting it."""
        forced = SpeechToText(self.runtime, self.beam_size, language)
        forced.__dict__["model"] = self.model
        return forced

    @cached_property
    def model(self) -> WhisperModel:
        """The model for whole recordings, on the runtime's threads."""
        return self._load(self.runtime.cpu_threads)

    @cached_property
    def one_thread_model(self) -> WhisperModel:
        """On a CPU with more cores, the model again on one thread: a candidate for short clips (live steps)."""
        return self._load(1)

    @cached_property
    def clip_models(self) -> FastestOf[WhisperModel]:
        """The model for short clips: on the CPU, of the model on the runtime's threads and on one thread,
        whichever hears clips faster here: a clip's matrices are small, and which is faster depends on the
        machine."""
        if self.runtime.device != "cpu" or self.runtime.cpu_threads == 1:
            return FastestOf([self.model])
        return FastestOf([self.one_thread_model, self.model])

    def _load(self, cpu_threads: int) -> WhisperModel:
        from faster_whisper import WhisperModel

        class ShortWindowWhisperModel(WhisperModel):  # type: ignore[misc]
            """faster-whisper pads every window to 30 s before the encoder, even with a shorter
            ``chunk_length``; CTranslate2 encodes any length, so a short window costs a fraction of the time."""

            def encode(self, features: np.ndarray) -> Any:
                return super().encode(features[..., : self.feature_extractor.nb_max_frames])

        log.info("loading speech model %s on %s (%s, %d threads)", self.runtime.whisper_model, self.runtime.device,
                 self.runtime.compute_type, cpu_threads)
        return ShortWindowWhisperModel(
            self.runtime.whisper_model,
            device=self.runtime.device,
            compute_type=self.runtime.compute_type,
            cpu_threads=cpu_threads,
            local_files_only=True,
        )

    def transcribe(self, audio: np.ndarray, cancel: CancelToken | None = None) -> Job[Transcript]:
        """Transcribe 16 kHz mono ``audio``; yields each :class:`Segment` and :class:`Progress`."""
        cancel = cancel or CancelToken()
        duration = len(audio) / SAMPLE_RATE
        yield Progress("transcribing", 0.0, duration)
        raw_segments, language = self.file_segments(audio, self.language)
        segments: list[Segment] = []
        heard_until = 0.0
        heard = (to_segment(raw, duration) for raw in raw_segments)
        for segment in self._with_missed_utterances(audio, heard, language):
            cancel.raise_if_cancelled()
            segments.append(segment)
            yield segment
            heard_until = max(heard_until, segment.end)  # an utterance heard again may end before the last
            yield Progress("transcribing", heard_until, duration)
        yield Progress("transcribing", duration, duration)
        return Transcript(tuple(segments), duration_s=duration, language=language)

    def _with_missed_utterances(self, audio: np.ndarray, segments: Iterator[Segment],
                                language: str) -> Iterator[Segment]:
        """``segments``, with each utterance that no word of them touches heard on its own, in time order.

        Whisper sometimes ends a 30 s window early and goes on at the next one, skipping whole turns. An
        utterance is speech between pauses of :data:`UTTERANCE_PAUSE_MS`; heard alone, it is transcribed like
        any short recording, in the recording's ``language``.
        """
        unheard = utterances(audio)
        for segment in segments:
            spans = [(w.start, w.end) for w in segment.words] or [(segment.start, segment.end)]
            unheard = [u for u in unheard if not any(start < u[1] and end > u[0] for start, end in spans)]
            while unheard and unheard[0][1] <= spans[0][0]:
                yield from self._hear_alone(audio, *unheard.pop(0), language)
            yield segment
        for start, end in unheard:
            yield from self._hear_alone(audio, start, end, language)

    def _hear_alone(self, audio: np.ndarray, start: float, end: float, language: str) -> Iterator[Segment]:
        raw_segments, _ = self.file_segments(audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)], language)
        return (to_segment(raw, end, offset=start) for raw in raw_segments)

    def file_segments(self, audio: np.ndarray, language: str | None = None) -> tuple[Iterator[Any], str]:
        """faster-whisper's lazy segments of a recording, without non-speech; and its language.

        Windows of 30 s, each retried at higher temperatures where its decoding looks repetitive or unlikely.
        A multilingual model detects the ``language`` from the first window when it is None; an English-only
        model always says ``en``.
        """
        raw_segments, info = self.model.transcribe(
            audio, beam_size=self.beam_size, chunk_length=30, temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
            language=language, **_DECODING)
        if language is None:
            log.info("language: %s (probability %.2f)", info.language, info.language_probability)
        return _speech(raw_segments), str(info.language)

    def clip_segments(self, audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
                      policy: LivePolicy = LIVE_POLICY) -> tuple[Iterator[Any], str]:
        """faster-whisper's lazy segments of a short clip (a live buffer, a sentence heard again); and the language.

        The model sees the clip at once (:func:`clip_window_s`: the encoder's work shrinks with it, see
        ``ShortWindowWhisperModel``) on the faster of :attr:`clip_models`, with ``prompt`` (what was said
        before) and ``hotwords`` (names, terms) as bias. Decoding is one beam search at temperature 0 that
        stops near the clip's end and at :func:`live_token_cap`; doubtful segments are dropped rather than
        retried, since the next live step hears that audio again.
        """
        began = time.perf_counter()
        seconds = len(audio) / SAMPLE_RATE
        model = self.clip_models.pick()
        raw_segments, info = model.transcribe(
            audio, beam_size=policy.beam_size, chunk_length=clip_window_s(audio), temperature=0.0,
            initial_prompt=prompt, hotwords=hotwords, max_new_tokens=live_token_cap(seconds, policy.tokens_per_s),
            **_DECODING)
        kept = (s for s in _speech(until_near_end(raw_segments, seconds - policy.tail_s))
                if s.compression_ratio <= policy.max_compression_ratio and s.avg_logprob >= policy.min_avg_logprob)
        return self.clip_models.timed(model, kept, seconds, began), str(info.language)


def _speech(segments: Iterator[Any]) -> Iterator[Any]:
    """``segments`` without the ones that hold no speech (see :func:`is_non_speech`)."""
    return (s for s in segments if not is_non_speech(s.text.strip()))


Choice = TypeVar("Choice")


class FastestOf(Generic[Choice]):
    """Interchangeable ways to do some work, and the one that has done it fastest so far, per unit of work
    (seconds of audio): each is tried :attr:`TRIALS` times first, in turn."""

    TRIALS = 8

    def __init__(self, choices: Sequence[Choice]) -> None:
        self.choices = list(choices)
        self._work = [0.0] * len(self.choices)
        self._took = [0.0] * len(self.choices)
        self._tries = [0] * len(self.choices)

    def pick(self) -> Choice:
        untried = [i for i, tries in enumerate(self._tries) if tries < self.TRIALS]
        if untried:
            return self.choices[min(untried, key=self._tries.__getitem__)]
        return self.choices[min(range(len(self.choices)), key=lambda i: self._took[i] / max(self._work[i], 1e-9))]

    def record(self, choice: Choice, work: float, took: float) -> None:
        index = self.choices.index(choice)
        self._work[index] += work
        self._took[index] += took
        self._tries[index] += 1

    def timed(self, choice: Choice, items: Iterator[Any], work: float, began: float) -> Iterator[Any]:
        """``items`` (lazy: they are produced as they are taken), recording the time until the last one."""
        yield from items
        self.record(choice, work, time.perf_counter() - began)


def until_near_end(segments: Iterator[Any], end: float) -> Iterator[Any]:
    """``segments`` up to the first one that ends at ``end`` or later (the rest is not decoded: they are lazy)."""
    for segment in segments:
        yield segment
        if segment.end >= end:
            return


def live_token_cap(seconds: float, tokens_per_s: int) -> int:
    """How many tokens a live step may decode for ``seconds`` of audio: a decoding that runs past what speech
    needs is looping on a phrase."""
    return min(int(seconds * tokens_per_s) + 8, 224)  # prompt and output share Whisper's 448 tokens


def clip_window_s(audio: np.ndarray) -> int:
    """The window the model sees for a short clip: the clip and a second more, at most Whisper's 30 s."""
    return min(30, math.ceil(len(audio) / SAMPLE_RATE) + 1)


UTTERANCE_PAUSE_MS = 500
"""A pause this long ends an utterance (Silero VAD's ``min_silence_duration_ms``; faster-whisper's 2 s keeps
a lively meeting as one piece)."""


def utterances(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where ``audio`` holds speech: (start, end) seconds of each utterance."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=UTTERANCE_PAUSE_MS))
    return [(span["start"] / SAMPLE_RATE, span["end"] / SAMPLE_RATE) for span in spans]


def to_segment(raw: Any, until: float, offset: float = 0.0) -> Segment:
    """A faster-whisper segment as our :class:`Segment`, ``offset`` seconds later, ending by ``until``."""
    words = tuple(to_word(w, offset) for w in raw.words or ())
    return Segment(round(offset + raw.start, 3), round(min(offset + raw.end, until), 3), raw.text.strip(),
                   words=words)


def to_word(word: Any, offset: float = 0.0) -> Word:
    """A faster-whisper word as our :class:`Word`, ``offset`` seconds later in the meeting."""
    return Word(round(offset + word.start, 3), round(offset + word.end, 3), word.word.strip(),
                round(word.probability, 3))


def word_key(word: Word) -> str:
    """A word as compared between two hearings: lower case, without punctuation."""
    return re.sub(r"[^\w']", "", word.text.lower())
