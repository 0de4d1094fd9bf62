"""Shared fixtures: the evaluation data, one real speech model per session, engines on temporary stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from companion.audio.decode import SAMPLE_RATE
from companion.audio.diarize import Diarizer
from companion.audio.stt import SpeechToText
from companion.engine import Engine
from companion.jobs import CancelToken, Job, Progress
from companion.models import Segment, Transcript
from companion.runtime import Runtime, decide_runtime

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
SPELLING = SHARED_DATA / "speech" / "whisper_english_normalizer.json"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"evaluation data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def runtime() -> Runtime:
    return decide_runtime("cpu")


@pytest.fixture(scope="session")
def speech_to_text(runtime: Runtime) -> SpeechToText:
    """The real bundled tiny.en, loaded once for the whole session."""
    return SpeechToText(runtime)


@pytest.fixture(scope="session")
def diarizer(runtime: Runtime) -> Diarizer:
    """The real resemblyzer voice encoder, loaded once (on first use) for the whole session."""
    return Diarizer(runtime)


@pytest.fixture
def engine(tmp_path: Path, runtime: Runtime, speech_to_text: SpeechToText, diarizer: Diarizer) -> Iterator[Engine]:
    """An engine on a fresh data folder, sharing the session's speech model and voice encoder."""
    engine = Engine(tmp_path / "data", runtime=runtime, summary_model=None)
    engine.speech_to_text = speech_to_text
    engine.diarizer = diarizer
    yield engine
    engine.close()


@dataclass
class FakeWord:
    """A faster-whisper word, for fakes of the live path's ``speech_segments``."""

    start: float
    end: float
    word: str
    probability: float = 0.9


class FakeSpeechToText:
    """Stands in for Whisper at the model boundary: one segment per second of non-silent audio."""

    def __init__(self, text: str = "hello there") -> None:
        self.text = text

    def transcribe(self, audio: np.ndarray, cancel: CancelToken | None = None) -> Job[Transcript]:
        duration = len(audio) / SAMPLE_RATE
        segments = []
        for second in range(int(duration)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            chunk = audio[second * SAMPLE_RATE:(second + 1) * SAMPLE_RATE]
            if np.abs(chunk).max() > 0.01:
                segment = Segment(float(second), second + 1.0, self.text)
                segments.append(segment)
                yield segment
            yield Progress("transcribing", second + 1, duration)
        return Transcript(tuple(segments), duration)


@pytest.fixture
def fake_engine(tmp_path: Path, runtime: Runtime, diarizer: Diarizer) -> Iterator[Engine]:
    engine = Engine(tmp_path / "data", runtime=runtime, summary_model=None)
    engine.diarizer = diarizer
    engine.speech_to_text = FakeSpeechToText()  # type: ignore[assignment]
    yield engine
    engine.close()


def tone(seconds: float, frequency: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """Write mono float samples as 16-bit PCM WAV with the standard library only."""
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path
