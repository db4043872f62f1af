"""`Workers`: how many requests are in flight at once, fixed or adapted to the handler, and the run's live tallies.

`--workers N` allows N requests in flight; `auto` starts with 4 and adapts every few replies: more (doubling, up
to 16) while replies are slow and come back whole (the handler waits on something, so concurrency hides its
latency), fewer (halving, down to 3) when timeouts, dropped connections or 429/503 replies pile up (the handler
is overloaded, and more load would only make the findings about load). A 500 is a finding, not a sign of load.
Fewer too (halving, down to 1) when this process is busy nearly all the time: it, not the handler, sets the pace
(an in-process app, a handler faster than our own work), and replies only look slow because requests queue for
the GIL; more in flight would add that queueing and no throughput. Busy alone cannot tell that case from a slow
handler whose latency the places in flight hide (40 ms replies, 16 in flight, this process at full speed): there
halving would leave it waiting. So a busy run halves only if half as many in flight were not measured slower
(replies a second) earlier in the run; if they were and replies are slow, it tries twice as many, once.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .._errors import InvalidArgument
from .._send._response import ActionResponse

__all__ = ["AUTO_MAX", "AUTO_START", "RunStatus", "Workers", "worker_count"]

AUTO_START, AUTO_MAX = 4, 16
#: Under auto, never fewer in flight than the timeouts that end an action (`_gate.TIMEOUTS_IN_A_ROW`): a handler
#: that never answers is then given up after one wave of timeouts, not one timeout after another.
AUTO_MIN = 3
#: A median reply slower than this means the handler, not this process, sets the pace: worth more in flight.
_SLOW = 0.005
#: More than this share of overload signs in a window halves the requests in flight.
_OVERLOAD = 0.2
#: CPU time of this process over wall time above which the process is the bottleneck (the GIL lets Python run
#: about one CPU's worth).
_BUSY = 0.85
#: A busy run keeps its places in flight when half as many gave less than this share of its replies a second.
_KEEP = 0.95
_OVERLOAD_STATUSES = frozenset({429, 502, 503, 504})


def worker_count(value: object) -> int | Literal["auto"]:
    """`value` as a worker count: a whole number from 1, or "auto"; InvalidArgument otherwise."""
    if value == "auto":
        return "auto"
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument(f"expected workers as a whole number from 1 or 'auto', found {value!r}")
    return value


@dataclass(slots=True)
class RunStatus:
    """How a run is going, for progress lines: groups done of all, cases sent, failures so far, slowest reply."""

    groups_done: int = 0
    groups: int = 0
    cases: int = 0
    failures: int = 0
    slowest: float = 0.0
    in_flight_limit: int = 1
    #: Set once the handler looks slow (a timeout, or a reply slower than a second): the run's worst-case bound.
    slow_note: str | None = None


class Workers:
    """The limit on requests in flight (fixed, or adapted under `auto`), the stop flag, and live tallies."""

    def __init__(self, workers: int | str, stop: threading.Event | None = None, *, in_process: bool = False) -> None:
        count = worker_count(workers)
        self.auto = count == "auto"
        self.threads = AUTO_MAX if count == "auto" else count
        # An app called in this process shares its CPU and GIL: auto starts it at 1 in flight and gives it more
        # only if its replies are slow while this process idles (the app waits on I/O).
        self.limit = (1 if in_process else AUTO_START) if count == "auto" else count
        #: Set to stop sending (Ctrl-C): requests in flight finish, no new one starts.
        self.stop = stop if stop is not None else threading.Event()
        self.status = RunStatus(in_flight_limit=self.limit)
        self._condition = threading.Condition()
        self._in_flight = 0
        self._started: dict[int, float] = {}
        self._window: list[tuple[float, bool]] = []
        self._window_started = (time.perf_counter(), time.process_time())
        #: Replies a second last measured at each limit, to tell a busy run that needs its places in flight.
        self._rates: dict[int, float] = {}
        self._grown: concurrent.futures.Future[None] = concurrent.futures.Future()

    def growth(self) -> concurrent.futures.Future[None]:
        """A future done once the limit grows: whoever starts units waits on it to start more at once."""
        with self._condition:
            if self._grown.done():
                self._grown = concurrent.futures.Future()
            return self._grown

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the places in flight for the block."""
        with self._condition:
            while self._in_flight >= self.limit:
                self._condition.wait()
            self._in_flight += 1
            self._started[threading.get_ident()] = time.perf_counter()
        try:
            yield
        finally:
            with self._condition:
                self._in_flight -= 1
                self._started.pop(threading.get_ident(), None)
                self._condition.notify()

    def longest_wait(self) -> float:
        """Seconds the oldest request in flight has waited so far (0 when none is in flight)."""
        with self._condition:
            oldest = min(self._started.values(), default=None)
        return 0.0 if oldest is None else time.perf_counter() - oldest

    def record(self, response: ActionResponse) -> None:
        """Count a reply, and under `auto` adapt the limit to how the handler copes."""
        with self._condition:
            status = self.status
            status.cases += 1
            status.slowest = max(status.slowest, response.elapsed)
            if not self.auto:
                return
            overload = response.failure is not None or response.status in _OVERLOAD_STATUSES
            self._window.append((response.elapsed, overload))
            if len(self._window) < max(8, 2 * self.limit):
                return
            signs = sum(1 for _, bad in self._window if bad) / len(self._window)
            median = sorted(elapsed for elapsed, _ in self._window)[len(self._window) // 2]
            replies = len(self._window)
            self._window.clear()
            started, self._window_started = self._window_started, (time.perf_counter(), time.process_time())
            wall, cpu = self._window_started[0] - started[0], self._window_started[1] - started[1]
            rate = self._rates[self.limit] = replies / wall if wall > 0 else 0.0
            if signs > _OVERLOAD:
                self.limit = max(AUTO_MIN, self.limit // 2)
            elif wall > 0 and cpu / wall > _BUSY:
                fewer = self._rates.get(self.limit // 2)
                if fewer is None or fewer >= _KEEP * rate:
                    self.limit = max(1, self.limit // 2)
                elif median >= _SLOW and self.limit * 2 not in self._rates:
                    # These places are needed and the handler is slow: try twice as many once, to measure them.
                    self.limit = min(AUTO_MAX, self.limit * 2)
            elif median >= _SLOW:
                self.limit = min(AUTO_MAX, self.limit * 2)
            if self.limit > status.in_flight_limit and not self._grown.done():
                self._grown.set_result(None)
            status.in_flight_limit = self.limit
            self._condition.notify_all()
