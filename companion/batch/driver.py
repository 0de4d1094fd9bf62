"""The batch driver: plans, hands files to worker actors, and alone stores their results in date order.

Stored meetings are exactly what ``companion process`` of the same files in the same order stores: workers run
:meth:`~companion.engine.Engine.compute`, the driver :meth:`~companion.engine.Engine.keep`, as ``process``
does one after the other. Each meeting is stored in one transaction with its content hash, so a driver or
worker killed at any moment loses no stored file and a rerun stores none twice.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import ray
from ray.exceptions import RayActorError, RayError

from companion.batch.metrics import BatchMetrics
from companion.batch.plan import BatchFile, InOrder, Skipped, make_plan, meeting_files
from companion.batch.worker import Failure, Worker, WorkerOptions
from companion.engine import Computed, Engine
from companion.errors import CompanionError
from companion.jobs import Job, run_job
from companion.transcript_files import one_line

log = logging.getLogger(__name__)

ATTEMPTS = 2
"""A file that fails is tried once more (on any worker), then reported."""
WAIT_S = 1.0
"""How often the driver reports progress while it waits for workers."""


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch: the team, the cluster, the workers, the metrics endpoint."""

    team: str
    participants: tuple[str, ...] = ()
    address: str | None = None
    """``auto``, ``HOST:PORT`` or ``ray://HOST:PORT`` joins a running cluster; None starts a local Ray."""
    workers: int | None = None
    """None: as many as the cluster has room for."""
    gpus_per_worker: float = 0.0
    metrics_port: int | None = None


@dataclass(frozen=True)
class BatchProgress:
    """How far a batch has come: files stored and failed of those to do, and the audio stored."""

    done: int
    failed: int
    total: int
    audio_s: float


@dataclass
class BatchReport:
    """What a batch did with every file it was given."""

    team: str
    stored: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failed: list[Skipped] = field(default_factory=list)
    audio_s: float = 0.0
    wall_s: float = 0.0
    workers: int = 0
    worker_peak_mb: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        report = asdict(self)
        report["skipped"] = [{"path": str(s.path), "reason": s.reason} for s in self.skipped]
        report["failed"] = [{"path": str(s.path), "error": s.reason} for s in self.failed]
        return report


def run_batch(engine: Engine, inputs: Sequence[Path], options: BatchOptions) -> Job[BatchReport]:
    """Store every meeting file of ``inputs`` for the team; yields :class:`BatchProgress`, returns the report.

    Raises:
        CompanionError: no files, an unusable team or store, no cluster to join, or every worker lost.
    """
    started = time.monotonic()
    plan = make_plan(meeting_files(inputs), engine.stored_files(options.team))
    report = BatchReport(options.team, skipped=plan.skipped)
    if plan.todo:
        _connect(options.address)
        try:
            yield from _Batch(engine, options, plan.todo, report).run()
        finally:
            ray.shutdown()
    report.wall_s = time.monotonic() - started
    return report


def _connect(address: str | None) -> None:
    try:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise CompanionError(f"cannot reach the Ray cluster at {address} ({one_line(str(error))[:200]})") from error


class _Batch:
    """One batch's scheduling: a queue of files, one file in flight per worker, results stored in order."""

    def __init__(self, engine: Engine, options: BatchOptions, todo: list[BatchFile], report: BatchReport) -> None:
        self.engine, self.options, self.report = engine, options, report
        self.queue = deque(todo)
        self.total = len(todo)
        self.attempts = {f.content_hash: 0 for f in todo}
        self.order: InOrder[Computed] = InOrder([f.content_hash for f in todo])
        self.metrics = BatchMetrics()
        self.in_flight: dict[ray.ObjectRef[Any], tuple[Any, BatchFile]] = {}
        self.idle: list[Any] = []

    def run(self) -> Job[None]:
        with self.metrics.served(self.options.metrics_port):
            self.idle = self._start_workers()
            self.metrics.queued.set(len(self.queue))
            while not self.order.finished:
                self._dispatch()
                if not self.in_flight:
                    raise CompanionError(f"every worker was lost; {len(self.queue)} files not done: run the batch "
                                         "again to finish them")
                ready, _ = ray.wait(list(self.in_flight), num_returns=1, timeout=WAIT_S)
                for ref in ready:
                    self._collect(ref)
                self._store_ready()
                yield BatchProgress(len(self.report.stored), len(self.report.failed), self.total, self.report.audio_s)
            self.report.worker_peak_mb = self._peak_memory()

    def _start_workers(self) -> list[Any]:
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        gpus = self.options.gpus_per_worker
        room = int(resources.get("CPU", 1)) if gpus <= 0 else int(resources.get("GPU", 0) // gpus)
        if room < 1:
            raise CompanionError(f"the cluster has no room for a worker with {gpus} GPU(s)")
        count = min(self.options.workers or room, room, self.total)
        voices = self.engine.known_voices(self.options.team)
        settings = WorkerOptions(*self.engine.model_choices, self.options.participants, voices,
                                 self.engine.team_language(self.options.team))
        actor = ray.remote(Worker).options(num_cpus=1, num_gpus=gpus)
        workers = [actor.remote(settings) for _ in range(count)]
        self.report.workers = count
        self.metrics.workers.set(count)
        log.info("%d workers for %d files", count, self.total)
        return workers

    def _dispatch(self) -> None:
        while self.idle and self.queue:
            worker, file = self.idle.pop(), self.queue.popleft()
            self.attempts[file.content_hash] += 1
            self.in_flight[worker.compute.remote(file)] = (worker, file)
        self.metrics.queued.set(len(self.queue))

    def _collect(self, ref: ray.ObjectRef[Any]) -> None:
        worker, file = self.in_flight.pop(ref)
        try:
            result: Computed | Failure = ray.get(ref)
            self.idle.append(worker)
        except RayActorError as error:  # the worker or its node is gone: its file goes to another worker
            log.warning("lost a worker while it computed %s", file.path)
            self.metrics.workers.dec()
            result = Failure(file, f"{file.path}: the worker was lost ({_first_line(error)})")
        except RayError as error:
            self.idle.append(worker)
            result = Failure(file, f"{file.path}: {_first_line(error)}")
        if isinstance(result, Computed):
            self.order.add(file.content_hash, result)
        elif self.attempts[file.content_hash] < ATTEMPTS:
            log.info("retrying %s after: %s", file.path, result.error)
            self.queue.appendleft(file)
        else:
            log.info("giving up %s: %s", file.path, result.error)
            self.report.failed.append(Skipped(file.path, result.error))
            self.metrics.failed.inc()
            self.order.add(file.content_hash, None)

    def _store_ready(self) -> None:
        for computed in self.order.ready():
            meeting = run_job(self.engine.keep(computed, self.options.team))
            self.report.stored.append({"path": str(computed.path), "meeting_id": meeting.id, "date": meeting.date,
                                       "audio_s": meeting.duration_s, "stage_s": computed.timings.seconds})
            self.report.audio_s += meeting.duration_s
            self.metrics.done.inc()
            self.metrics.audio.inc(meeting.duration_s)
            self.metrics.observe(computed.timings)

    def _peak_memory(self) -> list[float]:
        refs = [worker.peak_memory_mb.remote() for worker in self.idle]
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=10.0)
        return [round(ray.get(ref), 1) for ref in ready]


def _first_line(error: BaseException) -> str:
    return one_line(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
