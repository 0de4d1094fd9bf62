"""Minutes for a 60-minute meeting, after transcription, and how often SmolLM2's summary passes the gate.

The meeting is made from real AMI transcripts laid end to end (150 words a minute, like the app's
untimed-transcript import). Times the minutes without a language model (sentence embeddings, the utterance
detector, rules, topics, TextRank) once the embedding model is loaded: target <= 20 s on 2 CPU cores. Then
the same with the bundled SmolLM2's grounded summary, its load (from the converted cache) counted, and the
share of the AMI dev meetings (``--acceptance N``, first N) whose SmolLM2 summary the grounding gate kept.
Prints a table; exits 1 over target.

    .venv/bin/python benchmarks/minutes_speed.py [--acceptance 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import report

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
TARGET_S = 20.0
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

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acceptance", type=int, default=5, help="AMI dev meetings summarised by SmolLM2")
    args = parser.parse_args()
    from companion.llm.embeddings import shared_embedder

    shared_embedder().encode(["warm up"] * 300)  # load the embedding model: the app has it loaded already
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
    print(f"{'embeddings, detector, rules, TextRank':<38} {rules_s:>8.1f}")
    print(f"{'load SmolLM2 (converted cache)':<38} {load_s:>8.1f}")
    print(f"{'rules + TextRank + SmolLM2 summary':<38} {with_model_s:>8.1f}")
    print(f"{'total with the model':<38} {total:>8.1f}")
    print(f"items: {len(extractive.action_items)} action, {len(minutes.decisions)} decisions; "
          f"summary by {minutes.authors['summary']}")
    kept, tried = acceptance(model, args.acceptance)
    print(f"SmolLM2 summaries kept by the grounding gate: {kept}/{tried} AMI dev meetings")
    print(f"target <= {TARGET_S:.0f} s without a model: " + ("met" if rules_s <= TARGET_S else "missed"))
    return 0 if rules_s <= TARGET_S else 1


def acceptance(model: object, count: int) -> tuple[int, int]:
    """How many of the first ``count`` AMI dev meetings got a summary from SmolLM2 that passed the gate."""
    from companion.evaluation import read_linked_meeting
    from companion.jobs import run_job
    from companion.llm.minutes import write_minutes
    from companion.models import Transcript

    paths = [p for p in sorted((SHARED / "real/ami-links").glob("*.json"))
             if json.loads(p.read_text())["split"] == "dev"][:count]
    kept = 0
    for path in paths:
        meeting = read_linked_meeting(path)
        transcript = Transcript(tuple(meeting.segments), meeting.segments[-1].end)
        minutes = run_job(write_minutes(transcript, dt.date(2026, 3, 2), language_model=model))  # type: ignore[arg-type]
        kept += "checked against the transcript" in minutes.authors["summary"]
    return kept, len(paths)


if __name__ == "__main__":
    sys.exit(report.run(main))
