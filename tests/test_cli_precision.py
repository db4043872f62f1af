"""The command line says exactly what happened: each test is a step a new user took."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import FIXTURES

from action_contract._cli._main import main

SHOP = str(FIXTURES / "projects" / "shop")
UUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
QUICK = ["--examples", "3", "--adversarial-examples", "2", "--no-database", "--seed", "1", "-q"]


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def test_judge_says_whole_number_without_the_rule_name():
    body = {"orderId": UUID, "status": "PAID", "total": 9.5, "lines": [{"sku": "A1", "quantity": 100.5}]}
    result = _run("judge", SHOP, "--action", "placeOrder", "--status", "200", "--body", json.dumps(body))
    assert "expected Int, a whole number, found 100.5\n" in result.output
    assert "(integral)" not in result.output


def test_an_old_hasura_version_names_the_release_that_supports_the_output_type():
    result = _run("check", SHOP, "--mock", "--hasura-version", "2.0", *QUICK)
    assert result.exit_code == 2
    assert "Hasura v2.0.0 refuses action 'placeOrder'" in result.output
    assert "Hasura v2.2.0 is the first release that supports output type OrderResult!" in result.output
    assert "pass --hasura-version 2.3 or newer for every action here" in result.output
    assert _run("check", SHOP, "--mock", "--hasura-version", "2.3", *QUICK).exit_code == 0


def test_an_env_name_with_a_stray_comma_is_refused():
    result = _run("check", SHOP, "--mock", "--env", "EVENT_SECRET,=x", *QUICK)
    assert result.exit_code == 2
    assert "expected NAME=VALUE with NAME made of letters, digits and _, got 'EVENT_SECRET,=x'" in result.output
