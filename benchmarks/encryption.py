"""The cost of encryption at rest: ingest, Ask latency and recording CPU, plain and encrypted side by side.

Two fresh data folders, one plain and one encrypted (``Engine.encrypt``), get the same work in one run:
ingest stores the three Atlas meeting transcripts (transcript import, minutes, graph; no language model), Ask
asks each question of ``atlas.qa.json`` five times (after a warm-up ingest and question, so that
no model loads while measured), and the recorder writes ten minutes of
stereo audio as fast as it comes (the CPU time this process spent per second of audio, as a share of one
core at real time). Unlocking (scrypt, once per start) is shown on its own. Exits 1 when the encrypted
folder's ingest or median Ask time is more than 1.5 times the plain one's, or its recorder needs more than
1 % of a core.

    .venv/bin/python benchmarks/encryption.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import report

from companion import encryption
from companion.audio.capture import ArraySource
from companion.audio.decode import SAMPLE_RATE
from companion.audio.recording import Recording, RecordingInfo
from companion.engine import Engine
from companion.jobs import run_job
from companion.runtime import Runtime, decide_runtime

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
DAYS = ("2026-03-02", "2026-03-09", "2026-03-16")
PASSPHRASE = "benchmark passphrase"
RECORD_S = 600
ASK_ROUNDS = 5
SLOWER_LIMIT = 1.5
RECORDER_CPU_LIMIT = 1.0  # per cent of one core at real time


def ingest(engine: Engine) -> float:
    """Seconds to store the three Atlas meetings."""
    began = time.perf_counter()
    for day in DAYS:
        truth = json.loads((SHARED / f"meetings/atlas-{day}.truth.json").read_text())
        run_job(engine.process(SHARED / f"meetings/atlas-{day}.txt", "Atlas", title=truth["title"], date=day,
                               participants=truth["participants"]))
    return time.perf_counter() - began


def ask(engine: Engine, questions: list[str]) -> list[float]:
    """Seconds per question, each asked ASK_ROUNDS times, after one warm-up question."""
    engine.ask(questions[0], "Atlas")
    times = []
    for question in questions * ASK_ROUNDS:
        began = time.perf_counter()
        engine.ask(question, "Atlas")
        times.append(time.perf_counter() - began)
    return times


def recorder_cpu(folder: Path, key: encryption.FolderKey | None) -> float:
    """CPU seconds this process spends per second of stereo audio recorded (sealed with ``key``), in per cent."""
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(RECORD_S * SAMPLE_RATE)).astype(np.float32)
    recording = Recording(folder, RecordingInfo("Atlas", "benchmark", DAYS[0]), ArraySource(audio, realtime=False),
                          ArraySource(audio[::-1].copy(), realtime=False), key)
    began = time.process_time()
    recording.start()
    while recording.seconds < RECORD_S - 1:
        time.sleep(0.05)
    recording.stop()
    return 100 * (time.process_time() - began) / RECORD_S


def engine_for(folder: Path, runtime: Runtime, encrypted: bool) -> tuple[Engine, float]:
    """An engine on a new folder (encrypted when asked) and the seconds unlocking its key took."""
    engine = Engine(folder, runtime=runtime, summary_model=None)
    if not encrypted:
        return engine, 0.0
    engine.encrypt(lambda: PASSPHRASE)
    os.environ[encryption.PASSPHRASE_VARIABLE] = PASSPHRASE
    began = time.perf_counter()
    key = encryption.unlock(folder)
    unlocking = time.perf_counter() - began
    assert key is not None
    return engine, unlocking


def main() -> int:
    if not (SHARED / "meetings").is_dir():
        print(f"shared data not found at {SHARED}")
        return 2
    import keyring
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())  # type: ignore[no-untyped-call] # never the machine's keychain
    runtime = decide_runtime("cpu")
    questions = [qa["q"] for qa in json.loads((SHARED / "meetings/atlas.qa.json").read_text())["questions"]]
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        warm_up, _ = engine_for(Path(scratch) / "warm-up", runtime, False)  # models load here, not in a row
        ingest(warm_up)
        warm_up.close()
        for name, encrypted in (("plain", False), ("encrypted", True)):
            folder = Path(scratch) / name
            engine, unlocking = engine_for(folder, runtime, encrypted)
            try:
                ingest_s = ingest(engine)
                times = ask(engine, questions)
                cpu = recorder_cpu(folder / "recordings", engine.folder_key)
            finally:
                engine.close()
            rows[name] = {"unlock_s": unlocking, "ingest_s": ingest_s, "ask_median_ms": 1000 * statistics.median(times),
                          "ask_p95_ms": 1000 * sorted(times)[int(0.95 * (len(times) - 1))], "recorder_cpu": cpu}
    plain, sealed = rows["plain"], rows["encrypted"]
    print(f"{'':28}{'plain':>12}{'encrypted':>12}{'ratio':>8}")
    for label, key, unit in (("unlock (scrypt, once)", "unlock_s", "s"), ("ingest 3 meetings", "ingest_s", "s"),
                             (f"Ask median ({len(questions) * ASK_ROUNDS} q)", "ask_median_ms", "ms"),
                             ("Ask p95", "ask_p95_ms", "ms"), ("recorder CPU, % of a core", "recorder_cpu", "%")):
        ratio = f"{sealed[key] / plain[key]:.2f}" if plain[key] else "-"
        print(f"{label:28}{plain[key]:>10.3f} {unit:<1}{sealed[key]:>10.3f} {unit:<1}{ratio:>8}")
    misses = [f"{what} {sealed[key] / plain[key]:.2f}x the plain folder's (limit {SLOWER_LIMIT}x)"
              for what, key in (("ingest", "ingest_s"), ("Ask median", "ask_median_ms"))
              if sealed[key] > SLOWER_LIMIT * plain[key]]
    if sealed["recorder_cpu"] > RECORDER_CPU_LIMIT:
        misses.append(f"the encrypted recorder needs {sealed['recorder_cpu']:.2f} % of a core "
                      f"(limit {RECORDER_CPU_LIMIT} %)")
    for miss in misses:
        print(f"MISSED: {miss}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(report.run(main))
