"""Decode any common audio or video file to 16 kHz mono float32, with errors that name the problem.

A recording sealed in an encrypted data folder (see :mod:`companion.encryption`) is opened in memory with the
folder's key and decoded from there; its plaintext never touches the disk.
"""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

from companion.audio.wavfile import readable_wav
from companion.encryption import FolderKey, is_sealed, read_sealed
from companion.errors import CompanionError, InputError

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


Source = Callable[[], str | BinaryIO]
"""Gives what PyAV opens, afresh on each call: the file's path, or a sealed recording's plaintext in memory."""


def _source(path: Path, key: FolderKey | None) -> Source:
    """Where to decode ``path`` from (see :data:`Source`).

    Raises:
        InputError: it is sealed and there is no key, the key does not open it, or it is not a recording.
    """
    if not is_sealed(path):
        return lambda: str(path)
    if key is None:
        raise InputError(path, "is encrypted: it needs its data folder's key")
    try:
        wav = readable_wav(read_sealed(path, key))
    except (CompanionError, ValueError) as error:
        raise InputError(path, f"cannot decrypt the recording ({error})") from error
    return lambda: io.BytesIO(wav)


def decode_audio(path: str | Path, key: FolderKey | None = None) -> np.ndarray:
    """Decode ``path`` to a 16 kHz mono float32 array; ``key`` opens a sealed recording.

    Raises:
        InputError: the file is missing, empty, not audio, corrupt, has no audio track or no samples, or is
            sealed and ``key`` does not open it.
    """
    path = Path(path)
    check_readable_file(path)
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        raise InputError(path, f"unsupported format {path.suffix or '(no extension)'!r}")
    source = _source(path, key)
    from faster_whisper.audio import decode_audio as _faster_whisper_decode  # CTranslate2: slow to import

    try:
        with av.open(source(), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(path, "has no audio track")
        audio: np.ndarray = _faster_whisper_decode(source(), sampling_rate=SAMPLE_RATE)
    except InputError:
        raise
    except (av.error.FFmpegError, IndexError, ValueError, OSError) as error:
        log.debug("decoding %s failed", path, exc_info=True)
        problem = f"not a readable audio file (corrupt, truncated or wrong format): {error}"
        raise InputError(path, problem) from error
    if audio.size == 0:
        raise InputError(path, "contains no audio (0 seconds)")
    return audio


def louder_channel(path: str | Path, key: FolderKey | None = None) -> np.ndarray | None:
    """For a two-channel recording (microphone left, system audio right): per sample, 1 where the system
    audio is the louder side, else 0. None for mono files and for stereo with the same sound on both sides.
    Diarization keeps "me" and "them" apart with it. ``key`` opens a sealed recording."""
    source = _source(Path(path), key)
    with av.open(source(), metadata_errors="ignore") as container:
        if container.streams.audio[0].codec_context.channels != 2:
            return None
    from faster_whisper.audio import decode_audio as _faster_whisper_decode

    left, right = _faster_whisper_decode(source(), sampling_rate=SAMPLE_RATE, split_stereo=True)
    if np.mean(np.abs(left - right)) < 0.1 * np.mean(np.abs(left) + np.abs(right)):
        return None  # the same sound on both sides: ordinary stereo, not a call recording
    louder: np.ndarray = (np.abs(right) > np.abs(left)).astype(np.int8)
    return louder
