"""The ceiling for bench_mock.py: the fastest a Python handler can answer under the same uvicorn.

`app` is a raw ASGI app (no framework): it reads the whole request body and answers 200 with a constant JSON
reply of the size of a typical mock reply (an OrderResult of the shop project, about 250 bytes), with
content-type application/json; it handles the `lifespan` messages. Whatever the mock handler does beyond
this (routing, parsing and checking the payload, generating the reply) is what the ratio in bench_mock.py
measures.

Run: python benchmarks/ceiling_app.py --port P
     (uvicorn.run(app, host="127.0.0.1", port=P, log_level="warning", access_log=False))

With `--raw` it serves the same reply from a bare `asyncio.Protocol` instead (no uvicorn, no ASGI): a server
that costs next to nothing per request, to measure the load generator's own ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

REPLY = json.dumps(
    {
        "orderId": "0b6a9c4e-3f7d-5e21-9a8b-2c4d6e8f0a1b",
        "status": "PAID",
        "total": 123.45,
        "lines": [
            {"sku": "TEA-42", "quantity": 2, "price": 12.5},
            {"sku": "MUG-07", "quantity": 1, "price": 8.9},
            {"sku": "KETTLE-3", "quantity": 1, "price": 89.55},
        ],
        "placedAt": "2025-03-14T09:26:53+00:00",
    },
    separators=(",", ":"),
).encode()
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(REPLY)).encode())]
START: Message = {"type": "http.response.start", "status": 200, "headers": HEADERS}
BODY: Message = {"type": "http.response.body", "body": REPLY}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Read the request body in full, answer the constant reply."""
    if scope["type"] == "http":
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            more = message.get("more_body", False)
        await send(START)
        await send(BODY)
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


RAW_REPLY = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(REPLY)) + REPLY


class RawProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive at its barest: frame each request by its Content-Length, answer REPLY."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            at = buffer.lower().find(b"\r\ncontent-length:", 0, end + 2)
            length = int(buffer[at + 17 : buffer.index(b"\r\n", at + 17)]) if at >= 0 else 0
            if len(buffer) < end + 4 + length:
                break
            buffer = buffer[end + 4 + length :]
            assert self.transport is not None
            self.transport.write(RAW_REPLY)
        self.buffer = buffer


async def serve_raw(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(RawProtocol, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--raw", action="store_true", help="bare asyncio.Protocol server instead of uvicorn")
    args = parser.parse_args()
    if args.raw:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_raw(args.port))
        return
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
