"""Seeded generation: known-good inputs sent as they are, then mutated one field at a time and combined."""

from __future__ import annotations

from conftest import FIXTURES
from jsonschema import Draft202012Validator, FormatChecker

from action_contract import load_catalog
from action_contract._catalog._json_schema import action_schemas
from action_contract._generate._requests import prepare_generation
from action_contract._generate._sampling import draw_examples
from action_contract._generate._seeds import Seeds, known_requests, seeded_requests

ORDERS = load_catalog(FIXTURES / "projects" / "orders")
ORDER = {"order": {"items": [{"sku": "TEA-42", "quantity": 2}, {"sku": "MUG-7", "quantity": 1}]}, "priority": "NORMAL"}
OTHER = {"order": {"items": [{"sku": "PEN-1", "quantity": 5}]}, "priority": "HIGH", "note": "gift"}


def assert_agrees(catalog, request):
    """The payload fits the action's request JSON Schema."""
    schema = action_schemas(catalog, catalog.action(request.action))["request"]
    errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(request.payload))
    assert not errors, errors[0]


def _leaves(value, path="$"):
    if isinstance(value, dict):
        return {leaf for key, item in value.items() for leaf in _leaves(item, f"{path}.{key}")} | {(path, "{}")}
    if isinstance(value, list):
        return {leaf for index, item in enumerate(value) for leaf in _leaves(item, f"{path}[{index}]")}
    return {(path, repr(value))}


def test_known_requests_are_sent_as_given_and_marked():
    generation = prepare_generation("createOrder", catalog=ORDERS)
    requests = known_requests(generation, [ORDER, OTHER])
    assert [r.payload["input"] for r in requests] == [ORDER, OTHER]
    assert all(r.known_good and r.violation is None for r in requests)
    for request in requests:
        assert_agrees(ORDERS, request)


def test_seeded_requests_change_one_place_of_a_seed_and_still_conform():
    generation = prepare_generation("createOrder", catalog=ORDERS)
    requests = draw_examples(seeded_requests(generation, Seeds([ORDER])), 200, seed_value=3)
    for request in requests[:60]:
        assert_agrees(ORDERS, request)
    seed_leaves = _leaves(ORDER)
    near = [r for r in requests if r.payload["input"] != ORDER and len(seed_leaves - _leaves(r.payload["input"])) <= 2]
    assert len(near) >= 0.3 * len(requests), len(near)
    # Every argument gets changed in some of them, and the rest are generated afresh.
    changed = {
        name
        for r in near
        for name in ORDER.keys() | r.payload["input"].keys()
        if r.payload["input"].get(name) != ORDER.get(name)
    }
    assert {"order", "priority", "note"} <= changed
    assert sum(r.payload["input"].get("order") != ORDER["order"] and not _shares_items(r) for r in requests) >= 20


def _shares_items(request) -> bool:
    items = request.payload["input"]["order"]["items"]
    return any(item in ORDER["order"]["items"] for item in items)


def test_seeds_are_combined_argument_by_argument():
    generation = prepare_generation("createOrder", catalog=ORDERS)
    requests = draw_examples(seeded_requests(generation, Seeds([ORDER, OTHER])), 200, seed_value=5)
    mixed = [
        r
        for r in requests
        if r.payload["input"].get("order") == ORDER["order"] and r.payload["input"].get("priority") == "HIGH"
    ]
    assert mixed


def test_seeds_keep_distinct_successes_and_freeze():
    seeds = Seeds([ORDER])
    assert seeds.add(OTHER, ("200", "a"))
    assert not seeds.add(OTHER, ("200", "a"))  # the same signature again
    seeds.freeze()
    assert not seeds.add({"order": {"items": []}}, ("200", "b"))
    assert seeds.pool == [ORDER, OTHER]
    full = Seeds()
    for index in range(Seeds.CAPACITY + 5):
        full.add({"note": str(index)}, index)
    assert len(full.pool) == Seeds.CAPACITY


def test_without_seeds_the_requests_are_the_ordinary_ones():
    generation = prepare_generation("createOrder", catalog=ORDERS)
    requests = draw_examples(seeded_requests(generation, Seeds()), 50, seed_value=1)
    assert len({r.body for r in requests}) > 25
    for request in requests[:20]:
        assert_agrees(ORDERS, request)


def test_an_action_without_arguments_is_seeded_as_it_is():
    catalog = load_catalog(FIXTURES / "metadata" / "all_inputs.graphql")
    generation = prepare_generation("noArguments", catalog=catalog)
    requests = draw_examples(seeded_requests(generation, Seeds([{}])), 10, seed_value=1)
    assert requests and all(r.payload["input"] == {} for r in requests)
