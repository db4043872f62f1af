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

from action_contract._cli._main import main

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


def _lines(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_example_prints_edge_requests_then_random_ones_reproducibly():
    first = run("example", "fixtures/projects/shop", "--action", "cancelOrder", "--count", "8", "--seed", "4")
    lines = _lines(first)
    assert len(lines) == 8
    assert first.stderr == ""  # a given seed is not echoed
    assert all(set(line) == {"url", "headers", "payload"} for line in lines)
    assert lines[0]["payload"]["input"] == {"orderId": "00000000-0000-0000-0000-000000000000"}  # optionals absent
    assert lines[0]["headers"]["X-Shop-Secret"] == "change-me"  # secrets print as they are sent
    again = run("example", "fixtures/projects/shop", "--action", "cancelOrder", "--count", "8", "--seed", "4")
    assert again.stdout == first.stdout
    other = run("example", "fixtures/projects/shop", "--action", "cancelOrder", "--count", "8", "--seed", "5")
    assert other.stdout != first.stdout


def test_example_without_a_seed_says_which_one_it_used():
    result = run("example", "fixtures/projects/shop", "--action", "quote", "--count", "2")
    assert result.returncode == 0
    seed = result.stderr.split()[1]
    assert f"pass --seed {seed}" in result.stderr


def test_example_adversarial_tags_each_request():
    result = run(
        "example", "fixtures/projects/shop", "--action", "placeOrder", "--adversarial", "--count", "30", "--seed", "1",
        "--base-url", "http://127.0.0.1:9999",
    )  # fmt: skip
    lines = _lines(result)
    assert all(line["violation"] and line["url"] == "http://127.0.0.1:9999/place-order" for line in lines)
    for line in lines:
        assert ("raw_body" in line) is (line["violation"] in {"not_json", "empty_body"})
        assert ("payload" in line) is not ("raw_body" in line)
    only = _lines(
        run("example", "fixtures/projects/shop", "--action", "placeOrder", "--adversarial", "--violation", "empty_body",
            "--count", "2", "--seed", "1")
    )  # fmt: skip
    assert [line["raw_body"] for line in only] == ["", ""]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--action", "cancel"], "no action named 'cancel' in fixtures/projects/shop. Did you mean \"cancelOrder\"?"),
        (["--action", "quote", "--violation", "empty_body"], "--violation only applies with --adversarial"),
        (["--action", "quote", "--hasura-version", "latest"], "expected a Hasura version such as 2.15"),
    ],
)
def test_example_usage_errors_exit_2_without_traceback(args, message):
    result = run("example", "fixtures/projects/shop", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_example_metadata_errors_exit_2():
    result = run("example", "fixtures/broken/many_problems", "--action", "x")
    assert result.returncode == 2
    assert "cannot load Hasura metadata" in result.stderr


def test_example_help_lists_the_rules():
    result = CliRunner().invoke(main, ["example", "--help"])
    assert result.exit_code == 0
    assert "missing_secret_header" in result.output and "--base-url" in result.output
