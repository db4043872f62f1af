"""Realistic values by name and type, and strings that break naive code, in conforming generation."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import FIXTURES

from action_contract import conforming_requests, load_catalog
from action_contract._generate._realistic import NAIVE_PIECES
from action_contract._generate._sampling import draw_examples

ALL = load_catalog(FIXTURES / "metadata" / "all_inputs.graphql")
SHOP = load_catalog(FIXTURES / "projects" / "shop")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _walk(value, found):
    found.append(value)
    if isinstance(value, dict):
        for item in value.values():
            _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)


def _strings(requests) -> list[str]:
    values: list[object] = []
    for request in requests:
        _walk(request.payload["input"], values)
    return [v for v in values if isinstance(v, str)]


@pytest.fixture(scope="module")
def everything():
    return draw_examples(conforming_requests("everything", catalog=ALL), 300, seed_value=11)


@pytest.fixture(scope="module")
def orders():
    return draw_examples(conforming_requests("placeOrder", catalog=SHOP), 300, seed_value=11)


def test_strings_often_carry_pieces_that_break_naive_code(everything):
    strings = _strings(everything)
    pieces = Counter(piece for text in strings for piece in NAIVE_PIECES if piece in text)
    carrying = sum(any(piece in text for piece in NAIVE_PIECES) for text in strings)
    assert carrying >= 0.12 * len(strings), (carrying, len(strings))
    missing = [piece for piece in NAIVE_PIECES if pieces[piece] < 3]
    assert not missing, (missing, pieces)
    # A combining mark that starts a value has no base character: a lone one.
    assert any(text.startswith("\u0301") for text in strings)


def test_realistic_values_carry_pieces_too(orders):
    skus = [item["sku"] for request in orders for item in request.payload["input"]["items"]]
    realistic = [sku for sku in skus if "SKU-" in sku]
    assert len(realistic) >= 0.15 * len(skus), (len(realistic), len(skus))
    assert any(sku not in {f"SKU-{n}" for n in range(10000, 100000)} for sku in realistic)
    assert any(re.fullmatch(r"SKU-\d{5}", sku) for sku in realistic)


def test_names_give_realistic_values_and_the_full_range_keeps_coming(orders):
    quantities = [item["quantity"] for request in orders for item in request.payload["input"]["items"]]
    small = sum(1 <= q <= 20 for q in quantities)
    assert small >= 0.3 * len(quantities), (small, len(quantities))
    # A name's range is a preference, never a limit: zero, negatives and both bounds still come.
    assert {0, -1, INT_MIN, INT_MAX} <= set(quantities)
    assert any(q > 20 for q in quantities if q != INT_MAX)


def test_realistic_lists_hold_something_and_empty_lists_still_come(orders):
    sizes = Counter(min(len(request.payload["input"]["items"]), 2) for request in orders)
    assert sizes[0] >= 10 and sizes[1] + sizes[2] >= 0.7 * len(orders), sizes
