"""`ActionGate` and `GatedTarget`: stop sending to an action whose handler is gone or hangs, or when the run stops.

Every request of a run goes through a `GatedTarget`, one per unit of work (a chunk of fixed requests or a shard
of exploration), which holds a place in flight (`Workers.slot`) for the call and watches what comes back:
- nothing listens (refused, no such host) before any reply of the action: the handler never answered;
- `TIMEOUTS_IN_A_ROW` timeouts of the action in a row (as they come back, over all its units, with no reply in
  between): the handler hangs, and every further request would cost a whole timeout (a shrinker chasing a
  timeout would wait one per step). Counted over the action rather than per unit, so a handler that never
  answers is given up after the first wave of requests in flight, one timeout later.
Either closes the action's gate: its next requests raise `Aborted` instead of being sent, and the run reports the
failure already found once, with the rest of the action skipped for that reason. `Workers.stop` (Ctrl-C) ends
every unit the same way. `Aborted` is a BaseException so that it passes through Hypothesis, which would take an
Exception for a failure of the test and start shrinking it.
"""

from __future__ import annotations

import threading

from .._generate._action_request import ActionRequest
from .._send._response import ActionResponse
from .._send._targets import Target
from ._workers import Workers

__all__ = ["TIMEOUTS_IN_A_ROW", "Aborted", "ActionGate", "GatedTarget"]

TIMEOUTS_IN_A_ROW = 3
_UNREACHABLE = frozenset({"refused", "dns", "invalid_url"})
_TIMEOUTS = frozenset({"timeout", "connect_timeout"})


class Aborted(BaseException):
    """Ends a unit of work at once: the run was interrupted, or the action's gate closed."""


class ActionGate:
    """Whether an action's requests may still be sent, and why not."""

    def __init__(self) -> None:
        self.reason: str | None = None
        #: The kind of transport failure that closed the gate: "timeout" or "unreachable".
        self.kind: str | None = None
        self.answered = False
        self._timeouts = 0
        self._in_flight = 0
        self._lock = threading.Condition()

    def enter(self) -> None:
        """Before a request is sent. After a timeout, wait until the action's requests in flight have come back:
        if they time out too the gate closes, and no new request waits a whole timeout for nothing."""
        with self._lock:
            while self._timeouts and self._in_flight and self.reason is None:
                self._lock.wait()
            if self.reason is not None:
                raise Aborted(self.reason)
            self._in_flight += 1

    def leave(self, timed_out: str | None) -> None:
        """After a request: a reply (None) or the detail of its timeout; the gate closes at `TIMEOUTS_IN_A_ROW`."""
        with self._lock:
            self._in_flight -= 1
            if timed_out is None:
                self._timeouts = 0
            else:
                self._timeouts += 1
                if self._timeouts >= TIMEOUTS_IN_A_ROW and self.reason is None:
                    count = self._timeouts
                    self.reason = f"not sent: the handler timed out {count} times in a row ({timed_out})"
                    self.kind = "timeout"
            self._lock.notify_all()

    def close(self, reason: str, kind: str) -> None:
        """Stop the action's requests (the first reason wins)."""
        with self._lock:
            if self.reason is None:
                self.reason, self.kind = reason, kind
            self._lock.notify_all()


class GatedTarget(Target):
    """`target` behind the action's gate and the run's limit on requests in flight; one per unit of work."""

    def __init__(self, target: Target, workers: Workers, gate: ActionGate) -> None:
        self.target, self.workers, self.gate = target, workers, gate

    @property
    def inner(self) -> Target:
        """The target requests go to (what a dead handler is watched on)."""
        return self.target

    def send(self, request: ActionRequest) -> ActionResponse:
        """Send `request` unless the run or the action is stopped (then raise `Aborted`)."""
        if self.workers.stop.is_set():
            raise Aborted("interrupted")
        self.gate.enter()
        failure = None
        try:
            with self.workers.slot():
                response = self.target.send(request)
            failure = response.failure
        finally:
            timed_out = failure.detail if failure is not None and failure.kind in _TIMEOUTS else None
            self.gate.leave(timed_out)
        self.workers.record(response)
        if failure is None:
            self.gate.answered = True
        elif failure.kind in _UNREACHABLE and not self.gate.answered:
            self.gate.close(f"not sent: the handler never answered ({failure.detail})", "unreachable")
        return response

    def close(self) -> None:
        """Nothing to release: the wrapped target belongs to the caller."""
