"""What a wheel and an editable install hold: the plugin under a name of its own, and its entry point."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("pyproject.toml", "README.md", "action_contract", "pytest_plugin", ".ci")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """A wheel built by `pip wheel` from a copy of the sources (GraphiQL's files left out: no registry needed)."""
    source = tmp_path_factory.mktemp("source")
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "_graphiql"))
        else:
            shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "ACTION_CONTRACT_NPM_TARBALLS": str(out / "no-tarballs")}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0 and "satisfies the requirement hatchling" in built.stderr:
        pytest.skip("pip cannot fetch hatchling (the build backend) from its package index")
    assert built.returncode == 0, built.stderr
    (built,) = out.glob("*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_installs_the_plugin_as_pytest_action_contract(wheel: zipfile.ZipFile):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert tops == {"action_contract", "action_contract-0.1.0.dist-info", "pytest_action_contract"}
    plugin = {name for name in wheel.namelist() if name.startswith("pytest_action_contract/")}
    assert {f"pytest_action_contract/{p.name}" for p in (ROOT / "pytest_plugin").glob("*.py")} == plugin
    (entry_points,) = (name for name in wheel.namelist() if name.endswith("entry_points.txt"))
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    assert dict(parser["pytest11"]) == {"action_contract": "pytest_action_contract"}


def test_the_installed_wheel_imports_its_plugin_by_that_name(wheel: zipfile.ZipFile, tmp_path: Path):
    wheel.extractall(tmp_path)
    found = subprocess.run(
        [sys.executable, "-c", "import pytest_action_contract as p; print(p.__file__, p.OPTIONS[0][0])"],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.split() == [str(tmp_path / "pytest_action_contract" / "__init__.py"), "path"]


def test_an_editable_install_maps_the_name_onto_the_repository_folder(monkeypatch: pytest.MonkeyPatch, tmp_path):
    spec = importlib.util.spec_from_file_location("build_hook", ROOT / ".ci" / "build_hook.py")
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    build_data: dict[str, object] = {}
    monkeypatch.setattr(hook, "ensure", lambda folder: None)
    instance = object.__new__(hook.GraphiQLAssetsHook)
    monkeypatch.setattr(hook.GraphiQLAssetsHook, "root", str(ROOT), raising=False)
    instance.initialize("editable", build_data)
    assert build_data["force_include_editable"] == {".ci/pytest_action_contract.py": "pytest_action_contract.py"}
    # What the editable wheel's module does once the repository is on sys.path.
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pytest_action_contract, pytest_plugin; print(pytest_action_contract is pytest_plugin)",
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / ".ci"), str(ROOT)])},
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "True"
