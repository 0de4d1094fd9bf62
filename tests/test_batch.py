"""Batch import: dating and hashing files, resuming, storing in date order; and a real two-node Ray cluster.

Every Ray run happens inside network and PID namespaces the test creates (``unshare``): there Ray binds to
127.0.0.1 and sends nothing beyond loopback, and killing the namespace stops every process Ray started.
Run as a script (``python tests/test_batch.py SPEC``), this file is the part of the cluster test that runs
inside the namespace.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from companion.batch.plan import InOrder, make_plan, meeting_files
from companion.engine import Engine
from companion.errors import CompanionError, InputError
from companion.jobs import run_job
from companion.sources import content_hash, file_date

PYTHON = Path(sys.executable)
NAMESPACE = ["unshare", "--net", "--pid", "--fork", "--mount", "--mount-proc", "--kill-child", "--",
             "sh", "-c", 'ip link set lo up && "$@"', "sh"]
"""A command after this runs with only a loopback network, and dies with every process it started."""
HEAD_PORT, NODE_MANAGER_PORT, METRICS_PORT = 6380, 6390, 9464
"""Fixed: the namespace is new, so nothing else listens there."""
VTT = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Ana>Quick sync before Monday. Ben, please send the revised budget to finance by Friday.

00:00:05.500 --> 00:00:09.000
<v Ben>Yes, I will send the revised budget to finance by Friday.

00:00:09.500 --> 00:00:13.000
<v Ana>We decided to keep the launch date on the twentieth.
"""
VOLATILE = {"created_at", "updated_at", "at"}
"""Columns that hold when a row was written, not what it says."""


# Dating, hashing, planning and ordering: no Ray needed.

def test_a_file_is_dated_by_its_metadata_then_its_name_then_its_mtime(tmp_path: Path) -> None:
    tagged = tmp_path / "call-2023-01-02.wav"
    with av.open(str(tagged), "w", format="wav") as container:
        container.metadata["date"] = "2024-05-06"
        stream = container.add_stream("pcm_s16le", rate=16000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1600), dtype=np.int16), format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    assert file_date(tagged) == "2024-05-06"
    for name, day in [("GMT20240315-100000_Recording.m4a", "2024-03-15"),
                      ("Standup-20240316_093000-Meeting Recording.mp4", "2024-03-16"),
                      ("2024-03-17 10.00.00 Zoom Meeting.txt", "2024-03-17"),
                      ("notes 2024.03.18.vtt", "2024-03-18"),
                      ("take 20241399 then 2024_03_19.srt", "2024-03-19")]:
        (tmp_path / name).write_text("x")
        assert file_date(tmp_path / name) == day, name
    undated = tmp_path / "call 1234567.txt"
    undated.write_text("x")
    os.utime(undated, (0, dt.datetime(2021, 7, 8, 12).timestamp()))
    assert file_date(undated) == "2021-07-08"


def test_the_plan_skips_stored_and_repeated_files_and_orders_by_date(tmp_path: Path) -> None:
    folder = tmp_path / "calls"
    (folder / ".hidden").mkdir(parents=True)
    for name, text in [("b-2024-02-01.txt", "B: two"), ("a-2024-03-01.txt", "A: three"), ("c-2024-01-01.vtt", VTT),
                       ("copy-of-b.txt", "B: two"), ("stored-2023-12-01.txt", "S: old"), ("notes.md", "no")]:
        (folder / name).write_text(text)
    (folder / ".hidden" / "x-2020-01-01.txt").write_text("H: hidden")
    files = meeting_files([folder])
    assert sorted(p.name for p in files) == ["a-2024-03-01.txt", "b-2024-02-01.txt", "c-2024-01-01.vtt",
                                             "copy-of-b.txt", "stored-2023-12-01.txt"]
    plan = make_plan(files, {content_hash(folder / "stored-2023-12-01.txt"): 7})
    assert [f.path.name for f in plan.todo] == ["c-2024-01-01.vtt", "b-2024-02-01.txt", "a-2024-03-01.txt"]
    reasons = {s.path.name: s.reason for s in plan.skipped}
    assert reasons == {"copy-of-b.txt": f"same content as {folder / 'b-2024-02-01.txt'}",
                       "stored-2023-12-01.txt": "already stored as meeting 7"}
    with pytest.raises(CompanionError, match="no such file or folder"):
        meeting_files([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(CompanionError, match="no audio, video or transcript files"):
        meeting_files([tmp_path / "empty"])


def test_results_are_handed_out_in_plan_order_passing_over_given_up_files() -> None:
    order: InOrder[str] = InOrder(["a", "b", "c", "d"])
    order.add("c", "C")
    assert list(order.ready()) == []
    order.add("a", "A")
    assert list(order.ready()) == ["A"]
    order.add("b", None)  # given up
    assert list(order.ready()) == ["C"]
    assert not order.finished
    order.add("d", "D")
    assert list(order.ready()) == ["D"]
    assert order.finished


def test_a_stored_file_is_known_by_its_content_wherever_it_lies(engine: Engine, tmp_path: Path) -> None:
    first = tmp_path / "standup-2026-03-12.vtt"
    first.write_text(VTT)
    meeting = run_job(engine.process(first, "Atlas"))
    moved = tmp_path / "elsewhere" / "renamed.vtt"
    moved.parent.mkdir()
    shutil.copy(first, moved)
    plan = make_plan([moved], engine.stored_files("Atlas"))
    assert plan.todo == []
    assert plan.skipped[0].reason == f"already stored as meeting {meeting.id}"
    assert meeting.date == "2026-03-12"


def test_stage_timings_are_logged_for_each_processed_meeting(engine: Engine, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "standup-2026-03-12.vtt"
    path.write_text(VTT)
    with caplog.at_level("INFO", logger="companion.engine"):
        run_job(engine.process(path, "Atlas"))
    line = next(r.getMessage() for r in caplog.records if "stage timings" in r.getMessage())
    assert line.startswith("standup-2026-03-12.vtt: stage timings: decode ")
    assert ", minutes " in line and ", store " in line


# Ray in namespaces of its own.

@pytest.fixture
def namespace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start commands in new network and PID namespaces; whatever happens, each is killed with all it started."""
    if shutil.which("unshare") is None or subprocess.run([*NAMESPACE, "true"], capture_output=True).returncode:
        pytest.skip("cannot create network and PID namespaces here (needs unshare and root)")
    short = tmp_path_factory.mktemp("r")  # Ray's socket paths must stay under 108 characters
    env = {**os.environ, "RAY_TMPDIR": str(short), "HOME": str(short), "RAY_USAGE_STATS_ENABLED": "0"}
    started: list[subprocess.Popen[str]] = []

    def start(*command: str | Path, **options: Any) -> subprocess.Popen[str]:
        process = subprocess.Popen([*NAMESPACE, *map(str, command)], env=env, text=True, **options)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()  # unshare --kill-child: the namespace's first process dies, and the kernel kills the rest
            process.wait()


def batch_command(data: Path, *args: str | Path) -> list[str]:
    return [str(PYTHON), "-m", "companion", "--data-dir", str(data), "--summary-model", "none", "batch",
            *map(str, args)]


def test_a_killed_driver_stores_nothing_twice(namespace: Callable[..., subprocess.Popen[str]], shared_data: Path,
                                              tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    transcripts = sorted((shared_data / "real" / "ami").glob("ES*.txt"))[:6]
    for day, path in enumerate(transcripts, start=1):
        shutil.copy(path, inbox / f"{path.stem}-2026-04-{day:02d}.txt")
    data = tmp_path / "data"
    first = namespace(*batch_command(data, inbox, "--team", "AMI", "--workers", "1"),
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while stored_count(data) < 1 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()  # the driver and its local Ray die at once, mid-batch
    first.wait()
    killed_with = stored_count(data)
    assert 1 <= killed_with < len(transcripts), "the driver was not killed mid-batch"
    rerun = namespace(*batch_command(data, inbox, "--team", "AMI", "--json"), stdout=subprocess.PIPE,
                      stderr=subprocess.PIPE)
    out, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, err
    report = json.loads(out)
    assert len(report["skipped"]) == killed_with
    assert len(report["stored"]) == len(transcripts) - killed_with
    with sqlite3.connect(data / "companion.db") as db:
        hashes = [row[0] for row in db.execute("SELECT content_hash FROM meetings ORDER BY date")]
        dates = [row[0] for row in db.execute("SELECT date FROM meetings ORDER BY id")]
    assert sorted(hashes) == sorted(content_hash(p) for p in transcripts)
    assert dates == sorted(dates)


def stored_count(data: Path) -> int:
    try:
        with sqlite3.connect(f"file:{data / 'companion.db'}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM meetings").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_a_batch_on_a_two_node_cluster_survives_a_lost_node(namespace: Callable[..., subprocess.Popen[str]],
                                                             shared_data: Path, engine: Engine,
                                                             tmp_path: Path) -> None:
    """Head and worker node of one CPU each; the worker node dies mid-batch; the batch still stores every
    good file, reports the corrupt one, and the store equals a sequential run's; metrics over real HTTP."""
    inbox = archive(shared_data, tmp_path / "inbox")
    spec = {"inbox": str(inbox), "data": str(tmp_path / "cluster-data")}
    helper = namespace(PYTHON, __file__, json.dumps(spec), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = helper.communicate(timeout=400)
    assert helper.returncode == 0, err[-3000:]
    result = json.loads(out)
    assert result["killed"], "the worker node was not killed mid-batch"
    assert result["returncode"] == 1, result["stderr"]
    report = json.loads(result["stdout"])
    assert report["workers"] == 2
    assert [Path(f["path"]).name for f in report["failed"]] == ["broken-2026-03-04.wav"]
    error = report["failed"][0]["error"]
    assert "\n" not in error and "not a readable audio file" in error
    assert f"companion: error: {error}" in result["stderr"]

    for path in sorted(inbox.iterdir(), key=lambda p: (file_date(p), str(p))):  # what `companion process` does
        try:
            run_job(engine.process(path, "Atlas"))
        except InputError:
            assert path.name == "broken-2026-03-04.wav"
    assert [f["meeting_id"] for f in report["stored"]] == [m.id for m in reversed(engine.meetings("Atlas"))]
    sequential, batch = dump(engine.data_dir / "companion.db"), dump(tmp_path / "cluster-data" / "companion.db")
    assert sequential.keys() == batch.keys()
    for table in sequential:
        assert batch[table] == sequential[table], table
    assert len(sequential["items"]) > 0 and len(sequential["meeting_voices"]) > 0

    scrapes = result["scrapes"]
    assert scrapes, "the metrics endpoint never answered"
    done = [s["companion_batch_files_done_total"] for s in scrapes]
    assert done == sorted(done) and done[-1] >= 1
    last = scrapes[-1]
    assert max(s["companion_batch_workers"] for s in scrapes) == 2
    assert last["companion_batch_workers"] == 1  # the lost worker was noticed
    assert last["companion_batch_stage_seconds_count{stage=decode}"] >= 1
    assert last["companion_batch_stage_seconds_count{stage=store}"] == last["companion_batch_files_done_total"]
    assert "companion_batch_files_queued" in last and "companion_batch_audio_seconds_total" in last
    assert "companion_batch_files_failed_total" in last


def archive(shared_data: Path, inbox: Path) -> Path:
    """Seven meeting files: Atlas audio and transcripts, an AMI clip and transcript, a VTT, a corrupt file."""
    inbox.mkdir()
    meetings = shared_data / "meetings"
    for name in ("atlas-2026-03-02.txt", "atlas-2026-03-09.txt", "atlas-2026-03-16.wav"):
        shutil.copy(meetings / name, inbox / name)
    (inbox / "standup-2026-03-12.vtt").write_text(VTT)
    (inbox / "broken-2026-03-04.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt not really audio")
    for source, name, day in [(shared_data / "real" / "ami" / "ES2004a.txt", "ES2004a.txt", 18),
                              (shared_data / "ami" / "es2004a-60s" / "mixture.wav", "ami clip.wav", 20)]:
        shutil.copy(source, inbox / name)
        os.utime(inbox / name, (0, dt.datetime(2026, 3, day, 12).timestamp()))  # no date in name or tags
    return inbox


def dump(store: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store's tables that hold meetings, minutes and the graph, without write times; voices
    rounded, since two processes may compute the last digits of a float differently."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with sqlite3.connect(store) as db:
        db.row_factory = sqlite3.Row
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                          "'%fts%' AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'")]
        for name in sorted(names):
            rows = db.execute(f"SELECT * FROM [{name}] ORDER BY rowid").fetchall()
            tables[name] = [tuple(_comparable(row[key]) for key in row.keys() if key not in VOLATILE)  # noqa: SIM118
                            for row in rows]
    return tables


def _comparable(value: Any) -> Any:
    if isinstance(value, bytes):
        return tuple(np.round(np.frombuffer(value, dtype=np.float32), 3))
    return value


# Inside the namespace: a cluster of two nodes, a batch on it, the worker node killed, metrics scraped.

def run_cluster(spec: dict[str, str]) -> dict[str, Any]:
    ray = PYTHON.parent / "ray"
    subprocess.run([ray, "start", "--head", "--port", str(HEAD_PORT), "--num-cpus", "1", "--num-gpus", "0",
                    "--include-dashboard", "false"], check=True, capture_output=True)
    subprocess.run([ray, "start", "--address", f"127.0.0.1:{HEAD_PORT}", "--num-cpus", "1", "--num-gpus", "0",
                    "--node-manager-port", str(NODE_MANAGER_PORT)], check=True, capture_output=True)
    try:
        batch = subprocess.Popen(
            batch_command(Path(spec["data"]), spec["inbox"], "--team", "Atlas", "--address", f"127.0.0.1:{HEAD_PORT}",
                          "--metrics-port", str(METRICS_PORT), "--json"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        scrapes: list[dict[str, float]] = []
        killed = False
        while batch.poll() is None:
            if (scrape := scrape_metrics()) is not None:
                scrapes.append(scrape)
                if not killed and scrape["companion_batch_files_done_total"] >= 1:
                    killed = kill_node(NODE_MANAGER_PORT)
            time.sleep(0.1)
        out, err = batch.communicate()
        return {"killed": killed, "returncode": batch.returncode, "stdout": out, "stderr": err, "scrapes": scrapes}
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True)  # this PID namespace's Ray only


def scrape_metrics() -> dict[str, float] | None:
    """One scrape of the batch's endpoint, parsed by prometheus-client's parser (None while it is not up)."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{METRICS_PORT}/metrics", timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return None
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            values[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
    return values


def kill_node(manager_port: int) -> bool:
    """SIGKILL the raylet listening on ``manager_port`` and every process under it, as a node that dies does."""
    parents: dict[int, int] = {}
    raylets: list[int] = []
    for entry in Path("/proc").iterdir():
        try:
            stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_text().replace("\0", " ")
        except (OSError, NotADirectoryError):
            continue
        if entry.name.isdigit():
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            if f"--node_manager_port={manager_port}" in command:
                raylets.append(int(entry.name))
    victims = list(raylets)
    for victim in victims:
        victims += [pid for pid, parent in parents.items() if parent == victim]
    for victim in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
    return bool(raylets)


if __name__ == "__main__":
    print(json.dumps(run_cluster(json.loads(sys.argv[1]))))
