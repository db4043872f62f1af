"""How `--workers auto` adapts the places in flight, driven by a clock of our own (no timing on a shared machine)."""

from __future__ import annotations

import pytest

from action_contract._run import _workers
from action_contract._run._workers import AUTO_MAX, AUTO_MIN, AUTO_START, Workers
from action_contract._send._response import ActionResponse, TransportFailure


class _Clock:
    """`perf_counter` and `process_time` that move only when a test says so."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def perf_counter(self) -> float:
        return self.wall

    def process_time(self) -> float:
        return self.cpu


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    clock = _Clock()
    monkeypatch.setattr(_workers, "time", clock)
    return clock


def _window(workers: Workers, clock: _Clock, *, latency: float, cpu_per_reply: float, ok: bool = True) -> None:
    """One window of replies with `workers.limit` in flight: the wall time Little's law gives, the CPU they cost.

    Each request takes the handler's latency plus our own work on it; the process does one request's work at a time.
    """
    replies = max(8, 2 * workers.limit)
    wall = max(replies * (latency + cpu_per_reply) / workers.limit, replies * cpu_per_reply)
    clock.wall += wall
    clock.cpu += replies * cpu_per_reply
    failure = None if ok else TransportFailure(kind="timeout", detail="late", hasura_text="Response timeout")
    for _ in range(replies):
        workers.record(ActionResponse(status=None if failure else 200, failure=failure, elapsed=latency))


def test_a_slow_handler_that_leaves_this_process_idle_gets_more_in_flight(clock: _Clock) -> None:
    workers = Workers("auto")
    assert workers.limit == AUTO_START
    limits = []
    for _ in range(4):
        _window(workers, clock, latency=0.04, cpu_per_reply=0.0005)
        limits.append(workers.limit)
    assert limits == [8, 16, AUTO_MAX, AUTO_MAX]


def test_a_fast_handler_with_this_process_busy_goes_down_to_one(clock: _Clock) -> None:
    workers = Workers("auto")
    limits = []
    for _ in range(4):
        _window(workers, clock, latency=0.001, cpu_per_reply=0.004)
        limits.append(workers.limit)
    assert limits == [2, 1, 1, 1]


def test_a_busy_run_keeps_the_places_that_hide_a_slow_handler(clock: _Clock) -> None:
    # 40 ms replies and 5 ms of our own work each: 8 in flight keep this process 89 % busy at 178 replies/s, 16 at
    # full speed give 200/s. Halving to 8 would lose a tenth of the speed, so the run stays at 16.
    workers = Workers("auto")
    limits = []
    for _ in range(6):
        _window(workers, clock, latency=0.04, cpu_per_reply=0.005)
        limits.append(workers.limit)
    assert limits == [8, 16, 16, 16, 16, 16]


def test_a_busy_run_halves_when_fewer_in_flight_were_as_fast(clock: _Clock) -> None:
    workers = Workers("auto")
    _window(workers, clock, latency=0.04, cpu_per_reply=0.0005)  # 4 -> 8, slow and idle
    _window(workers, clock, latency=0.04, cpu_per_reply=0.0005)  # 8 -> 16
    assert workers.limit == 16
    # The handler speeds up: 16 in flight only queue for this process, and 8 were measured at 200 replies/s.
    _window(workers, clock, latency=0.001, cpu_per_reply=0.005)
    assert workers.limit == 8


def test_timeouts_halve_the_places_in_flight_but_not_below_the_minimum(clock: _Clock) -> None:
    workers = Workers(16)
    assert workers.limit == 16 and not workers.auto
    workers = Workers("auto")
    _window(workers, clock, latency=0.04, cpu_per_reply=0.0005)
    _window(workers, clock, latency=0.04, cpu_per_reply=0.0005)
    assert workers.limit == 16
    limits = []
    for _ in range(4):
        _window(workers, clock, latency=0.3, cpu_per_reply=0.0005, ok=False)
        limits.append(workers.limit)
    assert limits == [8, 4, AUTO_MIN, AUTO_MIN]


def test_a_fixed_count_never_moves(clock: _Clock) -> None:
    workers = Workers(5)
    for _ in range(3):
        _window(workers, clock, latency=0.001, cpu_per_reply=0.004)
    _window(workers, clock, latency=0.3, cpu_per_reply=0.0005, ok=False)
    assert workers.limit == 5
    assert workers.status.cases == 4 * 10


def test_growth_is_signalled_at_once_so_more_units_start_before_the_next_tick(clock: _Clock) -> None:
    workers = Workers("auto")
    growth = workers.growth()
    assert not growth.done() and workers.growth() is growth  # the same future until the limit grows
    _window(workers, clock, latency=0.04, cpu_per_reply=0.0005)  # 4 -> 8
    assert growth.done()
    renewed = workers.growth()
    assert renewed is not growth and not renewed.done()
    for _ in range(2):
        _window(workers, clock, latency=0.3, cpu_per_reply=0.0005, ok=False)  # timeouts: fewer, never a growth
    assert workers.limit < 8 and not renewed.done()
