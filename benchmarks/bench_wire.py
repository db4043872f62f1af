"""CPU a call of the network target's HTTP client, against a bare httpx.Client and a bare http.client in the same run.

A run against a handler that takes tens of milliseconds keeps enough calls in flight to be CPU-bound, so what a
call costs in this process's CPU sets the run's pace. The shop handler (fixtures/handlers/shop.py) is served by
uvicorn in a process of its own (benchmarks/latency_handler.py), answering `--delay` seconds late (default 40 ms);
`--threads` (16) threads send `--calls` (800) placeOrder calls, each with a connection of its own kept alive:

- ours: `HttpTarget().send(request)`, the whole target (deadline, caps, failures, header decoding);
- httpx: one shared `httpx.Client` posting the same body and headers (what HttpTarget used before);
- http.client: one `http.client.HTTPConnection` per thread, the floor of a Python HTTP/1.1 client.

Each prints process CPU milliseconds a call (`time.process_time`, all threads) and the wall time; the ratios are
CPU per call of httpx and of http.client over ours. Rounds alternate; the best of `--rounds` (3) is reported.
Run: python benchmarks/bench_wire.py [--calls N] [--threads N] [--delay S] [--rounds R]
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from action_contract import ActionRequest, HttpTarget

HANDLER = Path(__file__).resolve().parent / "latency_handler.py"
PAYLOAD = {
    "action": {"name": "placeOrder"},
    "input": {"items": [{"sku": "SKU-1", "quantity": 1}]},
    "session_variables": {"x-hasura-role": "customer", "x-hasura-user-id": "u1"},
    "request_query": 'mutation { placeOrder(items: [{sku: "SKU-1", quantity: 1}]) { orderId } }',
}
HEADERS = {"Content-Type": "application/json", "X-Shop-Secret": "change-me", "User-Agent": "hasura-graphql-engine"}


def measure(name: str, send: Callable[[], object], calls: int, threads: int) -> tuple[float, float]:
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: send(), range(threads * 2)))  # every thread opens its connection first
        cpu, wall = time.process_time(), time.perf_counter()
        list(pool.map(lambda _: send(), range(calls)))
        return (time.process_time() - cpu) / calls * 1000, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=800)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.04)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, str(HANDLER), "uvicorn", "--delay", str(options.delay)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/place-order"
        body = json.dumps(PAYLOAD).encode()
        request = ActionRequest(action="placeOrder", url=url, headers=tuple(HEADERS.items()), raw_body=body)
        target = HttpTarget()
        client = httpx.Client()
        local = threading.local()

        def bare() -> bytes:
            if not hasattr(local, "connection"):
                local.connection = http.client.HTTPConnection("127.0.0.1", port)
            local.connection.request("POST", "/place-order", body=body, headers=HEADERS)
            return local.connection.getresponse().read()

        sides: dict[str, Callable[[], object]] = {
            "ours (HttpTarget)": lambda: target.send(request),
            "httpx.Client": lambda: client.post(url, content=body, headers=HEADERS).read(),
            "http.client": bare,
        }
        best: dict[str, tuple[float, float]] = {}
        for round_ in range(options.rounds):
            for name in sides if round_ % 2 == 0 else reversed(list(sides)):
                cpu, wall = measure(name, sides[name], options.calls, options.threads)
                if name not in best or cpu < best[name][0]:
                    best[name] = (cpu, wall)
        target.close()
        client.close()
    finally:
        server.kill()
        server.wait()
    print(
        f"{options.calls} placeOrder calls, {options.threads} in flight, handler {options.delay * 1000:g} ms late; "
        f"best of {options.rounds}"
    )
    print("                      CPU ms/call   wall s")
    for name, (cpu, wall) in best.items():
        print(f"  {name:<20} {cpu:9.2f}   {wall:7.2f}")
    ours = best["ours (HttpTarget)"][0]
    httpx_ratio, floor_ratio = best["httpx.Client"][0] / ours, best["http.client"][0] / ours
    print(f"ratio httpx / ours: {httpx_ratio:.1f}x   http.client / ours: {floor_ratio:.2f}")


if __name__ == "__main__":
    main()
