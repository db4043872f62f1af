"""The shop handler with a fixed reply time, served on loopback for bench_latency.py (run in a process of its own).

    python benchmarks/latency_handler.py uvicorn|http.server|never [--delay S] [--late PATH --late-seconds S]

Prints the port once it listens. `uvicorn` serves fixtures/handlers/shop.py:app behind an ASGI wrapper that
waits `--delay` seconds before each reply; `http.server` does the same with Python's ThreadingHTTPServer (a
thread per connection, the app called on an event loop of that thread: starlette's TestClient, used here
before, hands every call to a thread of its own and took 3 ms of CPU a reply in this process, which on a
2-core machine made the handler, not the tester, set the pace); `never` accepts connections and never answers. With
`--late PATH`, requests to PATH whose body hashes to 0 mod 3 (a third, the same ones every run) wait
`--late-seconds` instead.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.server
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures" / "handlers"))

from shop import app as shop_app  # noqa: E402


def _wait(path: str, body: bytes, options: argparse.Namespace) -> float:
    if options.late and path == options.late and hashlib.sha256(body).digest()[0] % 3 == 0:
        return float(options.late_seconds)
    return float(options.delay)


def _asgi(options: argparse.Namespace) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await shop_app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await asyncio.sleep(_wait(scope["path"], body, options))
        given = False

        async def replay() -> dict[str, Any]:
            nonlocal given
            if given:
                await asyncio.Event().wait()  # no disconnect until the reply is out
            given = True
            return {"type": "http.request", "body": body, "more_body": False}

        await shop_app(scope, replay, send)

    return app


def _call_app(path: str, headers: list[tuple[str, str]], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """The shop app called on this thread's own event loop: what a handler doing its work in the thread costs."""
    loop = getattr(_loops, "loop", None)
    if loop is None:
        loop = _loops.loop = asyncio.new_event_loop()
    route, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    loop.run_until_complete(shop_app(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    reply_headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in start.get("headers", [])]
    content = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return start["status"], reply_headers, content


_loops = threading.local()


def _threaded(options: argparse.Namespace, sock: socket.socket) -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(_wait(self.path, body, options))
            headers = [(k, v) for k, v in self.headers.items() if k.lower() not in ("host", "content-length")]
            status, reply_headers, content = _call_app(self.path, headers, body)
            self.send_response(status)
            for name, value in reply_headers:
                if name.lower() not in ("content-length", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(sock.getsockname()[:2], Handler, bind_and_activate=False)
    server.socket = sock
    server.daemon_threads = True
    server.serve_forever()


def _never(sock: socket.socket) -> None:
    held = []
    while True:
        connection, _ = sock.accept()
        held.append(connection)  # read nothing, answer nothing, close nothing


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["uvicorn", "http.server", "never"])
    parser.add_argument("--delay", type=float, default=0.04)
    parser.add_argument("--late", default=None, help="a handler path, e.g. /place-order")
    parser.add_argument("--late-seconds", type=float, default=11.0)
    options = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    if options.kind == "never":
        _never(sock)
    elif options.kind == "http.server":
        _threaded(options, sock)
    else:
        import uvicorn

        config = uvicorn.Config(_asgi(options), log_level="warning", lifespan="auto", backlog=1024)
        uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
