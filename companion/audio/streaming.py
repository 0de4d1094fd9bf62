"""Live speech-to-text: LocalAgreement-2 over a sliding buffer (after whisper_streaming, Macháček et al. 2023).

Every step re-transcribes the buffer; words that two consecutive hearings agree on, and that the newer one heard
with enough audio after them, are committed; the rest is a tentative tail. A hearing of nothing disputes nothing;
words disputed between two hearings that then agree on a few more are taken from the newer one, and a word
disputed step after step is committed when two of the last three hearings agree on it. The buffer holds the
utterance being spoken and, as context, the one before it (whisper_streaming keeps the last segment the same
way): at each pause after committed words the older utterance is cut off, and the text committed before the
buffer is the prompt, so memory stays flat however long the call. Every parameter is a field of
:class:`~companion.audio.live_policy.LivePolicy`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from companion.audio.decode import SAMPLE_RATE
from companion.audio.live_policy import LIVE_POLICY, LivePolicy
from companion.audio.stt import SpeechToText, to_word, word_key
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


class StreamingTranscriber:
    """Feed audio with :meth:`add_audio`, call :meth:`step` every ``policy.step_s``, :meth:`finish` at the end."""

    def __init__(self, stt: SpeechToText, policy: LivePolicy = LIVE_POLICY, names: Sequence[str] = ()) -> None:
        """Args:
            stt: the speech model; its :meth:`~SpeechToText.clip_segments` hears each step's buffer.
            policy: the live-transcription parameters.
            names: the participants, whom every hearing is biased towards (Whisper's hotwords).
        """
        self.stt = stt
        self.policy = policy
        self.hotwords = ", ".join(names) or None
        self._audio = np.zeros(0, np.float32)
        self._offset = 0.0
        """Meeting time of the first buffered sample."""
        self._committed: deque[Word] = deque(maxlen=policy.keep_words)
        """The latest committed words (for the prompt and the buffer border); the caller keeps the rest."""
        self._hypothesis: list[Word] = []
        self._stalled_hypothesis: list[Word] = []
        """The hearing before :attr:`_hypothesis` when that one committed nothing."""
        self._utterance_start = 0.0
        """Meeting time where the utterance being spoken began; the buffer before it is context, heard again
        but committed already: heard at the start of a clip, Whisper misses short turns."""

    def add_audio(self, samples: np.ndarray) -> None:
        self._audio = np.concatenate([self._audio, samples.astype(np.float32, copy=False)])

    def step(self) -> LiveTranscript:
        """Transcribe the unconfirmed audio once; commit what the last two hearings agree on (past a dispute
        they settle, see :meth:`_settled`; or, once ``policy.stall_s`` old, the newest and the one before the
        last)."""
        policy = self.policy
        words = until_repeated(self._transcribe(), self._committed_in_buffer(), policy.loop_words)
        newly: list[Word] = []
        if words:  # a hearing of nothing (its segments dropped as doubtful, or silence) disputes nothing
            # A pause commits nothing by itself: the last word before it was heard once, at the clip's end,
            # where Whisper is weakest; the silence after it gives it the right context for agreement a step later.
            buffer_end = self._offset + self._seconds
            agreed = max(self._settled(words, self._hypothesis, buffer_end - policy.right_context_s,
                                       buffer_end - policy.confident_context_s),
                         self._agreement(words, self._stalled_hypothesis, buffer_end - policy.stall_s))
            newly = words[:agreed]
            self._committed.extend(newly)
            self._stalled_hypothesis = [] if newly else self._hypothesis
            self._hypothesis = words[agreed:]
        buffered = self._seconds
        if newly and (not self._hypothesis or self._hypothesis[0].start - newly[-1].end >= policy.pause_s):
            # A pause after the last committed word: the utterance ends; it stays as the next one's context.
            self._cut(self._utterance_start)
            self._utterance_start = newly[-1].end + 0.1
        elif buffered > policy.max_buffer_s and self._utterance_start > self._offset:
            self._cut(self._utterance_start)  # too long: drop the context first
        elif buffered > policy.max_buffer_s:
            # Cut after the last committed word; with nothing committed, drop the oldest audio.
            last_end = self._committed[-1].end if self._committed else self._offset
            self._cut(last_end if last_end > self._offset else self._offset + buffered - policy.max_buffer_s)
        return LiveTranscript(tuple(newly), tuple(self._hypothesis))

    def finish(self) -> LiveTranscript:
        """At the end of the recording the tentative tail is all there is: commit it."""
        words = until_repeated(self._transcribe(), self._committed_in_buffer(), self.policy.loop_words) \
            if len(self._audio) else []
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
        if self._seconds < self.policy.min_clip_s:
            return []
        # The prompt is what was said before the buffer. Words the buffer still holds would tell Whisper they
        # were said already: it skips or repeats them.
        before = [w.text for w in self._committed if w.end <= self._offset]
        prompt = " ".join(before[-self.policy.prompt_words:]) or None
        lead_in = np.zeros(int(self.policy.lead_in_s * SAMPLE_RATE) if self._offset == 0 else 0, np.float32)
        clip = np.concatenate([lead_in, self._audio])
        segments, _ = self.stt.clip_segments(clip, prompt, self.hotwords, self.policy)
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

    def _agreement(self, words: Sequence[Word], earlier: Sequence[Word], heard_enough_until: float,
                   confident_until: float | None = None) -> int:
        """How many leading ``words`` the ``earlier`` hearing agrees on and that end by ``heard_enough_until``,
        or by ``confident_until`` where both hearings gave the word ``policy.confident_p`` or more."""
        agreed = 0
        while agreed < min(len(words), len(earlier)) and word_key(words[agreed]) == word_key(earlier[agreed]):
            word, probability = words[agreed], min(words[agreed].probability, earlier[agreed].probability)
            heard_enough = word.end <= heard_enough_until or (
                confident_until is not None and probability >= self.policy.confident_p
                and word.end <= confident_until)
            if not heard_enough:
                break
            agreed += 1
        return agreed

    def _settled(self, words: Sequence[Word], earlier: Sequence[Word], heard_enough_until: float,
                 confident_until: float) -> int:
        """:meth:`_agreement`; where the hearings dispute the next word, how many of ``words`` run up to and on
        through the first ``policy.anchor_words`` that both hear alike after the dispute.

        Whisper can hear a stretch a new way at every step while the words after it stay the same; where both
        hearings agree on the words that follow, the newer hearing, which heard the stretch with more audio
        after it, is taken.
        """
        agreed = self._agreement(words, earlier, heard_enough_until, confident_until)
        if agreed == min(len(words), len(earlier)) or word_key(words[agreed]) == word_key(earlier[agreed]):
            return agreed  # no dispute: the next word wants more audio after it, or a hearing ends here
        for start in range(agreed, len(words)):
            for earlier_start in range(agreed, len(earlier)):
                anchored = self._agreement(words[start:], earlier[earlier_start:], heard_enough_until,
                                           confident_until)
                if anchored >= self.policy.anchor_words:
                    return start + anchored
        return agreed


def until_repeated(words: list[Word], said: Sequence[Word] = (), loop_words: int = LIVE_POLICY.loop_words
                   ) -> list[Word]:
    """``words`` up to where a phrase of ``loop_words`` words comes again (overlaps count: "t t t t"), in them
    or after the words ``said`` just before them.

    On a short buffer Whisper repeats itself ("I will cancel it again. Sure I will cancel it again."); cut off
    at the repetition, the words after it are heard again at the next step.
    """
    keys = [word_key(w) for w in [*said, *words]]
    seen: set[tuple[str, ...]] = set()
    for start in range(len(keys) - loop_words + 1):
        phrase = tuple(keys[start:start + loop_words])
        if phrase in seen:
            return words[:max(0, start - len(said))]
        seen.add(phrase)
    return words
