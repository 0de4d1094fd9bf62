"""Live transcription latency: how long after a word is said it appears in the committed transcript.

Streams a shared meeting in real time through the app's own recording job (``Engine.record`` with a
source playing the file: the crash-safe recorder, the live transcriber and the live speaker labels on the
compute lane, stepping as in the app) and measures, per committed word, the wall time from the word's end
in the audio to the update that commits it. The last line is exactly:
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
    from companion.audio.recording import RecordingControl, RecordingStatus
    from companion.audio.streaming import LiveTranscript
    from companion.engine import Engine
    from companion.evaluation import word_error_rate
    from companion.jobs import Progress, run_job

    spelling = SHARED / "speech/whisper_english_normalizer.json"
    reference = " ".join(line.split(":", 1)[-1] for line in text.open())
    audio = decode_audio(wav)
    latencies: list[float] = []
    committed: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(folder, device="cpu")
        offline_wer = word_error_rate(reference, run_job(engine.speech_to_text.transcribe(audio)).text, spelling)
        engine.diarizer.warm_up()  # as the app does once its window is up
        source, control = ArraySource(audio, realtime=True), RecordingControl()
        job = engine.record("Bench", source, title="latency", control=control)
        began = time.monotonic()
        for event in job:
            if isinstance(event, RecordingStatus) and source.finished.is_set():
                control.stop()
            elif isinstance(event, LiveTranscript):
                latencies += [time.monotonic() - began - word.end for word in event.committed]
                committed += [word.text for word in event.committed]
            elif isinstance(event, Progress):
                break  # the full pass after the recording: not live any more
        job.close()
        engine.close()
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
