"""`MockTarget`: the mock handler's answers as a `Target`, computed in the calling thread.

`app_target(MockHandler(...))` reaches the mock through httpx's ASGI transport on an event loop,
about 330 µs a call. The executor behind `serve --mock` needs no HTTP between itself and the mock,
so this target asks the mock's `MockResponder` directly (the same routing, checks, scenarios and
replies). It does no I/O: the mock's latency is a `wait`, slept on the calling thread or, on `serve`'s
event loop, handed back to be awaited (`deferred_waits`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from urllib.parse import urlsplit

from .._generate._action_request import ActionRequest
from .._send._failures import timed_out
from .._send._response import ActionResponse
from .._send._targets import Target, failed
from .._send._waits import ComputedTarget, wait
from ._handler import MockHandler

__all__ = ["MockTarget"]


class MockTarget(Target, ComputedTarget):
    """Answers each request as `handler` would over HTTP, without HTTP (its journal is not written)."""

    def __init__(self, handler: MockHandler) -> None:
        self.handler = handler

    def send(self, request: ActionRequest) -> ActionResponse:
        """The mock's reply to `request`, or a timeout when its delay passes the request's deadline."""
        start = time.perf_counter()
        parts = urlsplit(request.url)
        headers = {name.lower(): value for name, value in request.headers}
        reply = self.handler.responder.answer(
            parts.path or "/", headers, request.body, query=parts.query, method=request.method
        )
        if reply.times_out or reply.delay >= request.timeout:
            waited = min(reply.delay, request.timeout)
            wait(waited)
            response = failed(start, timed_out(request.timeout))
            return replace(response, elapsed=max(response.elapsed, waited))
        if reply.delay > 0:
            wait(reply.delay)
        return ActionResponse(
            status=reply.status,
            headers=(("content-type", reply.content_type), ("content-length", str(len(reply.body)))),
            body=reply.body,
            # The delay counts whether it was slept here or is awaited by the caller.
            elapsed=max(time.perf_counter() - start, reply.delay),
        )

    def close(self) -> None:
        """Nothing to release."""
