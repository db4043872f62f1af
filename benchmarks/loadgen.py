"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending one POST at a time.

Run as its own process, so its CPU time is not the server's (bench_mock.py starts it once per round):

    python benchmarks/loadgen.py --host 127.0.0.1 --port P --path /place-order --bodies FILE \
        [--connections 4] [--duration 5] [--warmup 1] [--header 'Name: value' ...] [--request-headers FILE]

FILE holds JSON lines, one request body per line, sent verbatim (the bytes of the line without its newline).
`--request-headers` is an optional second JSON-lines file, line for line with FILE: a list of [name, value]
pairs added to that request only (e.g. the forwarded client headers of a generated Hasura call); `--header`
adds a header to every request. All request byte strings (request line, Host, Content-Type:
application/json, Content-Length, the extra headers, the body) are built once, before any timing.

Each connection is an `asyncio.open_connection` stream: write a request, read the status line and headers up
to the blank line, then a Content-Length body (or a chunked one), and go on with the next request of the
cycle; connection i starts at request i so they do not all send the same body. A closed or broken
connection is reopened and counted in `errors` (as is a reply with `Connection: close`, and a request still
unanswered at the end). Latency is `time.perf_counter_ns` from just before the write to the end of the body.

Requests completed during the first `--warmup` seconds are not counted; then every request completed within
the next `--duration` seconds is, and one JSON line is printed:

    {"requests": n, "rps": x, "p50_ms": .., "p90_ms": .., "p99_ms": .., "max_ms": ..,
     "statuses": {"200": n, ...}, "errors": n}

The per-request work is a handful of bytes operations, so one process drives well over 10,000 requests per
second against a trivial server (`python benchmarks/ceiling_app.py --raw` measures that ceiling).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

NEVER = 2**63  # a perf_counter_ns that is never reached: the window before it is set
# Headers that the load generator writes itself, or that would break keep-alive framing.
OWN_HEADERS = frozenset(
    {"host", "content-length", "content-type", "connection", "transfer-encoding", "keep-alive", "te", "upgrade"}
)


class Stats:
    """What the connections record: latencies (ns) and statuses inside the window, errors after warm-up."""

    def __init__(self) -> None:
        self.window = [NEVER, NEVER]  # [start, end] in perf_counter_ns; requests completed inside count
        self.latencies: list[int] = []
        self.statuses: dict[bytes, int] = {}
        self.errors = 0

    def error(self) -> None:
        if time.perf_counter_ns() >= self.window[0]:
            self.errors += 1


def build_requests(
    host: str, port: int, path: str, bodies: list[bytes], headers: list[str], per_request: list[list[Any]] | None
) -> list[bytes]:
    """Every request as the exact bytes to write."""
    common = "".join(f"{line.strip()}\r\n" for line in headers)
    requests = []
    for index, body in enumerate(bodies):
        own = ""
        if per_request is not None:
            own = "".join(
                f"{name}: {value}\r\n" for name, value in per_request[index] if name.lower() not in OWN_HEADERS
            )
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{common}{own}\r\n"
        )
        requests.append(head.encode("latin-1") + body)
    return requests


async def read_chunked(reader: asyncio.StreamReader) -> None:
    """Read (and drop) a chunked body, trailers included."""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, up to the blank line
                pass
            return
        await reader.readexactly(size + 2)  # the chunk and its CRLF


async def connection(host: str, port: int, requests: list[bytes], first: int, stats: Stats) -> None:
    """One closed-loop connection, reopened whenever it breaks, until the window ends."""
    count = len(requests)
    index = first % count
    window = stats.window
    latencies = stats.latencies
    statuses = stats.statuses
    perf_counter_ns = time.perf_counter_ns
    while perf_counter_ns() <= window[1]:
        try:
            reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
        except OSError:
            stats.error()
            await asyncio.sleep(0.01)
            continue
        try:
            while True:
                request = requests[index]
                index += 1
                if index == count:
                    index = 0
                start = perf_counter_ns()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = head[9:12]
                lower = head.lower()
                at = lower.find(b"\r\ncontent-length:")
                if at >= 0:
                    length = int(head[at + 17 : head.index(b"\r\n", at + 17)])
                    if length:
                        await reader.readexactly(length)
                elif b"\r\ntransfer-encoding: chunked" in lower:
                    await read_chunked(reader)
                elif status[:1] != b"1" and status not in (b"204", b"304"):
                    await reader.read()  # body delimited by the end of the connection
                    raise ConnectionResetError("reply without Content-Length or chunked body")
                end = perf_counter_ns()
                if end >= window[0]:
                    if end > window[1]:
                        return
                    latencies.append(end - start)
                    statuses[status] = statuses.get(status, 0) + 1
                if b"\r\nconnection: close" in lower:
                    raise ConnectionResetError("server closed the connection")
        except (OSError, EOFError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            stats.error()
        finally:
            writer.close()


def percentile(ordered: list[int], fraction: float) -> float:
    """Nearest-rank percentile of sorted nanoseconds, in milliseconds."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1e6


async def run(args: argparse.Namespace, requests: list[bytes]) -> dict[str, Any]:
    stats = Stats()
    tasks = [
        asyncio.create_task(connection(args.host, args.port, requests, first, stats))
        for first in range(args.connections)
    ]
    await asyncio.sleep(args.warmup)
    start = time.perf_counter_ns()
    stats.window[:] = [start, start + int(args.duration * 1e9)]
    await asyncio.sleep(args.duration)
    _done, pending = await asyncio.wait(tasks, timeout=max(2.0, args.duration))
    for task in pending:  # a request never answered: the server hangs
        task.cancel()
        stats.errors += 1
    for task in _done:
        if task.exception() is not None:
            raise task.exception()  # type: ignore[misc]  # a bug here, not a server fault
    ordered = sorted(stats.latencies)
    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / args.duration, 1),
        "p50_ms": round(percentile(ordered, 0.50), 3),
        "p90_ms": round(percentile(ordered, 0.90), 3),
        "p99_ms": round(percentile(ordered, 0.99), 3),
        "max_ms": round(ordered[-1] / 1e6 if ordered else 0.0, 3),
        "statuses": {status.decode("latin-1"): n for status, n in sorted(stats.statuses.items())},
        "errors": stats.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/")
    parser.add_argument("--bodies", type=Path, required=True, help="JSON lines, one request body per line")
    parser.add_argument("--request-headers", type=Path, help="JSON lines of [[name, value], ...], one per body")
    parser.add_argument("--header", action="append", default=[], help="'Name: value' added to every request")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds counted")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before counting")
    args = parser.parse_args()
    bodies = [line.rstrip(b"\r\n") for line in args.bodies.read_bytes().splitlines() if line.strip()]
    if not bodies:
        parser.error(f"{args.bodies}: no request bodies")
    per_request = None
    if args.request_headers is not None:
        per_request = [json.loads(line) for line in args.request_headers.read_text().splitlines() if line.strip()]
        if len(per_request) != len(bodies):
            parser.error(f"{args.request_headers}: {len(per_request)} lines for {len(bodies)} bodies")
    for header in args.header:
        if ":" not in header:
            parser.error(f"--header {header!r}: expected 'Name: value'")
    requests = build_requests(args.host, args.port, args.path, bodies, args.header, per_request)
    result = asyncio.run(run(args, requests))
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
