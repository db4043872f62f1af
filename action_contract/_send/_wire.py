"""`WireClient`: the HTTP/1.1 client of `HttpTarget`, on the standard library's `http.client`.

Why not httpx here: a run against a real handler is CPU-bound once enough calls are in flight, and a bare
httpx.Client spends 1.0 ms of CPU a call on loopback against 0.36 ms for this whole target (16 calls in
flight, 40 ms replies; benchmarks/bench_wire.py), a sixth of a run's CPU. The in-process targets keep httpx,
whose transports call ASGI and WSGI apps directly.

It sends what Hasura's http-client sends and reads replies as it does (contract §1.1, §5):
- the request's own headers, plus Host, Content-Length and `Accept-Encoding: gzip` (and Basic credentials
  from the URL's user and password); no cookie jar, no redirect followed (a 3xx is a reply for the judge), a
  gzip body decoded; HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY honoured (HTTPS through a CONNECT tunnel);
- one keep-alive connection per call in flight, pooled per origin; a call that fails before any reply on a
  connection an earlier call opened is `stale` (the handler had closed it), and the caller retries it;
- the call's deadline bounds everything from connecting to the last byte of the body: every socket read gets
  only the time left, so a handler that drips its status line, headers or body one byte at a time stops there;
- what arrives is acknowledged at once (TCP_QUICKACK, on Linux), so a handler that writes its headers and body
  separately is not held 40 ms by Nagle's algorithm (see `_QUICKACK`): its replies look up to 40 ms quicker
  than Hasura would see them, which no timeout of whole seconds can tell.
"""

from __future__ import annotations

import base64
import functools
import http.client
import io
import os
import select
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urlsplit

import certifi

from ._failures import (
    CONNECT_TIMEOUT,
    broken,
    invalid_url,
    opening_failure,
    reply_failure,
    timed_out,
    too_large,
    undecodable,
    unsendable,
)
from ._response import Headers, TransportFailure

__all__ = ["CallFailed", "Reply", "WireClient"]

_CHUNK = 65536
_MAX_LINE = 65537  # http.client's own bound on a status or header line
#: What may stay unescaped in a request target; the rest is percent-encoded as httpx did (UTF-8).
_SAFE = "/:@!$&'()*+,;=-._~%?[]"
#: Where a connection goes: scheme, host, port, and the proxy in between (host, port, Proxy-Authorization) if any.
_Proxy = tuple[str, int, str | None]
_Origin = tuple[str, str, int, _Proxy | None]
#: Linux's TCP_QUICKACK: acknowledge what arrives at once rather than up to 40 ms later. A server that writes its
#: headers and its body in two small writes (Python's http.server, many hand-written ones) holds the body back
#: until the headers are acknowledged (Nagle's algorithm), so against delayed acknowledgements every reply took
#: 40 ms more (44 ms against 4 ms on loopback). Hasura's http-client waits those 40 ms; timeouts are seconds.
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete HTTP reply: status, the raw headers in order, and the body (gzip decoded)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class CallFailed(Exception):
    """A call that produced no complete reply; `stale` when it failed before any reply on a reused connection."""

    def __init__(self, failure: TransportFailure, *, stale: bool = False) -> None:
        super().__init__(failure.detail)
        self.failure = failure
        self.stale = stale


class _Reader(io.RawIOBase):
    """The socket's reads, each given only the time left before the call's deadline.

    It holds the file http.client made of the socket until it is closed itself: that file keeps the socket open
    when http.client closes its connection on `Connection: close` with the body still to be read.
    """

    def __init__(self, sock: socket.socket, connection: _Timed, holder: io.BufferedIOBase) -> None:
        self._sock, self._connection, self._holder = sock, connection, holder

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._connection.deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError("the call's deadline has passed")
        self._sock.settimeout(left)
        if _QUICKACK is not None:
            self._sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._holder.close()
        super().close()


class _Response(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, connection: _Timed, method: str | None = None) -> None:
        super().__init__(sock, method=method)
        self.fp = io.BufferedReader(_Reader(sock, connection, self.fp))  # reads of a chunk or more go past its buffer

    def _read_status(self) -> tuple[str, int, str]:
        while True:
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            # An interim reply (103 Early Hints, 102 Processing) and its headers go; the final reply follows, as
            # http-client and httpx read it. Left in place, it would be this call's reply and the real one the next's.
            while self.fp.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):
                pass


class _Timed(http.client.HTTPConnection):
    """A connection whose replies read by the deadline of the call in flight on it."""

    deadline = 0.0


class _TimedTls(http.client.HTTPSConnection, _Timed):
    pass


def _tls_context() -> ssl.SSLContext:
    """The CAs to verify HTTPS handlers with: SSL_CERT_FILE or SSL_CERT_DIR when set (a private CA), certifi's
    bundle otherwise, as httpx chose them."""
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile and os.path.isfile(cafile):
        return ssl.create_default_context(cafile=cafile)
    if capath and os.path.isdir(capath):
        return ssl.create_default_context(capath=capath)
    return ssl.create_default_context(cafile=certifi.where())


def _open(origin: _Origin, context: ssl.SSLContext) -> _Timed:
    scheme, host, port, proxy = origin
    # Through a proxy: plain HTTP goes to the proxy with the whole URL as target; HTTPS tunnels with CONNECT.
    at_host, at_port = (proxy[0], proxy[1]) if proxy is not None else (host, port)
    made = _TimedTls(at_host, at_port, context=context) if scheme == "https" else _Timed(at_host, at_port)
    if proxy is not None and scheme == "https":
        made.set_tunnel(host, port, headers={"Proxy-Authorization": proxy[2]} if proxy[2] else None)
    made.response_class = functools.partial(_Response, connection=made)  # type: ignore[assignment]
    return made


class WireClient:
    """HTTP/1.1 calls with a total deadline over pooled keep-alive connections (see the module's docstring)."""

    def __init__(self, *, verify: bool = True) -> None:
        self._context = _tls_context()
        if not verify:
            self._context.check_hostname = False
            self._context.verify_mode = ssl.CERT_NONE
        self._idle: dict[_Origin, list[_Timed]] = {}
        self._lock = threading.Lock()
        self._closed = False
        # HTTP_PROXY, HTTPS_PROXY and NO_PROXY as the client starts, as httpx and Hasura's http-client take them.
        self._proxies = urllib.request.getproxies_environment()
        self._routes: dict[tuple[str, str], _Proxy | None] = {}

    def call(self, method: str, url: str, headers: Headers, body: bytes, timeout: float, max_body: int) -> Reply:
        """Send the request and read the whole reply within `timeout` seconds; `CallFailed` if it cannot."""
        deadline = time.perf_counter() + timeout
        parts, target = _split(url)
        scheme, host, port = parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        origin = (scheme, host, port, self._proxy(scheme, host))
        if origin[3] is not None and scheme == "http":
            target, headers = _via_proxy(parts, target, headers, origin[3])
        if parts.username is not None and not any(name.lower() == "authorization" for name, _ in headers):
            headers = (*headers, ("Authorization", _basic(unquote(parts.username), unquote(parts.password or ""))))
        connection, reused = self._take(origin)
        connection.deadline = deadline
        place = f"{host}:{port}"
        try:
            if connection.sock is None:
                reused = False
                connection.timeout = max(min(timeout, CONNECT_TIMEOUT), 0.001)
                try:
                    connection.connect()
                except OSError as error:
                    seconds = min(timeout, CONNECT_TIMEOUT)
                    raise CallFailed(opening_failure(error, connection.host, connection.port, seconds)) from None
                except UnicodeError as error:  # a host name IDNA cannot encode (an empty or overlong label)
                    raise CallFailed(invalid_url(url, f"bad host name: {error}")) from None
            connection.sock.settimeout(max(deadline - time.perf_counter(), 0.001))
            try:
                _put(connection, method, url, target, headers, body)
                response = connection.getresponse()
            except (OSError, http.client.HTTPException) as error:
                # Nothing of a reply yet: on a connection an earlier call opened, the handler may have closed it.
                raise CallFailed(reply_failure(error, place, timeout), stale=reused) from None
            reply = _read(response, place, timeout, max_body)
        except BaseException:
            connection.close()
            raise
        self._give_back(origin, connection)
        return reply

    def close(self) -> None:
        """Close every idle connection; those in use close as their calls end."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def _take(self, origin: _Origin) -> tuple[_Timed, bool]:
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                connection = idle.pop() if idle else None
            if connection is None:
                return _open(origin, self._context), False
            if _quiet(connection):
                return connection, True
            connection.close()

    def _proxy(self, scheme: str, host: str) -> _Proxy | None:
        key = (scheme, host)
        if key not in self._routes:
            proxy = self._proxies.get(scheme) or self._proxies.get("all")
            if proxy is None or urllib.request.proxy_bypass_environment(host, self._proxies):  # type: ignore[attr-defined]
                self._routes[key] = None
            else:
                parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
                auth = None
                if parts.username is not None:
                    auth = _basic(unquote(parts.username), unquote(parts.password or ""))
                self._routes[key] = (parts.hostname or "", parts.port or 80, auth)
        return self._routes[key]

    def _give_back(self, origin: _Origin, connection: _Timed) -> None:
        if connection.sock is None:  # the reply said Connection: close
            return
        with self._lock:
            if not self._closed:
                self._idle.setdefault(origin, []).append(connection)
                return
        connection.close()


def _quiet(connection: _Timed) -> bool:
    """True when an idle connection has nothing to read: a handler that closed it, or sent more than its reply
    (a stray second reply), makes it readable, and its next call would read that instead of its own reply."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return False
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _split(url: str) -> tuple[SplitResult, str]:
    """`url` in parts, and its request target; `CallFailed` for a URL nobody can call."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError as error:
        raise CallFailed(invalid_url(url, str(error))) from None
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise CallFailed(invalid_url(url, f"unsupported protocol {parts.scheme!r}", "Invalid scheme"))
    if not parts.scheme or not parts.hostname:
        raise CallFailed(invalid_url(url, "no scheme or host"))
    target = quote(parts.path or "/", safe=_SAFE) + (f"?{quote(parts.query, safe=_SAFE)}" if parts.query else "")
    return parts, target


def _via_proxy(parts: SplitResult, target: str, headers: Headers, proxy: _Proxy) -> tuple[str, Headers]:
    """The whole URL as the target (http.client takes Host from it), and the proxy's credentials if any."""
    netloc = parts.netloc.rpartition("@")[2]
    if proxy[2]:
        headers = (*headers, ("Proxy-Authorization", proxy[2]))
    return f"{parts.scheme}://{netloc}{target}", headers


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _put(
    connection: http.client.HTTPConnection, method: str, url: str, target: str, headers: Headers, body: bytes
) -> None:
    names = {name.lower() for name, _ in headers}
    try:
        connection.putrequest(method, target, skip_host="host" in names, skip_accept_encoding=True)
        if "accept-encoding" not in names:
            connection.putheader("Accept-Encoding", "gzip")
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding"):
                # Hasura sends header values as UTF-8.
                connection.putheader(name.encode(), value.encode())
        connection.putheader("Content-Length", str(len(body)))
    except (ValueError, http.client.InvalidURL) as error:
        raise CallFailed(unsendable(url, str(error))) from None
    connection.endheaders(body)


def _read(response: http.client.HTTPResponse, place: str, timeout: float, max_body: int) -> Reply:
    lengths = {value.strip() for value in response.msg.get_all("content-length") or []}
    declared = next(iter(lengths), "")
    # ASCII digits only: str.isdigit() also takes "¹", which int() refuses.
    number = declared.isascii() and declared.isdigit()
    if lengths and not response.chunked and (len(lengths) > 1 or not number):
        # http.client would read to the end of the connection instead, a whole timeout on a kept-alive one.
        raise CallFailed(broken(place, "bad Content-Length", "Internal error: bad Content-Length"))
    if number and int(declared) > max_body:
        raise CallFailed(too_large(max_body, int(declared), known=True))
    body = bytearray()
    try:
        while chunk := response.read(min(_CHUNK, max_body + 1 - len(body))):
            body += chunk
            if len(body) > max_body:
                raise CallFailed(too_large(max_body, len(body)))
    except TimeoutError:
        raise CallFailed(timed_out(timeout, f" ({len(body)} bytes of the body had arrived)")) from None
    except http.client.IncompleteRead:
        raise CallFailed(broken(place, "incomplete chunked read", "Invalid chunk headers")) from None
    except (OSError, http.client.HTTPException) as error:
        raise CallFailed(reply_failure(error, place, timeout)) from None
    if response.length:  # the connection closed before the declared length arrived
        text = f"Response body too short. expected: {declared}, actual: {len(body)}"
        raise CallFailed(broken(place, f"received {len(body)} bytes, expected {declared}", text))
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.getheaders()]
    encoding = (response.getheader("content-encoding") or "").strip().lower()
    content = bytes(body)
    if encoding in ("gzip", "x-gzip") and content:
        content = _gunzip(content, place, max_body)
    return Reply(response.status, raw, content)


def _gunzip(body: bytes, place: str, max_body: int) -> bytes:
    # http-client decodes a gzip body (Hasura asks for gzip and nothing else); the cap holds for what it inflates to.
    try:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        content = inflater.decompress(body, max_body + 1)
    except zlib.error as error:
        raise CallFailed(undecodable(place, str(error))) from None
    if len(content) > max_body:
        raise CallFailed(too_large(max_body, len(content)))
    return content
