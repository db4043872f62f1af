"""The command line as a user meets it: real subprocess runs, exit codes, golden output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from action_contract._cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`action-contract ARGS` in a child process, from the repository root, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
    return subprocess.run(
        [sys.executable, "-m", "action_contract", *args], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )


def test_validate_prints_the_summary(request):
    result = run("validate", "fixtures/projects/shop")
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / "validate_shop.txt"
    if request.config.getoption("--update-golden", default=False) or not golden.exists():
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()
    assert result.stderr == ""


def test_validate_reports_errors_with_exit_2_and_no_traceback():
    result = run("validate", "fixtures/broken/many_problems")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("cannot load Hasura metadata in fixtures/broken/many_problems: 7 errors\n")
    assert (
        'fixtures/broken/many_problems/actions.yaml:6:7: error: action "a": timeout value cannot be negative'
        in result.stderr
    )
    assert result.stdout == ""


def test_validate_warnings_and_strict(tmp_path):
    (tmp_path / "actions.graphql").write_text("type Query { a(n: Int = 3): String }")
    runner = CliRunner()
    relaxed = runner.invoke(main, ["validate", str(tmp_path / "actions.graphql")])
    assert relaxed.exit_code == 0
    assert "warning: default value of 'n' is ignored" in relaxed.output
    strict = runner.invoke(main, ["validate", "--strict", str(tmp_path / "actions.graphql")])
    assert strict.exit_code == 2


def test_validate_json_format():
    result = run("validate", "--format", "json", "fixtures/metadata/export_v3.json")
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert [a["name"] for a in document["actions"]] == ["login", "me"]
    assert document["actions"][0]["arguments"] == {"credentials": "Credentials!"}
    broken = run("validate", "--format", "json", "fixtures/broken/forbidden_env_header")
    assert broken.returncode == 2
    problem = json.loads(broken.stdout)["problems"][0]
    assert (problem["line"], problem["code"], problem["subject"]) == (8, "parse-failed", 'action "notify"')


def test_env_option():
    result = CliRunner().invoke(
        main, ["validate", "--format", "json", "--env", "SHOP_ACTIONS_URL=http://x", "fixtures/projects/shop"]
    )
    assert result.exit_code == 0
    bad = CliRunner().invoke(main, ["validate", "--env", "NOEQUALS", "fixtures/projects/shop"])
    assert bad.exit_code == 2 and "expected NAME=VALUE" in bad.output


def test_schema_prints_usable_json_schemas():
    result = run("schema", "fixtures/projects/shop", "--action", "quote")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document["actions"]) == ["quote"]
    for schema in document["actions"]["quote"].values():
        Draft202012Validator.check_schema(schema)


def test_schema_unknown_action_is_a_usage_error():
    result = run("schema", "fixtures/projects/shop", "--action", "qoute")
    assert result.returncode == 2
    assert 'Did you mean "quote"?' in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_is_a_clear_error():
    result = run("validate", "no/such/place")
    assert result.returncode == 2
    assert "no/such/place: error: no such file or directory" in result.stderr


@pytest.mark.parametrize("command", [[], ["validate"], ["schema"]])
def test_help_texts(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
