"""The compute lane: background jobs take turns step by step and a live step always goes next."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from companion.jobs import ComputeLane, Job, run_job

WAIT_S = 10.0  # generous: only reached when the lane is broken


def gated_job(name: str, steps: int, gate: threading.Event, log: list[str]) -> Job[str]:
    """A job whose steps each wait for ``gate``: the test decides when a step ends."""
    for step in range(steps):
        log.append(f"{name}{step}")
        assert gate.wait(WAIT_S)
        yield step
    return name


def in_thread(target: object) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread


def wait_until(condition: object) -> None:
    event = threading.Event()
    for _ in range(1000):
        if condition():  # type: ignore[operator]
            return
        event.wait(0.01)
    raise AssertionError("condition never became true")


def test_a_live_step_goes_before_waiting_background_steps() -> None:
    lane, log = ComputeLane(), list[str]()
    gate = threading.Event()
    results: list[str] = []
    first = in_thread(lambda: results.append(run_job(lane.run(gated_job("a", 2, gate, log)))))
    wait_until(lambda: log == ["a0"])  # job a holds the lane in its first step
    second = in_thread(lambda: results.append(run_job(lane.run(gated_job("b", 1, gate, log)))))

    def live() -> None:
        with lane.use(live=True):
            log.append("live")

    live_thread = in_thread(live)
    wait_until(lambda: lane._live_waiting == 1)
    gate.set()  # from now on every step ends at once
    for thread in (first, second, live_thread):
        thread.join(WAIT_S)
    assert log.index("live") == 1  # straight after the step that was running
    assert sorted(results) == ["a", "b"] and sorted(log) == ["a0", "a1", "b0", "live"]


def test_run_passes_events_and_the_result_through() -> None:
    def job() -> Iterator[int]:
        yield 1
        yield 2
        return "done"  # type: ignore[return-value]

    events: list[int] = []
    assert run_job(ComputeLane().run(job()), events.append) == "done"  # type: ignore[arg-type]
    assert events == [1, 2]


def test_an_error_in_a_step_frees_the_lane() -> None:
    lane = ComputeLane()

    def failing() -> Job[None]:
        yield 1
        raise ValueError("broken input")

    with pytest.raises(ValueError, match="broken input"):
        run_job(lane.run(failing()))
    with lane.use(live=True):
        pass  # would wait forever if the failed step kept the lane
