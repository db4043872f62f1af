"""The plugin's options: one usage error per bad value (as `check` words it), one option per `check` option."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

# Imported by this process, so pytester's in-process runs share one copy (PyYAML's C extension keeps the node
# classes of the first import).
import action_contract  # noqa: F401
from action_contract._cli._check import check
from action_contract._cli._main import main
from pytest_plugin import OPTIONS

SHOP = str(FIXTURES / "projects" / "shop")
GOOD = f"{FIXTURES / 'handlers' / 'shop.py'}:app"
README = FIXTURES.parent / "README.md"

#: `check` options whose pytest counterpart is pytest's own.
PYTEST_OWN = {"junit-xml": "`--junitxml` (one case per item)", "quiet": "`-q`"}


def _cli_error(*args: str) -> str:
    result = CliRunner().invoke(main, ["check", SHOP, *args], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    return result.output.split("Error: ", 1)[1].strip()


@pytest.mark.parametrize(
    ("cli", "plugin"),
    [
        pytest.param(["--app", "app.mian:app"], ["--action-contract-app=app.mian:app"], id="app-typo"),
        pytest.param(["--examples", "many"], ["--action-contract-examples=many"], id="examples"),
        pytest.param(["--timeout", "0"], ["--action-contract-timeout=0"], id="timeout"),
        pytest.param(["--seed", "x1"], ["--action-contract-seed=x1"], id="seed"),
        pytest.param(["--env", "EVENT_SECRET,=x"], ["--action-contract-env=EVENT_SECRET,=x"], id="env-name"),
        pytest.param(["--header", "X-Token"], ["--action-contract-header=X-Token"], id="header"),
        pytest.param(["--hasura-version", "1.0"], ["--action-contract-hasura-version=1.0"], id="version"),
        pytest.param(["--action", "placeOrdr"], ["--action-contract-action=placeOrdr"], id="action"),
        pytest.param(["--app-kind", "rsgi", "--app", GOOD], ["--action-contract-app-kind=rsgi"], id="app-kind"),
    ],
)
def test_a_bad_value_is_one_usage_error_worded_as_check_words_it(
    pytester: pytest.Pytester, cli: list[str], plugin: list[str]
):
    pytester.makepyfile("def test_one():\n    pass\n")
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--action-contract", f"--action-contract-path={SHOP}", *plugin
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr.str() + result.stdout.str()
    assert errors[0].removeprefix("ERROR: ").replace("--action-contract-", "--") == _cli_error(*cli)


def _suffix(param_name: str) -> str:
    return {"url": "url", "use_mock": "mock", "actions": "action", "exclude": "exclude-check"}.get(
        param_name, param_name.removesuffix("s").replace("_", "-") if param_name in ("headers", "scalars") else ""
    ) or param_name.replace("_", "-")


def test_every_check_option_has_a_pytest_option_and_an_ini_key(pytester: pytest.Pytester):
    suffixes = {suffix for suffix, _, _ in OPTIONS}
    missing = [
        p.opts[0]
        for p in check.params
        if p.param_type_name == "option" and _suffix(p.name) not in suffixes | set(PYTEST_OWN)
    ]
    assert missing == []
    pytester.makeini("[pytest]\n" + "".join(f"action_contract_{s.replace('-', '_')} =\n" for s in suffixes))
    # --strict-config: an ini key the plugin did not declare would be an error.
    pytester.makepyfile("def test_one():\n    pass\n")
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "--strict-config").assert_outcomes(passed=1)


def options_table() -> str:
    """The README's table of the plugin's options, made from the plugin's own list."""
    rows = ["| pytest option | ini key | `check` option | what it does |", "| --- | --- | --- | --- |"]
    for suffix, kind, text in OPTIONS:
        value = "" if kind == "bool" else " VALUE"
        repeat = " (one per line in the ini file)" if kind == "linelist" else ""
        cli = "`PATH` (argument)" if suffix == "path" else f"`--{suffix}`"
        rows.append(
            f"| `--action-contract-{suffix}{value}` | `action_contract_{suffix.replace('-', '_')}` "
            f"| {cli} | {text}{repeat} |"
        )
    rows.extend(f"| {own} | | `--{name}` | pytest's own option. |" for name, own in PYTEST_OWN.items())
    return "\n".join(rows)


def test_the_readme_table_lists_every_option():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- plugin-options -->\n(.*?)\n<!-- /plugin-options -->", text, re.S)
    assert found is not None, "README.md lost its <!-- plugin-options --> table"
    assert found.group(1) == options_table(), "regenerate the table with tests/test_plugin_options.py:options_table"


def test_the_options_added_for_parity_with_check_take_effect(pytester: pytest.Pytester):
    quick = [
        "--action-contract-examples=3",
        "--action-contract-adversarial-examples=3",
        "--action-contract-no-database",
    ]
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--action-contract",
        f"--action-contract-path={SHOP}",
        "--action-contract-mock",
        "--action-contract-action=quote",
        "--action-contract-action=placeOrder",
        "--action-contract-no-shrink",
        "--action-contract-hasura-dev-mode",
        *quick,
    )
    # The mock handler keeps the contract; only the two actions asked for are collected.
    result.assert_outcomes(passed=5, skipped=1)
