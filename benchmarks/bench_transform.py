"""Generating requests for an action behind a request transform, against the same action without it.

Two actions with the same arguments in one catalog; one has a realistic request transform (method,
URL from `$base_url` and an escaped input, query parameters with an optional one, headers added and
removed, a body template with a range and a default). Templates are parsed once when the catalog
loads; each request evaluates them over the parsed tree. Two figures, rounds alternating, best of each:

- generation: `conforming_requests` through Hypothesis' engine (what `check` and `example` do);
- build: `Call.request` alone for the same inputs (the transform's own share, the harder ratio).

The ratio is transformed / plain in time per request (2.0 or lower is the goal).
Run: python benchmarks/bench_transform.py [--examples N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from action_contract import conforming_requests, edge_requests, load_catalog
from action_contract._generate._action_request import prepare_call
from action_contract._generate._profiles import HasuraProfile

ARGUMENTS = [
    {"name": "customer", "type": "CustomerInput!"},
    {"name": "items", "type": "[ItemInput!]!"},
    {"name": "note", "type": "String"},
]
TRANSFORM = {
    "version": 2,
    "template_engine": "Kriti",
    "method": "PUT",
    "url": "{{$base_url}}/customers/{{escapeUri($body.input.customer.name)}}/orders",
    "query_params": {"dry": '{{ $body.input?.note ?? "no" }}', "user": "{{$session_variables?['x-hasura-user-id']}}"},
    "request_headers": {
        "add_headers": {"X-Role": "{{$session_variables['x-hasura-role']}}"},
        "remove_headers": ["User-Agent"],
    },
    "body": {
        "action": "transform",
        "template": (
            '{"customer": {"name": {{$body.input.customer.name}}, "email": {{$body.input.customer.email}}},'
            ' "lines": {{ range i, item := $body.input.items }} {"n": {{i}}, "sku": {{item.sku}},'
            ' "qty": {{item.quantity}}} {{ end }}, "note": {{ $body.input?.note ?? null }}}'
        ),
    },
}


def metadata(folder: Path) -> Path:
    """Custom types and the two actions, as metadata API calls."""
    types = {
        "input_objects": [
            {
                "name": "CustomerInput",
                "fields": [{"name": "name", "type": "String!"}, {"name": "email", "type": "String!"}],
            },
            {"name": "ItemInput", "fields": [{"name": "sku", "type": "String!"}, {"name": "quantity", "type": "Int!"}]},
        ],
        "objects": [{"name": "Order", "fields": [{"name": "id", "type": "ID!"}]}],
    }
    plain = {"kind": "synchronous", "arguments": ARGUMENTS, "output_type": "Order!", "handler": "http://shop.test/api"}
    calls = [
        {"type": "set_custom_types", "args": types},
        {"type": "create_action", "args": {"name": "plain", "definition": plain}},
        {
            "type": "create_action",
            "args": {"name": "transformed", "definition": {**plain, "request_transform": TRANSFORM}},
        },
    ]
    path = folder / "calls.json"
    path.write_text(json.dumps(calls))
    return path


def generation_time(strategy: st.SearchStrategy[Any], examples: int) -> float:
    """Seconds per request through Hypothesis' own engine (generation phase only)."""

    @settings(
        max_examples=examples,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(request: Any) -> None:
        request.body  # noqa: B018 - the bytes sent are part of the cost

    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) / examples


def build_time(catalog: Any, name: str, inputs: list[tuple[Any, Any, Any]], repeat: int) -> float:
    """Seconds per `Call.request` (input, session and query fixed beforehand)."""
    call = prepare_call(catalog, catalog.action(name), profile=HasuraProfile())
    started = time.perf_counter()
    for _ in range(repeat):
        for arguments, session, query in inputs:
            call.request(arguments, session, query).body  # noqa: B018
    return (time.perf_counter() - started) / (repeat * len(inputs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        catalog = load_catalog(metadata(Path(folder)))
    samples = edge_requests("plain", catalog=catalog)
    inputs = [(r.payload["input"], r.payload["session_variables"], r.payload["request_query"]) for r in samples]
    sent = edge_requests("transformed", catalog=catalog)[2]
    assert sent.method == "PUT" and not sent.transform_errors, sent.to_json()
    best: dict[str, float] = {}
    for _ in range(options.rounds):
        for name in ("plain", "transformed"):
            strategy = conforming_requests(name, catalog=catalog)
            figures = {
                f"generation {name}": generation_time(strategy, options.examples),
                f"build {name}": build_time(catalog, name, inputs, 200),
            }
            for key, value in figures.items():
                best[key] = min(best.get(key, value), value)
    for stage in ("generation", "build"):
        plain, transformed = best[f"{stage} plain"], best[f"{stage} transformed"]
        print(
            f"{stage:>10}: plain {plain * 1e6:8.1f} µs/request, transformed {transformed * 1e6:8.1f} µs/request, "
            f"ratio {transformed / plain:.2f}"
        )


if __name__ == "__main__":
    main()
