"""The one adapter between the engine's generator jobs and Qt: a QRunnable on a QThreadPool.

After superqt's ``GeneratorWorker``: the job runs on a pool thread; every value it yields comes back
to the GUI thread as a signal (``progress`` for :class:`~companion.jobs.Progress`, ``yielded`` for
anything else), then ``returned`` or ``errored``, then ``finished``. Cancellation is cooperative:
:meth:`Worker.cancel` sets the job's :class:`~companion.jobs.CancelToken`, which the engine checks
inside its work, and the worker closes the generator at the next yield (running its ``finally``
blocks, so a recording is finished on disk). No widget is touched from a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from companion.errors import Cancelled, CompanionError
from companion.jobs import CancelToken, Job, Progress

log = logging.getLogger(__name__)
T = TypeVar("T")

JobFactory = Callable[[CancelToken], Job[Any]]
"""Builds the job on the worker thread, given the token that cancels it."""


def call_job(function: Callable[[], T]) -> Job[T]:
    """A plain call (a database read, a question) as a job without progress."""
    return function()
    yield  # unreachable: makes this function a generator


class WorkerSignals(QObject):
    """The signals of one :class:`Worker` (a QRunnable is not a QObject)."""

    yielded = Signal(object)
    progress = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()


class Worker(QRunnable):
    """Run one engine job on a pool thread and report it through :attr:`signals`."""

    def __init__(self, factory: JobFactory, name: str) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the TaskRunner keeps it until ``finished``
        self.name = name
        self.signals = WorkerSignals()
        self.token = CancelToken()
        self._factory = factory
        self.done = False

    def cancel(self) -> None:
        """Ask the job to stop; it ends with ``errored(Cancelled())``."""
        log.info("cancelling %s", self.name)
        self.token.cancel()

    def run(self) -> None:
        """Drive the job to its end (called by the pool, on its thread)."""
        try:
            result = self._drive(self._factory(self.token))
        except Exception as error:  # every failure goes to the GUI thread as a signal
            if not isinstance(error, CompanionError):
                log.exception("%s failed", self.name)
            self.signals.errored.emit(error)
        else:
            self.signals.returned.emit(result)
        finally:
            self.done = True
            self.signals.finished.emit()

    def _drive(self, job: Job[Any]) -> Any:
        while True:
            if self.token.cancelled:
                job.close()  # GeneratorExit inside the job: its finally blocks run
                raise Cancelled()
            try:
                event = next(job)
            except StopIteration as stop:
                return stop.value
            if isinstance(event, Progress):
                self.signals.progress.emit(event)
            else:
                self.signals.yielded.emit(event)


ErrorHandler = Callable[[str, Exception], None]


class TaskRunner(QObject):
    """Starts workers on thread pools, keeps them alive while they run, reports their errors.

    Two pools: a small one for reads, questions and the recording, and one *compute lane* of a single
    thread for whole-meeting processing, so that dropped files are processed one after another instead
    of racing each other (and the live transcript) for two CPU cores.
    """

    def __init__(self, on_error: ErrorHandler, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.compute = QThreadPool(self)
        self.compute.setMaxThreadCount(1)
        self._on_error = on_error
        self._active: set[Worker] = set()
        self._shut = False

    def start(
        self,
        factory: JobFactory,
        name: str,
        *,
        on_result: Callable[[Any], None] | None = None,
        on_yield: Callable[[Any], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        compute: bool = False,
    ) -> Worker:
        """Run ``factory(token)`` on the pool (``compute``: in the compute lane); callbacks run on the GUI thread.

        Errors go to the runner's error handler (a dialog, and the log), then to ``on_error`` when given;
        a cancelled job reports nothing. Once the runner is shut down, the job is not started at all.
        """
        worker = Worker(factory, name)
        if self._shut:
            log.info("not starting %s: the app is quitting", name)
            worker.done = True
            return worker
        if on_result is not None:
            worker.signals.returned.connect(on_result)
        if on_yield is not None:
            worker.signals.yielded.connect(on_yield)
        if on_progress is not None:
            worker.signals.progress.connect(on_progress)
        worker.signals.errored.connect(lambda error: self._errored(worker, error, on_error))
        worker.signals.finished.connect(lambda: self._active.discard(worker))
        self._active.add(worker)
        (self.compute if compute else self.pool).start(worker)
        return worker

    def call(self, function: Callable[[], T], name: str, on_result: Callable[[T], None]) -> Worker:
        """Run a plain call off the GUI thread and hand its result to ``on_result``."""
        return self.start(lambda _token: call_job(function), name, on_result=on_result)

    @property
    def active(self) -> list[Worker]:
        return list(self._active)

    def cancel_all(self) -> None:
        """Cancel every running job (used when quitting)."""
        for worker in self.active:
            worker.cancel()

    def shut_down(self, timeout_ms: int) -> bool:
        """Cancel every job, start no new one, wait for those running to end; True when they all did.

        A result delivered while quitting can ask for more work (a team list that refreshes the library);
        refusing it keeps every thread out of the store that the app closes next.
        """
        self._shut = True
        self.cancel_all()
        return self.wait(timeout_ms)

    def wait(self, timeout_ms: int = -1) -> bool:
        """Wait for every job to end; True when they all did."""
        return bool(self.compute.waitForDone(timeout_ms)) and bool(self.pool.waitForDone(timeout_ms))

    def _errored(self, worker: Worker, error: Exception, handler: Callable[[Exception], None] | None) -> None:
        if isinstance(error, Cancelled):
            log.info("%s cancelled", worker.name)
            return
        self._on_error(worker.name, error)
        if handler is not None:
            handler(error)
