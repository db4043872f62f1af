"""`git:REV:path`: Hasura metadata as it is at a git revision of the current repository.

The path is read by git itself as `REV:path` (from the repository root; `REV:./path` from the
current directory), written to a temporary directory, loaded there, and the temporary directory is
removed. Problems found while loading name the file as `git:REV:path/...`, not the temporary copy.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from .._catalog._metadata import load_catalog
from .._catalog._model import Catalog
from .._errors import InvalidArgument, MetadataError

__all__ = ["GIT_PREFIX", "load_source"]

GIT_PREFIX = "git:"
# Files the loader reads together with their siblings (contract §6.1): take their whole directory.
_PROJECT_FILES = {"actions.yaml", "actions.graphql", "version.yaml", "config.yaml"}


def load_source(spec: str, env: Mapping[str, str] | None = None, *, scalars: Iterable[str] = ()) -> Catalog:
    """`load_catalog` for a path, or for `git:REV:path` the metadata at that revision."""
    if not spec.startswith(GIT_PREFIX):
        return load_catalog(spec, env, scalars=scalars)
    rev, sep, path = spec[len(GIT_PREFIX) :].partition(":")
    if not sep or not rev:
        raise InvalidArgument(
            f"{spec!r} is not a git source: write git:REV:path, e.g. git:origin/main:hasura "
            "(the path as git reads REV:path, from the repository root)"
        )
    scratch = Path(tempfile.mkdtemp(prefix="action-contract-git-"))
    try:
        local = _materialize(spec, rev, path, scratch)
        try:
            catalog = load_catalog(local, env, scalars=scalars)
        except MetadataError as exc:
            raise _relabelled(exc, scratch, rev) from None
        return dataclasses.replace(catalog, source=spec)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _materialize(spec: str, rev: str, path: str, scratch: Path) -> Path:
    """Write `rev:path` under `scratch`, keeping its path from the repository root; returns it there."""
    # Every git command runs at the repository's top level: `git archive` run in a subdirectory
    # archives only that subdirectory's part of the tree.
    top, prefix = _git(spec, None, "rev-parse", "--show-toplevel", "--show-prefix").decode().split("\n")[:2]
    if path.startswith(("./", "../")) or path in {".", ".."}:
        # Relative to the current directory, as git reads `REV:./path`.
        path = os.path.normpath(os.path.join(prefix, path))
        if path.startswith(".."):
            raise InvalidArgument(f"{spec}: {path} is outside the repository")
    relative = os.path.normpath(path) if path else "."
    obj = f"{rev}:{'' if relative == '.' else relative}"
    kind = _git(spec, top, "cat-file", "-t", obj).decode().strip()
    local = scratch / relative
    if kind == "tree":
        _extract(spec, top, obj, local)
        return local
    if kind != "blob":
        raise InvalidArgument(f"{spec}: git says {obj} is a {kind}; expected a file or directory")
    if local.name in _PROJECT_FILES:
        # actions.yaml and friends are read with their directory.
        _extract(spec, top, f"{rev}:{os.path.dirname(relative)}", local.parent)
        return local
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(_git(spec, top, "cat-file", "blob", obj))
    return local


def _extract(spec: str, top: str, tree: str, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(_git(spec, top, "archive", "--format=tar", tree))) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+/3.11.4+: refuse links and paths outside `into`
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - older patch releases
            archive.extractall(into)  # git's own archive of the user's repository


def _git(spec: str, cwd: str | None, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise InvalidArgument(f"{spec}: git is not installed or not on PATH") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().removeprefix("fatal: ").rstrip(".")
        hint = ""
        if "invalid object name" in said or "Not a valid object name" in said:
            hint = (
                "; fetch the revision first (e.g. git fetch origin main), and in GitHub Actions check out "
                "with fetch-depth: 0"
            )
        elif "does not exist in" in said:
            hint = "; paths in git:REV:path start at the repository root (git:REV:./path starts here)"
        elif "not a git repository" in said:
            hint = "; run from inside the repository, or pass the metadata's path instead of git:REV:path"
        raise InvalidArgument(f"{spec}: git says: {said}{hint}")
    return done.stdout


def _relabelled(exc: MetadataError, scratch: Path, rev: str) -> MetadataError:
    """The same error, with files named `git:REV:path` instead of the temporary copy's path."""
    # The loader shows paths relative to the current directory when they are under it.
    roots = {str(scratch), os.path.relpath(scratch)}

    def shown(file: str | None) -> str | None:
        for root in roots:
            if file is not None and (file == root or file.startswith(root + os.sep)):
                inside = file[len(root) + 1 :].replace(os.sep, "/")
                return f"{GIT_PREFIX}{rev}:{inside or '.'}"
        return file

    problems = [dataclasses.replace(p, file=shown(p.file)) for p in exc.problems]
    return MetadataError(problems, source=shown(exc.source), what=exc.what)
