"""Audio input: sound devices through sounddevice, and an in-memory source for tests and benchmarks.

System audio ("them" in a call) is a second input: on Linux the PulseAudio/PipeWire monitor of the
output sink; on Windows a WASAPI loopback device; on macOS a virtual device such as BlackHole.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from companion.audio.decode import SAMPLE_RATE
from companion.errors import CompanionError

log = logging.getLogger(__name__)

BLOCK_S = 0.05
"""Audio arrives in 50 ms blocks."""

OnBlock = Callable[[np.ndarray], None]
OnError = Callable[[str], None]


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_rate: float
    is_default: bool


class AudioSource(Protocol):
    """Delivers mono float32 16 kHz blocks to ``on_block`` from its own thread until stopped."""

    name: str

    def start(self, on_block: OnBlock, on_error: OnError) -> None: ...

    def stop(self) -> None: ...


def input_devices() -> list[InputDevice]:
    """The sound inputs this machine offers (empty, not an error, when there are none)."""
    import sounddevice as sd

    try:
        default_input = sd.default.device[0]
        devices = sd.query_devices()
    except Exception as error:  # PortAudio without any backend: no devices
        log.warning("cannot list sound devices: %s", error)
        return []
    return [
        InputDevice(index, str(d["name"]), int(d["max_input_channels"]), float(d["default_samplerate"]),
                    index == default_input)
        for index, d in enumerate(devices)
        if d["max_input_channels"] > 0
    ]


def monitor_source_name() -> str | None:
    """PulseAudio/PipeWire: the monitor of the default output, i.e. what the other side of a call says."""
    if shutil.which("pactl") is None:
        return None
    try:
        sink = subprocess.run(["pactl", "get-default-sink"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{sink}.monitor" if sink else None


def open_inputs(input_device: str, system_audio: bool) -> tuple[AudioSource, AudioSource | None]:
    """The microphone (an input's index or name; empty: the default) and, when asked, the system audio.

    Nothing is opened yet: the recording starts the sources.

    Raises:
        CompanionError: system audio was asked for where there is no way to capture it.
    """
    choice = input_device.strip()
    microphone = SoundDeviceSource(int(choice) if choice.isdigit() else (choice or None))
    if not system_audio:
        return microphone, None
    monitor = monitor_source_name()
    if monitor is None:
        raise CompanionError("system audio needs PulseAudio/PipeWire ('pactl') on Linux; see the README for "
                             "Windows (WASAPI loopback) and macOS (BlackHole)")
    return microphone, SoundDeviceSource(pulse_source=monitor)


def fallback_microphone(stopped: AudioSource) -> AudioSource | None:
    """What to carry on recording from when ``stopped`` stopped (unplugged, say): the default microphone when
    it was a chosen one; None when it already was the default, or not a sound device."""
    if isinstance(stopped, SoundDeviceSource) and stopped.device is not None and stopped.pulse_source is None:
        return SoundDeviceSource(None)
    return None


class SoundDeviceSource:
    """A sounddevice input stream. ``pulse_source`` picks a PulseAudio source (e.g. a monitor) by name."""

    def __init__(self, device: int | str | None = None, pulse_source: str | None = None) -> None:
        self.device = device
        self.pulse_source = pulse_source
        self.name = pulse_source or str(device if device is not None else "default input")
        self._stream: Any = None

    def start(self, on_block: OnBlock, on_error: OnError) -> None:
        import sounddevice as sd

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if status.input_overflow:
                log.warning("%s: input overflow, a few milliseconds were lost", self.name)
            on_block(indata[:, 0].copy())

        def finished() -> None:
            if self._stream is not None:  # not a stop we asked for
                on_error(f"the input device {self.name!r} stopped (unplugged?)")

        if self.pulse_source:
            # The ALSA pulse plugin reads PULSE_SOURCE when the stream opens.
            os.environ["PULSE_SOURCE"] = self.pulse_source
        try:
            self._stream = sd.InputStream(
                device=self.device if self.device is not None else ("pulse" if self.pulse_source else None),
                channels=1, samplerate=SAMPLE_RATE, dtype="float32", blocksize=int(SAMPLE_RATE * BLOCK_S),
                callback=callback, finished_callback=finished,
            )
            self._stream.start()
        except Exception as error:
            self._stream = None
            raise CompanionError(f"cannot open the input device {self.name!r}: {error}") from error
        finally:
            if self.pulse_source:
                os.environ.pop("PULSE_SOURCE", None)

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()  # stop() waits for pending buffers: forever when a device delivers nothing
            stream.close()


class ArraySource:
    """Plays an array as if it were a microphone, in real time or as fast as it is consumed."""

    def __init__(self, samples: np.ndarray, realtime: bool = True, name: str = "array") -> None:
        self.samples = samples.astype(np.float32)
        self.realtime = realtime
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()
        self.began: float | None = None
        """When it started playing (``time.monotonic``): the wall time of the array's first sample."""

    def start(self, on_block: OnBlock, on_error: OnError) -> None:
        def play() -> None:
            block = int(SAMPLE_RATE * BLOCK_S)
            self.began = began = time.monotonic()
            for index, start in enumerate(range(0, len(self.samples), block)):
                if self._stop.is_set():
                    return
                if self.realtime:  # a block is delivered once it has been "said", as a microphone does
                    time.sleep(max(0.0, began + (index + 1) * BLOCK_S - time.monotonic()))
                on_block(self.samples[start:start + block])
            self.finished.set()

        self._thread = threading.Thread(target=play, name=f"source-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
