"""The batch driver's Prometheus metrics, on a registry of its own and served over HTTP on request."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from companion.errors import CompanionError
from companion.stages import STAGES, StageTimes

log = logging.getLogger(__name__)

METRICS_HOST = "127.0.0.1"
"""The endpoint listens on this machine only: a Prometheus on another host scrapes it through a tunnel or proxy."""
STAGE_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
"""Seconds, from a short transcript's import up to the transcription of a long recording on a CPU."""


class BatchMetrics:
    """Files queued, done and failed, audio seconds, stage durations and workers of one batch."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.queued = Gauge("companion_batch_files_queued", "Files waiting to be stored", registry=self.registry)
        self.done = Counter("companion_batch_files_done", "Files stored as meetings", registry=self.registry)
        self.failed = Counter("companion_batch_files_failed", "Files given up after their retry",
                              registry=self.registry)
        self.audio = Counter("companion_batch_audio_seconds", "Seconds of meeting audio stored",
                             registry=self.registry)
        self.stages = Histogram("companion_batch_stage_seconds", "Wall-clock seconds per stage per file",
                                ["stage"], buckets=STAGE_BUCKETS, registry=self.registry)
        self.workers = Gauge("companion_batch_workers", "Live worker actors", registry=self.registry)

    def observe(self, timings: StageTimes) -> None:
        """Add one stored file's stage durations."""
        for stage in STAGES:
            if stage in timings.seconds:
                self.stages.labels(stage=stage).observe(timings.seconds[stage])

    @contextmanager
    def served(self, port: int | None) -> Iterator[None]:
        """Serve the metrics at ``http://127.0.0.1:PORT/metrics`` for the block (nothing when ``port`` is None).

        Raises:
            CompanionError: the port cannot be listened on.
        """
        if port is None:
            yield
            return
        try:
            server, thread = start_http_server(port, METRICS_HOST, registry=self.registry)
        except OSError as error:
            raise CompanionError(f"cannot serve metrics on port {port} ({error.strerror or error})") from error
        log.info("metrics at http://%s:%d/metrics", METRICS_HOST, port)
        try:
            yield
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
