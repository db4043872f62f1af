"""In-process targets: the handler called in this process, without a network in between.

- `AppTarget`: an ASGI or WSGI app in-process through httpx's transports, with the ASGI lifespan.
- `CallableTarget`: a plain function `(payload, headers) -> (status, body[, headers])`, sync or async.

`app_target` picks the one that fits an app. They host the handler with the parts of `_app_host`
(one event loop for the run, a worker thread that a deadline can abandon, the ASGI lifespan) and keep
the `Target` contract of `_targets`, whose helpers build their replies and failures.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import httpx

from .._errors import InvalidArgument
from .._generate._action_request import ActionRequest
from ._app_host import ASGIApp, EventLoop, Lifespan, Message, Worker, bounded
from ._app_loader import APP_KINDS, app_kind, describe_exception, load_app
from ._failures import crashed, http_failure, timed_out, too_large
from ._handler_calls import BadReply, handler_headers, handler_payload, handler_reply
from ._response import ActionResponse, Headers
from ._targets import (
    DEFAULT_APP_BASE_URL,
    DEFAULT_MAX_BODY,
    PastDeadline,
    Target,
    TooLarge,
    absolute,
    decode_headers,
    failed,
    like_hasura,
    positive,
    read_capped,
    replied,
    resolve,
    server_error,
    wire,
)
from ._waits import ComputedTarget

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["AppTarget", "CallableTarget", "app_target", "in_process"]

_Receive = Callable[[], Awaitable[Message]]
_Send = Callable[[Message], Awaitable[None]]


class AppTarget(Target):
    """An ASGI or WSGI app called in-process through httpx's transports, under each action's deadline.

    ASGI apps run on one event loop for the whole run, with their lifespan (startup on `with` or the first
    call, shutdown on `close`). A deadline cancels an ASGI call; an `async def` that blocks the loop cannot
    be interrupted, so its late reply counts as a timeout afterwards. WSGI apps run on a worker thread
    that is abandoned at the deadline.
    """

    def __init__(
        self,
        app: object,
        *,
        kind: Literal["asgi", "wsgi"] | None = None,
        base_url: str | None = DEFAULT_APP_BASE_URL,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        found = kind or app_kind(app)
        if found == "callable":
            raise InvalidArgument(
                f"expected an ASGI or WSGI app, found the handler function {app!r} (payload, headers); "
                "use CallableTarget(func), or app_target(), which picks the target for you"
            )
        self.kind: Literal["asgi", "wsgi"] = found
        self.base_url = absolute(base_url)
        self.max_body = positive(max_body)
        self._app: _Asgi | _Wsgi = _Asgi(app, self.max_body) if found == "asgi" else _Wsgi(app, self.max_body)

    def __enter__(self) -> AppTarget:
        self._app.open()
        return self

    def send(self, request: ActionRequest) -> ActionResponse:
        """Call the app with the request; its reply, or why there was none (`crashed`, `timeout`, `too_large`)."""
        url = request.url
        try:
            url = resolve(url, self.base_url)
            parsed = httpx.URL(url)
            if parsed.scheme not in ("http", "https") or not parsed.host:
                raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol or no host: {url!r}")
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            return failed(time.perf_counter(), http_failure(error, url, request.timeout))
        return self._app.send(request, url)

    def close(self) -> None:
        """Run the ASGI lifespan shutdown and close the event loop, or release the WSGI worker thread."""
        self._app.close()


class CallableTarget(Target):
    """A plain function `(payload, headers) -> (status, body)` or `(status, body, headers)`, sync or `async def`.

    `payload` is the body as the handler's JSON parser would give it (a fresh dict per call), or the raw
    text when the body is not JSON (adversarial requests); `headers` is a dict with lower-case names.
    A `bytes` or `str` body is sent as is, anything else as compact JSON with `Content-Type: application/json`.
    """

    def __init__(self, func: Callable[..., Any]) -> None:
        if not callable(func):
            raise InvalidArgument(f"expected a function (payload, headers) -> (status, body), found {func!r}")
        self.func = func
        self._async = inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(type(func).__call__)
        self._loop = EventLoop()
        self._worker = Worker("action-contract-handler")

    def send(self, request: ActionRequest) -> ActionResponse:
        """Call the function with the parsed body and headers; its reply, or why there was none."""
        payload, headers = handler_payload(request.body), handler_headers(request.headers)
        start = time.perf_counter()
        try:
            if self._async:
                result = self._await(self.func(payload, headers), start, request.timeout)
            else:
                # A thread, so a function that hangs is abandoned at the deadline instead of hanging the run.
                future = self._worker.submit(functools.partial(self.func, payload, headers), request.timeout)
                if future is None:
                    return failed(start, timed_out(request.timeout, _ABANDONED))
                result = future.result()
                if inspect.isawaitable(result):
                    result = self._await(result, start, request.timeout)
        except PastDeadline:
            return failed(start, timed_out(request.timeout))
        except Exception as error:
            return server_error(start, error, f"the app raised {describe_exception(error)}")
        if time.perf_counter() - start > request.timeout:
            return failed(start, timed_out(request.timeout))
        try:
            status, body, reply_headers = handler_reply(result)
        except BadReply as error:
            return failed(start, crashed(str(error)))
        return ActionResponse(status=status, headers=reply_headers, body=body, elapsed=time.perf_counter() - start)

    def _await(self, awaitable: Awaitable[Any], start: float, timeout: float) -> Any:
        task = self._loop.run(bounded(awaitable, start + timeout - time.perf_counter()))
        if task is None:
            raise PastDeadline(0)
        return task.result()

    def close(self) -> None:
        """Close the event loop and release the worker thread."""
        self._worker.close()
        self._loop.close()


def in_process(target: Target) -> bool:
    """Whether `target` answers in this process (an app, a function, a computed target such as the mock's)."""
    return isinstance(target, AppTarget | CallableTarget | ComputedTarget)


def app_target(
    app: object,
    *,
    kind: str | None = None,
    base_url: str | None = DEFAULT_APP_BASE_URL,
    max_body: int = DEFAULT_MAX_BODY,
) -> Target:
    """The target for an in-process app given as `module:attr` / `file.py:attr` (see `load_app`) or as the object.

    `kind` ('asgi', 'wsgi' or 'callable') overrides what the call signature suggests.
    """
    loaded = load_app(app) if isinstance(app, str) else app
    if kind is not None and kind not in APP_KINDS:
        raise InvalidArgument(f"expected kind 'asgi', 'wsgi' or 'callable', found {kind!r}")
    found = kind or app_kind(loaded)
    if found == "callable":
        return CallableTarget(cast("Callable[..., Any]", loaded))
    return AppTarget(loaded, kind="asgi" if found == "asgi" else "wsgi", base_url=base_url, max_body=max_body)


# -- in-process machinery ----------------------------------------------------------------------------

_ABANDONED = "; the call was abandoned and its thread keeps running in the background (Python cannot stop a thread)"


@dataclass(slots=True)
class _Call:
    """What one ASGI call has sent so far."""

    started: bool = False
    complete: bool = False
    size: int = 0
    too_large: bool = False
    #: What the app raised after its reply was complete (Starlette sends its 500, then re-raises).
    raised: str | None = None
    #: The reply's Content-Length, when the app declared one (how big a reply cut off at the cap really is).
    declared: int | None = None


class _Unanswered(RuntimeError):
    """The app returned without a complete reply (uvicorn answers 500 when nothing was sent)."""


_CALL: contextvars.ContextVar[_Call] = contextvars.ContextVar("action_contract_call")


class _Asgi:
    """An ASGI app behind httpx's `ASGITransport` on one event loop, with its lifespan and `max_body`."""

    def __init__(self, app: object, max_body: int) -> None:
        self._app = cast(ASGIApp, app)
        self._max_body = max_body
        self._loop = EventLoop()
        self._state: dict[str, Any] = {}
        self._lifespan = Lifespan(self._app, self._state)
        self._client: httpx.AsyncClient | None = None
        self._startup_failure: str | None = None

    def open(self) -> None:
        if self._client is None:
            self._loop.run(self._open())

    async def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            # raise_app_exceptions: an app that raises is `crashed`, never a 500 made up by the transport.
            transport = httpx.ASGITransport(app=self._guarded, raise_app_exceptions=True)
            self._client = like_hasura(httpx.AsyncClient(transport=transport, follow_redirects=False))
            self._startup_failure = await self._lifespan.startup()
        return self._client

    def send(self, request: ActionRequest, url: str) -> ActionResponse:
        return self._loop.run(self._send(request, url))

    async def _send(self, request: ActionRequest, url: str) -> ActionResponse:
        client = await self._open()
        start = time.perf_counter()
        if self._startup_failure is not None:
            return failed(start, crashed(f"the app's lifespan startup failed: {self._startup_failure}"))
        call = _Call()
        task = await bounded(self._exchange(client, call, request, url), request.timeout)
        if task is None:
            return failed(start, timed_out(request.timeout))
        if call.too_large:
            size = call.size if call.declared is None else call.declared
            return failed(start, too_large(self._max_body, size, known=call.declared is not None))
        if task.cancelled():
            return failed(start, crashed("the app cancelled its own task (asyncio.CancelledError)"))
        error = task.exception()
        if error is not None:
            # Before the reply started, a server answers 500 (uvicorn does); after, the connection just breaks.
            if not call.started:  # our own _Unanswered has no place in the app to point at
                where = str(error) if isinstance(error, _Unanswered) else f"the app raised {describe_exception(error)}"
                return server_error(start, error, where)
            return failed(start, crashed(describe_exception(error)))
        if time.perf_counter() - start > request.timeout:
            # The app blocked the event loop (sync I/O in an `async def`) past the deadline.
            return failed(start, timed_out(request.timeout))
        response = replied(start, task.result(), task.result().content)
        return response if call.raised is None else dataclasses.replace(response, crash=call.raised)

    async def _exchange(
        self, client: httpx.AsyncClient, call: _Call, request: ActionRequest, url: str
    ) -> httpx.Response:
        _CALL.set(call)  # This task's context; the transport calls the app in the same task.
        return await client.request(request.method, url, headers=wire(request.headers), content=request.body)

    async def _guarded(self, scope: Message, receive: _Receive, send: _Send) -> None:
        call = _CALL.get()
        # Each request gets a shallow copy of what the lifespan put in the state, as uvicorn does (ASGI spec).
        scope["state"] = dict(self._state)

        async def capped_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                call.started = True
                length = dict(message.get("headers", [])).get(b"content-length", b"")
                call.declared = int(length) if length.isdigit() else None
            elif message["type"] == "http.response.body":
                call.size += len(message.get("body", b""))
                if call.size > self._max_body:
                    call.too_large = True
                    raise TooLarge(too_large(self._max_body, call.size))
                call.complete = not message.get("more_body", False)
            await send(message)

        try:
            await self._app(scope, receive, capped_send)
        except Exception as error:
            if not call.complete:
                raise
            call.raised = f"the app raised {describe_exception(error)}"  # a server keeps the reply, logs this
        if not call.complete:
            missing = "finishing the response body" if call.started else "sending a response"
            raise _Unanswered(f"the app returned without {missing}")

    def close(self) -> None:
        self._loop.close(self._shutdown())

    async def _shutdown(self) -> None:
        await self._lifespan.shutdown()
        if self._client is not None:
            await self._client.aclose()


class _Wsgi:
    """A WSGI app behind httpx's `WSGITransport`, called on a worker thread so a hanging app meets its deadline."""

    def __init__(self, app: object, max_body: int) -> None:
        transport = httpx.WSGITransport(app=cast("WSGIApplication", app), raise_app_exceptions=True)
        self._client = like_hasura(httpx.Client(transport=transport, follow_redirects=False))
        self._worker = Worker("action-contract-wsgi")
        self._max_body = max_body

    def open(self) -> None:
        pass

    def send(self, request: ActionRequest, url: str) -> ActionResponse:
        start = time.perf_counter()
        future = self._worker.submit(functools.partial(self._exchange, request, url), request.timeout)
        if future is None:
            return failed(start, timed_out(request.timeout, _ABANDONED))
        try:
            status, headers, body = future.result()
        except TooLarge as error:
            return failed(start, error.failure)
        except Exception as error:
            return server_error(start, error, f"the app raised {describe_exception(error)}")  # as gunicorn does
        return ActionResponse(status=status, headers=headers, body=body, elapsed=time.perf_counter() - start)

    def _exchange(self, request: ActionRequest, url: str) -> tuple[int, Headers, bytes]:
        with self._client.stream(request.method, url, headers=wire(request.headers), content=request.body) as response:
            body = read_capped(response.iter_bytes(), self._max_body, None)
            return response.status_code, decode_headers(response.headers.raw), body

    def close(self) -> None:
        self._worker.close()
        self._client.close()
