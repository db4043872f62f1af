"""Metadata on disk: finding a Hasura project below a directory, reading a file's text, listing migrations.

Also `Calls`, the form that metadata API calls and config-v1 migrations are read into, and
`shown_path`, the path as errors show it (relative to the working directory when below it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import Problem
from ._locations import Locations
from ._yaml import SourceProblem, load_yaml

__all__ = ["Calls", "is_dir", "is_file", "metadata_version", "migration_files", "read_text", "search", "shown_path"]

_MIGRATION = re.compile(r"^(\d+)_.*")
_SEARCH_DEPTH = 4
_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build"}


@dataclass(frozen=True)
class Calls:
    """Metadata API calls, to be applied in order rather than read as a metadata document."""

    calls: Any


def read_text(path: Path, shown: str | None = None) -> str:
    """The text of a UTF-8 file (a BOM dropped); `SourceProblem` when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceProblem(
            Problem(message=f"cannot read: {exc.strerror or exc}", file=shown or str(path), json_path="$")
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceProblem(
            Problem(
                message=f"not UTF-8 text: {exc.reason} (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                file=shown or str(path),
                line=line,
                column=column,
                code="parse-failed",
                hint="Save the file as UTF-8; Hasura reads metadata as UTF-8.",
            )
        ) from None


def is_dir(path: Path) -> bool:
    """`path.is_dir()`, False also when the OS refuses the name (too long, say) rather than raising."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def is_file(path: Path) -> bool:
    """`path.is_file()`, False also when the OS refuses the name (too long, say) rather than raising."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def metadata_version(directory: Path, shown: str, locations: Locations, problems: list[Problem]) -> Any:
    """The `version` of a metadata directory's version.yaml, or '?'."""
    version_file = directory / "version.yaml"
    if not version_file.is_file():
        return "?"
    document = load_yaml(read_text(version_file), f"{shown}/version.yaml", locations, problems)
    return document.get("version", "?") if isinstance(document, dict) else "?"


def migration_files(directory: Path) -> list[Path]:
    """Config-v1 migrations: `<version>_name/up.yaml` or `<version>_name.up.yaml`, in version order."""
    if not is_dir(directory):
        return []
    found: list[tuple[int, Path]] = []
    for entry in directory.iterdir():
        match = _MIGRATION.match(entry.name)
        if not match:
            continue
        if entry.is_dir():
            for name in ("up.yaml", "up.json"):
                if (entry / name).is_file():
                    found.append((int(match.group(1)), entry / name))
        elif entry.name.endswith((".up.yaml", ".up.json")):
            found.append((int(match.group(1)), entry))
    return [p for _, p in sorted(found)]


def search(directory: Path) -> list[Path]:
    """Hasura projects or metadata directories below `directory` (a repository root, say)."""
    found: list[Path] = []

    def walk(current: Path, depth: int) -> None:
        if depth > _SEARCH_DEPTH:
            return
        try:
            entries = sorted(current.iterdir())
        except OSError:
            return
        for entry in entries:
            if not entry.is_dir() or entry.name in _SKIP_DIRS or entry.name.startswith("."):
                continue
            project = (entry / "config.yaml").is_file() and any(
                (entry / d).is_dir() for d in ("metadata", "migrations")
            )
            if project or (entry / "actions.yaml").is_file() or (entry / "actions.graphql").is_file():
                found.append(entry)
            else:
                walk(entry, depth + 1)

    walk(directory, 1)
    return found


def shown_path(path: Path | None) -> str:
    """`path` as errors show it: relative to the working directory when below it."""
    if path is None:
        return ""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative
