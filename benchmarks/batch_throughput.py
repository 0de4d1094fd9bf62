"""Batch import throughput: sequential Engine.process against `companion batch` on a local Ray, same files.

Audio hours per wall hour for the Atlas recordings and an AMI clip, first one after the other with
``Engine.process`` in this process, then as a batch on a Ray cluster of this machine (started beforehand, as
a team's cluster would be: its start is not counted; the workers' model loading is, as the sequential run's
is). Prints both, their ratio (target >= 1.25x), each worker's peak memory and the mean seconds per stage per
file; exits 1 under target. Ray runs inside network and PID namespaces of its own (``unshare``, as root):
only loopback, and every process it started ends with the benchmark.

    .venv/bin/python benchmarks/batch_throughput.py
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
TARGET = 1.25
PORT = 6380
NAMESPACE = ["unshare", "--net", "--pid", "--fork", "--mount", "--mount-proc", "--kill-child", "--",
             "sh", "-c", 'ip link set lo up && "$@"', "sh"]
INSIDE = "COMPANION_BENCHMARK_IN_NAMESPACE"


def meeting_files(folder: Path) -> list[Path]:
    """The Atlas recordings and the AMI clip, copied with dates in their names."""
    files = [shutil.copy(p, folder / p.name) for p in sorted((SHARED / "meetings").glob("atlas-*.wav"))]
    files.append(shutil.copy(SHARED / "ami/es2004a-60s/mixture.wav", folder / "ami-2026-03-20.wav"))
    return [Path(f) for f in files]


def sequential(files: list[Path], data: Path) -> tuple[float, float]:
    """Wall seconds and audio seconds of ``Engine.process`` over the files, models loaded on the way."""
    from companion.engine import Engine
    from companion.jobs import run_job

    started = time.monotonic()
    engine = Engine(data, device="cpu", summary_model=None)
    audio = sum(run_job(engine.process(f, "Bench")).duration_s for f in files)
    engine.close()
    return time.monotonic() - started, audio


def batch(files: list[Path], data: Path) -> tuple[float, float, list[float], list[dict[str, float]]]:
    """Wall seconds, audio seconds, workers' peak MiB and per-file stage seconds of a batch on the cluster."""
    from companion.batch.driver import BatchOptions, run_batch
    from companion.engine import Engine
    from companion.jobs import run_job

    started = time.monotonic()
    engine = Engine(data, device="cpu", summary_model=None)
    result = run_job(run_batch(engine, files, BatchOptions("Bench", address=f"127.0.0.1:{PORT}")))
    engine.close()
    assert not result.failed, result.failed
    return (time.monotonic() - started, result.audio_s, result.worker_peak_mb,
            [stored["stage_s"] for stored in result.stored])


def main() -> int:
    if os.environ.get(INSIDE) != "1":
        if shutil.which("unshare") is None:
            print("needs unshare (util-linux) and root: Ray must run in a network namespace of its own")
            return 1
        inside = subprocess.run([*NAMESPACE, sys.executable, *sys.argv], env={**os.environ, INSIDE: "1"},
                                stdout=subprocess.PIPE, text=True)
        print(inside.stdout, end="")  # through this process's stdout, so that --write-docs keeps it
        return inside.returncode
    with tempfile.TemporaryDirectory(prefix="cb") as temporary:
        work = Path(temporary)
        os.environ.update(RAY_TMPDIR=str(work), HOME=str(work), RAY_USAGE_STATS_ENABLED="0")
        files = meeting_files(work)
        subprocess.run([Path(sys.executable).parent / "ray", "start", "--head", "--port", str(PORT),
                        "--include-dashboard", "false"], check=True, capture_output=True)
        seq_s, audio_s = sequential(files, work / "sequential")
        seq_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        batch_s, batch_audio_s, peaks, stages = batch(files, work / "batch")
    ratio = seq_s / batch_s
    print(f"{len(files)} files, {audio_s / 60:.1f} min of audio, {os.cpu_count()} cores")
    print(f"{'run':<12}{'wall s':>8}{'audio h / wall h':>18}{'peak MiB':>20}")
    print(f"{'sequential':<12}{seq_s:>8.1f}{audio_s / seq_s:>18.1f}{seq_peak:>20.0f}")
    print(f"{'batch':<12}{batch_s:>8.1f}{batch_audio_s / batch_s:>18.1f}{' / '.join(f'{p:.0f}' for p in peaks):>20}")
    print(f"ratio {ratio:.2f}x (target >= {TARGET}x)")
    means = {stage: sum(s.get(stage, 0.0) for s in stages) / len(stages) for stage in stages[0]}
    print("mean s per file: " + ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in means.items()))
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(report.run(main))
