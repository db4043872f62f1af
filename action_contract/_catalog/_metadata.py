"""`load_catalog`: find Hasura metadata at a path, read it in whatever form it has, build the Catalog.

This module and `_metadata_files` are the only ones that open metadata files. Forms (contract §6):
a Hasura CLI project (root with config.yaml, or its metadata directory), a metadata export (JSON/YAML,
bare or wrapped in `{resource_version, metadata}`), a file of metadata API calls (list or `bulk`),
config-v1 migrations, and a bare SDL file. Every form becomes Hasura's JSON metadata shape first, then
one builder checks it the way Hasura does and makes the immutable Catalog. All problems are collected
before failing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import InvalidArgument, MetadataError, Problem
from ._actions import read_action
from ._custom_types import read_custom_types
from ._graphql import read_sdl
from ._locations import Locations, Reporter, Spot
from ._metadata_api import MetadataState, apply_calls, resolved_types
from ._metadata_files import Calls, is_dir, metadata_version, migration_files, read_text, search, shown_path
from ._model import Action, Catalog, NamedType
from ._project import read_metadata_directory
from ._scalars import POSTGRES_SCALARS
from ._templates import environment, template_variables
from ._yaml import SourceProblem, load_json, load_yaml, register_json

__all__ = ["load_catalog"]

_DEFAULT_BASE_URL = "http://localhost:3000"  # the Hasura CLI's default actions.handler_webhook_baseurl


def load_catalog(
    path: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    *,
    scalars: Iterable[str] = (),
) -> Catalog:
    """Load Hasura metadata from `path` (project, metadata directory, export, API calls or SDL).

    `env` overrides the process environment and the project's `.env` for `{{VAR}}` templates;
    `scalars` names extra Postgres types your database defines. Raises `MetadataError` listing every
    problem (with file and line, or JSON path) when Hasura would refuse the metadata.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument(f"load_catalog() expects a path, got {type(path).__name__}: {path!r}")
    if env is not None and not isinstance(env, Mapping):
        raise InvalidArgument(f"env must be a mapping of variable names to values, got {type(env).__name__}")
    loader = _Loader(Path(path), env, frozenset(scalars) | POSTGRES_SCALARS)
    return loader.load()


@dataclass
class _Loader:
    path: Path
    env: Mapping[str, str] | None
    postgres: frozenset[str]
    locations: Locations = field(default_factory=Locations)
    problems: list[Problem] = field(default_factory=list)
    dotenv: Path | None = None
    base_url: str | None = None

    @property
    def report(self) -> Reporter:
        return Reporter(self.locations, self.problems)

    def load(self) -> Catalog:
        shown = shown_path(self.path)
        try:
            kind, raw = self._read(self.path, shown)
        except SourceProblem as exc:
            self.problems.append(exc.problem)
            raise MetadataError(self.problems, source=shown) from None
        except (OSError, ValueError) as exc:
            # The OS refused a path the metadata names (too long, a NUL byte, no permission).
            where = getattr(exc, "filename", None)
            self.problems.append(
                Problem(
                    message=f"cannot read {shown_path(Path(where)) if where else 'a path it names'}: "
                    f"{getattr(exc, 'strerror', None) or exc}",
                    file=shown,
                    json_path="$",
                    hint="Check the directory and file names in config.yaml and the !include paths.",
                )
            )
            raise MetadataError(self.problems, source=shown) from None
        catalog = None
        if not self.report.failed:
            catalog = self._build(kind, raw, shown)
        if catalog is None or self.report.failed:
            raise MetadataError(self.problems, source=shown)
        return catalog

    # -- finding and reading -------------------------------------------------------------------

    def _read(self, path: Path, shown: str) -> tuple[str, Any]:
        if not path.exists():
            raise SourceProblem(
                Problem(
                    message="no such file or directory",
                    file=shown,
                    hint="Pass a Hasura project directory, its metadata directory, a metadata export "
                    "(.json/.yaml), a file of metadata API calls, or an actions.graphql file.",
                )
            )
        if path.is_dir():
            return self._read_directory(path, shown)
        # actions.yaml and version.yaml only make sense as part of their metadata directory; an
        # actions.graphql alone is a bare SDL file.
        if path.name in {"actions.yaml", "version.yaml"} or (
            path.name == "actions.graphql" and path.with_name("actions.yaml").is_file()
        ):
            return self._read_directory(path.parent, shown_path(path.parent))
        if path.name == "config.yaml":
            return self._read_directory(path.parent, shown_path(path.parent))
        self.dotenv = path.parent / ".env"
        text = read_text(path, shown)
        if path.suffix in {".graphql", ".gql", ".graphqls"}:
            sdl = read_sdl(text, shown, self.locations, self.problems)
            for action in sdl.actions:
                # The Hasura CLI's default for new actions: handler_webhook_baseurl + "/" + name.
                action["definition"]["handler"] = f"{_DEFAULT_BASE_URL}/{action['name']}"
            kind = f"GraphQL SDL file (handlers default to {_DEFAULT_BASE_URL}/<action>)"
            return kind, {"actions": sdl.actions, "custom_types": sdl.custom_types}
        if path.suffix == ".json":
            document = load_json(text, shown)
            register_json(document, shown, self.locations)
        else:
            document = load_yaml(text, shown, self.locations, self.problems)
        return self._classify(document, shown)

    def _classify(self, document: Any, shown: str) -> tuple[str, Any]:
        if isinstance(document, dict) and isinstance(document.get("metadata"), dict) and "type" not in document:
            metadata = document["metadata"]
            return f"metadata export (version {metadata.get('version', '?')})", metadata
        if isinstance(document, list) or (isinstance(document, dict) and "type" in document and "args" in document):
            return "metadata API calls", Calls(document)
        if isinstance(document, dict) and (
            {"actions", "custom_types", "version", "sources", "tables"} & document.keys()
        ):
            return f"metadata export (version {document.get('version', '?')})", document
        raise SourceProblem(
            Problem(
                message="not Hasura metadata: expected an export ({version, actions, custom_types, ...}), "
                "a {resource_version, metadata} wrapper, or metadata API calls ({type, args} or a list of them)",
                file=shown,
                json_path="$",
                hint=f"Found {type(document).__name__}"
                + (f" with keys {', '.join(map(str, list(document)[:6]))}" if isinstance(document, dict) else ""),
            )
        )

    def _read_directory(self, directory: Path, shown: str) -> tuple[str, Any]:
        config = directory / "config.yaml"
        if config.is_file():
            return self._read_project(directory, shown)
        if (directory / "actions.yaml").is_file() or (directory / "actions.graphql").is_file():
            version = metadata_version(directory, shown, self.locations, self.problems)
            # The CLI reads .env from the project root, one level above the metadata directory.
            self.dotenv = directory.parent / ".env" if not (directory / ".env").is_file() else directory / ".env"
            raw = read_metadata_directory(directory, shown, self.locations, self.problems)
            return f"Hasura metadata directory (version {version})", raw
        if (directory / "version.yaml").is_file():
            self.dotenv = directory.parent / ".env"
            version = metadata_version(directory, shown, self.locations, self.problems)
            return f"Hasura metadata directory (version {version})", {}
        if migration_files(directory):
            return self._read_migrations(directory, shown)
        for name in ("metadata.json", "metadata.yaml", "hasura_metadata.json"):
            if (directory / name).is_file():
                return self._read(directory / name, f"{shown}/{name}")
        found = search(directory)
        if len(found) == 1:
            return self._read(found[0], shown_path(found[0]))
        raise SourceProblem(
            Problem(
                message=(
                    f"several Hasura projects below this directory: {', '.join(shown_path(f) for f in found[:8])}"
                    if found
                    else "no Hasura metadata here: no config.yaml, actions.yaml, actions.graphql or metadata export"
                ),
                file=shown,
                hint="Pass one of them."
                if found
                else "Pass the Hasura project directory (with config.yaml) or its metadata directory.",
            )
        )

    def _read_project(self, directory: Path, shown: str) -> tuple[str, Any]:
        config_shown = f"{shown}/config.yaml"
        config = load_yaml(
            read_text(directory / "config.yaml", config_shown), config_shown, self.locations, self.problems
        )
        config = config if isinstance(config, dict) else {}
        self.dotenv = directory / ".env"
        raw_actions_config = config.get("actions")
        actions_config: dict[str, Any] = raw_actions_config if isinstance(raw_actions_config, dict) else {}
        base_url = actions_config.get("handler_webhook_baseurl")
        self.base_url = str(base_url).rstrip("/") if base_url else None
        version = config.get("version", 1)
        if version in (1, "1"):
            migrations = directory / str(config.get("migrations_directory") or "migrations")
            _, raw = self._read_migrations(migrations, f"{shown}/{migrations.name}")
            return f"Hasura CLI project (config v1, {_plural(len(raw.calls), 'migration')})", raw
        metadata_dir = directory / str(config.get("metadata_directory") or "metadata")
        metadata_shown = f"{shown}/{metadata_dir.name}"
        if not is_dir(metadata_dir):
            raise SourceProblem(
                self.locations.problem(
                    config,
                    f"metadata directory {metadata_dir.name!r} named by config.yaml does not exist",
                    key="metadata_directory",
                    hint="Run `hasura metadata export` in the project, or fix metadata_directory in config.yaml.",
                    fallback=Spot(config_shown, None, None, "$.metadata_directory"),
                )
            )
        metadata_version(metadata_dir, metadata_shown, self.locations, self.problems)
        raw = read_metadata_directory(metadata_dir, metadata_shown, self.locations, self.problems)
        return f"Hasura CLI project (config v{version})", raw

    def _read_migrations(self, directory: Path, shown: str) -> tuple[str, Any]:
        files = migration_files(directory)
        calls: list[Any] = []
        for file in files:
            file_shown = f"{shown}/{file.relative_to(directory)}"
            text = read_text(file, file_shown)
            document = (
                load_json(text, file_shown)
                if file.suffix == ".json"
                else load_yaml(text, file_shown, self.locations, self.problems)
            )
            if file.suffix == ".json":
                register_json(document, file_shown, self.locations)
            if document is not None:
                args = document if isinstance(document, list) else [document]
                if args is not document:  # the wrapper list stands for the whole file
                    self.locations.add(args, Spot(file_shown, 1, 1, "$"), {0: Spot(file_shown, 1, 1, "$")})
                calls.append({"type": "bulk", "args": args})
        self.dotenv = directory.parent / ".env"
        return f"Hasura migrations ({_plural(len(files), 'file')})", Calls(calls)

    # -- building --------------------------------------------------------------------------------

    def _build(self, kind: str, raw: Any, shown: str) -> Catalog | None:
        report = self.report
        if isinstance(raw, Calls):
            state = MetadataState()
            apply_calls(state, raw.calls, report, self.postgres)
            if report.failed:
                return None
            kind = f"{kind}: {_plural(state.applied, 'call')} applied, {state.skipped} skipped"
            # The state is consistent by construction; read it once more, quietly, for the values.
            quiet = Reporter(self.locations, [])
            raw_actions: list[Any] = list(state.actions.values())
            types = resolved_types(state, quiet, self.postgres)
            actions = self._actions(raw_actions, types, quiet)
        else:
            raw = raw if isinstance(raw, dict) else {}
            raw_list = raw.get("actions")
            if raw_list is not None and not isinstance(raw_list, list):
                report.error(raw, "expected Array for actions", key="actions")
                raw_list = []
            raw_actions = list(raw_list or [])
            types = read_custom_types(raw.get("custom_types"), report.within(raw, "custom_types"), self.postgres)
            actions = self._actions(raw_actions, types, report.within(raw, "actions"), raw_list)
        if report.failed:
            return None
        variables = self._variables(actions, raw_actions, report)
        self._check_handlers(actions, raw_actions, report)
        return Catalog(
            actions=actions,
            types=types,
            source_kind=kind,
            source=shown,
            variables=variables,
            handler_base_url=self.base_url,
            warnings=tuple(p for p in self.problems if p.severity == "warning"),
        )

    def _actions(
        self, raw_actions: list[Any], types: dict[str, NamedType], report: Reporter, source: Any = None
    ) -> dict[str, Action]:
        actions: dict[str, Action] = {}
        for index, raw in enumerate(raw_actions):
            name = raw.get("name") if isinstance(raw, dict) else None
            if isinstance(name, str) and name in actions:
                report.error(raw, f'action with name "{name}" already exists', key="name", code="already-exists")
                continue
            action = read_action(raw, report.within(source, index) if source else report, types, self.postgres)
            if action is not None:
                actions[action.name] = action
        return actions

    def _variables(self, actions: dict[str, Action], raw_actions: list[Any], report: Reporter) -> dict[str, str]:
        env = environment(self.env, self.dotenv)
        raw_by_name = {r.get("name"): r for r in raw_actions if isinstance(r, dict) and isinstance(r.get("name"), str)}
        uses: dict[str, list[tuple[str, str, Any]]] = {}
        for action in actions.values():
            definition = raw_by_name.get(action.name, {}).get("definition")
            for name in template_variables(action.handler):
                uses.setdefault(name, []).append(("handler", action.name, definition))
            for header in action.headers:
                if header.value_from_env is not None:
                    uses.setdefault(header.value_from_env, []).append(("value_from_env", action.name, definition))
                elif header.value is not None:
                    for name in _safe_variables(header.value):
                        uses.setdefault(name, []).append(("header", action.name, definition))
        for name, places in uses.items():
            if name in env:
                continue
            how, _first_action, definition = places[0]
            users = sorted({a for _, a, _ in places})
            message = {
                "handler": f"Value for environment variables not found: {name}",
                "header": f"template cannot be resolved: {name}",
                "value_from_env": f"environment variable '{name}' not set",
            }[how]
            report.warn(
                definition,
                f"{message} (used by {_count_names(users)})",
                key="handler" if how == "handler" else "headers",
                hint=f"Set {name} in the environment or in {shown_path(self.dotenv) if self.dotenv else '.env'}, "
                f"or pass --env {name}=...; until then requests for these actions cannot be built.",
            )
        return {name: env[name] for name in uses if name in env}

    def _check_handlers(self, actions: dict[str, Action], raw_actions: list[Any], report: Reporter) -> None:
        raw_by_name = {r.get("name"): r for r in raw_actions if isinstance(r, dict) and isinstance(r.get("name"), str)}
        relative: dict[str, list[str]] = {}
        for action in actions.values():
            handler = action.handler
            if handler and not handler.startswith("{{") and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", handler):
                relative.setdefault(handler, []).append(action.name)
        for handler, names in relative.items():
            path = handler if handler.startswith("/") else "/" + handler
            base = f"{self.base_url}{path}" if self.base_url else None
            report.warn(
                raw_by_name.get(names[0], {}).get("definition"),
                f"handler {handler!r} is not an absolute URL, so Hasura cannot call it (used by {_count_names(names)})",
                key="handler",
                hint=(f"Requests will go to {base} (config.yaml actions.handler_webhook_baseurl). " if base else "")
                + "Write the full URL, e.g. {{ACTION_BASE_URL}}"
                + path,
            )


def _count_names(names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(names)} action{'s' if len(names) != 1 else ''}: {shown}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _safe_variables(template: str) -> list[str]:
    try:
        return template_variables(template)
    except ValueError:
        return []
