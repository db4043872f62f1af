"""`action-contract check`: exit codes, the text report, JSON and JUnit files, usage errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

from click.testing import CliRunner
from conftest import FIXTURES

from action_contract._cli._main import main

SHOP = str(FIXTURES / "projects" / "shop")
GOOD = f"{FIXTURES / 'handlers' / 'shop.py'}:app"
FAULTY = FIXTURES / "handlers" / "faulty.py"
QUICK = ["--examples", "8", "--adversarial-examples", "8", "--no-database", "--seed", "5", "-q"]


def _check(*args: str):
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def test_the_sample_handler_holds(tmp_path):
    result = _check(
        SHOP, "--app", GOOD, *QUICK, "--report-json", str(tmp_path / "r.json"), "--junit-xml", str(tmp_path / "j.xml")
    )
    assert result.exit_code == 0, result.output
    assert "the contract holds" in result.output and "seed 5" in result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["passed"] is True and report["failures"] == [] and report["seed"] == 5
    suite = ElementTree.parse(tmp_path / "j.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    names = {(c.get("classname"), c.get("name")) for c in suite.iter("testcase")}
    assert ("placeOrder", "hasura_accepts") in names and ("placeOrder", "enforces_secret") in names


def test_violations_exit_1_with_each_failure_explained(tmp_path):
    result = _check(SHOP, "--app", f"{FAULTY}:envelope_app", *QUICK, "--report-json", str(tmp_path / "r.json"))
    assert result.exit_code == 1
    out = result.output
    assert "FAIL placeOrder · hasura_accepts · missing_field" in out
    assert "expected in webhook response, but not found" in out
    assert "curl -sS -i -X POST" in out and '"$SHOP_WEBHOOK_SECRET"' in out
    assert "def test_placeorder_hasura_accepts" in out
    report = json.loads((tmp_path / "r.json").read_text())
    failure = next(f for f in report["failures"] if f["action"] == "placeOrder")
    assert failure["check"] == "hasura_accepts" and failure["hasura_error"]["extensions"]["code"] == "unexpected"
    assert failure["request"]["headers"]["X-Shop-Secret"] == "$SHOP_WEBHOOK_SECRET"


def test_no_strict_keeps_exit_0_for_strict_findings():
    strict = _check(SHOP, "--app", f"{FAULTY}:loose_types_app", *QUICK, "--no-adversarial")
    assert strict.exit_code == 1 and "output_conforms" in strict.output
    lenient = _check(SHOP, "--app", f"{FAULTY}:loose_types_app", *QUICK, "--no-adversarial", "--no-strict")
    assert lenient.exit_code == 0 and "WARN" in lenient.output


def test_usage_and_metadata_errors_exit_2():
    both = _check(SHOP, "--url", "http://127.0.0.1:9", "--app", GOOD)
    assert both.exit_code == 2 and "only one of --url, --app and --mock" in both.output
    unknown = _check(SHOP, "--app", GOOD, "--action", "placeOrdr")
    assert unknown.exit_code == 2 and "placeOrder" in unknown.output
    bad_check = _check(SHOP, "--app", GOOD, "--exclude-check", "hasura_accept")
    assert bad_check.exit_code == 2 and "hasura_accepts" in bad_check.output
    broken = _check(str(FIXTURES / "broken" / "malformed.json"), "--app", GOOD)
    assert broken.exit_code == 2 and "Traceback" not in broken.output
    missing_app = _check(SHOP, "--app", "no_such_module_here:app")
    assert missing_app.exit_code == 2 and "no_such_module_here" in missing_app.output


def test_an_unreachable_handler_is_a_violation_not_a_crash():
    result = _check(SHOP, "--url", "http://127.0.0.1:9", "--action", "quote", *QUICK)
    assert result.exit_code == 1
    assert "http exception when calling webhook" in result.output
