"""Adversarial requests break exactly the rule they name, and every rule comes up."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from action_contract import VIOLATIONS, InvalidArgument, adversarial_requests, load_catalog
from action_contract._catalog._json_schema import action_schemas
from action_contract._generate._sampling import draw_examples

SHOP = load_catalog(FIXTURES / "projects" / "shop")
ALL = load_catalog(FIXTURES / "metadata" / "all_inputs.graphql")
CATALOGS = {"shop": SHOP, "all_inputs": ALL}
CASES = [(key, name) for key, catalog in CATALOGS.items() for name in catalog.actions]

# The JSON Schema keyword that must catch each rule, and whether it reports at the parent of the path.
EXPECTED = {
    "missing_required_argument": ({"required"}, True),
    "missing_required_field": ({"required"}, True),
    "null_for_non_null": ({"type", "not", "enum", "anyOf"}, False),
    "wrong_type": ({"type", "enum", "anyOf"}, False),
    "int_out_of_range": ({"maximum", "minimum"}, False),
    "non_integral_int": ({"type", "anyOf"}, False),
    "malformed_scalar": ({"format", "pattern", "anyOf"}, False),
    "unknown_enum_value": ({"enum", "anyOf"}, False),
    "unknown_argument": ({"additionalProperties"}, True),
    "unknown_field": ({"additionalProperties"}, True),
    "object_for_list": ({"type", "anyOf"}, False),
    "list_for_object": ({"type", "anyOf"}, False),
    "wrong_action_name": ({"const"}, False),
    "missing_input": ({"required"}, True),
    "missing_session_variables": ({"required"}, True),
    "malformed_input": ({"type"}, False),
}


def _path(parts) -> str:
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += "[0]" if part == 0 else f"[{part}]"
        else:
            text += f".{part}" if re.fullmatch(r"\w+", part) else f"[{part!r}]"
    return text


def _parent(path: str) -> str:
    return re.sub(r"(\.\w+|\[[^\]]+\])$", "", path)


def _leaves(error):
    # A nullable position is `anyOf: [T, null]`; look through it to where T itself failed.
    if error.validator in {"anyOf", "oneOf"} and error.context:
        branches = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
        # In `anyOf: [integer, numeric string]`, the branch whose type matched says what is wrong.
        branches = [e for e in branches if e.validator != "type"] or branches
        if branches:
            return [leaf for branch in branches for leaf in _leaves(branch)]
    return [error]


def assert_breaks_exactly(catalog, request):
    """The request breaks its named rule at its named place, and nothing else."""
    assert request.violation in VIOLATIONS
    assert request.violation_detail
    action = catalog.action(request.action)
    validator = Draft202012Validator(action_schemas(catalog, action)["request"], format_checker=FormatChecker())
    kind = request.violation
    if kind in {"not_json", "empty_body"}:
        assert request.payload is None
        with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)):
            json.loads(request.raw_body)
        return
    errors = [leaf for error in validator.iter_errors(request.payload) for leaf in _leaves(error)]
    if kind in {"missing_secret_header", "wrong_secret_header"}:
        assert errors == []
        (secret,) = request.secret_headers
        assert request.header(secret) != "change-me"  # the configured value from fixtures/projects/shop/.env
        return
    assert errors, f"{kind} at {request.violation_path} passes the schema"
    paths = {_path(e.absolute_path) for e in errors}
    if kind == "missing_action_name":
        assert paths <= {"$", "$.action"}
        return
    if kind == "malformed_session_variables":
        assert all(p.startswith("$.session_variables") for p in paths), paths
        return
    keywords, at_parent = EXPECTED[kind]
    where = _parent(request.violation_path) if at_parent else request.violation_path
    assert paths == {where}, (kind, request.violation_path, [e.message for e in errors])
    assert {e.validator for e in errors} <= keywords, (kind, [e.message for e in errors])
    if kind == "null_for_non_null":
        assert all(e.instance is None for e in errors)


@pytest.mark.parametrize(("key", "name"), CASES)
@settings(max_examples=30)
@given(data=st.data())
def test_each_adversarial_request_breaks_exactly_its_rule(key, name, data):
    catalog = CATALOGS[key]
    assert_breaks_exactly(catalog, data.draw(adversarial_requests(name, catalog=catalog)))


def test_every_rule_comes_up():
    seen = Counter()
    # Hypothesis draws in clumps (it mutates what it drew before), so one seed's 120 draws of an action may
    # miss a rule by chance; two seeds make the test about the rules, not about one seed's luck.
    for catalog in (SHOP, ALL):
        for name in catalog.actions:
            for seed_value in (5, 6):
                for request in draw_examples(adversarial_requests(name, catalog=catalog), 120, seed_value=seed_value):
                    seen[request.violation] += 1
    assert set(seen) == set(VIOLATIONS), set(VIOLATIONS) - set(seen)


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_each_rule_can_be_asked_for_alone(violation):
    catalog, name = (SHOP, "placeOrder") if "secret" in violation else (ALL, "everything")
    if violation == "malformed_scalar":
        name = "postgres"
    for request in draw_examples(adversarial_requests(name, catalog=catalog, violations=[violation]), 15):
        assert request.violation == violation
        assert_breaks_exactly(catalog, request)


def test_rules_that_cannot_apply_are_skipped():
    requests = draw_examples(adversarial_requests("noArguments", catalog=ALL), 80, seed_value=1)
    kinds = {r.violation for r in requests}
    assert "wrong_type" not in kinds and "missing_secret_header" not in kinds
    assert {"unknown_argument", "not_json", "wrong_action_name"} <= kinds


def test_unknown_rules_are_refused_with_a_suggestion():
    with pytest.raises(InvalidArgument, match='Did you mean "wrong_type"'):
        adversarial_requests("everything", catalog=ALL, violations=["wrong_types"])
    with pytest.raises(InvalidArgument, match="none of the violations missing_secret_header can apply"):
        adversarial_requests("everything", catalog=ALL, violations=["missing_secret_header"])


def test_the_wire_form_names_the_violation():
    (request,) = draw_examples(adversarial_requests("quote", catalog=SHOP, violations=["not_json"]), 1)
    line = request.to_json()
    assert line["violation"] == "not_json" and "raw_body" in line and "payload" not in line
