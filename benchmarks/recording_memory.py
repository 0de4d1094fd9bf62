"""An 8-hour call keeps memory flat: the crash-safe recorder and the live transcriber over a long stream.

A synthetic microphone loops a shared meeting for 8 hours of audio, paced at 300x real time; the
recorder writes it to a real WAV file on disk, and the live transcriber steps on what it hands over.
Whisper is replaced at the model boundary by a stand-in that hears one word every 0.4 s (the real model
would need about 35 minutes of CPU for 8 hours; its memory does not grow with the call, only this
bookkeeping could). RSS is sampled every simulated hour. Exits 1 when RSS grows by more than 50 MB
between hour 1 and hour 8.

    .venv/bin/python benchmarks/recording_memory.py [--hours 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import report

from companion.audio.capture import OnBlock, OnError
from companion.audio.decode import SAMPLE_RATE, decode_audio
from companion.audio.live_policy import LIVE_POLICY, LivePolicy
from companion.audio.recording import Recording, RecordingInfo
from companion.audio.streaming import StreamingTranscriber

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
SPEED = 300  # times real time
GROWTH_LIMIT_MB = 50.0


class LoopingMicrophone:
    """Delivers a looped clip in 1 s blocks, SPEED times faster than real time, for ``seconds``."""

    def __init__(self, clip: np.ndarray, seconds: float) -> None:
        self.clip, self.seconds = clip, seconds
        self.delivered = 0.0
        self._stop = threading.Event()

    def start(self, on_block: OnBlock, on_error: OnError) -> None:
        def play() -> None:
            began, position = time.monotonic(), 0
            while self.delivered < self.seconds and not self._stop.is_set():
                block = np.take(self.clip, np.arange(position, position + SAMPLE_RATE), mode="wrap")
                position = (position + SAMPLE_RATE) % len(self.clip)
                on_block(block)
                self.delivered += 1.0
                time.sleep(max(0.0, began + self.delivered / SPEED - time.monotonic()))

        threading.Thread(target=play, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


class WordEveryFewTenths:
    """Whisper's streaming interface at the model boundary: one word per 0.4 s of buffered audio."""

    def clip_segments(self, audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
                      policy: LivePolicy = LIVE_POLICY) -> tuple[Iterator[Any], str]:
        starts = np.arange(0.0, len(audio) / SAMPLE_RATE - 0.4, 0.4)
        words = [SimpleNamespace(start=s, end=s + 0.3, word=" word", probability=0.9) for s in starts]
        return iter([SimpleNamespace(words=words)]), "en"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=8.0)
    hours = parser.parse_args().hours
    clip = decode_audio(SHARED / "meetings" / "atlas-2026-03-02.wav")
    microphone = LoopingMicrophone(clip, hours * 3600)
    live = StreamingTranscriber(WordEveryFewTenths())  # type: ignore[arg-type]
    samples: list[tuple[float, float, float, int]] = []
    committed = 0
    with tempfile.TemporaryDirectory() as folder:
        recording = Recording(Path(folder), RecordingInfo("Bench", "8 hours", "2026-03-02"), microphone)
        recording.start()
        next_sample = 0.0
        while microphone.delivered < microphone.seconds:
            time.sleep(0.05)
            live.add_audio(recording.take_live_audio())
            committed += len(live.step().committed)
            if recording.seconds >= next_sample:
                samples.append((recording.seconds / 3600, rss_mb(), recording.path.stat().st_size / 1e6, committed))
                next_sample += 3600
        path = recording.stop()
        samples.append((recording.seconds / 3600, rss_mb(), path.stat().st_size / 1e6, committed))
    print(f"{'hour':>5} {'RSS MB':>8} {'WAV MB':>8} {'live words':>11}")
    for hour, rss, wav, words in samples:
        print(f"{hour:>5.1f} {rss:>8.1f} {wav:>8.1f} {words:>11}")
    after_first_hour = next(rss for hour, rss, _, _ in samples if hour >= 1.0 - 1e-6)
    growth = samples[-1][1] - after_first_hour
    ok = growth <= GROWTH_LIMIT_MB
    verdict = "ok" if ok else "MISSED"
    print(f"RSS growth from hour 1 to the end: {growth:.1f} MB (limit {GROWTH_LIMIT_MB:.0f} MB) {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(report.run(main))
