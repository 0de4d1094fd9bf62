"""A 16-bit PCM WAV file written as audio arrives, and repaired after a crash.

The header's size fields are only right once the file is closed. A recording cut short by a crash or
``kill -9`` still holds every flushed frame; :func:`repair_wav` rewrites the header from the file length.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

HEADER_BYTES = 44


def _header(channels: int, rate: int, data_bytes: int) -> bytes:
    block_align = channels * 2
    return (
        b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block_align, block_align, 16)
        + b"data" + struct.pack("<I", data_bytes)
    )


class WavAppender:
    """Append int16 frames to a WAV file; :meth:`flush` makes them survive a crash."""

    def __init__(self, path: Path, channels: int, rate: int) -> None:
        self.path = path
        self.channels = channels
        self.rate = rate
        self.frames = 0
        self._file: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._file.write(_header(channels, rate, 0))
        self.flush()

    def write(self, frames: np.ndarray) -> None:
        """Append ``frames`` (float in [-1, 1] or int16), shaped (n,) or (n, channels)."""
        if frames.dtype != np.int16:
            frames = (np.clip(frames, -1.0, 1.0) * 32767).astype(np.int16)
        frames = frames.reshape(-1, self.channels)
        self._file.write(frames.astype("<i2").tobytes())
        self.frames += len(frames)

    def flush(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def close(self) -> None:
        """Write the final sizes into the header and close the file."""
        if self._file.closed:
            return
        self._file.seek(0)
        self._file.write(_header(self.channels, self.rate, self.frames * self.channels * 2))
        self.flush()
        self._file.close()


def repair_wav(path: Path) -> float:
    """Fix the header sizes of a WAV cut short (drop a torn last frame); return its length in seconds."""
    with open(path, "r+b") as file:
        header = file.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or header[:4] != b"RIFF" or header[36:40] != b"data":
            raise ValueError(f"{path}: not a recording this app wrote (no PCM WAV header)")
        channels, rate = struct.unpack("<HI", header[22:28])
        size = os.fstat(file.fileno()).st_size - HEADER_BYTES
        size -= size % (channels * 2)
        file.truncate(HEADER_BYTES + size)
        file.seek(0)
        file.write(_header(channels, rate, size))
        file.flush()
        os.fsync(file.fileno())
    return float(size / (int(channels) * 2) / int(rate))
