"""A private PulseAudio server with a virtual microphone, for recording tests on machines without sound.

A null sink plays the role of the speakers (its monitor is "system audio"); a pipe source fed from a
FIFO is the microphone: s16le 16 kHz mono written to the FIFO is what the microphone hears.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

SINK = "meet_sink"
SOURCE = "virtmic"


class VirtualMicrophone:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.fifo = folder / "virtmic.fifo"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder),
                    "PULSE_SERVER": f"unix:{self.socket}"}

    def start(self) -> None:
        if shutil.which("pulseaudio") is None:
            raise RuntimeError("pulseaudio is not installed")
        config = self.folder / "default.pa"
        config.write_text(
            f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket}\n"
            f"load-module module-null-sink sink_name={SINK} rate=16000 channels=1\n"
            f"load-module module-pipe-source source_name={SOURCE} file={self.fifo} format=s16le rate=16000 "
            "channels=1\n"
            f"set-default-source {SOURCE}\nset-default-sink {SINK}\n"
        )
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "-F", str(config), "--exit-idle-time=-1", "--daemonize=no", "--log-target=stderr"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=open(self.folder / "pulse.log", "wb"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 15
        while not (self.socket.exists() and self.fifo.exists()):  # module-pipe-source makes the FIFO
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("PulseAudio did not start: " + (self.folder / "pulse.log").read_text()[-500:])
            time.sleep(0.1)
        # Keep the FIFO open for writing so the pipe source never sees end-of-file between feeds.
        self._keep_open = os.open(self.fifo, os.O_RDWR | os.O_NONBLOCK)

    def speak(self, samples: np.ndarray, realtime: bool = True) -> threading.Thread:
        """Write ``samples`` (float, 16 kHz) into the microphone from a thread, in real time."""
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()

        def feed() -> None:
            with contextlib.suppress(BrokenPipeError):  # the server stopped while we were still speaking
                self._feed(pcm, realtime)

        thread = threading.Thread(target=feed, daemon=True)
        thread.start()
        return thread

    def _feed(self, pcm: bytes, realtime: bool) -> None:
        with open(self.fifo, "wb") as fifo:
            chunk = 1600 * 2  # 0.1 s
            began = time.monotonic()
            for index, start in enumerate(range(0, len(pcm), chunk)):
                if realtime:
                    time.sleep(max(0.0, began + index * 0.1 - time.monotonic()))
                fifo.write(pcm[start:start + chunk])
                fifo.flush()

    def play_system_audio(self, path: Path) -> subprocess.Popen[bytes]:
        """Play a file on the virtual speakers (what the other side of a call would say)."""
        return subprocess.Popen(["paplay", f"--device={SINK}", str(path)], env=self.env)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        os.close(self._keep_open)


def record_then_kill(microphone: VirtualMicrophone, command: list[str], env: dict[str, str], speech: np.ndarray,
                     seconds: float = 7.0) -> float:
    """Start ``command`` (a ``companion record``), speak ``speech`` into ``microphone`` and kill the recorder with
    SIGKILL after ``seconds``; the seconds spoken before the kill. The pipe source makes no sound of its own, so
    what is recorded is what was spoken."""
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    assert "Recording" in process.stderr.readline()
    began = time.monotonic()
    microphone.speak(speech)
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    spoken = time.monotonic() - began
    process.wait()
    return spoken
