"""Deeper runs against a handler with business rules: known-good inputs, steering, and coverage in the reports."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from action_contract import (
    CallableTarget,
    Settings,
    app_target,
    load_catalog,
    render_html,
    render_json,
    render_text,
    run_contract,
    run_group,
)

ORDERS = load_catalog(FIXTURES / "projects" / "orders")
APP = f"{FIXTURES / 'handlers' / 'orders.py'}:app"
FAULTY = f"{FIXTURES / 'handlers' / 'orders.py'}:faulty_app"
COUPONS = {"validateCoupon": [{"code": "WELCOME10"}, {"code": "SPRING25"}]}


def _settings(**options) -> Settings:
    return Settings(examples=40, adversarial=False, database=None, shrink=False, **options)


@pytest.fixture(scope="module")
def without_inputs():
    with app_target(APP) as target:
        return run_contract(ORDERS, target, _settings(seed=2))


@pytest.fixture(scope="module")
def with_inputs():
    with app_target(APP) as target:
        return run_contract(ORDERS, target, _settings(seed=2, inputs=COUPONS))


def _conforming(report, action):
    return next(r for r in report.results if r.action == action and r.group == "conforming")


def test_a_lookup_without_known_good_inputs_fails_accepts_valid_naming_the_fix(without_inputs):
    (failure,) = [f for f in without_inputs.failures if f.check == "accepts_valid"]
    assert failure.action == "validateCoupon" and failure.finding.kind == "never_2xx"
    assert "--examples-file" in failure.finding.expected and "inputs:" in failure.finding.expected
    assert "--exclude-check accepts_valid" in failure.finding.expected
    coverage = _conforming(without_inputs, "validateCoupon").coverage
    assert coverage.successes == 0 and coverage.low
    assert "known-good inputs" in coverage.advice()


def test_known_good_inputs_run_first_and_reach_the_success_path(with_inputs):
    assert with_inputs.passed, [f.finding.title for f in with_inputs.failures]
    coverage = _conforming(with_inputs, "validateCoupon").coverage
    assert coverage.known_good == 2
    # Known codes come back through mutation and combination, not only the two first requests.
    assert coverage.successes > 2 and coverage.shapes == 2


def test_a_handler_refusing_a_known_good_input_fails_with_that_input():
    def handler(payload, headers):
        code = payload["input"]["code"]
        if code == "WELCOME10":
            return 200, {"code": code, "percentOff": 10}
        return 400, {"message": "no such coupon", "extensions": {"code": "unknown-coupon"}}

    with CallableTarget(handler) as target:
        result = run_group(ORDERS, "validateCoupon", "conforming", target, _settings(seed=1, inputs=COUPONS))
    (failure,) = [f for f in result.failures if f.check == "accepts_valid"]
    assert failure.finding.kind == "known_good_rejected"
    assert failure.request.payload["input"] == {"code": "SPRING25"} and failure.request.known_good
    assert failure.response.status == 400


def test_the_order_action_gets_past_its_rules_with_every_priority(with_inputs):
    coverage = _conforming(with_inputs, "createOrder").coverage
    assert coverage.share >= 0.3, coverage
    assert set(coverage.enum_successes["$.priority"]) == {"LOW", "NORMAL", "HIGH"}
    assert coverage.shapes >= 3
    assert not coverage.low and coverage.advice() is None


def test_a_fault_behind_the_rules_is_found():
    with app_target(FAULTY) as target:
        result = run_group(ORDERS, "createOrder", "conforming", target, Settings(seed=3, database=None))
    (failure,) = result.failures
    assert failure.check == "output_conforms" and failure.finding.kind == "enum"
    assert failure.request.payload["input"]["priority"] == "LOW"


def test_coverage_in_text_json_and_html(without_inputs):
    text = render_text(without_inputs, catalog=ORDERS)
    assert "coverage (conforming requests that got a 2xx):" in text
    assert "validateCoupon  0/" in text and "under 10%" in text and "--examples-file FILE" in text
    assert "priority: 2xx with" in text
    data = json.loads(json.dumps(render_json(without_inputs, catalog=ORDERS)))
    (coupon,) = [r for r in data["results"] if r["action"] == "validateCoupon" and r["group"] == "conforming"]
    assert coupon["coverage"]["successes"] == 0 and coupon["coverage"]["advice"]
    (order,) = [r for r in data["results"] if r["action"] == "createOrder" and r["group"] == "conforming"]
    assert order["coverage"]["enums"]["$.priority"]["succeeded"]
    assert order["coverage"]["share"] == round(order["coverage"]["successes"] / order["coverage"]["requests"], 4)
    page = render_html(without_inputs, catalog=ORDERS)
    assert '<section id="coverage">' in page and 'class="warned"' in page
