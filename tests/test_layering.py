"""The package's layout holds: imports point down the flow, modules stay small, every stage says what it holds.

The stages (see docs/explanation/architecture.md): catalog <- generate <- send <- hasura <- {mock, executor}
<- run <- render, with diff beside them and cli on top. A subpackage may import only the subpackages
listed for it below (and the root helpers `_errors` and `_suggest`); nothing imports `_cli`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import action_contract

PACKAGE = Path(action_contract.__file__).parent
ROOT_HELPERS = {"_errors", "_suggest"}

_BELOW_RUN = {"_catalog", "_generate", "_send", "_hasura", "_executor"}
ALLOWED: dict[str, set[str]] = {
    "_catalog": set(),
    "_generate": {"_catalog"},
    "_send": {"_catalog", "_generate"},
    "_hasura": {"_catalog", "_generate", "_send"},
    "_executor": {"_catalog", "_generate", "_send", "_hasura"},
    "_mock": {"_catalog", "_generate", "_send", "_hasura"},
    "_run": _BELOW_RUN,
    "_render": _BELOW_RUN | {"_run"},
    "_diff": {"_catalog", "_generate"},
    "_cli": {"_catalog", "_generate", "_send", "_hasura", "_executor", "_mock", "_run", "_render", "_diff"},
}
MAX_LINES = 400


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_graphiql" not in p.parts)


def _stage(path: Path) -> str:
    """The subpackage a module belongs to ('' for the package's root)."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def _imported_stages(path: Path, package: Path = PACKAGE) -> list[tuple[int, str, bool]]:
    """(line, first path component under action_contract, inside a function) for each import of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(package).parts) - 1
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            local = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom):
                for target in _targets(child, path.relative_to(package), depth):
                    found.append((child.lineno, target, in_function))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("action_contract."):
                        found.append((child.lineno, alias.name.split(".")[1], in_function))
            visit(child, local)

    visit(tree, False)
    return found


def _targets(node: ast.ImportFrom, relative: Path, depth: int) -> list[str]:
    if node.level == 0:
        if node.module and node.module.startswith("action_contract."):
            return [node.module.split(".")[1]]
        return []
    # A relative import climbs `level - 1` packages from the module's own.
    own = list(relative.parts[:-1])
    climbed = own[: len(own) - (node.level - 1)] if node.level - 1 <= depth else None
    assert climbed is not None, f"{relative}:{node.lineno}: relative import above the package"
    names = [*climbed, *(node.module.split(".") if node.module else [])]
    if names:
        return [names[0]]
    return [alias.name for alias in node.names]  # `from . import _x` at the root


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_flow(path: Path) -> None:
    stage = _stage(path)
    if path.name == "__init__.py" and stage == "":
        return  # the public API gathers every stage
    allowed = ROOT_HELPERS | {stage} if stage else ROOT_HELPERS | {"_cli"} if path.name == "__main__.py" else set()
    if stage:
        allowed |= ALLOWED[stage]
    wrong = [
        f"line {line}: {stage or 'action_contract'} imports {target}"
        for line, target, _ in _imported_stages(path)
        if target not in allowed
    ]
    assert not wrong, f"{path.relative_to(PACKAGE)} imports up the flow: {wrong}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_local_import_outside_the_cli(path: Path) -> None:
    # The CLI imports what a command needs when the command runs (so `--help` is quick); anywhere else a
    # function-local import of the package would be dodging a cycle, which means the layout is wrong.
    if _stage(path) == "_cli":
        return
    local = [line for line, _, in_function in _imported_stages(path) if in_function]
    assert not local, f"{path.relative_to(PACKAGE)}: function-local imports of action_contract at lines {local}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_under_the_size_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines; split it by noun"


def test_the_root_holds_the_api_and_the_stages() -> None:
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert subpackages == set(ALLOWED)
    others = [p.name for p in PACKAGE.iterdir() if p.name not in subpackages and p.name != "__pycache__"]
    # _executor/_graphiql holds GraphiQL's build-time files; the root keeps the API and two small helpers.
    assert len(others) <= 10, others


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_each_stage_says_what_it_holds_and_may_import(stage: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
    assert doc, f"{stage}/__init__.py has no docstring"
    assert "import" in doc, f"{stage}/__init__.py does not say what it may import"


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    # The rule must be able to fail: an import of _run from _catalog, at top level and in a function, is found.
    (tmp_path / "_catalog").mkdir()
    module = tmp_path / "_catalog" / "_probe.py"
    module.write_text(
        "from .._run._checks import CHECKS\n\ndef f():\n    from action_contract._cli import _main\n", encoding="utf-8"
    )
    assert _imported_stages(module, tmp_path) == [(1, "_run", False), (4, "_cli", True)]
    assert "_run" not in ALLOWED["_catalog"]
