"""Shared fixtures: private user folders, the evaluation data, one real speech model per session, engines on
temporary stores; and the guard that the run wrote nothing into the checkout nor the user's own folders."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
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
from companion.runtime import Runtime, decide_runtime, default_data_dir
from companion.ui.settings import settings_path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
SPELLING = SHARED_DATA / "speech" / "whisper_english_normalizer.json"
USER_FOLDERS = (settings_path().parent, default_data_dir())
"""The user's own settings and meetings, found before the tests redirect them: no test may change either."""
HAND_EDITED = (".py", ".md", ".toml", ".sh", ".lock")
"""Files people edit while a run goes on, and no test writes: the checkout's guard leaves them out."""


def repository_changes() -> dict[str, str] | None:
    """Every path ``git status`` lists in the checkout, bar hand-edited sources, with a digest of its content
    (None outside a git checkout)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return None
    listing = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--untracked-files=all"], cwd=REPO,
                             capture_output=True, check=True).stdout.decode()
    changes: dict[str, str] = {}
    entries = iter(listing.split("\0"))
    for entry in entries:
        if not entry:
            continue
        if entry[0] in "RC":
            next(entries)  # a rename's or copy's former path follows it
        if entry.endswith(HAND_EDITED):
            continue
        path = REPO / entry[3:]
        changes[entry[3:]] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"
    return changes


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``folder`` (empty when it does not exist)."""
    return {str(f): (f.stat().st_size, f.stat().st_mtime_ns) for f in folder.rglob("*") if f.is_file()}


def differences(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


@pytest.fixture(scope="session", autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Give the whole run, and every app or CLI process it starts, its own config, data and log folders, and
    fail the run if it changed the checkout or the user's own settings and meetings.

    The user cache stays shared: it holds only what is derived once from installed packages (the instruct
    model converted for transformers), which the tests would otherwise convert again on every run."""
    repository, user = repository_changes(), [folder_state(folder) for folder in USER_FOLDERS]
    home = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            patch.setenv(variable, str(home / variable.lower()))
        patch.delenv("COMPANION_CONFIG_DIR", raising=False)
        patch.delenv("COMPANION_DATA_DIR", raising=False)
        yield home
    changed = differences(repository, repository_changes() or {}) if repository is not None else []
    changed += [path for folder, state in zip(USER_FOLDERS, user, strict=True)
                for path in differences(state, folder_state(folder))]
    assert not changed, f"the tests wrote outside their temporary folders: {changed}"


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
    """A faster-whisper word, for fakes of the live path's ``clip_segments``."""

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
