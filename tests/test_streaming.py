"""The live transcriber's policy (LocalAgreement, right context, the buffer and its prompt) with a scripted model,
and the opening of a real meeting heard by the real one."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from conftest import FakeWord

from companion.audio.decode import SAMPLE_RATE, decode_audio
from companion.audio.live_policy import LIVE_POLICY, LivePolicy
from companion.audio.streaming import StreamingTranscriber, until_repeated
from companion.audio.stt import SpeechToText
from companion.models import Word

SPOKEN = [(0.0, 0.4, "we"), (0.5, 0.9, "ship"), (1.0, 1.4, "on"), (1.5, 1.9, "friday"),
          (3.0, 3.4, "ben"), (3.5, 3.9, "owns"), (4.0, 4.4, "the"), (4.5, 4.9, "fix"), (6.0, 6.5, "thanks")]
"""Words in meeting time: three utterances, with pauses of 1.1 s."""


class ScriptedSpeech:
    """The model boundary: hears the words of ``spoken`` (start, end, text) that the buffer holds whole, and
    notes each prompt. The test audio carries meeting time in its samples (milliseconds), so the fake knows
    where the buffer starts."""

    def __init__(self, spoken: list[tuple[float, float, str]] = SPOKEN, probability: float = 0.9) -> None:
        self.spoken = spoken
        self.probability = probability
        """How sure the model is of every word it hears."""
        self.heard: list[tuple[str, list[str]]] = []
        """Per call: the prompt, and the words heard."""
        self.lead_ins: list[float] = []
        """Per call: the seconds of silence the clip begins with."""

    def clip_segments(self, audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
                      policy: LivePolicy = LIVE_POLICY) -> tuple[list[Any], str]:
        end = float(audio[-1]) * 1000 + 1 / SAMPLE_RATE  # the last sample: a clip may begin with a lead-in
        offset = end - len(audio) / SAMPLE_RATE
        words = [FakeWord(start - offset, stop - offset, f" {text}", self.probability)
                 for start, stop, text in self.spoken if start >= offset - 0.05 and stop <= end]
        self.heard.append((prompt or "", [w.word.strip() for w in words]))
        self.lead_ins.append(round(int(np.argmax(audio != 0)) / SAMPLE_RATE, 2))
        return [SimpleNamespace(words=words)], "en"


def meeting_audio(seconds: float) -> np.ndarray:
    return (np.arange(int(seconds * SAMPLE_RATE), dtype=np.float64) / SAMPLE_RATE / 1000).astype(np.float32)


def commits(speech: ScriptedSpeech, seconds: float, step_s: float = 0.5, policy: LivePolicy = LIVE_POLICY
            ) -> list[tuple[str, float]]:
    """Each committed word, with the seconds of audio fed when it was committed."""
    live = StreamingTranscriber(speech, policy)  # type: ignore[arg-type]
    audio, committed = meeting_audio(seconds), []
    step = int(step_s * SAMPLE_RATE)
    for start in range(0, len(audio), step):
        live.add_audio(audio[start:start + step])
        fed = min(len(audio), start + step) / SAMPLE_RATE
        committed += [(w.text, fed) for w in live.step().committed]
    committed += [(w.text, seconds) for w in live.finish().committed]
    return committed


def stream(speech: ScriptedSpeech, seconds: float, step_s: float = 0.5) -> list[str]:
    return [text for text, _ in commits(speech, seconds, step_s)]


def test_every_word_is_committed_once_in_order() -> None:
    assert stream(ScriptedSpeech(), 7.0) == [text for _, _, text in SPOKEN]


@pytest.mark.parametrize(("probability", "right_context_s"),
                         [(LIVE_POLICY.confident_p - 0.2, LIVE_POLICY.right_context_s),
                          (LIVE_POLICY.confident_p, LIVE_POLICY.confident_context_s)])
def test_a_word_is_committed_once_the_newer_hearing_had_the_right_context(
        probability: float, right_context_s: float) -> None:
    # The first step with the right context after the word commits it, once the older hearing, a step
    # earlier, heard it too (with some audio after it). A word heard with a high probability needs less
    # context after it.
    steps = [0.5 * k for k in range(1, 17)]
    expected = [(text, next(t for t in steps if end <= t - right_context_s and end < t - 0.5))
                for _, end, text in SPOKEN]
    assert commits(ScriptedSpeech(probability=probability), 8.0) == expected


def test_the_recording_is_heard_after_a_lead_in_of_silence() -> None:
    speech = ScriptedSpeech()
    live, audio, committed = StreamingTranscriber(speech), meeting_audio(8.0), []  # type: ignore[arg-type]
    for start in range(0, len(audio), SAMPLE_RATE // 2):
        live.add_audio(audio[start:start + SAMPLE_RATE // 2])
        committed += live.step().committed
    # Clips of the buffer's first utterance begin with silence; once cut, the buffer begins after a pause.
    assert speech.lead_ins[0] == LIVE_POLICY.lead_in_s and speech.lead_ins[-1] == 0.0
    # The words keep their meeting times.
    assert [(w.start, w.end, w.text) for w in committed] == [pytest.approx(word) for word in SPOKEN]


def test_a_recording_started_mid_sentence_is_heard_from_its_first_word(
        speech_to_text: SpeechToText, shared_data: Path) -> None:
    # Atlas 03-02 begins with speech at its first sample; without a lead-in tiny.en hears "Go tomorrow again".
    opening = decode_audio(shared_data / "meetings/atlas-2026-03-02.wav")[:3 * SAMPLE_RATE]
    live, heard = StreamingTranscriber(speech_to_text, names=["Anna", "Ben", "Carla", "David"]), []
    for start in range(0, len(opening), SAMPLE_RATE // 2):
        live.add_audio(opening[start:start + SAMPLE_RATE // 2])
        update = live.step()
        heard += update.committed
    text = " ".join(w.text for w in [*heard, *update.tentative])
    assert text.lower().startswith("good morning"), text


class ClipEndSpeech(ScriptedSpeech):
    """Mishears every word with under :data:`BLIND_SPOT_S` of audio after it, the same way each time and with a
    low probability, as tiny.en does at the end of a clip ("Go tomorrow again" for "Good morning" until more
    audio comes)."""

    BLIND_SPOT_S = 0.9
    """Longer than a step: two hearings in a row can mishear a word alike."""

    def clip_segments(self, audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
                      policy: LivePolicy = LIVE_POLICY) -> tuple[list[Any], str]:
        [segment], language = super().clip_segments(audio, prompt, hotwords, policy)
        end = len(audio) / SAMPLE_RATE
        words = [w if end - w.end >= self.BLIND_SPOT_S else FakeWord(w.start, w.end, w.word + "s", 0.5)
                 for w in segment.words]
        return [SimpleNamespace(words=words)], language


def test_two_hearings_agreeing_at_the_clip_end_are_not_enough() -> None:
    assert stream(ClipEndSpeech(), 8.0) == [text for _, _, text in SPOKEN]


def test_the_utterance_before_is_context_and_the_prompt_is_what_was_said_before_the_buffer() -> None:
    speech = ScriptedSpeech()
    stream(speech, 7.0)
    # Words the buffer holds are not in the prompt: Whisper would take them as said already.
    assert all(not set(prompt.split()) & set(words) for prompt, words in speech.heard)
    # The second utterance is heard after the first; the third after the second, with the first as prompt.
    assert ("", ["we", "ship", "on", "friday", "ben", "owns", "the", "fix"]) in speech.heard
    assert ("we ship on friday", ["ben", "owns", "the", "fix", "thanks"]) in speech.heard
    assert not any("we" in words and "thanks" in words for _, words in speech.heard)


def test_a_long_utterance_drops_its_context_first() -> None:
    # A short utterance, then 14 s of speech without a pause: the buffer passes 12 s with the first as context.
    spoken = [(0.0, 0.4, "hello"), (0.5, 0.9, "all")]
    spoken += [(2.0 + i * 0.5, 2.4 + i * 0.5, f"w{i}") for i in range(28)]
    speech = ScriptedSpeech(spoken)
    assert stream(speech, 17.0) == [text for _, _, text in spoken]
    hearings = [words for _, words in speech.heard]
    first_alone = next(i for i, words in enumerate(hearings) if words[:1] == ["w0"])
    assert "all" in hearings[first_alone - 1]  # the context was heard up to the cut
    assert not any("all" in words for words in hearings[first_alone:])


class AlternatingSpeech(ScriptedSpeech):
    """Hears "ben" as "ken" every other time, as tiny.en swings between two hearings of a word for seconds
    ("the analytics vendor" / "the analytics manager" in Atlas 03-02)."""

    def clip_segments(self, audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
                      policy: LivePolicy = LIVE_POLICY) -> tuple[list[Any], str]:
        [segment], language = super().clip_segments(audio, prompt, hotwords, policy)
        swung = len(self.heard) % 2
        words = [FakeWord(w.start, w.end, " ken") if swung and w.word == " ben" else w for w in segment.words]
        return [SimpleNamespace(words=words)], language


def test_a_word_heard_two_ways_in_turn_is_committed_once_it_is_old() -> None:
    policy = replace(LIVE_POLICY, anchor_words=100)  # the words after "ben" would settle it earlier
    # No two hearings in a row agree on "ben": it is committed when a hearing agrees with the one before the
    # last, and the word ended stall_s before the buffer's end. The words after it follow.
    committed = commits(AlternatingSpeech(), 8.0, policy=policy)
    assert [text for text, _ in committed] == [text for _, _, text in SPOKEN]
    ben_end = next(end for _, end, text in SPOKEN if text == "ben")
    assert dict(committed)["ben"] <= ben_end + policy.stall_s + 0.5


class WaveringSpeech(ScriptedSpeech):
    """Hears "ben" a new way every time ("ben1", "ben2", ...), as tiny.en can hear a stretch of speech anew at
    every step while the words after it stay the same."""

    def clip_segments(self, audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
                      policy: LivePolicy = LIVE_POLICY) -> tuple[list[Any], str]:
        [segment], language = super().clip_segments(audio, prompt, hotwords, policy)
        words = [FakeWord(w.start, w.end, f" ben{len(self.heard)}") if w.word == " ben" else w
                 for w in segment.words]
        return [SimpleNamespace(words=words)], language


def test_words_both_hearings_agree_on_after_a_dispute_settle_it() -> None:
    # No two hearings agree on "ben" (nor two of three): once two hearings in a row agree on the three words
    # after it, heard enough, the newer hearing's word is committed with them.
    committed = commits(WaveringSpeech(), 8.0)
    assert [text for text, _ in committed][:4] == ["we", "ship", "on", "friday"]
    disputed, *after = committed[4:]
    assert disputed[0].startswith("ben") and [text for text, _ in after] == ["owns", "the", "fix", "thanks"]
    fix_end = next(end for _, end, text in SPOKEN if text == "fix")
    assert disputed[1] == after[2][1] <= fix_end + LIVE_POLICY.confident_context_s + 0.5


class DoubtfulSpeech(ScriptedSpeech):
    """Hears nothing every other time, as when a hearing's segments are dropped as unlikely or repetitive."""

    def clip_segments(self, audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
                      policy: LivePolicy = LIVE_POLICY) -> tuple[list[Any], str]:
        [segment], language = super().clip_segments(audio, prompt, hotwords, policy)
        return [SimpleNamespace(words=segment.words if len(self.heard) % 2 else [])], language


def test_a_hearing_of_nothing_disputes_nothing() -> None:
    policy = replace(LIVE_POLICY, stall_s=math.inf)  # the rule for stalls would commit them later
    # In steps of 1 s, words are heard at 1, 3, 5, ... s: a word is committed when the hearing after the one
    # that heard it whole agrees, with a hearing of nothing in between.
    expected = [(text, next(t for t in range(3, 11, 2) if end <= t - 2)) for _, end, text in SPOKEN]
    assert commits(DoubtfulSpeech(), 10.0, step_s=1.0, policy=policy) == expected


class LoopingSpeech(ScriptedSpeech):
    """Hears the words, then loops on them when there are three or more, as tiny.en does on short buffers."""

    def clip_segments(self, audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
                      policy: LivePolicy = LIVE_POLICY) -> tuple[list[Any], str]:
        [segment], language = super().clip_segments(audio, prompt, hotwords, policy)
        end = len(audio) / SAMPLE_RATE
        loop = [FakeWord(end - 0.05, end - 0.04, w.word) for w in segment.words if len(segment.words) >= 3]
        return [SimpleNamespace(words=segment.words + loop)], language


def test_a_loop_is_not_committed() -> None:
    assert stream(LoopingSpeech(), 7.0) == [text for _, _, text in SPOKEN]


def words(text: str) -> list[Word]:
    return [Word(i, i + 0.5, t) for i, t in enumerate(text.split())]


def test_a_hypothesis_ends_where_whisper_starts_repeating_itself() -> None:
    def kept(text: str) -> str:
        return " ".join(w.text for w in until_repeated(words(text)))

    assert kept("I will cancel it again. Sure I will cancel it again.") == "I will cancel it again. Sure"
    assert kept("Then we can, then we can, then we can,") == "Then we can,"
    assert kept("it t t t t t") == "it t"
    # The loop can begin in words committed already.
    assert [w.text for w in until_repeated(words("can, then we can, then"), words("Then we"))] == ["can,"]
    # People do repeat a word or two.
    assert kept("agreed agreed that that stays open") == "agreed agreed that that stays open"
