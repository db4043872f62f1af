"""The pages' costs: the HTML report of a 100-action x 150-case run, and what GraphiQL and the journal page cost.

1. `render_html` on 100 actions x 150 cases with real failures (size target: under 2 MB), against
   `render_json` of the same report in the same run (the HTML is built on it).
2. Over loopback HTTP with keep-alive: `serve`'s console page and the files it loads, against
   `GET /healthz`; the mock's journal page and the JSON poll it makes each second with a full journal
   of 100 calls, against a webhook call.
Run: python benchmarks/bench_pages.py
"""

from __future__ import annotations

import dataclasses
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from servers import serving  # noqa: E402

from action_contract import CallableTarget, GroupResult, Report, Settings, load_catalog, run_contract  # noqa: E402
from action_contract._executor._app import graphql_app  # noqa: E402
from action_contract._executor._executor import ReferenceExecutor  # noqa: E402
from action_contract._mock._handler import MockHandler  # noqa: E402
from action_contract._mock._target import MockTarget  # noqa: E402
from action_contract._render._html import render_html  # noqa: E402
from action_contract._render._text import render_json  # noqa: E402
from action_contract._send._targets import DEFAULT_APP_BASE_URL  # noqa: E402

SHOP = ROOT / "fixtures" / "projects" / "shop"
ORDER = {
    "action": {"name": "placeOrder"},
    "input": {"items": [{"sku": "A", "quantity": 1}]},
    "session_variables": {"x-hasura-role": "customer"},
}


def best(call: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Best and median seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def big_report() -> tuple[Report, object]:
    """100 actions x 150 cases; each action carries two real failures from a run against a wrong handler."""
    catalog = load_catalog(SHOP)
    settings = Settings(examples=5, adversarial_examples=3, database=None, seed=1, in_process=True, shrink=False)
    with CallableTarget(lambda payload, headers: (200, {"wrong": True})) as target:
        failures = run_contract(catalog, target, settings).failures
    results = []
    for i in range(100):
        for group, cases in (("conforming", 100), ("adversarial", 40), ("secret", 10)):
            result = GroupResult(action=f"action{i}", group=group, cases=cases, checks=("hasura_accepts",))
            result.latencies = [0.001 + (j % 37) / 1000 for j in range(cases)]
            result.violations = Counter({"wrong_type": cases // 2, "null_for_non_null": cases // 2})
            if group == "conforming":
                result.failures = [dataclasses.replace(f, action=f"action{i}") for f in failures[:2]]
            results.append(result)
    return Report(results=results, seed=1, hasura_version="v2.45.0", elapsed=12.0, source=str(SHOP)), catalog


def per_request(client: httpx.Client, method: str, url: str, n: int, **kwargs: object) -> float:
    """Median milliseconds of `n` requests (after one warm-up)."""
    client.request(method, url, **kwargs)  # type: ignore[arg-type]
    times = []
    for _ in range(n):
        started = time.perf_counter()
        client.request(method, url, **kwargs).raise_for_status()  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    """Print each measurement with its baseline and the ratio."""
    report, catalog = big_report()
    html_best, html_median = best(lambda: render_html(report, catalog=catalog))  # type: ignore[arg-type]
    json_best, json_median = best(lambda: json.dumps(render_json(report, catalog=catalog)))  # type: ignore[arg-type]
    size = len(render_html(report, catalog=catalog).encode())  # type: ignore[arg-type]
    print("HTML report, 100 actions x 150 cases, 200 failures")
    print(f"  render_html  {html_median * 1000:7.1f} ms median (best {html_best * 1000:.1f})")
    ratio = html_median / json_median
    print(f"  render_json  {json_median * 1000:7.1f} ms median (best {json_best * 1000:.1f})  ratio {ratio:.2f}")
    verdict = "pass" if size < 2 * 1024 * 1024 else "FAIL"
    print(f"  size         {size / 1024 / 1024:7.2f} MB (target < 2 MB: {verdict})")

    shop = load_catalog(SHOP)
    executor = ReferenceExecutor(shop, MockTarget(MockHandler(shop, cors=False)), base_url=DEFAULT_APP_BASE_URL)
    with serving(graphql_app(executor)) as url, httpx.Client(base_url=url) as client:
        page = client.get("/console").text
        assets = re.findall(r'(?:<script src|rel="stylesheet" href)="([^"]+)"', page)
        total = sum(len(client.get(a).content) for a in assets)
        console = per_request(client, "GET", "/console", 200)
        healthz = per_request(client, "GET", "/healthz", 200)
        files = statistics.median(
            [best(lambda: [client.get(a).content for a in assets], repeat=1)[0] * 1000 for _ in range(20)]
        )
    print("serve: GraphiQL over loopback")
    print(f"  GET /console     {console:6.2f} ms   GET /healthz {healthz:6.2f} ms   ratio {console / healthz:.2f}")
    print(f"  its {len(assets)} files     {files:6.2f} ms for {total / 1024 / 1024:.2f} MB (browsers keep them a day)")

    mock = MockHandler(shop)
    with serving(mock) as url, httpx.Client(base_url=url) as client:
        for _ in range(100):
            client.post("/place-order", json=ORDER).raise_for_status()
        page = per_request(client, "GET", "/__mock", 200)
        poll = per_request(client, "GET", "/__mock/requests", 200)
        call = per_request(client, "POST", "/place-order", 200, json=ORDER)
    print("mock: the journal page over loopback, journal full (100 calls)")
    print(f"  GET /__mock          {page:6.2f} ms   ratio to a webhook call {page / call:.2f}")
    print(f"  GET /__mock/requests {poll:6.2f} ms   ratio to a webhook call {poll / call:.2f} (polled each second)")
    print(f"  POST /place-order    {call:6.2f} ms")


if __name__ == "__main__":
    main()
