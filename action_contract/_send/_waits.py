"""Waits a target can hand back to its caller instead of sleeping, so its `send` can run on an event loop.

`serve --mock` answers GraphQL requests on uvicorn's event loop when its target only computes (the mock, asked
in-process): a hop to a worker thread and back costs more than the whole answer. The mock's latency and its
`timeout` scenario are waits, not work; inside `deferred_waits` they are collected and the server awaits them
before it replies, so the client still sees them. Anywhere else `wait` sleeps, as before.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["ComputedTarget", "deferred_waits", "wait"]

_DEFERRED: ContextVar[list[float] | None] = ContextVar("action_contract_deferred_waits", default=None)


class ComputedTarget:
    """A mark for a `Target` whose `send` does no I/O and waits only through `wait`."""


@contextmanager
def deferred_waits() -> Iterator[list[float]]:
    """Collect the seconds `wait` is asked for in this context (in order) instead of sleeping them."""
    waits: list[float] = []
    token = _DEFERRED.set(waits)
    try:
        yield waits
    finally:
        _DEFERRED.reset(token)


def wait(seconds: float) -> None:
    """Sleep `seconds`, or hand the wait to the caller inside `deferred_waits`."""
    waits = _DEFERRED.get()
    if waits is None:
        time.sleep(seconds)
    else:
        waits.append(seconds)
