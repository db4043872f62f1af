"""Targets: where a request goes and how its reply comes back.

A `Target` has one method, `send(request) -> ActionResponse`, plus `close()` and context-manager
support (httpx's `BaseTransport` shape). `send` never raises for anything the handler does: every way
a call can fail becomes a `TransportFailure` carrying the text Hasura's http-client gives (contract §5).

- `HttpTarget`: real HTTP through `_wire.WireClient`, one keep-alive connection pool for the whole run.

The in-process targets (`AppTarget`, `CallableTarget`, `app_target`) live in `_in_process` and build
their replies with the helpers here, their failures with those of `_failures`.

`request.timeout` (the action's `timeout`) is the total deadline of every call, from the moment it is sent:
connect, status line, headers and body together (http-client's response timeout, contract §5), so a handler
that drips its headers or its body cannot hold a run (or `serve`) past it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from .._errors import InvalidArgument
from .._generate._action_request import ActionRequest
from ._failures import invalid_url, too_large
from ._response import ActionResponse, Headers, TransportFailure
from ._wire import CallFailed, WireClient

__all__ = [
    "DEFAULT_APP_BASE_URL",
    "DEFAULT_MAX_BODY",
    "HttpTarget",
    "PastDeadline",
    "Target",
    "TooLarge",
    "absolute",
    "decode_headers",
    "failed",
    "like_hasura",
    "positive",
    "read_capped",
    "rebase_url",
    "replied",
    "resolve",
    "server_error",
    "wire",
]

#: Replies larger than this are cut off as `too_large`. Hasura has no cap; ours keeps memory bounded.
DEFAULT_MAX_BODY = 100 * 1024 * 1024
DEFAULT_APP_BASE_URL = "http://handler.test"

_TargetT = TypeVar("_TargetT", bound="Target")
_ClientT = TypeVar("_ClientT", httpx.Client, httpx.AsyncClient)


#: Calls retried on stale keep-alive connections before the failure stands (more than the pool can hold).
_MAX_STALE = 32


class Target(Protocol):
    """Where requests go: `send` returns the reply or a `TransportFailure` and never raises for the handler's doing."""

    def send(self, request: ActionRequest) -> ActionResponse:
        """Send one request and wait for the reply, at most `request.timeout` seconds."""
        ...

    def close(self) -> None:
        """Release connections, threads and event loops (and run an ASGI app's lifespan shutdown)."""
        ...

    def __enter__(self: _TargetT) -> _TargetT:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class HttpTarget(Target):
    """Real HTTP to a running handler, over one keep-alive connection pool for the whole run."""

    def __init__(self, *, max_body: int = DEFAULT_MAX_BODY, base_url: str | None = None, verify: bool = True) -> None:
        self.max_body = positive(max_body)
        self.base_url = absolute(base_url)
        # A 3xx stays a reply for the judge, which rejects it (contract §3.1 item 4). §1.1 notes that http-client
        # follows redirects by default; whether Hasura's manager does is UNVERIFIED.
        self._client = WireClient(verify=verify)

    def send(self, request: ActionRequest) -> ActionResponse:
        """POST the request; the reply, or the transport failure Hasura would report."""
        response, reused = self._send_once(request)
        tries = 0
        while reused and response.failure is not None and response.failure.kind in ("no_response", "reset"):
            # A keep-alive connection the handler had closed (uvicorn closes it after an app's exception). Hasura's
            # http-client retries such a call on a new connection (`managerRetryableException`: an IOException
            # or NoResponseDataReceived before the reply's headers, on a reused connection), and so do we; with
            # several calls in flight the pool may hold more than one such connection, so we go on while the
            # failure is on a reused one (a fresh connection that fails is the handler's answer).
            tries += 1
            retried, reused = self._send_once(request)
            if retried.failure is not None and retried.failure.kind == "refused":
                # Nothing listens any more: the first attempt may have been what took the handler down, so its
                # failure is the one that tells what happened (a dead handler is judged on it, never on "refused").
                break
            response = retried
            if tries >= _MAX_STALE:
                break
        return response

    def _send_once(self, request: ActionRequest) -> tuple[ActionResponse, bool]:
        """The reply or failure, and whether it failed before any reply on a connection opened for an earlier call."""
        start = time.perf_counter()
        url = request.url
        try:
            url = resolve(url, self.base_url)
        except httpx.InvalidURL as error:
            return failed(start, invalid_url(url, str(error))), False
        try:
            reply = self._client.call(
                request.method, url, request.headers, request.body, request.timeout, self.max_body
            )
        except CallFailed as error:
            return failed(start, error.failure), error.stale
        elapsed = time.perf_counter() - start
        return ActionResponse(
            status=reply.status, headers=decode_headers(reply.headers), body=reply.body, elapsed=elapsed
        ), False

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def resolve(url: str, base_url: str | None) -> str:
    try:
        return url if base_url is None else rebase_url(url, base_url)
    except ValueError as error:  # e.g. "Invalid IPv6 URL" from urlsplit
        raise httpx.InvalidURL(str(error)) from None


def rebase_url(url: str, base_url: str) -> str:
    """`url` sent to `base_url` instead: its scheme and host:port, its path as a prefix; `url`'s path and query kept."""
    base, parts = urlsplit(base_url), urlsplit(url)
    path = base.path.rstrip("/") + ("/" + parts.path.lstrip("/") if parts.path else "")
    return urlunsplit((base.scheme, base.netloc, path or "/", parts.query, ""))


# -- replies and failures ----------------------------------------------------------------------------


class TooLarge(Exception):
    def __init__(self, failure: TransportFailure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


class PastDeadline(Exception):
    def __init__(self, received: int) -> None:
        super().__init__(f"past the deadline after {received} bytes")
        self.received = received


def like_hasura(client: _ClientT) -> _ClientT:
    """`client` sending what Hasura sends: http-client adds only Host, Content-Length and `Accept-Encoding:
    gzip` (contract §1.1), User-Agent comes from the request, and no cookie jar carries a handler's
    Set-Cookie into later calls (Hasura starts every call with an empty jar)."""
    for name in ("Accept", "Connection", "User-Agent"):
        del client.headers[name]
    client.headers["Accept-Encoding"] = "gzip"
    client.cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return client


def wire(headers: Headers) -> list[tuple[bytes, bytes]]:
    # Hasura sends header values as UTF-8; httpx would refuse non-ASCII text.
    return [(name.encode(), value.encode()) for name, value in headers]


def decode_headers(raw: Iterable[tuple[bytes, bytes]]) -> Headers:
    # In order and repeated as they came; Hasura decodes them leniently as UTF-8 (`bsToTxt`).
    return tuple((name.decode("latin-1"), value.decode("utf-8", "replace")) for name, value in raw)


def read_capped(chunks: Iterable[bytes], max_body: int, deadline: float | None) -> bytes:
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > max_body:
            raise TooLarge(too_large(max_body, len(body)))
        if deadline is not None and time.perf_counter() > deadline:
            raise PastDeadline(len(body))
    return bytes(body)


def replied(start: float, response: httpx.Response, body: bytes) -> ActionResponse:
    headers = decode_headers(response.headers.raw)
    return ActionResponse(status=response.status_code, headers=headers, body=body, elapsed=time.perf_counter() - start)


def failed(start: float, failure: TransportFailure) -> ActionResponse:
    return ActionResponse(failure=failure, elapsed=time.perf_counter() - start)


def server_error(start: float, error: BaseException, where: str) -> ActionResponse:
    """The 500 a server (uvicorn, gunicorn, wsgiref) answers when the app raises before replying."""
    return ActionResponse(
        status=500,
        headers=(("content-type", "text/plain; charset=utf-8"), ("content-length", "21")),
        body=b"Internal Server Error",
        elapsed=time.perf_counter() - start,
        crash=where,
    )


def positive(max_body: int) -> int:
    if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 1:
        raise InvalidArgument(f"expected max_body as a positive number of bytes, found {max_body!r}")
    return max_body


def absolute(base_url: str | None) -> str | None:
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgument(f"expected an absolute base URL such as http://localhost:3000, found {base_url!r}")
    return base_url
