"""Targets: where a request goes and how its reply comes back.

A `Target` has one method, `send(request) -> ActionResponse`, plus `close()` and context-manager
support (httpx's `BaseTransport` shape). `send` never raises for anything the handler does: every way
a call can fail becomes a `TransportFailure` carrying the text Hasura's http-client gives (contract §5).

- `HttpTarget`: real HTTP, one keep-alive connection pool for the whole run.

The in-process targets (`AppTarget`, `CallableTarget`, `app_target`) live in `_in_process` and build
their replies and failures with the helpers here.

`request.timeout` (the action's `timeout`) is the total deadline of every call, from the moment it is sent:
connect, status line, headers and body together (http-client's response timeout, contract §5), so a handler
that drips its headers or its body cannot hold a run (or `serve`) past it.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterable
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Protocol, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import httpx

from .._errors import InvalidArgument
from .._generate._action_request import ActionRequest
from ._deadline import bound_calls, call_deadline
from ._response import ActionResponse, Headers, TransportFailure, TransportKind

__all__ = [
    "DEFAULT_APP_BASE_URL",
    "DEFAULT_MAX_BODY",
    "HttpTarget",
    "PastDeadline",
    "Target",
    "TooLarge",
    "absolute",
    "crashed",
    "decode_headers",
    "failed",
    "http_failure",
    "like_hasura",
    "positive",
    "read_capped",
    "rebase_url",
    "replied",
    "resolve",
    "server_error",
    "timed_out",
    "too_large",
    "wire",
]

#: Replies larger than this are cut off as `too_large`. Hasura has no cap; ours keeps memory bounded.
DEFAULT_MAX_BODY = 100 * 1024 * 1024
DEFAULT_APP_BASE_URL = "http://handler.test"
_CONNECT_TIMEOUT = 10.0  # Seconds; http-client's own connect timeout is separate from the action's `timeout`.

# Texts of Hasura's `serializeHTTPExceptionWithErrorMessage` (Hasura.HTTP, ≈v2.25+, contract §5).
RESPONSE_TIMEOUT = "Response timeout"
CONNECTION_TIMEOUT = "Connection timeout"
NO_RESPONSE = "No response data received"

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
        self._client = bound_calls(like_hasura(httpx.Client(follow_redirects=False, verify=verify)))

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
        deadline = start + request.timeout
        timeouts = httpx.Timeout(request.timeout, connect=min(request.timeout, _CONNECT_TIMEOUT))
        url = request.url
        opened = headers = False

        def trace(event: str, info: object) -> None:
            nonlocal opened
            opened = opened or event.startswith("connection.connect_tcp")

        try:
            url = resolve(url, self.base_url)
            with (
                call_deadline(deadline),
                self._client.stream(
                    request.method,
                    url,
                    headers=wire(request.headers),
                    content=request.body,
                    timeout=timeouts,
                    extensions={"trace": trace},
                ) as response,
            ):
                headers = True
                if time.perf_counter() > deadline:
                    return failed(start, timed_out(request.timeout)), False
                _read_timeout_until(response, deadline)
                try:
                    body = read_capped(response.iter_bytes(), self.max_body, deadline)
                except TooLarge:
                    # The declared length says how big the reply really is; we stopped reading at the cap.
                    declared = response.headers.get("content-length", "")
                    size = int(declared) if declared.isdigit() else self.max_body + 1
                    return failed(start, too_large(self.max_body, size, known=declared.isdigit())), False
                return replied(start, response, body), False
        except TooLarge as error:
            return failed(start, error.failure), False
        except PastDeadline as error:
            return failed(
                start, timed_out(request.timeout, f" ({error.received} bytes of the body had arrived)")
            ), False
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            return failed(start, http_failure(error, url, request.timeout)), not (opened or headers)

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


def _read_timeout_until(response: httpx.Response, deadline: float) -> None:
    """Give the body's socket reads only the time left, so a body that stalls stops at the deadline.

    httpcore reads `timeout["read"]` when the body starts streaming, from the request's extensions;
    without this a stalled body would wait a whole `timeout` more. Harmless if httpcore ever changes.
    """
    timeouts = response.request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        timeouts["read"] = max(deadline - time.perf_counter(), 0.001)


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


def _failure(kind: TransportKind, detail: str, hasura_text: str) -> TransportFailure:
    return TransportFailure(kind=kind, detail=detail, hasura_text=hasura_text)


def timed_out(seconds: float, more: str = "") -> TransportFailure:
    return _failure(
        "timeout", f"no complete reply within the action's timeout of {seconds:g} s{more}", RESPONSE_TIMEOUT
    )


def too_large(max_body: int, size: int, *, known: bool = False) -> TransportFailure:
    # Hasura reads a body of any size; the cap is ours, so Hasura has no text for it.
    mb = 1024 * 1024
    reply = f"reply of {size / mb:.1f} MB" if known else f"reply of over {max_body / mb:g} MB"
    detail = (
        f"{reply} not read past {max_body / mb:g} MB (our cap, not Hasura's: Hasura reads any size); "
        "raise it with --max-reply-mb (max_body=) if the handler really sends this much"
    )
    return _failure("too_large", detail, "")


def crashed(detail: str) -> TransportFailure:
    # A server whose handler dies mid-request usually drops the connection, and http-client then reports
    # NoResponseDataReceived. (Under uvicorn an exception before the reply starts is a 500 text/plain reply.)
    return _failure("crashed", detail, NO_RESPONSE)


def http_failure(error: Exception, url: str, timeout: float) -> TransportFailure:
    """What went wrong, in our words and in the text Hasura's http-client gives (contract §5)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        host, port = url, 0
    where = f"{host}:{port}"
    message = str(error)
    if isinstance(error, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        # http-client's `parseRequest` reasons: "Invalid scheme" for ftp:// and the like, else "Invalid URL".
        reason = "Invalid scheme" if "unsupported protocol" in message else "Invalid URL"
        return _failure("invalid_url", f"cannot request {url!r}: {message}", f"Invalid url: {url}; reason: {reason}")
    if isinstance(error, httpx.ConnectTimeout):
        seconds = min(timeout, _CONNECT_TIMEOUT)
        return _failure("connect_timeout", f"no connection to {where} within {seconds:g} s", CONNECTION_TIMEOUT)
    if isinstance(error, httpx.TimeoutException):
        return timed_out(timeout)
    if isinstance(error, httpx.ConnectError):
        cause = _root_cause(error)
        # The Haskell texts below are approximations of `displayException` of the network library's IOError.
        if isinstance(cause, socket.gaierror):
            return _failure(
                "dns",
                f"the host name {host!r} does not resolve ({cause.strerror})",
                f'Connection failure: Network.Socket.getAddrInfo (called with host name: Just "{host}", '
                f'service name: Just "{port}"): does not exist ({cause.strerror})',
            )
        if isinstance(cause, ConnectionRefusedError):
            return _failure(
                "refused",
                f"nothing listens at {where} (connection refused)",
                "Connection failure: Network.Socket.connect: <socket: 11>: does not exist (Connection refused)",
            )
        return _failure("refused", f"cannot connect to {where}: {message}", f"Connection failure: {message}")
    if isinstance(error, httpx.RemoteProtocolError):
        if message.startswith("Server disconnected without sending a response"):
            return _failure("no_response", f"{where} closed the connection without sending a reply", NO_RESPONSE)
        short = re.search(r"received (\d+) bytes, expected (\d+)", message)
        if short:
            actual, expected = short.groups()
            text = f"Response body too short. expected: {expected}, actual: {actual}"
        elif "incomplete chunked read" in message:
            text = "Invalid chunk headers"  # approximation: http-client fails reading the next chunk header
        elif line := re.match(r"illegal status line: bytearray\((b.*)\)", message):
            text = f"Invalid HTTP status line: {line.group(1)}"
        else:
            text = f"Internal error: {message}"
        return _failure("reset", f"the reply from {where} broke off: {message}", text)
    if isinstance(error, httpx.DecodingError):
        return _failure("reset", f"the reply from {where} cannot be decoded: {message}", f"HTTP zlib error: {message}")
    if isinstance(error, httpx.NetworkError):
        # http-client wraps a read that fails mid-reply as InternalException (`toHttpException`).
        return _failure(
            "reset",
            f"the connection to {where} broke mid-reply: {message}",
            "Internal error: Network.Socket.recvBuf: resource vanished (Connection reset by peer)",
        )
    if isinstance(error, httpx.LocalProtocolError):
        # A header that HTTP/1.1 cannot carry: this request cannot be put on the wire at all.
        return _failure("invalid_url", f"cannot send the request to {url!r}: {message}", f"Internal error: {message}")
    return _failure(
        "reset", f"the call to {where} failed: {type(error).__name__}: {message}", f"Internal error: {message}"
    )


def _root_cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None or error.__context__ is not None:
        error = cast(BaseException, error.__cause__ or error.__context__)
    return error


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
