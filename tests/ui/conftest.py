"""Fixtures for the desktop app's tests: offscreen Qt, the Atlas meetings stored (the private config dir is
``private_user_folders`` in ``tests/conftest.py``)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

# Before any QApplication exists: no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from companion.audio.capture import ArraySource, AudioSource
from companion.audio.decode import decode_audio
from companion.engine import Engine
from companion.ui.main_window import MainWindow
from companion.ui.settings import AppSettings
from ui.take_screenshots import store_atlas


@pytest.fixture
def atlas(engine: Engine, shared_data: Path) -> Engine:
    """The engine with the three Atlas meetings imported from their transcripts (fast: no audio)."""
    store_atlas(engine)
    return engine


class SpeechSource:
    """Plays a file into the recorder as if it were the microphone, as fast as it is taken."""

    def __init__(self, path: Path) -> None:
        self.samples = decode_audio(path)

    def __call__(self, device: str, system_audio: bool) -> tuple[AudioSource, AudioSource | None]:
        return ArraySource(self.samples, realtime=False, name="test speech"), None


@pytest.fixture
def window(qtbot, atlas: Engine, shared_data: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """The main window on the Atlas team, without a tray; the microphone plays the 16 March meeting."""
    source = SpeechSource(shared_data / "meetings" / "atlas-2026-03-16.wav")
    source.samples = source.samples[: 20 * 16000]  # the first 20 seconds
    win = MainWindow(atlas, AppSettings(team="Atlas"), sources=source, use_tray=False, use_hotkey=False)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.library.loaded, timeout=10_000):
        win.start()
    yield win
    win.recorder.shut_down()
    win.tasks.cancel_all()
    win.tasks.wait(30_000)


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    """A fresh Xvfb display (``:N``), stopped after the test."""
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert xvfb.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), np.float32)
