"""The plugin and `check` find the same failures for the same seed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

# Imported by this process, so pytester's in-process runs share one copy (PyYAML's C extension keeps the node
# classes of the first import).
import action_contract  # noqa: F401
from action_contract._cli._main import main

SHOP = str(FIXTURES / "projects" / "shop")
FAULTY = FIXTURES / "handlers" / "faulty.py"


def _findings(path) -> list[tuple[str, str, str, str, object]]:
    report = json.loads(path.read_text(encoding="utf-8"))
    return sorted(
        (f["action"], f["group"], f["check"], f["title"], json.dumps(f["request"], sort_keys=True))
        for f in report["failures"]
    )


@pytest.mark.parametrize("app", ["envelope_app", "string_error_app", "empty_error_app", "ignores_secret_app"])
def test_the_plugin_and_check_report_the_same_findings_for_a_seed(pytester: pytest.Pytester, app: str):
    options = {"examples": "6", "adversarial-examples": "6", "seed": "11"}
    cli = pytester.path / "cli.json"
    CliRunner().invoke(
        main,
        ["check", SHOP, "--app", f"{FAULTY}:{app}", "--no-database", "-q", f"--report-json={cli}"]
        + [f"--{name}={value}" for name, value in options.items()],
        catch_exceptions=False,
    )
    plugin = pytester.path / "plugin.json"
    pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--action-contract",
        f"--action-contract-path={SHOP}",
        f"--action-contract-app={FAULTY}:{app}",
        "--action-contract-no-database",
        f"--action-contract-report-json={plugin}",
        *[f"--action-contract-{name}={value}" for name, value in options.items()],
    )
    expected = _findings(cli)
    assert expected != []
    assert _findings(plugin) == expected
