"""Build hook: bundle GraphiQL's built files into the package, fetched from the npm registry at build time.

`action-contract serve` shows GraphiQL at `/console`, and the machines it runs on may be offline, so
the files ship inside the wheel (and the sdist). They are third-party code and are never committed:
this hook downloads the three npm tarballs named below, checks each against its registry integrity
hash, and extracts only the files the page loads (plus their licences) into `action_contract/_executor/_graphiql/`,
which `.gitignore` lists and `[tool.hatch.build] artifacts` puts back into the builds.

The registry is `$npm_config_registry` (npm's own setting) or registry.npmjs.org. Offline builds:
set `ACTION_CONTRACT_NPM_TARBALLS` to a folder holding the tarballs (`npm pack graphiql@4.1.2` etc.).
A build that cannot fetch them still succeeds with a warning; `serve` then says how to mend it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # imported by the tests, which do not need hatchling
    BuildHookInterface = object  # type: ignore[assignment,misc]

# GraphiQL 4.1 is the last release with a browser (UMD) build; it runs on React 18's UMD builds.
# (package, version, npm integrity, {member of the tarball: file name in action_contract/_executor/_graphiql})
PACKAGES: list[tuple[str, str, str, dict[str, str]]] = [
    (
        "graphiql",
        "4.1.2",
        "sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg==",
        {
            "package/graphiql.min.js": "graphiql.min.js",
            "package/graphiql.min.css": "graphiql.min.css",
            "package/LICENSE": "LICENSE.graphiql",
        },
    ),
    (
        "react",
        "18.3.1",
        "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
        {"package/umd/react.production.min.js": "react.production.min.js", "package/LICENSE": "LICENSE.react"},
    ),
    (
        "react-dom",
        "18.3.1",
        "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
        {
            "package/umd/react-dom.production.min.js": "react-dom.production.min.js",
            "package/LICENSE": "LICENSE.react-dom",
        },
    ),
]
DEFAULT_REGISTRY = "https://registry.npmjs.org"
MANIFEST = "manifest.json"


def wanted() -> dict[str, str]:
    """The package versions the manifest must name for the bundle to be current."""
    return {name: version for name, version, _, _ in PACKAGES}


def is_current(dest: Path) -> bool:
    """True when `dest` holds this hook's files at the pinned versions (the manifest is written last)."""
    try:
        manifest = json.loads((dest / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    files = manifest.get("files", {})
    return manifest.get("packages") == wanted() and all((dest / name).is_file() for name in files)


def _tarball(name: str, version: str, registry: str, folder: str | None) -> bytes:
    file_name = f"{name}-{version}.tgz"
    if folder:
        return (Path(folder) / file_name).read_bytes()
    url = f"{registry.rstrip('/')}/{name}/-/{file_name}"
    with urllib.request.urlopen(url, timeout=60) as response:
        data: bytes = response.read()
    return data


def fetch(dest: Path, *, registry: str = DEFAULT_REGISTRY, folder: str | None = None) -> None:
    """Download, verify and extract the pinned packages' files into `dest`; raises on any problem."""
    dest.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for name, version, integrity, members in PACKAGES:
        data = _tarball(name, version, registry, folder)
        algorithm, _, expected = integrity.partition("-")
        found = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
        if found != expected:
            raise ValueError(f"{name}-{version}.tgz does not match its registry integrity {integrity}")
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            names = set(archive.getnames())
            for member, target in members.items():
                extracted = archive.extractfile(member) if member in names else None
                if extracted is None:
                    raise ValueError(f"{name}-{version}.tgz has no file {member}")
                content = extracted.read()
                (dest / target).write_bytes(content)
                files[target] = hashlib.sha256(content).hexdigest()
    (dest / MANIFEST).write_text(json.dumps({"packages": wanted(), "files": files}, indent=2) + "\n")


def ensure(dest: Path, environ: dict[str, str] | None = None) -> str | None:
    """Make `dest` current; returns why it could not (the build goes on without GraphiQL), or None."""
    environ = dict(os.environ) if environ is None else environ
    if is_current(dest):
        return None
    registry = environ.get("npm_config_registry") or environ.get("NPM_CONFIG_REGISTRY") or DEFAULT_REGISTRY
    folder = environ.get("ACTION_CONTRACT_NPM_TARBALLS") or None
    try:
        fetch(dest, registry=registry, folder=folder)
    except (OSError, ValueError, tarfile.TarError) as error:
        where = f"folder {folder}" if folder else f"registry {registry}"
        return f"could not bundle GraphiQL from the {where}: {error}"
    return None


class GraphiQLAssetsHook(BuildHookInterface):  # type: ignore[misc,valid-type]
    """Hatch build hook: GraphiQL's files into action_contract/_executor/_graphiql before the build collects files."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Fetch the files unless they are current; warn and go on when the registry cannot be reached."""
        if version == "editable":
            # The plugin's installed name stands for the repository's folder (on sys.path in editable installs).
            build_data["force_include_editable"] = {".ci/pytest_action_contract.py": "pytest_action_contract.py"}
        problem = ensure(Path(self.root) / "action_contract" / "_executor" / "_graphiql")
        if problem:
            print(f"WARNING: {problem}; `action-contract serve` will show no GraphiQL", file=sys.stderr)
