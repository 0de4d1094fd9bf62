"""Live transcription latency: how long after a word is said it appears in the committed transcript.

Streams a shared meeting in real time through the app's recording path (a source feeding the crash-safe
recorder, the live transcriber stepping as the engine does) and measures, per committed word, the wall
time from the word's end in the audio to its commit. The last line is exactly:
``median_latency_s=X p95_latency_s=Y words=N wer=W``. Targets on 2 CPU cores: median <= 2.0 s,
p95 <= 3.5 s, live WER within 3 points of the offline WER; exits 1 when one is missed.

    .venv/bin/python benchmarks/live_latency.py [--meeting atlas-2026-03-02]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
STEP_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meeting", default="atlas-2026-03-02")
    args = parser.parse_args()
    wav, text = SHARED / f"meetings/{args.meeting}.wav", SHARED / f"meetings/{args.meeting}.txt"
    if not wav.is_file():
        print(f"evaluation data not found at {SHARED}", file=sys.stderr)
        return 2
    from companion.audio.capture import ArraySource
    from companion.audio.decode import decode_audio
    from companion.audio.recording import Recording, RecordingInfo
    from companion.audio.streaming import StreamingTranscriber
    from companion.audio.stt import SpeechToText
    from companion.evaluation import word_error_rate
    from companion.jobs import run_job
    from companion.runtime import decide_runtime

    spelling = SHARED / "speech/whisper_english_normalizer.json"
    reference = " ".join(line.split(":", 1)[-1] for line in text.open())
    audio = decode_audio(wav)
    stt = SpeechToText(decide_runtime("cpu"))
    offline_wer = word_error_rate(reference, run_job(stt.transcribe(audio)).text, spelling)
    live = StreamingTranscriber(stt)
    source = ArraySource(audio, realtime=True)
    latencies: list[float] = []
    committed: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        recording = Recording(Path(folder), RecordingInfo("Bench", "latency", "2026-03-02"), source)
        recording.start()
        began = time.monotonic()
        last_step = began
        while not source.finished.is_set():
            time.sleep(max(0.0, STEP_S - (time.monotonic() - last_step)))
            last_step = time.monotonic()
            live.add_audio(recording.take_live_audio())
            for word in live.step().committed:
                latencies.append(time.monotonic() - began - word.end)
                committed.append(word.text)
        recording.stop()
        live.add_audio(recording.take_live_audio())
        for word in live.finish().committed:
            latencies.append(time.monotonic() - began - word.end)
            committed.append(word.text)
    live_wer = word_error_rate(reference, " ".join(committed), spelling)
    median, p95 = float(np.median(latencies)), float(np.percentile(latencies, 95))
    print(f"{'meeting':<22} {'audio s':>8} {'offline WER':>12} {'live WER':>9}")
    print(f"{args.meeting:<22} {len(audio) / 16000:>8.1f} {offline_wer:>12.3f} {live_wer:>9.3f}")
    met = median <= 2.0 and p95 <= 3.5 and live_wer - offline_wer <= 0.03
    print("targets: median <= 2.0 s, p95 <= 3.5 s, live WER <= offline + 0.03: " + ("met" if met else "missed"))
    print(f"median_latency_s={median:.2f} p95_latency_s={p95:.2f} words={len(latencies)} wer={live_wer:.3f}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
