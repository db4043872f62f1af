"""Request generation speed against a hand-written Hypothesis strategy for the same payload shape.

The action is a realistic one: five arguments, a nested input object with a list, an enum, session
variables. Baseline (same process, same Hypothesis engine and settings): `fixed_dictionaries` written
by hand for that payload, each example JSON-encoded as ours is. Ours draws full `ActionRequest`s:
the input with absent/null/value optionals and awkward scalars, sessions, `request_query` and headers.
Rounds alternate between the two; the best of each is reported with the ratio (ours / baseline, in
payloads per second; 0.9 or better is the goal).
Run: python benchmarks/bench_generate.py [--examples N] [--rounds R]
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

from action_contract import conforming_requests, load_catalog

SDL = """
type Mutation {
  createOrder(
    customer: CustomerInput!, items: [ItemInput!]!, priority: Priority!, note: String, dryRun: Boolean
  ): Order!
}
input CustomerInput { name: String!, email: String!, address: AddressInput }
input AddressInput { street: String!, city: String!, zip: String }
input ItemInput { sku: String!, quantity: Int!, price: Float }
enum Priority { LOW NORMAL HIGH }
type Order { id: ID!, total: Float! }
"""


def baseline() -> st.SearchStrategy[dict[str, Any]]:
    """What a careful user would write by hand for this action's payload."""
    text = st.text()
    address = st.fixed_dictionaries({"street": text, "city": text}, optional={"zip": st.none() | text})
    customer = st.fixed_dictionaries({"name": text, "email": text}, optional={"address": st.none() | address})
    item = st.fixed_dictionaries(
        {"sku": text, "quantity": st.integers(-(2**31), 2**31 - 1)},
        optional={"price": st.none() | st.floats(allow_nan=False, allow_infinity=False)},
    )
    arguments = st.fixed_dictionaries(
        {
            "customer": customer,
            "items": st.lists(item, max_size=4),
            "priority": st.sampled_from(["LOW", "NORMAL", "HIGH"]),
        },
        optional={"note": st.none() | text, "dryRun": st.none() | st.booleans()},
    )
    session = st.fixed_dictionaries(
        {"x-hasura-role": st.sampled_from(["user", "admin"])}, optional={"x-hasura-user-id": st.uuids().map(str)}
    )
    return st.fixed_dictionaries(
        {
            "action": st.just({"name": "createOrder"}),
            "input": arguments,
            "session_variables": session,
            "request_query": st.just("mutation { createOrder { id } }"),
        }
    )


def rate(strategy: st.SearchStrategy[Any], encode: Any, examples: int) -> float:
    """Examples per second through Hypothesis' own engine (generation phase only, no database)."""

    @settings(
        max_examples=examples,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        encode(value)

    start = time.perf_counter()
    run()
    return examples / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "actions.graphql"
        path.write_text(SDL)
        catalog = load_catalog(path)
    ours = conforming_requests("createOrder", catalog=catalog)
    theirs = baseline()
    best_ours = best_theirs = 0.0
    for _ in range(args.rounds):
        best_theirs = max(best_theirs, rate(theirs, lambda p: json.dumps(p, separators=(",", ":")), args.examples))
        best_ours = max(best_ours, rate(ours, lambda r: r.body, args.examples))
    print(f"baseline, hand-written fixed_dictionaries: {best_theirs:7.0f} payloads/s")
    print(f"action-contract conforming_requests:      {best_ours:7.0f} requests/s")
    print(f"ratio (ours / baseline): {best_ours / best_theirs:.2f}  (goal: 0.90 or better)")


if __name__ == "__main__":
    main()
