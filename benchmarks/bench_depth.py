"""How deep a default run gets behind a handler's business rules (fixtures/handlers/orders.py).

The orders project has `createOrder(order: {items: [{sku, quantity: Int!}]}, priority: Priority, note: String)`,
which refuses empty orders and quantities outside 1..10,000, and `validateCoupon(code: String!)`, a lookup
that refuses every code but two. Measured with the default settings (100 generated requests per action,
in-process), each over several seeds:

- share: the conforming requests of createOrder that got a 2xx, against the same number of plain draws of
  `conforming_requests` sent as they are (generation without seeds or steering, in the same process);
  the awkward values the run still sent (zero, negatives, 32-bit bounds, empty strings, naive pieces)
  and the fixed edge requests, to show none is lost;
- fault: `faulty_app` answers `priority: "low"` (not a value of the enum) only for a valid order with
  priority LOW; the count of seeds whose run finds it (`output_conforms`);
- lookup: validateCoupon with the known-good inputs of fixtures/mock/orders-examples.yaml reaches a 2xx
  in every run; without them `accepts_valid` fails and its message names `--examples-file`.

Throughput is bench_check's business (its ratio against a bare Hypothesis loop).
Run: python benchmarks/bench_depth.py [--seeds N] [--fault-seeds N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from action_contract import (
    ActionRequest,
    ActionResponse,
    Settings,
    Target,
    app_target,
    conforming_requests,
    edge_requests,
    load_catalog,
    load_inputs,
    run_group,
)
from action_contract._generate._realistic import NAIVE_PIECES
from action_contract._generate._sampling import draw_examples

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "fixtures" / "projects" / "orders"
HANDLERS = ROOT / "fixtures" / "handlers" / "orders.py"
EXAMPLES = ROOT / "fixtures" / "mock" / "orders-examples.yaml"
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Recording(Target):
    """A target that keeps every request it passes on (the wrapped target stays open)."""

    def __init__(self, inner: Target) -> None:
        self.inner = inner
        self.sent: list[ActionRequest] = []

    def send(self, request: ActionRequest) -> ActionResponse:
        self.sent.append(request)
        return self.inner.send(request)

    def close(self) -> None:
        return None


def _awkward(requests: list[ActionRequest]) -> Counter[str]:
    found: Counter[str] = Counter()
    for request in requests:
        arguments = (request.payload or {}).get("input") or {}
        items = ((arguments.get("order") or {}).get("items")) or []
        if not items:
            found["empty order"] += 1
        for item in items:
            quantity = item["quantity"]
            found["quantity 0"] += quantity == 0
            found["quantity < 0"] += quantity < 0
            found["quantity at a 32-bit bound"] += quantity in (INT_MIN, INT_MAX)
            found["quantity > 10,000"] += quantity > 10_000
            found["empty sku"] += item["sku"] == ""
        texts = [arguments.get("note") or "", *(item["sku"] for item in items)]
        found["a naive piece in a string"] += any(piece in text for text in texts for piece in NAIVE_PIECES)
    return found


def share(seeds: int) -> None:
    catalog = load_catalog(PROJECT)
    shares: list[float] = []
    plain_shares: list[float] = []
    awkward: Counter[str] = Counter()
    edges = {request.body for request in edge_requests("createOrder", catalog=catalog)}
    edge_runs = 0
    started = time.perf_counter()
    with app_target(f"{HANDLERS}:app") as app:
        for seed in range(seeds):
            recording = Recording(app)
            result = run_group(catalog, "createOrder", "conforming", recording, Settings(seed=seed, database=None))
            assert result.coverage is not None
            shares.append(result.coverage.share)
            awkward.update(_awkward(recording.sent))
            edge_runs += edges <= {request.body for request in recording.sent}
            drawn = draw_examples(conforming_requests("createOrder", catalog=catalog), result.cases, seed_value=seed)
            plain = [app.send(request).status for request in drawn]
            plain_shares.append(sum(1 for status in plain if status is not None and 200 <= status < 300) / len(plain))
    elapsed = time.perf_counter() - started
    print(f"createOrder, default settings, {seeds} seeds ({elapsed:.1f}s):")
    print(
        f"  share of conforming requests with a 2xx: mean {statistics.mean(shares):.0%}, "
        f"min {min(shares):.0%}, max {max(shares):.0%}  (target: 50% or more)"
    )
    print(
        f"  plain conforming_requests draws, no seeds or steering: mean {statistics.mean(plain_shares):.0%}  "
        f"(ratio {statistics.mean(shares) / max(statistics.mean(plain_shares), 1e-9):.2f})"
    )
    print(f"  all {len(edges)} fixed edge requests sent in {edge_runs} of {seeds} runs")
    print(
        "  awkward values sent (requests, over all runs): " + ", ".join(f"{k} {v}" for k, v in sorted(awkward.items()))
    )


def fault(seeds: int) -> None:
    catalog = load_catalog(PROJECT)
    caught = 0
    with app_target(f"{HANDLERS}:faulty_app") as target:
        for seed in range(seeds):
            result = run_group(catalog, "createOrder", "conforming", target, Settings(seed=seed, database=None))
            caught += any(f.check == "output_conforms" for f in result.failures)
    print(f"planted fault (priority LOW on a valid order answers 'low'): caught in {caught} of {seeds} seeds")


def lookup(seeds: int) -> None:
    catalog = load_catalog(PROJECT)
    inputs = load_inputs(EXAMPLES, catalog)
    reached, named = 0, 0
    with app_target(f"{HANDLERS}:app") as target:
        for seed in range(seeds):
            given = run_group(
                catalog, "validateCoupon", "conforming", target, Settings(seed=seed, database=None, inputs=inputs)
            )
            reached += given.coverage is not None and given.coverage.successes > 0 and given.passed
            bare = run_group(catalog, "validateCoupon", "conforming", target, Settings(seed=seed, database=None))
            named += any(f.check == "accepts_valid" and "--examples-file" in f.finding.expected for f in bare.failures)
    print(f"validateCoupon with known-good inputs: success path reached in {reached} of {seeds} runs")
    print(f"validateCoupon without them: accepts_valid fails naming --examples-file in {named} of {seeds} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="runs for the share and the lookup")
    parser.add_argument("--fault-seeds", type=int, default=20, help="runs against the planted fault")
    args = parser.parse_args()
    share(args.seeds)
    fault(args.fault_seeds)
    lookup(min(args.seeds, 5))


if __name__ == "__main__":
    main()
