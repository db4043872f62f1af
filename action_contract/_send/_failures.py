"""How a call fails: `TransportFailure`s with the texts Hasura's http-client gives (contract §5).

Shared by every target: `HttpTarget` maps the errors of its own HTTP client on `http.client` (`_wire`:
`opening_failure`, `reply_failure`), the in-process targets map httpx's (`http_failure`), and all of them time
out, overflow and crash with the same words.
"""

from __future__ import annotations

import http.client
import re
import socket
from typing import cast
from urllib.parse import urlsplit

import httpx

from ._response import TransportFailure, TransportKind

__all__ = [
    "CONNECTION_TIMEOUT",
    "CONNECT_TIMEOUT",
    "NO_RESPONSE",
    "RESPONSE_TIMEOUT",
    "broken",
    "connect_failure",
    "crashed",
    "failure",
    "http_failure",
    "invalid_url",
    "opening_failure",
    "reply_failure",
    "root_cause",
    "timed_out",
    "too_large",
    "undecodable",
    "unsendable",
    "where",
]

#: Seconds; http-client's own connect timeout is separate from the action's `timeout`.
CONNECT_TIMEOUT = 10.0

# Texts of Hasura's `serializeHTTPExceptionWithErrorMessage` (Hasura.HTTP, ≈v2.25+, contract §5).
RESPONSE_TIMEOUT = "Response timeout"
CONNECTION_TIMEOUT = "Connection timeout"
NO_RESPONSE = "No response data received"


def where(url: str) -> tuple[str, int]:
    """The host and port a call to `url` goes to (the URL itself and 0 when it cannot be parsed)."""
    try:
        parts = urlsplit(url)
        return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return url, 0


def failure(kind: TransportKind, detail: str, hasura_text: str) -> TransportFailure:
    """A `TransportFailure`: `detail` for people, `hasura_text` as Hasura's http-client words it."""
    return TransportFailure(kind=kind, detail=detail, hasura_text=hasura_text)


def timed_out(seconds: float, more: str = "") -> TransportFailure:
    return failure("timeout", f"no complete reply within the action's timeout of {seconds:g} s{more}", RESPONSE_TIMEOUT)


def too_large(max_body: int, size: int, *, known: bool = False) -> TransportFailure:
    # Hasura reads a body of any size; the cap is ours, so Hasura has no text for it.
    mb = 1024 * 1024
    reply = f"reply of {size / mb:.1f} MB" if known else f"reply of over {max_body / mb:g} MB"
    detail = (
        f"{reply} not read past {max_body / mb:g} MB (our cap, not Hasura's: Hasura reads any size); "
        "raise it with --max-reply-mb (max_body=) if the handler really sends this much"
    )
    return failure("too_large", detail, "")


def crashed(detail: str) -> TransportFailure:
    # A server whose handler dies mid-request usually drops the connection, and http-client then reports
    # NoResponseDataReceived. (Under uvicorn an exception before the reply starts is a 500 text/plain reply.)
    return failure("crashed", detail, NO_RESPONSE)


def invalid_url(url: str, why: str, reason: str = "Invalid URL") -> TransportFailure:
    """A URL nobody can call; `reason` as http-client's `parseRequest` gives it ("Invalid scheme" for ftp:// and
    the like, else "Invalid URL")."""
    return failure("invalid_url", f"cannot request {url!r}: {why}", f"Invalid url: {url}; reason: {reason}")


def unsendable(url: str, message: str) -> TransportFailure:
    """A request HTTP/1.1 cannot carry (a header with a line break, say): it cannot be put on the wire at all."""
    return failure("invalid_url", f"cannot send the request to {url!r}: {message}", f"Internal error: {message}")


def broken(place: str, what: str, text: str) -> TransportFailure:
    """A reply that broke off or could not be read: `what` for people, `text` as http-client says it."""
    return failure("reset", f"the reply from {place} broke off: {what}", text)


def undecodable(place: str, message: str) -> TransportFailure:
    """A compressed body that does not inflate."""
    return failure("reset", f"the reply from {place} cannot be decoded: {message}", f"HTTP zlib error: {message}")


def _no_reply(place: str) -> TransportFailure:
    return failure("no_response", f"{place} closed the connection without sending a reply", NO_RESPONSE)


def _no_connection(place: str, seconds: float) -> TransportFailure:
    return failure("connect_timeout", f"no connection to {place} within {seconds:g} s", CONNECTION_TIMEOUT)


def _broke_mid_reply(place: str, message: object) -> TransportFailure:
    # http-client wraps a read that fails mid-reply as InternalException (`toHttpException`).
    return failure(
        "reset",
        f"the connection to {place} broke mid-reply: {message}",
        "Internal error: Network.Socket.recvBuf: resource vanished (Connection reset by peer)",
    )


def http_failure(error: Exception, url: str, timeout: float) -> TransportFailure:
    """What went wrong, in our words and in the text Hasura's http-client gives (contract §5)."""
    host, port = where(url)
    place = f"{host}:{port}"
    message = str(error)
    if isinstance(error, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return invalid_url(url, message, "Invalid scheme" if "unsupported protocol" in message else "Invalid URL")
    if isinstance(error, httpx.ConnectTimeout):
        return _no_connection(place, min(timeout, CONNECT_TIMEOUT))
    if isinstance(error, httpx.TimeoutException):
        return timed_out(timeout)
    if isinstance(error, httpx.ConnectError):
        return connect_failure(error, host, port)
    if isinstance(error, httpx.RemoteProtocolError):
        if message.startswith("Server disconnected without sending a response"):
            return _no_reply(place)
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
        return broken(place, message, text)
    if isinstance(error, httpx.DecodingError):
        return undecodable(place, message)
    if isinstance(error, httpx.NetworkError):
        return _broke_mid_reply(place, message)
    if isinstance(error, httpx.LocalProtocolError):
        return unsendable(url, message)
    return failure(
        "reset", f"the call to {place} failed: {type(error).__name__}: {message}", f"Internal error: {message}"
    )


def connect_failure(error: BaseException, host: str, port: int) -> TransportFailure:
    """A connection that could not be opened: the host does not resolve, nothing listens, or another reason."""
    place = f"{host}:{port}"
    cause = root_cause(error)
    # The Haskell texts below are approximations of `displayException` of the network library's IOError.
    if isinstance(cause, socket.gaierror):
        return failure(
            "dns",
            f"the host name {host!r} does not resolve ({cause.strerror})",
            f'Connection failure: Network.Socket.getAddrInfo (called with host name: Just "{host}", '
            f'service name: Just "{port}"): does not exist ({cause.strerror})',
        )
    if isinstance(cause, ConnectionRefusedError):
        return failure(
            "refused",
            f"nothing listens at {place} (connection refused)",
            "Connection failure: Network.Socket.connect: <socket: 11>: does not exist (Connection refused)",
        )
    return failure("refused", f"cannot connect to {place}: {error}", f"Connection failure: {error}")


def root_cause(error: BaseException) -> BaseException:
    """The first exception of the chain that raised `error`."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = cast(BaseException, error.__cause__ or error.__context__)
    return error


# -- the errors of http.client, for the network target (_wire) ----------------------------------------------


def opening_failure(error: OSError, host: str, port: int, seconds: float) -> TransportFailure:
    """Why `http.client` could not open a connection within `seconds`."""
    if isinstance(root_cause(error), TimeoutError):
        return _no_connection(f"{host}:{port}", seconds)
    return connect_failure(error, host, port)


def reply_failure(error: BaseException, place: str, timeout: float) -> TransportFailure:
    """What stopped an `http.client` call between sending and a complete reply, in our words and http-client's."""
    if isinstance(error, TimeoutError):
        return timed_out(timeout)
    if isinstance(error, http.client.RemoteDisconnected):
        return _no_reply(place)
    if isinstance(error, http.client.BadStatusLine):
        shown = str(error.args[0] if error.args else "").rstrip("\r\n").encode("latin-1", "replace")
        return broken(place, f"illegal status line {shown!r}", f"Invalid HTTP status line: {shown!r}")
    if isinstance(error, http.client.HTTPException) and str(error).startswith("got more than"):
        # http-client also stops at 100 header fields (managerMaxNumberHeaders, TooManyHeaderFields).
        return broken(place, f"{error} (Hasura's http-client takes 100 at most)", "Internal error: TooManyHeaderFields")
    if isinstance(error, http.client.HTTPException):
        return broken(place, str(error) or type(error).__name__, f"Internal error: {error}")
    return _broke_mid_reply(place, error)
