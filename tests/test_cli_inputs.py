"""`action-contract check --examples-file`: known-good inputs from the examples file the mock reads."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import FIXTURES

from action_contract._cli._main import main

ORDERS = str(FIXTURES / "projects" / "orders")
APP = f"{FIXTURES / 'handlers' / 'orders.py'}:app"
EXAMPLES = str(FIXTURES / "mock" / "orders-examples.yaml")
QUICK = ["--examples", "20", "--no-adversarial", "--no-database", "--seed", "4", "-q"]


def _check(*args: str):
    return CliRunner().invoke(main, ["check", ORDERS, "--app", APP, *QUICK, *args], catch_exceptions=False)


def test_without_inputs_the_lookup_fails_and_the_report_says_how_to_fix_it():
    result = _check()
    assert result.exit_code == 1, result.output
    assert "validateCoupon · accepts_valid · never_2xx" in result.output
    assert "--examples-file FILE" in result.output and "--exclude-check accepts_valid" in result.output
    assert "under 10%" in result.output


def test_the_examples_file_gives_known_good_inputs(tmp_path):
    result = _check("--examples-file", EXAMPLES, "--report-json", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r.json").read_text())
    (coupon,) = [r for r in data["results"] if r["action"] == "validateCoupon" and r["group"] == "conforming"]
    assert coupon["coverage"]["known_good"] == 2 and coupon["coverage"]["successes"] >= 2


def test_a_broken_examples_file_exits_2_with_file_and_line(tmp_path):
    path = tmp_path / "examples.yaml"
    path.write_text("validateCoupon:\n  inputs:\n    - {code: 5}\n")
    result = _check("--examples-file", str(path))
    assert result.exit_code == 2
    assert "examples.yaml:3" in result.output and "expected String, found 5" in result.output
