"""Play a meeting's audio from a given moment.

PySide6-Essentials has no QtMultimedia, so playback goes through sounddevice (already used for
capture): the file is decoded once (on a worker, through the engine, which opens a recording sealed in an
encrypted data folder) and played from the chosen second.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from companion.audio.decode import SAMPLE_RATE
from companion.errors import CompanionError
from companion.models import Meeting
from companion.ui.workers import TaskRunner

if TYPE_CHECKING:
    from companion.engine import Engine

log = logging.getLogger(__name__)


def why_not_playable(meeting: Meeting) -> str | None:
    """None when the meeting's audio can be played, else the reason (for a tooltip)."""
    if not meeting.audio_path:
        return "This meeting was imported from a transcript: there is no audio to play."
    if not Path(meeting.audio_path).is_file():
        return f"The audio file is no longer at {meeting.audio_path}."
    return None


class Player:
    """Plays one meeting's audio at a time through the default sound output."""

    def __init__(self, engine: Engine, tasks: TaskRunner) -> None:
        self.engine, self.tasks = engine, tasks
        self._audio: tuple[str, np.ndarray] | None = None
        self.playing_from: float | None = None

    def play(self, audio_path: str, start: float) -> None:
        """Play ``audio_path`` from ``start`` seconds (decoding it on a worker the first time)."""
        self.playing_from = start
        self.tasks.call(lambda: self._play(audio_path, start), "playing audio", lambda _none: None)

    def samples(self, audio_path: str) -> np.ndarray:
        """The file's audio, 16 kHz mono (decoded on the first call for this file; call it on a worker)."""
        if self._audio is None or self._audio[0] != audio_path:
            self._audio = (audio_path, self.engine.audio(Path(audio_path)))
        return self._audio[1]

    def _play(self, audio_path: str, start: float) -> None:
        import sounddevice as sd

        samples = self.samples(audio_path)[int(max(0.0, start) * SAMPLE_RATE):]
        try:
            sd.stop()
            sd.play(samples, SAMPLE_RATE)
        except Exception as error:  # no output device, a busy device ...
            raise CompanionError(f"cannot play the audio: {error}") from error
        log.info("playing %s from %.1f s", audio_path, start)

    def stop(self) -> None:
        """Stop playing."""
        import sounddevice as sd

        self.playing_from = None
        try:
            sd.stop()
        except Exception:  # nothing was playing on a machine without output
            log.debug("stop without playback", exc_info=True)
