"""Severity: which findings are errors, which are warnings, and how --adversarial-strict and --no-strict move them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from action_contract import VIOLATIONS, ActionResponse, load_catalog
from action_contract._cli._main import main
from action_contract._generate._action_request import ActionRequest
from action_contract._hasura._judge import judge
from action_contract._run._case import Case
from action_contract._run._checks import registered_checks
from action_contract._run._severity import INPUT_RULES, LENIENT_RULES, severity_of

SHOP_PATH = FIXTURES / "projects" / "shop"
SHOP = load_catalog(SHOP_PATH)
MISLEADING = FIXTURES / "handlers" / "misleading.py"
QUICK = ["--examples", "8", "--adversarial-examples", "20", "--no-database", "--seed", "7", "-q"]


def _case(violation: str | None, status: int, group: str = "adversarial") -> Case:
    action = SHOP.action("quote")
    request = ActionRequest(action="quote", url="http://h/quote", headers=(), payload={}, violation=violation)
    response = ActionResponse(status=status, body=b'{"message": "no"}' if status >= 400 else b"null")
    verdict = judge(action, response, catalog=SHOP, request=request)
    return Case(catalog=SHOP, action=action, group=group, request=request, response=response, verdict=verdict)  # type: ignore[arg-type]


def _severity(violation: str | None, status: int, *, adversarial_strict: bool = False, strict: bool = True) -> str:
    case = _case(violation, status)
    check = registered_checks()["rejects_invalid"]
    finding = check.function(case)
    assert finding is not None
    return severity_of(check, finding, case, strict=strict, adversarial_strict=adversarial_strict)


def test_every_adversarial_rule_has_a_default_severity():
    rules = set(VIOLATIONS) - {"missing_secret_header", "wrong_secret_header"}
    assert rules <= set(LENIENT_RULES) | set(INPUT_RULES)
    assert not set(LENIENT_RULES) & set(INPUT_RULES)


@pytest.mark.parametrize("rule", sorted(LENIENT_RULES))
def test_a_2xx_to_a_lenient_rule_is_a_warning_unless_adversarial_strict(rule):
    assert _severity(rule, 200) == "warning"
    assert _severity(rule, 200, adversarial_strict=True) == "error"
    assert _severity(rule, 500) == "error"  # a crash is an error whatever the rule


@pytest.mark.parametrize("rule", sorted(INPUT_RULES))
def test_a_2xx_to_a_value_the_types_forbid_is_an_error(rule):
    assert _severity(rule, 200) == "error"


def test_no_strict_makes_strict_findings_warnings():
    case = _case(None, 200, group="conforming")
    check = registered_checks()["output_conforms"]
    finding = registered_checks()["rejects_invalid"].function(_case("wrong_type", 200))
    assert finding is not None
    assert severity_of(check, finding, case, strict=False, adversarial_strict=False) == "warning"
    assert severity_of(check, finding, case, strict=True, adversarial_strict=False) == "error"


def _check(*args: str):
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def test_warnings_alone_exit_0_and_are_counted_apart(tmp_path):
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    result = _check(
        str(SHOP_PATH), "--app", f"{MISLEADING}:lenient_app", *QUICK, "--report-json", str(report),
        "--junit-xml", str(junit),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "the contract holds" in result.output and "warning" in result.output
    assert "WARN placeOrder · rejects_invalid · unknown_" in result.output
    data = json.loads(report.read_text())
    assert data["passed"] and data["failures"]
    assert {f["severity"] for f in data["failures"]} == {"warning"}
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    counts = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert counts == {"errors": "0", "warnings": str(len(data["failures"]))}
    assert any("WARN" in (out.text or "") for out in suite.iter("system-out"))


def test_adversarial_strict_exits_1_on_the_same_run():
    result = _check(str(SHOP_PATH), "--app", f"{MISLEADING}:lenient_app", *QUICK, "--adversarial-strict")
    assert result.exit_code == 1, result.output
    assert "FAIL placeOrder · rejects_invalid · unknown_" in result.output


def test_max_reply_mb_is_an_option_and_a_bigger_reply_a_warning():
    args = [str(SHOP_PATH), "--app", f"{MISLEADING}:big_reply_app", *QUICK, "--no-adversarial"]
    small = _check(*args, "--action", "recommendations", "--max-reply-mb", "5")
    assert small.exit_code == 0, small.output
    assert "WARN recommendations · hasura_accepts · too_large" in small.output
    assert "reply of 12." in small.output and " MB not read past 5 MB" in small.output
    assert "http exception when calling webhook" not in small.output
