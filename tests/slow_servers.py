"""Handlers that take their time, on real loopback sockets: slow, hanging, dripping headers or body, sometimes late.

`dripping(behaviour)` serves one raw HTTP behaviour over TCP (what no ASGI server lets an app do: send its
status line a byte at a time); `delayed(app, ...)` wraps an ASGI app (the shop handler) with a latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

REPLY = b'{"ok": true, "note": "a reply that takes its time"}'


def raw_requests(sock: socket.socket) -> Iterator[tuple[bytes, bytes]]:
    """(head, body) of each request on a kept-alive connection, until the client closes it."""
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, data = data.partition(b"\r\n\r\n")
        lines = head.lower().split(b"\r\n")
        length = next((int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length")), 0)
        while len(data) < length:
            data += sock.recv(65536)
        yield head, data[:length]
        data = data[length:]


class _Dripping(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        with contextlib.suppress(OSError):
            for _ in raw_requests(self.request):
                self._reply(self.server.behaviour)  # type: ignore[attr-defined]

    def _reply(self, behaviour: str) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(REPLY)
        if behaviour == "hang":
            time.sleep(30)
        elif behaviour == "header-drip":
            for byte in head:  # one byte every 20 ms: each read gets something, the whole never ends in time
                self.request.sendall(bytes([byte]))
                time.sleep(0.02)
            self.request.sendall(REPLY)
        elif behaviour == "body-drip":
            self.request.sendall(head)
            for byte in REPLY:
                self.request.sendall(bytes([byte]))
                time.sleep(0.02)
        else:
            self.request.sendall(head + REPLY)


@contextlib.contextmanager
def dripping(behaviour: str) -> Iterator[str]:
    """A raw HTTP server on 127.0.0.1 behaving as `behaviour` ('hang', 'header-drip', 'body-drip', 'ok')."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Dripping)
    server.daemon_threads = True
    server.behaviour = behaviour  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def delayed(app: Any, latency: Callable[[bytes], float]) -> Any:
    """`app` answering each request `latency(body)` seconds late (an ASGI wrapper)."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await asyncio.sleep(latency(body))
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, replay, send)

    return wrapper


def a_third_late(seconds: float) -> Callable[[bytes], float]:
    """`seconds` late for about a third of request bodies (the same bodies every time), else at once."""
    return lambda body: seconds if hashlib.sha256(body).digest()[0] % 3 == 0 else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class InFlight:
    """An ASGI wrapper that counts the requests in flight at once (the most seen is `peak`) and in all (`total`)."""

    def __init__(self, app: Any) -> None:
        self.app, self.now, self.peak, self.total = app, 0, 0, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.now += 1
        self.total += 1
        self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1
