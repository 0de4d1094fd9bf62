"""Live speech-to-text: LocalAgreement-2 over a sliding buffer (after whisper_streaming, Macháček et al. 2023).

Every step re-transcribes the buffer; words that two consecutive hypotheses agree on, and that the newer one
heard with :data:`RIGHT_CONTEXT_S` of audio after them (:data:`CONFIDENT_CONTEXT_S` for a word both heard with a
high probability), are committed; the rest is a tentative tail. A hearing of nothing disputes nothing; words
disputed between two hearings that then agree on :data:`ANCHOR_WORDS` more are taken from the newer one, and a
word disputed step after step is committed when two of the last three hearings agree on it (:data:`STALL_S`).
The buffer holds the utterance being spoken and, as context, the one before it (whisper_streaming keeps the last
segment the same way): at each pause after committed words the older utterance is cut off, and the text
committed before the buffer is the prompt, so memory stays flat however long the call.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from companion.audio.decode import SAMPLE_RATE
from companion.audio.stt import SpeechToText, clip_window_s, to_word, word_key
from companion.models import Word


@dataclass(frozen=True)
class LiveTranscript:
    """What changed in one step: newly committed words, and the current tentative tail."""

    committed: tuple[Word, ...]
    tentative: tuple[Word, ...]
    speakers: tuple[str, ...] = ()
    """The speaker of each committed word (empty when unknown)."""

    def speaker_runs(self) -> list[tuple[str, list[Word]]]:
        """The committed words in runs of one speaker ("" where the update names none)."""
        speakers = self.speakers if len(self.speakers) == len(self.committed) else ("",) * len(self.committed)
        runs: list[tuple[str, list[Word]]] = []
        for speaker, word in zip(speakers, self.committed, strict=True):
            if runs and runs[-1][0] == speaker:
                runs[-1][1].append(word)
            else:
                runs.append((speaker, [word]))
        return runs


KEEP_WORDS = 200
"""Committed words the transcriber remembers: enough for the prompt, flat memory for an 8-hour call."""

PAUSE_S = 0.6
"""A gap this long after a committed word means the speaker paused: a clean place to cut the buffer."""

RIGHT_CONTEXT_S = 1.0
"""How much audio the newer of two agreeing hearings must have had after a word for it to be committed.

tiny.en hears the last second of a clip badly, and two hearings 0.5 s apart share that blind spot: they
agree on the same mistake ("Go tomorrow again" for "Good morning"). Replayed at four step phases on the
three Atlas meetings, live WER 0.242 -> 0.212 (offline 0.179) with 1.1 s, median latency +0.7 s, with 0.6 s
required of the older hearing: the same rule as 1.1 s of the newer at 0.5 s steps. It is counted on the newer
hearing: in real time a step takes longer than 0.5 s, and the gap between two hearings would add to the
latency. 1.0 s rather than 1.1 s: Atlas 03-09 replayed at four phases, live WER 0.241 -> 0.226; 03-02 in real
time, median latency 2.01 -> 1.94 s."""

CONFIDENT_P = 0.8
CONFIDENT_CONTEXT_S = 0.4
"""A word both agreeing hearings gave a probability of :data:`CONFIDENT_P` or more needs only this much audio
after it in the newer one, not :data:`RIGHT_CONTEXT_S`.

What tiny.en mishears at a clip's end it mostly hears with a low probability, so the rest, most words, need not
wait for the full right context. Atlas 03-02 in real time, side by side: median latency 1.97 -> 1.69 s, p95
3.23 -> 2.57 s, live WER 0.174 -> 0.153 (offline 0.162). The three Atlas meetings replayed at four step phases
with the speakers' names: pooled live WER 0.179 -> 0.184 (offline 0.178), median latency in audio time
1.31 -> 1.10 s."""

LEAD_IN_S = 1.0
"""Silence heard before the audio while the buffer still starts at the recording's first sample.

A recording started mid-sentence begins with speech, and tiny.en mishears speech from a clip's very first
sample: the opening of Atlas 03-02 is "Go tomorrow again" in every clip up to 5 s long, and "Good morning"
after a lead-in of silence. Later buffers start where they were cut, after a committed word. The better
first words are also the prompt for what follows. Replayed at eight step phases with the speakers' names,
live WER on 03-02 0.182 -> 0.166 (offline 0.156), 03-09 0.226 -> 0.226, 03-16 0.149 -> 0.145. On 03-02, a
lead-in of 0.3 s: 0.178; of 0.5 s: 0.156, but p95 latency in audio time 2.3 -> 3.3 s; before every clip: 0.172."""


STALL_S = 2.5
"""A word the newest hearing agrees on with the one before the last is committed once it ended this long
before the buffer's end.

tiny.en can swing between two hearings of a word step after step ("the analytics vendor" / "the analytics
manager" at the opening of Atlas 03-02), and no two hearings in a row agree until the speaker pauses: the
words after it wait 3-5 s. Two of the last three hearings agreeing on a word heard with this much audio
after it end the stall. Replayed at eight step phases with the speakers' names, words committed more than
3 s late in audio time per replay: 03-02 8.4 -> 4.6, 03-09 11.6 -> 7.2; live WER 0.166 -> 0.172 and
0.226 -> 0.221. With hearings of nothing no longer disputing (:meth:`StreamingTranscriber.step`), 03-02:
2.9 late words, WER 0.170."""


class StreamingTranscriber:
    """Feed audio with :meth:`add_audio`, call :meth:`step` every 0.5-1 s, :meth:`finish` at the end."""

    def __init__(self, stt: SpeechToText, max_buffer_s: float = 12.0, prompt_words: int = 40,
                 names: Sequence[str] = ()) -> None:
        """``names``: the participants, whom every hearing is biased towards (Whisper's hotwords). Atlas 03-02
        replayed at eight step phases: live WER 0.190 -> 0.182 with the four speakers' names."""
        self.stt = stt
        self.hotwords = ", ".join(names) or None
        self.max_buffer_s = max_buffer_s
        self.prompt_words = prompt_words
        self._audio = np.zeros(0, np.float32)
        self._offset = 0.0
        """Meeting time of the first buffered sample."""
        self._committed: deque[Word] = deque(maxlen=KEEP_WORDS)
        """The latest committed words (for the prompt and the buffer border); the caller keeps the rest."""
        self._hypothesis: list[Word] = []
        self._stalled_hypothesis: list[Word] = []
        """The hearing before :attr:`_hypothesis` when that one committed nothing."""
        self._utterance_start = 0.0
        """Meeting time where the utterance being spoken began; the buffer before it is context, heard again
        but committed already. Heard at the start of a clip, tiny.en misses short turns ("Thanks." as "and");
        with the utterance before as context, live WER on the Atlas meetings 0.225 -> 0.219."""

    def add_audio(self, samples: np.ndarray) -> None:
        self._audio = np.concatenate([self._audio, samples.astype(np.float32, copy=False)])

    def step(self) -> LiveTranscript:
        """Transcribe the unconfirmed audio once; commit what the last two hypotheses agree on (past a
        dispute they settle, see :func:`settled`; or, once :data:`STALL_S` old, the newest and the one before
        the last)."""
        words = until_repeated(self._transcribe(), self._committed_in_buffer())
        newly: list[Word] = []
        if words:  # a hearing of nothing (its segments dropped as doubtful, or silence) disputes nothing
            # A pause commits nothing by itself: the last word before it was heard once, at the clip's end,
            # where tiny.en is weakest; the silence after it gives it the right context for agreement a step later.
            buffer_end = self._offset + self._seconds
            agreed = max(settled(words, self._hypothesis, buffer_end - RIGHT_CONTEXT_S,
                                 buffer_end - CONFIDENT_CONTEXT_S),
                         agreement(words, self._stalled_hypothesis, buffer_end - STALL_S))
            newly = words[:agreed]
            self._committed.extend(newly)
            self._stalled_hypothesis = [] if newly else self._hypothesis
            self._hypothesis = words[agreed:]
        buffered = self._seconds
        if newly and (not self._hypothesis or self._hypothesis[0].start - newly[-1].end >= PAUSE_S):
            # A pause after the last committed word: the utterance ends; it stays as the next one's context.
            self._cut(self._utterance_start)
            self._utterance_start = newly[-1].end + 0.1
        elif buffered > self.max_buffer_s and self._utterance_start > self._offset:
            self._cut(self._utterance_start)  # too long: drop the context first
        elif buffered > self.max_buffer_s:
            # Cut after the last committed word; with nothing committed, drop the oldest audio.
            last_end = self._committed[-1].end if self._committed else self._offset
            self._cut(last_end if last_end > self._offset else self._offset + buffered - self.max_buffer_s)
        return LiveTranscript(tuple(newly), tuple(self._hypothesis))

    def finish(self) -> LiveTranscript:
        """At the end of the recording the tentative tail is all there is: commit it."""
        words = until_repeated(self._transcribe(), self._committed_in_buffer()) if len(self._audio) else []
        self._committed.extend(words)
        self._hypothesis = []
        return LiveTranscript(tuple(words), ())

    def _committed_in_buffer(self) -> list[Word]:
        """The committed words the buffer holds, context included: a phrase of them heard again is a loop."""
        return [w for w in self._committed if w.end > self._offset]

    @property
    def _seconds(self) -> float:
        return len(self._audio) / SAMPLE_RATE

    def _transcribe(self) -> list[Word]:
        """Words after the last committed one, in meeting time, without ones repeated at the border."""
        if len(self._audio) < SAMPLE_RATE // 2:
            return []
        # The prompt is what was said before the buffer. Words the buffer still holds would tell Whisper they
        # were said already: it skips or repeats them (live WER 0.31 -> 0.22 on Atlas 03-02 without them).
        before = [w.text for w in self._committed if w.end <= self._offset]
        prompt = " ".join(before[-self.prompt_words:]) or None
        lead_in = np.zeros(int(LEAD_IN_S * SAMPLE_RATE) if self._offset == 0 else 0, np.float32)
        clip = np.concatenate([lead_in, self._audio])
        segments, _ = self.stt.speech_segments(clip, prompt, clip_window_s(clip), self.hotwords)
        clip_start = self._offset - len(lead_in) / SAMPLE_RATE
        words = [to_word(w, clip_start) for segment in segments for w in segment.words or ()]
        # A word Whisper places in the lead-in was said at the buffer's start.
        words = [w if w.start >= self._offset else replace(w, start=self._offset, end=max(w.end, self._offset))
                 for w in words]
        # As in whisper_streaming: words from before the last commit are re-heard audio, not new speech.
        last_end = self._committed[-1].end if self._committed else 0.0
        return self._without_repeated_border([w for w in words if w.start > last_end - 0.1])

    def _without_repeated_border(self, words: list[Word]) -> list[Word]:
        """Drop leading words that repeat the last committed ones (the re-heard border of the buffer)."""
        tail = [word_key(w) for w in list(self._committed)[-5:]]
        for size in range(min(len(tail), len(words)), 0, -1):
            if tail[-size:] == [word_key(w) for w in words[:size]]:
                return words[size:]
        return words

    def _cut(self, at: float) -> None:
        """Drop buffered audio before meeting time ``at``; the hypothesis keeps only words after it."""
        cut = int((at - self._offset) * SAMPLE_RATE)
        if cut <= 0:
            return
        self._audio = self._audio[cut:]
        self._offset = at


def agreement(words: Sequence[Word], earlier: Sequence[Word], heard_enough_until: float,
              confident_until: float | None = None) -> int:
    """How many leading ``words`` the ``earlier`` hearing agrees on and that end by ``heard_enough_until``,
    or by ``confident_until`` where both hearings gave the word a probability of :data:`CONFIDENT_P` or more."""
    agreed = 0
    while agreed < min(len(words), len(earlier)) and word_key(words[agreed]) == word_key(earlier[agreed]):
        word, probability = words[agreed], min(words[agreed].probability, earlier[agreed].probability)
        heard_enough = word.end <= heard_enough_until or (
            confident_until is not None and probability >= CONFIDENT_P and word.end <= confident_until)
        if not heard_enough:
            break
        agreed += 1
    return agreed


ANCHOR_WORDS = 3
"""Two hearings that dispute some words and then agree on this many more, heard enough, settle the dispute.

tiny.en can hear a stretch a new way at every step ("Did I enjoy the crashes harder?" / "the Android crashes
harder" in Atlas 03-02) while the words after it stay the same: no two hearings agree on the stretch, and
everything after it waits for :data:`STALL_S` or longer. Where both hearings agree on the words that follow,
the newer hearing, which heard the stretch with more audio after it, is taken. Replayed with the speakers'
names at 0.5 s steps, side by side with :data:`CONFIDENT_CONTEXT_S` alone: live WER 03-02 0.165 -> 0.159 and
03-09 0.263 -> 0.229 (two phases each), p95 latency in audio time 2.07 -> 1.93 and 2.69 -> 1.88 s. A first
version, which checked only the newer hearing's probability on the agreeing words: 03-16 0.143 -> 0.152 (four
phases), p95 2.41 -> 2.04 s; 03-02 at 0.65 s steps (as in real time here) WER 0.159 -> 0.170, p95
2.67 -> 2.15 s. In real time on 03-02: median 1.88 and 1.94 s, p95 3.04 and 2.98 s, WER 0.132 and 0.147."""


def settled(words: Sequence[Word], earlier: Sequence[Word], heard_enough_until: float,
            confident_until: float) -> int:
    """:func:`agreement`; where the hearings dispute the next word, how many of ``words`` run up to and on
    through the first :data:`ANCHOR_WORDS` that both hear alike after the dispute (:func:`agreement` on them)."""
    agreed = agreement(words, earlier, heard_enough_until, confident_until)
    if agreed == min(len(words), len(earlier)) or word_key(words[agreed]) == word_key(earlier[agreed]):
        return agreed  # no dispute: the next word wants more audio after it, or a hearing ends here
    for start in range(agreed, len(words)):
        for earlier_start in range(agreed, len(earlier)):
            anchored = agreement(words[start:], earlier[earlier_start:], heard_enough_until, confident_until)
            if anchored >= ANCHOR_WORDS:
                return start + anchored
    return agreed


LOOP_WORDS = 3
"""A phrase this long heard twice in one buffer is Whisper looping ("then we can, then we can, ..."), not speech."""


def until_repeated(words: list[Word], said: Sequence[Word] = ()) -> list[Word]:
    """``words`` up to where a phrase of :data:`LOOP_WORDS` words comes again (overlaps count: "t t t t"),
    in them or after the words ``said`` just before them.

    On a short buffer tiny.en repeats itself ("I will cancel it again. Sure I will cancel it again."); cut
    off at the repetition, the words after it are heard again at the next step. Atlas 03-02 live WER
    0.219 -> 0.213 (simulated real time).
    """
    keys = [word_key(w) for w in [*said, *words]]
    seen: set[tuple[str, ...]] = set()
    for start in range(len(keys) - LOOP_WORDS + 1):
        phrase = tuple(keys[start:start + LOOP_WORDS])
        if phrase in seen:
            return words[:max(0, start - len(said))]
        seen.add(phrase)
    return words
