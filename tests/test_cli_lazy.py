"""`action-contract --help` loads no more than click: each command imports what it needs when it runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from action_contract._cli._main import COMMANDS, main

#: What the library loads and `--help` must not: each takes tens to hundreds of milliseconds.
HEAVY = ("hypothesis", "graphql", "httpx", "yaml", "starlette", "uvicorn", "watchfiles", "respx")

PROBE = """
import json, sys
from action_contract._cli._main import main
try:
    main([{args}])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {heavy})), file=sys.stderr)
"""


def _loaded(*args: str) -> list[str]:
    code = PROBE.format(args=", ".join(map(repr, args)), heavy=repr(set(HEAVY)))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stderr.strip().splitlines()[-1])


def test_help_imports_none_of_the_library():
    assert _loaded("--help") == []
    assert _loaded("--version") == []


def test_a_command_imports_what_it_needs_when_it_runs():
    # The probe can fail: the command's own help loads its module and what that module needs.
    assert "hypothesis" in {name.split(".")[0] for name in _loaded("check", "--help")}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_help_is_the_commands_own(name: str):
    command = main.get_command(None, name)  # type: ignore[arg-type]
    assert command is not None
    assert COMMANDS[name][1] == command.get_short_help_str(limit=500)
