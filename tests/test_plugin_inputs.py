"""Known-good inputs in the pytest plugin: the ini key / option, and the `action_contract_inputs` marker."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

ORDERS = FIXTURES / "projects" / "orders"
APP = f"{FIXTURES / 'handlers' / 'orders.py'}:app"
EXAMPLES = FIXTURES / "mock" / "orders-examples.yaml"
QUICK = ["--action-contract-examples=10", "--action-contract-database=none", "--action-contract-no-adversarial"]


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--action-contract", f"--action-contract-path={ORDERS}",
        f"--action-contract-app={APP}", *QUICK, "-k", "validateCoupon and conforming", *args,
    )  # fmt: skip


def test_without_inputs_the_lookup_fails_naming_the_ini_key(pytester: pytest.Pytester):
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    assert "action_contract_examples_file" in result.stdout.str()


def test_the_ini_key_gives_known_good_inputs(pytester: pytest.Pytester):
    pytester.makeini(f"[pytest]\naction_contract_examples_file = {EXAMPLES}\n")
    _run(pytester).assert_outcomes(passed=1)


def test_the_option_gives_known_good_inputs_and_a_bad_file_is_a_usage_error(pytester: pytest.Pytester):
    _run(pytester, f"--action-contract-examples-file={EXAMPLES}").assert_outcomes(passed=1)
    bad = pytester.path / "bad.yaml"
    bad.write_text("validateCoupon:\n  inputs: [{coupon: X}]\n")
    result = _run(pytester, f"--action-contract-examples-file={bad}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "has no argument 'coupon'" in result.stderr.str()


def test_the_marker_gives_known_good_inputs(pytester: pytest.Pytester):
    pytester.makeconftest(
        """
        import pytest

        def pytest_collection_modifyitems(items):
            for item in items:
                item.add_marker(pytest.mark.action_contract_inputs(validateCoupon=[{"code": "SPRING25"}]))
        """
    )
    _run(pytester).assert_outcomes(passed=1)
