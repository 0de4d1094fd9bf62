"""The worker adapter: events, results, errors and cancellation reach the GUI thread as signals."""

from __future__ import annotations

import threading
from typing import Any

from pytestqt.qtbot import QtBot

from companion.errors import Cancelled, CompanionError
from companion.jobs import CancelToken, Job, Progress
from companion.ui.workers import TaskRunner, Worker


def counting(token: CancelToken, steps: int = 3) -> Job[str]:
    for step in range(steps):
        yield Progress("counting", step + 1, steps)
        yield f"partial {step}"
    return "done"


def test_progress_partials_and_result_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner(lambda name, error: None)
    seen: list[tuple[str, Any, str]] = []

    def record(kind: str) -> Any:
        return lambda value: seen.append((kind, value, threading.current_thread().name))

    runner.start(counting, "count", on_progress=record("progress"), on_yield=record("yield"),
                 on_result=record("result"))
    # The runner's own slot on ``finished`` was connected before the worker started; one connected now
    # could miss a worker that finished first (as on a loaded machine).
    qtbot.waitUntil(lambda: runner.active == [], timeout=5000)
    assert [kind for kind, _, _ in seen] == ["progress", "yield"] * 3 + ["result"]
    assert seen[-1][1] == "done"
    assert seen[0][1] == Progress("counting", 1, 3)
    assert {thread for _, _, thread in seen} == {threading.main_thread().name}


def test_an_error_goes_to_the_handler_with_its_message(qtbot: QtBot) -> None:
    errors: list[tuple[str, Exception]] = []
    runner = TaskRunner(lambda name, error: errors.append((name, error)))

    def failing() -> str:
        raise CompanionError("meeting.wav: no speech found")

    runner.call(failing, "importing meeting.wav", lambda result: None)
    # Wait on the handler, not on ``finished``: a fast worker may finish before a late connection is made.
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert errors[0][0] == "importing meeting.wav"
    assert str(errors[0][1]) == "meeting.wav: no speech found"


def test_cancelling_closes_the_job_and_reports_no_error(qtbot: QtBot) -> None:
    errors: list[Exception] = []
    runner = TaskRunner(lambda name, error: errors.append(error))
    started, cleaned_up = threading.Event(), threading.Event()

    def endless(token: CancelToken) -> Job[None]:
        try:
            while True:
                started.set()
                yield Progress("waiting", 0, 1)
                threading.Event().wait(0.01)
        finally:
            cleaned_up.set()

    outcome: list[Exception] = []
    worker: Worker = runner.start(endless, "endless", on_error=outcome.append)
    assert started.wait(5)
    with qtbot.waitSignal(worker.signals.errored, timeout=5000) as blocker:
        worker.cancel()
    assert isinstance(blocker.args[0], Cancelled)
    assert cleaned_up.is_set()  # the generator's finally ran: a recording would be finished on disk
    assert errors == [] and outcome == []
    assert runner.wait(5000)


def test_the_compute_lane_runs_one_job_at_a_time_and_a_queued_job_can_be_cancelled(qtbot: QtBot) -> None:
    runner = TaskRunner(lambda name, error: None)
    release = threading.Event()
    events: list[str] = []

    def job(name: str) -> Any:
        def factory(token: CancelToken) -> Job[str]:
            events.append(f"{name} started")
            yield Progress(name, 0, 1)
            release.wait(5)
            events.append(f"{name} ended")
            return name
        return factory

    first = runner.start(job("first"), "first", compute=True)
    second = runner.start(job("second"), "second", compute=True)
    third = runner.start(job("third"), "third", compute=True)
    qtbot.waitUntil(lambda: events == ["first started"], timeout=5000)
    third.cancel()  # still queued
    with qtbot.waitSignal(third.signals.finished, timeout=10_000):
        release.set()
    assert events == ["first started", "first ended", "second started", "second ended"]
    assert first.done and second.done
    assert runner.wait(5000)


def test_a_shut_down_runner_ends_its_jobs_and_starts_no_new_one(qtbot: QtBot) -> None:
    """Quitting: a result that asks for more work must not send a thread into the store being closed."""
    runner = TaskRunner(lambda name, error: None)
    started = threading.Event()

    def endless(token: CancelToken) -> Job[None]:
        started.set()
        while True:
            yield Progress("waiting", 0, 1)

    runner.start(endless, "endless")
    assert started.wait(5)
    assert runner.shut_down(5000)
    ran = threading.Event()
    late = runner.call(ran.set, "a late refresh", lambda result: None)
    assert runner.wait(5000)
    assert late.done and not ran.is_set()
