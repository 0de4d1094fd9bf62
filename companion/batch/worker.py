"""A batch worker: a Ray actor that loads the models once and computes meetings from files, storing nothing."""

from __future__ import annotations

import logging
import resource
import sys
from dataclasses import dataclass

import ray

from companion.batch.plan import BatchFile
from companion.engine import Computed, Engine, KnownVoices
from companion.errors import CompanionError
from companion.jobs import run_job
from companion.runtime import DeviceChoice, decide_runtime
from companion.transcript_files import one_line

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    """What every worker needs to compute meetings as the driver's engine would."""

    device: DeviceChoice
    whisper_model: str | None
    summary_model: str | None
    participants: tuple[str, ...]
    voices: KnownVoices
    """The team's voices when the batch began; the driver names speakers again when it stores."""
    language: str | None = None
    """The team's language (None: detected per meeting)."""


@dataclass(frozen=True)
class Failure:
    """A file a worker could not compute, with the one-line reason."""

    file: BatchFile
    error: str


class Worker:
    """Computes one file at a time with models loaded once, on the device the runtime policy picks.

    Ray runs it as an actor (``ray.remote(Worker)``); it never opens the store, so it can run on any node
    that sees the files at the same paths.
    """

    def __init__(self, options: WorkerOptions) -> None:
        assigned: dict[str, float] = ray.get_runtime_context().get_assigned_resources()  # type: ignore[no-untyped-call]
        cpus = int(assigned.get("CPU", 1)) or 1
        runtime = decide_runtime(options.device, options.whisper_model, cpu_count=cpus)
        self._engine = Engine(device=options.device, whisper_model=options.whisper_model,
                              summary_model=options.summary_model, runtime=runtime)
        self._options = options

    def compute(self, file: BatchFile) -> Computed | Failure:
        """The file's meeting, computed; or why not (returned, not raised: a result crosses the cluster as data)."""
        try:
            return run_job(self._engine.compute(file.path, self._options.voices, date=file.date,
                                                participants=self._options.participants,
                                                language=self._options.language))
        except CompanionError as error:
            return Failure(file, one_line(str(error)))
        except Exception as error:  # an unexpected fault is this file's failure, not the batch's
            log.exception("%s: unexpected error", file.path)
            return Failure(file, one_line(f"{file.path}: unexpected {type(error).__name__}: {error}"))

    def peak_memory_mb(self) -> float:
        """The most resident memory this worker's process has used, in MiB."""
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1 << 20 if sys.platform == "darwin" else 1 << 10)
