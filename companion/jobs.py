"""Long work is a generator of progress and partial results with cooperative cancellation.

Every long-running engine method is a generator that yields :class:`Progress` (and partial results)
and *returns* its final result, like faster-whisper's lazy ``transcribe()``. The CLI drives it with a
progress bar, the GUI in a worker thread, the tests with :func:`run_job`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
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


class ComputeLane:
    """One lane for model work on a few cores: heavy jobs take turns step by step, live transcription first.

    On 2 cores, speech-to-text and a language model running at once slow each other down many times over
    (DESIGN.md rule 4). Background jobs run one step at a time through :meth:`run`; a live step asks with
    ``use(live=True)`` and is served as soon as the current step ends, before any waiting background step.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._busy = False
        self._live_waiting = 0

    @contextmanager
    def use(self, live: bool = False) -> Iterator[None]:
        """Hold the lane for one step of work."""
        with self._condition:
            self._live_waiting += live
            try:
                self._condition.wait_for(lambda: not self._busy and (live or self._live_waiting == 0))
            finally:
                self._live_waiting -= live
            self._busy = True
        try:
            yield
        finally:
            with self._condition:
                self._busy = False
                self._condition.notify_all()

    def run(self, job: Job[T]) -> Job[T]:
        """``job`` driven one step at a time on the lane at background priority; its events pass through."""
        while True:
            with self.use():
                try:
                    event = next(job)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
            yield event
