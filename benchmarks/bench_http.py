"""Contract checking over loopback HTTP with keep-alive, against a bare httpx.Client loop sending the same requests.

The bundled shop handler (fixtures/handlers/shop.py:app) is served by uvicorn in a separate process
(`python -m uvicorn --app-dir fixtures/handlers shop:app --host 127.0.0.1 --port <free> --log-level warning`),
started once for the run and killed at the end.

- ours: `run_contract(catalog, HttpTarget(), Settings(base_url=..., database=None, seed=...))`, a full run:
  conforming (edge + 100 generated per action), adversarial (one per rule + 50 generated) and secret groups,
  every request judged and checked. Cases per second is `report.cases` over the wall time of the call.
- baseline (same run, same server): the exact requests of one of our runs (recorded once, before timing)
  posted by a bare `httpx.Client` loop (one keep-alive connection), each response read in full: the floor any
  HTTP-level tester pays, with no generation, judging or checking.

Rounds alternate between the two; the best of each is reported, with the ratio (ours / baseline). The target
is 150 cases per second or more for ours; the ratio shows how much of the time is the pipeline's own.
Run: python benchmarks/bench_http.py [--examples N] [--adversarial-examples N] [--rounds R]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from action_contract import ActionRequest, ActionResponse, Catalog, HttpTarget, Settings, load_catalog, run_contract
from action_contract._send._targets import rebase_url

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "fixtures" / "projects" / "shop"
SEED = 12345


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(port: int) -> Iterator[str]:
    """The shop handler under uvicorn in its own process; yields its base URL."""
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "fixtures" / "handlers"), "shop:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    env = {**os.environ, "SHOP_WEBHOOK_SECRET": "change-me"}
    server = subprocess.Popen(command, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"uvicorn exited with status {server.returncode}")
            try:
                httpx.get(base_url + "/", timeout=1)  # any reply (404) means it is up
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not answer within 20 s") from None
                time.sleep(0.05)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Recording(HttpTarget):
    """HttpTarget that keeps every request it sends (used once, untimed, to get the baseline's requests)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[ActionRequest] = []

    def send(self, request: ActionRequest) -> ActionResponse:
        self.sent.append(request)
        return super().send(request)


def ours(catalog: Catalog, settings: Settings) -> tuple[float, int]:
    with HttpTarget() as target:
        start = time.perf_counter()
        report = run_contract(catalog, target, settings)
        elapsed = time.perf_counter() - start
    assert report.passed, [f.check for f in report.failures]
    return elapsed, report.cases


def bare(requests: list[tuple[str, str, list[tuple[bytes, bytes]], bytes]]) -> float:
    with httpx.Client() as client:
        start = time.perf_counter()
        for method, url, headers, body in requests:
            client.request(method, url, headers=headers, content=body).read()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=100, help="generated conforming requests per action")
    parser.add_argument("--adversarial-examples", type=int, default=50, help="generated invalid requests per action")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog(PROJECT)
    with served(free_port()) as base_url:
        settings = Settings(
            base_url=base_url,
            examples=args.examples,
            adversarial_examples=args.adversarial_examples,
            database=None,
            seed=SEED,
        )
        with Recording() as recording:
            report = run_contract(catalog, recording, settings)  # also the warm-up
        assert report.passed, [f.check for f in report.failures]
        requests = [
            (r.method, rebase_url(r.url, base_url), [(k.encode(), v.encode()) for k, v in r.headers], r.body)
            for r in recording.sent
        ]
        bare(requests[:50])  # warm-up
        best_ours = best_bare = float("inf")
        cases = 0
        for _ in range(args.rounds):
            best_bare = min(best_bare, bare(requests))
            seconds, cases = ours(catalog, settings)
            best_ours = min(best_ours, seconds)
    groups = {r.group: 0 for r in report.results}
    for result in report.results:
        groups[result.group] += result.cases
    ours_rate, bare_rate = cases / best_ours, len(requests) / best_bare
    mix = ", ".join(f"{count} {group}" for group, count in groups.items())
    print(f"{len(catalog)} actions over loopback HTTP (uvicorn, keep-alive): {mix}; best of {args.rounds}")
    print(f"  {'':34} {'cases':>6} {'seconds':>8} {'cases/s':>8}")
    print(f"  {'bare httpx.Client, pre-drawn':34} {len(requests):6d} {best_bare:8.2f} {bare_rate:8.0f}")
    print(f"  {'run_contract + HttpTarget':34} {cases:6d} {best_ours:8.2f} {ours_rate:8.0f}  (target: 150 or more)")
    print(f"ratio (ours / baseline): {ours_rate / bare_rate:.2f}")


if __name__ == "__main__":
    main()
