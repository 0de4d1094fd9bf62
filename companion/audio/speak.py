"""Reading text aloud with pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS).

The CLI's ``ask --speak`` and the tray use :func:`speak`; :func:`save_speech` writes a WAV; :func:`voices`
lists the voices to choose from. pyttsx3 2.99
may return from ``runAndWait()`` before ``save_to_file``'s WAV is complete (once it even left it empty),
so :func:`save_speech` waits until the file holds a whole, non-empty WAV.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from companion.errors import CompanionError

log = logging.getLogger(__name__)
_lock = threading.Lock()
POLL_S = 0.05


def _engine() -> Any:
    try:
        import pyttsx3

        return pyttsx3.init()
    except Exception as error:  # no speech driver (espeak-ng missing, no audio service)
        raise CompanionError(f"cannot speak: no text-to-speech engine ({error}); on Linux install espeak-ng") \
            from error


@dataclass(frozen=True)
class Voice:
    """A voice of the speech engine: ``id`` is what :func:`speak` takes, ``name`` what a person reads."""

    id: str
    name: str


def voices() -> list[Voice]:
    """The speech engine's voices, by name.

    Raises:
        CompanionError: no speech engine.
    """
    with _lock:
        found = [Voice(str(v.id), str(v.name)) for v in _engine().getProperty("voices")]
    return sorted(found, key=lambda v: (v.name.casefold(), v.id))


def _use_voice(engine: Any, voice: str) -> None:
    if voice not in {str(v.id) for v in engine.getProperty("voices")}:  # pyttsx3 ignores unknown voices silently
        raise CompanionError(f"no read-aloud voice {voice!r} on this computer: choose another in Settings")
    engine.setProperty("voice", voice)


def speak(text: str, voice: str | None = None) -> None:
    """Say ``text`` on the default sound output in ``voice`` (an id from :func:`voices`; None: the default);
    returns when it has been spoken.

    The speech goes through a WAV file and sounddevice (the app's audio path) rather than pyttsx3's own
    player, which on Linux needs ``aplay`` and fails silently without it.

    Raises:
        CompanionError: no speech engine, no such voice, or no sound output to play on.
    """
    if not text.strip():
        return
    with tempfile.TemporaryDirectory() as folder:
        path = save_speech(text, Path(folder) / "speech.wav", voice=voice)
        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
    try:
        import sounddevice

        sounddevice.play(samples, rate, blocking=True)
    except Exception as error:  # PortAudio missing, or no output device
        raise CompanionError(f"cannot read the answer aloud: no sound output ({error})") from error


def save_speech(text: str, path: str | Path, timeout_s: float = 30.0, *, voice: str | None = None) -> Path:
    """Write ``text`` spoken (in ``voice``; None: the default) to a WAV file at ``path`` and return it once the
    file is complete.

    Raises:
        CompanionError: nothing to say, no such voice, or no complete WAV appeared within ``timeout_s``.
    """
    if not text.strip():
        raise CompanionError("nothing to speak: the text is empty")
    path = Path(path)
    path.unlink(missing_ok=True)
    with _lock:
        engine = _engine()
        if voice:
            _use_voice(engine, voice)
        with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to ..."
            engine.save_to_file(text, str(path))
            engine.runAndWait()
    return _wait_for_wav(path, timeout_s)


def _wait_for_wav(path: Path, timeout_s: float) -> Path:
    """Poll until ``path`` is a readable WAV with frames whose size no longer changes."""
    deadline = time.monotonic() + timeout_s
    last_size = -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size > 44 and size == last_size and _frames(path) > 0:
            return path
        last_size = size
        time.sleep(POLL_S)
    raise CompanionError(f"{path}: the speech engine wrote no complete WAV within {timeout_s:.0f} s")


def _frames(path: Path) -> int:
    try:
        with wave.open(str(path), "rb") as wav:
            expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
            return wav.getnframes() if path.stat().st_size >= 44 + expected else 0
    except (wave.Error, EOFError, OSError):
        return 0
