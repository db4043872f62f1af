"""Known-good inputs: read from the examples file, checked against the argument types, shared with the mock."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from action_contract import (
    InvalidArgument,
    MetadataError,
    Settings,
    load_catalog,
    load_examples,
    load_inputs,
    run_contract,
)
from action_contract._catalog._inputs import input_problems

ORDERS = load_catalog(FIXTURES / "projects" / "orders")
EXAMPLES = FIXTURES / "mock" / "orders-examples.yaml"


def test_the_examples_file_gives_inputs_per_action():
    inputs = load_inputs(EXAMPLES, ORDERS)
    assert inputs["validateCoupon"] == ({"code": "WELCOME10"}, {"code": "SPRING25"})
    assert inputs["createOrder"][0]["order"]["items"] == [{"sku": "TEA-42", "quantity": 2}]


def test_the_mock_reads_the_same_inputs_from_the_same_file():
    examples = load_examples(EXAMPLES, ORDERS)
    assert examples.get("validateCoupon").inputs == ({"code": "WELCOME10"}, {"code": "SPRING25"})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"code": 5}, "$.code: expected String, found 5"),
        ({}, "$.code: missing; String! is required"),
        ({"code": "A", "cod": "B"}, "validateCoupon has no argument 'cod'"),
        ({"code": None}, "$.code: expected String!, found null"),
        ("WELCOME10", "expected an object of validateCoupon's arguments"),
    ],
    ids=["wrong-type", "missing", "unknown", "null", "not-an-object"],
)
def test_problems_name_the_path_and_what_was_expected(value, message):
    problems = input_problems(ORDERS, ORDERS.action("validateCoupon"), value)
    assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"order": {"items": [{"sku": "A", "quantity": 2.5}]}}, "$.order.items[0].quantity: expected Int, found 2.5"),
        ({"order": {"items": [{"sku": "A", "quantity": 2**31}]}}, "expected Int, found 2147483648"),
        ({"order": {"items": {"sku": "A", "quantity": 1}}}, "$.order.items: expected a list"),
        ({"order": {"items": []}, "priority": "low"}, "expected a value of Priority (LOW, NORMAL, HIGH)"),
        ({"order": {"items": [{"sku": "A", "qty": 1}]}}, "OrderItemInput has no field 'qty'"),
    ],
    ids=["float-for-int", "int-overflow", "not-a-list", "enum-case", "unknown-field"],
)
def test_nested_values_are_checked_all_the_way_down(value, message):
    problems = input_problems(ORDERS, ORDERS.action("createOrder"), value)
    assert any(message in problem for problem in problems), problems


def test_a_bad_input_in_the_file_names_file_and_line(tmp_path):
    path = tmp_path / "examples.yaml"
    path.write_text("validateCoupon:\n  inputs:\n    - {code: WELCOME10}\n    - {coode: X}\n")
    with pytest.raises(MetadataError) as caught:
        load_inputs(path, ORDERS)
    text = str(caught.value)
    assert "examples.yaml:4" in text
    assert "has no argument 'coode'" in text and 'did you mean "code"' in text.lower()
    # The mock refuses the same file for the same reason.
    with pytest.raises(MetadataError, match="coode"):
        load_examples(path, ORDERS)


def test_an_unknown_action_and_an_empty_list_are_refused(tmp_path):
    path = tmp_path / "examples.yaml"
    path.write_text("validateCoupons:\n  inputs: [{code: A}]\ncreateOrder:\n  inputs: []\n")
    with pytest.raises(MetadataError) as caught:
        load_inputs(path, ORDERS)
    text = str(caught.value)
    assert "no action named 'validateCoupons'" in text
    assert "expected a non-empty list of `input` objects" in text


def test_settings_inputs_are_checked_before_the_run(tmp_path):
    with pytest.raises(InvalidArgument, match="validateCoupons"):
        run_contract(ORDERS, None, Settings(inputs={"validateCoupons": [{"code": "A"}]}))
    with pytest.raises(InvalidArgument, match=r"inputs\['validateCoupon'\]\[0\]: \$.code: expected String"):
        run_contract(ORDERS, None, Settings(inputs={"validateCoupon": [{"code": 1}]}))
