"""`MockTarget`: the mock handler's answers as a `Target`, computed in the calling thread.

`app_target(MockHandler(...))` reaches the mock through httpx's ASGI transport on an event loop,
about 330 µs a call. The executor behind `serve --mock` needs no HTTP between itself and the mock,
so this target asks the mock's `MockResponder` directly (the same routing, checks, scenarios and
replies), sleeping the mock's latency on the calling worker thread.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from .._generate._action_request import ActionRequest
from .._send._response import ActionResponse
from .._send._targets import Target, failed, timed_out
from ._handler import MockHandler

__all__ = ["MockTarget"]


class MockTarget(Target):
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
            time.sleep(min(reply.delay, request.timeout))
            return failed(start, timed_out(request.timeout))
        if reply.delay > 0:
            time.sleep(reply.delay)
        return ActionResponse(
            status=reply.status,
            headers=(("content-type", reply.content_type), ("content-length", str(len(reply.body)))),
            body=reply.body,
            elapsed=time.perf_counter() - start,
        )

    def close(self) -> None:
        """Nothing to release."""
