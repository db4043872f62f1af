"""Each adversarial rule really breaks its rule, on catalogs built to tempt it into a request that is valid.

Two actions at one handler URL (the "wrong" name must not be the other one), arguments and fields
named like the rules' made-up names, nullable list items, and deeply nested lists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from action_contract import adversarial_requests, edge_requests, load_catalog
from action_contract._generate._action_request import MAX_REQUEST_BYTES
from action_contract._generate._sampling import draw_examples

SDL = """
type Mutation {
  first(extra: String, unexpectedField: Int, idd: ID, __proto__: String): Int
  second(count: bigint!, items: [Item]!): Int
  elsewhere(x: Int): Int
}
input Item { a: String!, extra: String, unexpectedField: Int, idd: ID }
"""
YAML = """
actions:
  - name: first
    definition: {kind: synchronous, handler: "http://handlers.test/shared"}
  - name: second
    definition: {kind: synchronous, handler: "http://handlers.test/shared/"}
  - name: elsewhere
    definition: {kind: synchronous, handler: "http://handlers.test/other"}
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("rules")
    (folder / "actions.graphql").write_text(SDL)
    (folder / "actions.yaml").write_text(YAML)
    return load_catalog(folder)


def _draw(catalog, action: str, violation: str, count: int = 40):
    return draw_examples(adversarial_requests(action, catalog=catalog, violations=[violation]), count, seed_value=5)


@pytest.mark.parametrize("action", ["first", "second"])
def test_a_wrong_action_name_is_no_name_served_at_that_url(catalog, action: str) -> None:
    names = {request.payload["action"]["name"] for request in _draw(catalog, action, "wrong_action_name")}
    assert names, "no request drawn"
    assert not names & {"first", "second"}, names
    assert "elsewhere" in names  # another URL's action is a fine wrong name


def test_an_unknown_argument_is_never_a_declared_one(catalog) -> None:
    declared = {a.name for a in catalog.actions["first"].arguments}
    for request in _draw(catalog, "first", "unknown_argument"):
        extra = set(request.payload["input"]) - declared
        assert len(extra) == 1, request.payload["input"]


def test_an_unknown_field_is_never_a_declared_one_even_in_a_nullable_list_item(catalog) -> None:
    declared = {"a", "extra", "unexpectedField", "idd"}
    requests = _draw(catalog, "second", "unknown_field", 60)
    assert requests
    for request in requests:
        (item,) = [i for i in request.payload["input"]["items"] if isinstance(i, dict) and set(i) - declared]
        assert len(set(item) - declared) == 1


def test_every_rule_draws_without_error_for_a_list_of_nullable_input_objects(catalog) -> None:
    # The list's items may be null in the conforming draw; rules that change an item must fill it first.
    for seed in range(8):
        for request in draw_examples(adversarial_requests("second", catalog=catalog), 30, seed_value=seed):
            assert request.violation


@pytest.mark.parametrize("depth", [1, 3, 8, 20, 40])
def test_nested_list_edges_stay_under_the_bound_and_keep_their_cases(tmp_path: Path, depth: int) -> None:
    sdl = tmp_path / "actions.graphql"
    sdl.write_text("type Mutation { f(x: " + "[" * depth + "String" + "]" * depth + "!): Int }\n")
    catalog = load_catalog(sdl)
    requests = edge_requests("f", catalog=catalog)
    high = requests[-1]
    assert len(high.body) <= MAX_REQUEST_BYTES
    # The innermost list still has its null item and a long string, however deep the nesting.
    value = high.payload["input"]["x"]
    for _ in range(depth - 1):
        value = value[0]
    assert None in value and max(len(v) for v in value if v) > 1000, json.dumps(value)[:200]
