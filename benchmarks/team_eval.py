"""Team memory against ground truth: a team's meetings processed in order, then its questions and agenda.

For each ``*.qa.json`` (default: ``meetings/atlas.qa.json``) the team's meetings beside it
(``<team>-YYYY-MM-DD.txt`` or ``.wav``, participants and title from ``.truth.json``, the date from the
name) are processed in date order through the engine, as the app does. Then every question must be
answered with one of its ``expect_any`` words, the agenda must hold every ``expect`` pattern and none of
the ``stale`` ones. Text mode reads the reference transcripts; audio mode transcribes the recordings.
Prints a table; exits 1 when a question or an agenda check fails in text mode (audio mode is reported).

    .venv/bin/python benchmarks/team_eval.py [--text-only] [--qa PATH ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import report

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
TARGET_MODES = ("text",)
"""Audio mode is reported, not yet a target: tiny.en mishears names and numbers ("Plausible" -> "lawning
will film", "three" -> "free") and unnamed speakers own items there."""


def team_meetings(qa_path: Path, team: str, suffix: str) -> list[tuple[Path, dict[str, object]]]:
    """The team's meeting files with their truth, oldest first."""
    found = []
    for source in sorted(qa_path.parent.glob(f"{team.lower()}-????-??-??{suffix}")):
        truth_file = source.with_name(source.name[: -len(suffix)] + ".truth.json")
        truth = json.loads(truth_file.read_text()) if truth_file.exists() else {}
        found.append((source, truth))
    return found


def evaluate(engine: object, qa_path: Path, mode: str) -> tuple[list[str], int, int]:
    """Rows of the table, checks passed, checks run."""
    from companion.export.agenda import render_agenda
    from companion.jobs import run_job

    qa = json.loads(qa_path.read_text())
    team = qa["team"]
    meetings = team_meetings(qa_path, team, ".txt" if mode == "text" else ".wav")
    started = time.perf_counter()
    for source, truth in meetings:
        run_job(engine.process(source, team, title=truth.get("title"), date=source.stem[-10:],  # type: ignore
                               participants=truth.get("participants", [])))
    rows = [f"{mode} {team}: {len(meetings)} meetings processed in {time.perf_counter() - started:.1f} s"]
    passed = run = 0
    for question in qa["questions"]:
        answer = engine.ask(question["q"], team)  # type: ignore[attr-defined]
        ok = any(e.lower() in answer.answer.lower() for e in question["expect_any"])
        rows.append(f"  {'ok ' if ok else 'BAD'} ask    {question['q']:<48} {answer.answer[:90]}")
        passed, run = passed + ok, run + 1
    agenda = render_agenda(engine.agenda(team), "json").lower()  # type: ignore[attr-defined]
    for kind, patterns in (("present", qa["agenda"]["expect"]), ("absent", qa["agenda"]["stale"])):
        for alternatives in patterns:
            hit = any(re.search(a.lower(), agenda) for a in alternatives)
            ok = hit if kind == "present" else not hit
            rows.append(f"  {'ok ' if ok else 'BAD'} agenda {kind:<8} {' | '.join(alternatives)}")
            passed, run = passed + ok, run + 1
    return rows, passed, run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-only", action="store_true", help="skip audio mode (no transcription)")
    parser.add_argument("--qa", type=Path, action="append", help="a team's questions (default: Atlas)")
    args = parser.parse_args()
    qa_files = args.qa or [SHARED / "meetings/atlas.qa.json"]
    if not all(q.exists() for q in qa_files):
        print(f"evaluation data not found: {', '.join(str(q) for q in qa_files)}", file=sys.stderr)
        return 2
    from companion.engine import Engine

    missed = []
    for mode in ("text",) if args.text_only else ("text", "audio"):
        for qa_path in qa_files:
            with tempfile.TemporaryDirectory() as data:
                engine = Engine(data, device="cpu", summary_model=None)
                rows, passed, run = evaluate(engine, qa_path, mode)
                engine.close()
            print("\n".join(rows))
            print(f"{mode} {qa_path.name}: {passed}/{run} checks passed", flush=True)
            if passed < run and mode in TARGET_MODES:
                missed.append(f"{mode} {qa_path.name}")
    print("targets (text mode): all questions right, agenda complete with no stale item: "
          + ("; ".join(missed) + " missed" if missed else "met"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(report.run(main))
