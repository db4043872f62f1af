"""End-to-end contract checking in-process, against a bare hand-written Hypothesis + httpx + jsonschema loop.

Both sides test the bundled shop handler (fixtures/handlers/shop.py:app, Starlette) for the five actions of
fixtures/projects/shop, conforming requests only, in one process:

- ours: `run_contract(catalog, app_target(...), Settings(adversarial=False, examples=N, database=None,
  shrink=False))`: per action the fixed edge requests, then N generated ones, each sent through the ASGI
  transport, judged as Hasura would and run through every check.
- baseline: what a careful user writes by hand: a plain `@given(conforming_requests(action, catalog=...))`
  with the same `max_examples=N`, `database=None`, one `httpx.AsyncClient(transport=httpx.ASGITransport(app))`
  on one event loop (`run_until_complete` per request), and the 2xx body validated by a
  `jsonschema.Draft202012Validator` of the action's success schema (compiled once per action).

Cases per second counts what was actually sent: for ours `report.cases`, which includes the fixed edge
requests (the row "generated only" leaves them out, charging their time to the N generated cases: a
lower bound). Rounds alternate between the two; the best of each is reported with the ratio
(ours / baseline in cases per second; 0.8 or better is the target).
Run: python benchmarks/bench_check.py [--examples N] [--rounds R] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from jsonschema import Draft202012Validator

from action_contract import (
    Catalog,
    Report,
    Settings,
    Target,
    app_target,
    conforming_requests,
    load_catalog,
    run_contract,
)
from action_contract._catalog._json_schema import action_schemas
from action_contract._send._app_loader import load_app

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "fixtures" / "projects" / "shop"
APP = f"{ROOT / 'fixtures' / 'handlers' / 'shop.py'}:app"
SEED = 12345


def ours(catalog: Catalog, target: Target, examples: int) -> tuple[float, Report]:
    run_settings = Settings(adversarial=False, examples=examples, database=None, shrink=False, seed=SEED)
    start = time.perf_counter()
    report = run_contract(catalog, target, run_settings)
    elapsed = time.perf_counter() - start
    assert report.passed, [f.check for f in report.failures]
    return elapsed, report


def bare(catalog: Catalog, app: Any, examples: int) -> tuple[float, int]:
    """The hand-written loop; returns (seconds, requests sent)."""
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    sent = 0
    start = time.perf_counter()
    try:
        for action in catalog:
            validator = Draft202012Validator(action_schemas(catalog, action)["success"])

            @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
            @hypothesis_seed(SEED)
            @given(conforming_requests(action, catalog=catalog))
            def test(request: Any) -> None:
                nonlocal sent
                response = loop.run_until_complete(
                    client.post(request.url, content=request.body, headers=list(request.headers))
                )
                sent += 1
                if 200 <= response.status_code < 300:
                    validator.validate(response.json())  # noqa: B023 (the test runs before the loop moves on)

            test()
        elapsed = time.perf_counter() - start
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
    return elapsed, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=100, help="generated conforming requests per action")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="then profile one run of ours (cProfile, top 25)")
    args = parser.parse_args()
    catalog = load_catalog(PROJECT)
    app = load_app(APP)
    with app_target(APP) as target:
        ours(catalog, target, 5)  # warm-up: imports, lifespan startup, compiled strategies
        bare(catalog, app, 5)
        best_ours = best_bare = float("inf")
        cases = generated = sent = 0
        for _ in range(args.rounds):
            seconds, sent = bare(catalog, app, args.examples)
            best_bare = min(best_bare, seconds)
            seconds, report = ours(catalog, target, args.examples)
            best_ours = min(best_ours, seconds)
            cases = report.cases
            generated = args.examples * sum(1 for r in report.results if r.group == "conforming" and not r.skipped)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            ours(catalog, target, args.examples)
            profiler.disable()
    ours_rate, ours_generated_rate, bare_rate = cases / best_ours, generated / best_ours, sent / best_bare
    print(f"{len(catalog)} actions, {args.examples} generated conforming requests each, best of {args.rounds}")
    print(f"  {'':34} {'cases':>6} {'seconds':>8} {'cases/s':>8}")
    print(f"  {'bare Hypothesis+httpx+jsonschema':34} {sent:6d} {best_bare:8.2f} {bare_rate:8.0f}")
    print(f"  {'run_contract (incl. edge cases)':34} {cases:6d} {best_ours:8.2f} {ours_rate:8.0f}")
    print(f"  {'run_contract (generated only)':34} {generated:6d} {best_ours:8.2f} {ours_generated_rate:8.0f}")
    print(f"ratio (ours / baseline): {ours_rate / bare_rate:.2f}  (target: 0.80 or better)")
    print(f"ratio, generated only:   {ours_generated_rate / bare_rate:.2f}")
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
