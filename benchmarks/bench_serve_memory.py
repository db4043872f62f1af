"""`serve --mock` under a long mixed load: requests per second and the server's RSS as the requests add up.

Starts `python -m action_contract serve fixtures/projects/shop --mock --quiet --async-interval 1` on a free
port (env SHOP_ACTIONS_URL, SHOP_WEBHOOK_SECRET), ready when GET /healthz answers 200, then drives it
with benchmarks/loadgen.py (4 keep-alive connections) in rounds of `--round` seconds until `--requests`
(50,000) are answered, reading the server's VmRSS from /proc after each round.

The bodies (`--bodies`, 2,000 distinct, built before any timing, seed 1) are a mix a busy endpoint sees:
  40% quote queries with their own items (one distinct query text each: the document cache fills),
  25% placeOrder mutations (variables), 10% recommendations as a role of its own (x-hasura-role is
  per body: 1 in 3 a fresh role name), 5% importCatalog (asynchronous: each one is recorded),
  10% garbage (cut-off JSON, syntax errors, unknown fields, wrong variable types, batches),
  10% big operations: 2,000 aliases, 40-deep selections, batches of 50.
Prints one line per round (requests so far, req/s, RSS MB) and then the RSS at the start (after a
warm-up round), at the end and its peak, the growth (end - start), and the median req/s. Target: growth
within 20 MB over 50,000 requests.

    python benchmarks/bench_serve_memory.py [--requests 50000] [--round 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "fixtures" / "projects" / "shop"
ENV = {"SHOP_ACTIONS_URL": "http://127.0.0.1:3000", "SHOP_WEBHOOK_SECRET": "bench-secret"}
QUOTE = "query Quote{n}($items: [OrderItemInput!]!) {{ quote(items: $items) {{ total currency }} }}"
PLACE = (
    "mutation Place($items: [OrderItemInput!]!, $coupon: String) "
    "{ placeOrder(items: $items, coupon: $coupon) { orderId status total lines { sku quantity price } } }"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _items(rng: random.Random) -> list[dict[str, object]]:
    return [{"sku": f"SKU-{rng.randrange(10**6)}", "quantity": rng.randint(1, 9)} for _ in range(rng.randint(1, 4))]


def bodies(count: int, seed: int) -> tuple[list[bytes], list[list[list[str]]]]:
    """Request bodies and, line for line, each one's own headers."""
    rng = random.Random(seed)
    out: list[bytes] = []
    headers: list[list[list[str]]] = []
    for n in range(count):
        roll = rng.random()
        role = "customer"
        if roll < 0.40:
            body: object = {"query": QUOTE.format(n=n), "variables": {"items": _items(rng)}}
        elif roll < 0.65:
            body = {"query": PLACE, "variables": {"items": _items(rng), "coupon": rng.choice([None, "SAVE10"])}}
        elif roll < 0.75:
            role = f"role{n}" if rng.random() < 1 / 3 else "customer"
            body = {"query": f'{{ recommendations(customerId: "{_uuid(rng)}") {{ id name }} }}'}
        elif roll < 0.80:
            role = "admin"
            body = {"query": f'mutation {{ importCatalog(url: "https://x.test/{n}") }}'}
        elif roll < 0.90:
            out.append(
                rng.choice(
                    [
                        b'{"query": "{ quote(items: [{sku: \\"a\\"',
                        json.dumps({"query": "{ quote(items: [) }" + " " * (n % 7)}).encode(),
                        json.dumps({"query": f"{{ nope{n} }}"}).encode(),
                        json.dumps({"query": QUOTE.format(n=n), "variables": {"items": "x"}}).encode(),
                        json.dumps([{"query": "{ __typename }"}] * 3).encode(),
                    ]
                )
            )
            headers.append([["x-hasura-role", role]])
            continue
        else:
            kind = rng.choice(["aliases", "deep", "batch"])
            if kind == "aliases":
                fields = " ".join(f"a{i}: __typename" for i in range(2000))
                body = {"query": f"query Many{n} {{ {fields} }}"}
            elif kind == "deep":
                body = {"query": "{ " + "__schema { queryType { " * 20 + "name" + " } }" * 20 + " }"}
            else:
                body = [{"query": QUOTE.format(n=n), "variables": {"items": _items(rng)}}] * 50
        out.append(json.dumps(body).encode())
        headers.append([["x-hasura-role", role]])
    return out, headers


def _uuid(rng: random.Random) -> str:
    hexes = f"{rng.getrandbits(128):032x}"
    return f"{hexes[:8]}-{hexes[8:12]}-{hexes[12:16]}-{hexes[16:20]}-{hexes[20:]}"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--round", type=float, default=5.0)
    parser.add_argument("--bodies", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--serve-arg", action="append", default=[], help="extra option for serve; repeatable")
    args = parser.parse_args()

    port = _free_port()
    env = {**os.environ, **ENV}
    command = [sys.executable, "-m", "action_contract", "serve", str(PROJECT), "--mock", "--quiet"]
    command += ["--port", str(port), "--async-interval", "1", *args.serve_arg]
    command += [f"--env={k}={v}" for k, v in ENV.items()]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit(f"serve did not start: {server.stderr.read().decode() if server.stderr else ''}")
                time.sleep(0.2)
        made, made_headers = bodies(args.bodies, 1)
        with tempfile.TemporaryDirectory() as tmp:
            body_file, header_file = Path(tmp) / "bodies.jsonl", Path(tmp) / "headers.jsonl"
            body_file.write_bytes(b"\n".join(made) + b"\n")
            header_file.write_text("\n".join(json.dumps(h) for h in made_headers) + "\n")
            load = [sys.executable, str(ROOT / "benchmarks" / "loadgen.py"), "--port", str(port), "--path"]
            load += ["/v1/graphql", "--bodies", str(body_file), "--request-headers", str(header_file)]
            load += ["--connections", str(args.connections), "--duration", str(args.round), "--warmup", "0"]
            total, rates, samples = 0, [], []
            start_rss: float | None = None
            statuses: dict[str, int] = {}
            while total < args.requests:
                result = json.loads(subprocess.run(load, capture_output=True, check=True, text=True).stdout)
                total += result["requests"]
                rates.append(result["rps"])
                for status, count in result["statuses"].items():
                    statuses[status] = statuses.get(status, 0) + count
                rss = rss_mb(server.pid)
                samples.append(rss)
                if start_rss is None:
                    start_rss = rss  # after the first round: imports, schemas and caches warmed up
                print(f"  {total:7} requests  {result['rps']:7.0f} req/s  RSS {rss:7.1f} MB", flush=True)
        assert start_rss is not None
        print(f"statuses: {statuses}")
        print(
            f"RSS start {start_rss:.1f} MB, end {samples[-1]:.1f} MB, peak {max(samples):.1f} MB, "
            f"growth {samples[-1] - start_rss:+.1f} MB over {total} requests; "
            f"median {statistics.median(rates):.0f} req/s"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
