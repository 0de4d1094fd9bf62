"""Decode any common audio or video file to 16 kHz mono float32, with errors that name the problem."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import av
import numpy as np

from companion.errors import InputError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
AUDIO_SUFFIXES = frozenset({
    ".wav", ".wave", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wma", ".aif", ".aiff",
    ".webm", ".mp4", ".m4v", ".mov", ".mkv", ".avi",
})


def check_readable_file(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` is an existing, readable, non-empty file."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(path, "no such file") from None
    except OSError as error:
        raise InputError(path, f"cannot open the file ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "is not a file")
    if info.st_size == 0:
        raise InputError(path, "the file is empty (0 bytes)")
    if not os.access(path, os.R_OK):
        raise InputError(path, "cannot read the file (permission denied)")


def decode_audio(path: str | Path) -> np.ndarray:
    """Decode ``path`` to a 16 kHz mono float32 array.

    Raises:
        InputError: the file is missing, empty, not audio, corrupt, has no audio track or no samples.
    """
    path = Path(path)
    check_readable_file(path)
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        raise InputError(path, f"unsupported format {path.suffix or '(no extension)'!r}")
    from faster_whisper.audio import decode_audio as _faster_whisper_decode  # CTranslate2: slow to import

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(path, "has no audio track")
        audio: np.ndarray = _faster_whisper_decode(str(path), sampling_rate=SAMPLE_RATE)
    except InputError:
        raise
    except (av.error.FFmpegError, IndexError, ValueError, OSError) as error:
        log.debug("decoding %s failed", path, exc_info=True)
        problem = f"not a readable audio file (corrupt, truncated or wrong format): {error}"
        raise InputError(path, problem) from error
    if audio.size == 0:
        raise InputError(path, "contains no audio (0 seconds)")
    return audio


def louder_channel(path: str | Path) -> np.ndarray | None:
    """For a two-channel recording (microphone left, system audio right): per sample, 1 where the system
    audio is the louder side, else 0. None for mono files and for stereo with the same sound on both sides.
    Diarization keeps "me" and "them" apart with it."""
    with av.open(str(path), metadata_errors="ignore") as container:
        if container.streams.audio[0].codec_context.channels != 2:
            return None
    from faster_whisper.audio import decode_audio as _faster_whisper_decode

    left, right = _faster_whisper_decode(str(path), sampling_rate=SAMPLE_RATE, split_stereo=True)
    if np.mean(np.abs(left - right)) < 0.1 * np.mean(np.abs(left) + np.abs(right)):
        return None  # the same sound on both sides: ordinary stereo, not a call recording
    louder: np.ndarray = (np.abs(right) > np.abs(left)).astype(np.int8)
    return louder
