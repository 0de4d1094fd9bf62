"""A 16-bit PCM WAV file written as audio arrives, and repaired after a crash.

The header's size fields are only right once the file is closed. A recording cut short by a crash or
``kill -9`` still holds every flushed frame; :func:`repair_wav` rewrites the header from the file length.

In an encrypted data folder the WAV is written sealed (:class:`~companion.encryption.SealedWriter`), each
flush sealing one chunk. A sealed chunk cannot be rewritten in place, so a sealed WAV keeps the header it
began with (sizes 0); :func:`readable_wav` gives its sizes from its length when it is read.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

from companion.encryption import FolderKey, SealedWriter, finish_sealed, is_sealed

HEADER_BYTES = 44


def _header(channels: int, rate: int, data_bytes: int) -> bytes:
    block_align = channels * 2
    return (
        b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block_align, block_align, 16)
        + b"data" + struct.pack("<I", data_bytes)
    )


def _sized(header: bytes, length: int) -> tuple[bytes, int, int, int]:
    """A WAV's header with the sizes its ``length`` in bytes gives (a torn last frame left out); its channels,
    rate and whole data bytes.

    Raises:
        ValueError: ``header`` is not a PCM WAV header this app writes.
    """
    if len(header) < HEADER_BYTES or header[:4] != b"RIFF" or header[36:40] != b"data":
        raise ValueError("not a recording this app wrote (no PCM WAV header)")
    channels, rate = struct.unpack("<HI", header[22:28])
    size = length - HEADER_BYTES
    size -= size % (channels * 2)
    return _header(channels, rate, size), int(channels), int(rate), size


def readable_wav(data: bytes) -> bytes:
    """A WAV read whole (a sealed recording's plaintext, say) with its header's sizes made right.

    Raises:
        ValueError: it is not a PCM WAV this app wrote.
    """
    header, _, _, size = _sized(data[:HEADER_BYTES], len(data))
    return header + data[HEADER_BYTES:HEADER_BYTES + size]


class WavAppender:
    """Append int16 frames to a WAV file (sealed when given the folder's key); :meth:`flush` makes them
    survive a crash."""

    def __init__(self, path: Path, channels: int, rate: int, key: FolderKey | None = None) -> None:
        self.path = path
        self.channels = channels
        self.rate = rate
        self.frames = 0
        self._out: BinaryIO | SealedWriter = open(path, "wb") if key is None else SealedWriter(path, key)  # noqa: SIM115
        self._out.write(_header(channels, rate, 0))
        self.flush()

    def write(self, frames: np.ndarray) -> None:
        """Append ``frames`` (float in [-1, 1] or int16), shaped (n,) or (n, channels)."""
        if frames.dtype != np.int16:
            frames = (np.clip(frames, -1.0, 1.0) * 32767).astype(np.int16)
        frames = frames.reshape(-1, self.channels)
        self._out.write(frames.astype("<i2").tobytes())
        self.frames += len(frames)

    def flush(self) -> None:
        self._out.flush()
        if not isinstance(self._out, SealedWriter):  # a sealed file syncs each chunk it seals
            os.fsync(self._out.fileno())

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def close(self) -> None:
        """Write the final sizes into the header (a sealed file: seal its last chunk) and close the file."""
        if self._out.closed:
            return
        if not isinstance(self._out, SealedWriter):
            self._out.seek(0)
            self._out.write(_header(self.channels, self.rate, self.frames * self.channels * 2))
            self.flush()
        self._out.close()


def repair_wav(path: Path, key: FolderKey | None = None) -> float:
    """Fix the header sizes of a WAV cut short (drop a torn last frame); return its length in seconds.

    A sealed WAV needs ``key``: its torn last chunk is dropped and its last chunk sealed.

    Raises:
        ValueError: it is not a recording this app wrote, or it is sealed and there is no key.
        CompanionError: it is sealed and the key does not open it.
    """
    if is_sealed(path):
        if key is None:
            raise ValueError(f"{path}: the recording is encrypted: it needs its data folder's key")
        data = finish_sealed(path, key)
        _, channels, rate, size = _checked(path, data[:HEADER_BYTES], len(data))
        return size / (channels * 2) / rate
    with open(path, "r+b") as file:
        header, channels, rate, size = _checked(path, file.read(HEADER_BYTES), os.fstat(file.fileno()).st_size)
        file.truncate(HEADER_BYTES + size)
        file.seek(0)
        file.write(header)
        file.flush()
        os.fsync(file.fileno())
    return size / (channels * 2) / rate


def _checked(path: Path, header: bytes, length: int) -> tuple[bytes, int, int, int]:
    try:
        return _sized(header, length)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
