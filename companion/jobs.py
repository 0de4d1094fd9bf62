"""Long work is a generator of progress and partial results with cooperative cancellation.

Every long-running engine method is a generator that yields :class:`Progress` (and partial results)
and *returns* its final result, like faster-whisper's lazy ``transcribe()``. The CLI drives it with a
progress bar, the GUI in a worker thread, the tests with :func:`run_job`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from companion.errors import Cancelled

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """How far a job has come: ``done`` of ``total`` units (seconds of audio, items ...)."""

    stage: str
    done: float
    total: float

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else min(1.0, self.done / self.total)


class CancelToken:
    """Set once by whoever wants the job to stop; checked by the job between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


Job = Generator[Any, None, T]
"""A long-running job: yields Progress and partial results, returns its result."""


def run_job(job: Job[T], on_event: Callable[[Any], None] | None = None) -> T:
    """Drive ``job`` to the end, passing every yielded event to ``on_event``; return its result."""
    while True:
        try:
            event = next(job)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if on_event is not None:
            on_event(event)
