"""Minutes for a 60-minute meeting, after transcription: target <= 60 s on 2 CPU cores.

The meeting is made from real AMI transcripts laid end to end (150 words a minute, like the app's
untimed-transcript import). Times extraction, the TextRank summary and the bundled SmolLM2's grounded
summary, with the model load (from its converted cache) counted. Prints a table; exits 1 over target.

    .venv/bin/python benchmarks/minutes_speed.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
TARGET_S = 60.0
MEETING_S = 3600.0


def hour_long_transcript() -> object:
    from companion.models import Segment, Transcript
    from companion.transcript_files import SECONDS_PER_WORD

    meetings = json.loads((SHARED / "ami/transcripts/ami_test.json").read_text())
    segments, clock = [], 0.0
    for utterance in (u for m in meetings for u in m["utterances"]):
        if clock >= MEETING_S:
            break
        length = max(1, len(utterance["text"].split())) * SECONDS_PER_WORD
        segments.append(Segment(clock, clock + length, utterance["text"], f"Speaker {utterance['speaker']}"))
        clock += length
    return Transcript(tuple(segments), clock)


def main() -> int:
    if not (SHARED / "ami/transcripts").is_dir():
        print(f"evaluation data not found at {SHARED}", file=sys.stderr)
        return 2
    from companion.jobs import run_job
    from companion.llm.backend import SMOLLM2, load_language_model
    from companion.llm.minutes import write_minutes
    from companion.runtime import decide_runtime

    transcript = hour_long_transcript()
    date = dt.date(2026, 3, 2)
    started = time.perf_counter()
    extractive = run_job(write_minutes(transcript, date))  # type: ignore[arg-type]
    rules_s = time.perf_counter() - started
    started = time.perf_counter()
    model = load_language_model(SMOLLM2, decide_runtime("cpu"))
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    minutes = run_job(write_minutes(transcript, date, language_model=model))  # type: ignore[arg-type]
    with_model_s = time.perf_counter() - started
    total = load_s + with_model_s
    words = sum(len(s.text.split()) for s in transcript.segments)  # type: ignore[attr-defined]
    print(f"meeting: {transcript.duration_s / 60:.0f} min, {words} words, "  # type: ignore[attr-defined]
          f"{len(transcript.segments)} segments")  # type: ignore[attr-defined]
    print(f"{'stage':<38} {'seconds':>8}")
    print(f"{'rules + TextRank (no model)':<38} {rules_s:>8.1f}")
    print(f"{'load SmolLM2 (converted cache)':<38} {load_s:>8.1f}")
    print(f"{'rules + TextRank + SmolLM2 summary':<38} {with_model_s:>8.1f}")
    print(f"{'total with the model':<38} {total:>8.1f}")
    print(f"items: {len(extractive.action_items)} action, {len(minutes.decisions)} decisions; "
          f"summary by {minutes.authors['summary']}")
    print(f"target <= {TARGET_S:.0f} s: " + ("met" if total <= TARGET_S else "missed"))
    return 0 if total <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
