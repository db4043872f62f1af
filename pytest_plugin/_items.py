"""The contract as pytest items: one per action and group, named so `-k placeOrder` works."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, cast

import click
import pytest

from action_contract import (
    ActionContractError,
    Catalog,
    GroupResult,
    HasuraProfile,
    HttpTarget,
    InvalidArgument,
    MetadataError,
    MockHandler,
    Report,
    Settings,
    Target,
    app_target,
    load_catalog,
    load_inputs,
    render_failure,
    render_html,
    render_json,
    run_group,
)

from . import option

__all__ = [
    "ContractItem",
    "ContractSession",
    "configured_target",
    "load_configured_catalog",
    "settings_from",
]

GROUPS = ("conforming", "adversarial", "secret")


#: A name a {{NAME}} template can use: what a shell accepts as an environment variable.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _invalid(name: str, message: str, *, quoted: bool = True) -> pytest.UsageError:
    # The wording of the command line's error for the same value (click's), with the pytest option's name.
    hint = f"'--action-contract-{name}'" if quoted else f"--action-contract-{name}"
    return pytest.UsageError(f"Invalid value for {hint}: {message}")


def _pairs(values: list[str], sep: str, name: str) -> dict[str, str]:
    example = "'NAME: VALUE'" if sep == ":" else "NAME=VALUE"
    pairs = {}
    for item in values or []:
        key, found, value = item.partition(sep)
        if not found or not key.strip():
            raise _invalid(name, f"expected {example}, got {item!r}", quoted=False)
        if name == "env" and not _ENV_NAME.fullmatch(key):
            raise _invalid(
                name, f"expected NAME=VALUE with NAME made of letters, digits and _, got {item!r}", quoted=False
            )
        pairs[key.strip()] = value.strip() if sep == ":" else value
    return pairs


#: The command line's types for the numeric options, so both front doors accept and refuse the same values.
_NUMBERS: dict[str, click.ParamType[Any]] = {
    "examples": click.IntRange(min=0),
    "adversarial-examples": click.IntRange(min=0),
    "seed": click.INT,
    "timeout": click.FloatRange(min=0, min_open=True),
    "max-reply-mb": click.IntRange(min=1),
    "shrink-time": click.FloatRange(min=0),
    "workers": click.IntRange(min=1),
    "wait-for-restart": click.FloatRange(min=0),
}


def _number(config: pytest.Config, name: str) -> Any:
    value = option(config, name)
    if value is None:
        return None
    try:
        return _NUMBERS[name].convert(value, None, None)
    except click.BadParameter as error:
        raise _invalid(name, error.message) from None


def _workers(config: pytest.Config) -> int | Literal["auto"]:
    value = option(config, "workers")
    if value is None or str(value).strip() == "auto":
        return "auto"
    return int(_number(config, "workers"))


def load_configured_catalog(config: pytest.Config) -> Catalog:
    """The catalog of `--action-contract-path`; a usage error (not a traceback) when it cannot load."""
    path = option(config, "path")
    if not path:
        raise pytest.UsageError(
            "--action-contract needs the metadata: pass --action-contract-path PATH "
            "or set action_contract_path in the ini file"
        )
    if not Path(path).is_absolute():
        path = str(Path(config.rootpath, path)) if not Path(path).exists() else path
    try:
        return load_catalog(path, _pairs(option(config, "env"), "=", "env"), scalars=option(config, "scalar") or ())
    except MetadataError as error:
        raise pytest.UsageError(str(error)) from None
    except InvalidArgument as error:
        raise pytest.UsageError(f"--action-contract-path: {error}") from None


def built_target(config: pytest.Config, catalog: Catalog | None = None, settings: Settings | None = None) -> Target:
    """The (unopened) target of `--action-contract-app` (in-process), `-mock` or HTTP."""
    app = option(config, "app")
    kind = option(config, "app-kind")
    if kind is not None and kind not in ("asgi", "wsgi", "callable"):
        raise _invalid("app-kind", f"{kind!r} is not one of 'asgi', 'wsgi', 'callable'.")
    if app and option(config, "mock"):
        raise pytest.UsageError("pass only one of --action-contract-app and --action-contract-mock")
    cap = _number(config, "max-reply-mb")
    max_body = (cap or 100) * 2**20
    try:
        if app:
            return app_target(app, kind=kind, max_body=max_body)
        if option(config, "mock") and catalog is not None:
            env = settings.env if settings is not None else None
            return app_target(MockHandler(catalog, require_secret=True, env=env, cors=False), kind="asgi")
    except InvalidArgument as error:
        raise pytest.UsageError(str(error)) from None
    return HttpTarget(max_body=max_body)


@contextlib.contextmanager
def configured_target(config: pytest.Config) -> Iterator[Target]:
    """The target of `--action-contract-app` (in-process) or HTTP, closed afterwards."""
    with built_target(config) as target:
        yield target


def settings_from(config: pytest.Config, catalog: Catalog | None = None) -> Settings:
    """The run's `Settings` from the command line and ini file (known-good inputs need the `catalog`)."""
    database = option(config, "database")
    examples = _number(config, "examples")
    adversarial_examples = _number(config, "adversarial-examples")
    shrink_time = _number(config, "shrink-time")
    # Without the option the library's default database applies; "none" turns it off.
    extra: dict[str, Any] = {} if database is None else {"database": None if database == "none" else database}
    if option(config, "no-database"):
        extra["database"] = None
    try:
        return Settings(
            examples=100 if examples is None else examples,
            adversarial_examples=50 if adversarial_examples is None else adversarial_examples,
            adversarial=not option(config, "no-adversarial"),
            adversarial_raw=bool(option(config, "adversarial-raw")),
            strict=not option(config, "no-strict"),
            seed=_number(config, "seed"),
            derandomize=bool(option(config, "derandomize")),
            **extra,
            shrink=not option(config, "no-shrink"),
            hasura_version=HasuraProfile.for_version(
                option(config, "hasura-version"), dev_mode=bool(option(config, "hasura-dev-mode"))
            ),
            actions=tuple(option(config, "action") or ()),
            exclude_checks=tuple(option(config, "exclude-check") or ()),
            base_url=option(config, "url") or None,
            env=_pairs(option(config, "env"), "=", "env"),
            session=_pairs(option(config, "session"), "=", "session") or None,
            client_headers=_pairs(option(config, "header"), ":", "header") or None,
            timeout=_number(config, "timeout"),
            in_process=bool(option(config, "app")) or bool(option(config, "mock")),
            via_graphql=bool(option(config, "via-graphql")),
            adversarial_strict=bool(option(config, "adversarial-strict")),
            wait_for_restart=_number(config, "wait-for-restart") or 0.0,
            inputs=_known_inputs(config, catalog),
            workers=_workers(config),
            shrink_time=10.0 if shrink_time is None else shrink_time,
        )
    except InvalidArgument as error:
        raise pytest.UsageError(str(error)) from None


def _known_inputs(config: pytest.Config, catalog: Catalog | None) -> dict[str, Any] | None:
    path = option(config, "examples-file")
    if not path or catalog is None:
        return None
    file = Path(path) if Path(path).is_absolute() else config.rootpath / path
    try:
        return dict(load_inputs(file, catalog))
    except MetadataError as error:
        raise pytest.UsageError(f"--action-contract-examples-file: {error}") from None


class ContractFailed(Exception):
    """An item's group found failures; the message is the text report of each."""


class ContractSession:
    """Per-process state: the catalog, the settings and one target shared by every item.

    Everything the options name is loaded and checked when pytest configures, so a bad value is one
    usage error (exit 4) before anything is collected, not an error inside every item.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.catalog: Catalog = load_configured_catalog(config)
        self.settings: Settings = settings_from(config, self.catalog)
        try:
            for name in self.settings.actions:
                self.catalog.action(name)
        except InvalidArgument as error:
            raise pytest.UsageError(str(error)) from None
        #: Built now (an --action-contract-app typo is a usage error), opened by the first item that runs.
        self._unopened: Target | None = built_target(config, self.catalog, self.settings)
        self._stack = contextlib.ExitStack()
        self.target: Target | None = None
        #: The file the items belong to: the metadata file, or the project file declaring the actions.
        self.anchor = anchor_file(metadata_path(config))
        #: Every group run in this process, for --action-contract-report-html.
        self.results: list[GroupResult] = []
        #: What was reported already, and the actions whose handler never answered, as `run_contract` keeps them.
        self.reported: set[tuple[str, str, str]] = set()
        self.unreachable: dict[str, str] = {}
        self.started = time.perf_counter()
        self._collected = False
        _collect_anchor_by_default(config, self.anchor)

    def open_target(self) -> Target:
        if self.target is None:
            assert self._unopened is not None
            self.target = self._stack.enter_context(self._unopened)
        return self.target

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        # Like any collector of non-Python files: the items are collected when their file is, so they run
        # when the file (or a folder holding it) is selected, and a pasted node id selects one of them.
        if file_path.resolve() != self.anchor or self._collected:
            return None  # one file, once: a link in the tree can reach the metadata by a second path
        self._collected = True
        file: ContractFile = ContractFile.from_parent(parent, path=file_path)
        file.contract = self
        return file

    def pytest_sessionfinish(self) -> None:
        self._stack.close()
        if self._unopened is not None and self.target is None:
            self._unopened.close()
        self.write_reports()

    def write_reports(self) -> None:
        """The HTML and JSON reports of the groups this process ran, when the options ask for them."""
        if not self.results:
            return
        app = option(self.config, "app")
        target = f"app_target({app!r})" if app else "MockHandler(catalog)" if option(self.config, "mock") else None
        report = Report(
            results=self.results,
            seed=self.settings.seed,
            hasura_version=self.settings.profile.label,
            options=self.settings.report_options(),
            elapsed=time.perf_counter() - self.started,
            source=str(option(self.config, "path")),
            target=target or "HttpTarget()",
        )
        worker = getattr(self.config, "workerinput", {}).get("workerid")
        for name in ("report-html", "report-json"):
            path = option(self.config, name)
            if not path:
                continue
            if worker:  # pytest-xdist: each worker writes the groups it ran, to a file of its own
                stem, dot, suffix = str(path).rpartition(".")
                path = f"{stem}-{worker}.{suffix}" if dot else f"{path}-{worker}"
            if name == "report-html":
                text = render_html(report, catalog=self.catalog)
            else:
                text = json.dumps(render_json(report, catalog=self.catalog), indent=2, ensure_ascii=False)
            Path(path).write_text(text, encoding="utf-8")


def metadata_path(config: pytest.Config) -> Path:
    """`--action-contract-path` as an absolute path (relative ones: from the current directory, else the root)."""
    path = Path(option(config, "path"))
    if not path.is_absolute():
        path = path if path.exists() else Path(config.rootpath, path)
    return path.resolve()


def anchor_file(path: Path) -> Path:
    """The file the items are collected from: the metadata file itself, or in a project directory the
    file declaring the actions' handlers (node ids must name a file: pytest selects no items in a folder)."""
    if path.is_file():
        return path
    for name in ("metadata/actions.yaml", "actions.yaml", "metadata/actions.graphql", "actions.graphql"):
        if (path / name).is_file():
            return (path / name).resolve()
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return files[0].resolve() if files else path


def _collect_anchor_by_default(config: pytest.Config, anchor: Path) -> None:
    """With no path on the command line (testpaths or the current directory), the metadata is collected too."""
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        return
    base = config.invocation_params.dir
    given = Path(base, option(config, "path"))  # as written: through a link, it lies under the folder collected
    for arg in config.args:
        folder = Path(base, arg.split("::")[0])
        if anchor.is_relative_to(folder.resolve()) or given.is_relative_to(folder):
            return
    config.args.append(str(anchor))


class ContractFile(pytest.File):
    """The metadata file; its items are one per action and group."""

    contract: ContractSession

    def collect(self) -> list[pytest.Item]:
        contract = self.contract
        selected = contract.settings.actions or tuple(contract.catalog.actions)
        text = self.path.read_text(encoding="utf-8", errors="replace")
        return [
            ContractItem.from_parent(
                self,
                name=f"{name}[{group}]",
                # As a parametrized test's id, so `--lf` matches it with the id it stored (which it parses so).
                nodeid=f"{self.nodeid}::{name}[{group}]",
                action=name,
                group=group,
                contract=contract,
                line=_line_of(text, name),
            )
            for name in selected
            for group in GROUPS
        ]


def _line_of(text: str, name: str) -> int:
    """The 0-based line where `name` first appears in the metadata file (0 when it does not)."""
    found = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text)
    return text.count("\n", 0, found.start()) if found else 0


class ContractItem(pytest.Item):
    """One group (conforming, adversarial or secret) of one action."""

    def __init__(self, *, action: str, group: str, contract: ContractSession, line: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.action, self.group, self.contract, self.line = action, group, contract, line
        self.add_marker("action_contract")
        self.keywords[action] = True
        self.keywords[group] = True

    def runtest(self) -> None:
        contract = self.contract
        assert contract.catalog is not None and contract.settings is not None  # set at collection
        unreachable = contract.unreachable.get(self.action)
        if unreachable is not None:  # as `check` does: one unanswered group is enough to know
            result = GroupResult(
                action=self.action,
                group=cast("Any", self.group),
                skipped=f"not sent: the handler never answered ({unreachable})",
            )
        else:
            result = run_group(contract.catalog, self.action, self.group, contract.open_target(), self._settings())
            if result.unreachable is not None:
                contract.unreachable[self.action] = result.unreachable
        # One failure per (action, check, kind) across the groups this process ran, as in `check`'s report.
        result.failures = [f for f in result.failures if f.key not in contract.reported]
        contract.reported.update(f.key for f in result.failures)
        contract.results.append(result)
        if result.skipped is not None:
            # Reported at the item's place in the metadata file, not at this line of the plugin.
            raise pytest.skip.Exception(result.skipped, _use_item_location=True)
        self._report_warnings(result)
        fatal = [f for f in result.failures if f.fatal]
        if fatal:
            raise ContractFailed(self._render(result, fatal))

    def _settings(self) -> Settings:
        """The session's settings, plus the known-good inputs of `action_contract_inputs` markers."""
        settings = self.contract.settings
        assert settings is not None  # set at collection
        marked = [
            value for mark in self.iter_markers("action_contract_inputs") for value in mark.kwargs.get(self.action, ())
        ]
        if not marked:
            return settings
        inputs = dict(settings.inputs or {})
        inputs[self.action] = [*inputs.get(self.action, ()), *marked]
        return dataclasses.replace(settings, inputs=inputs)

    def _render(self, result: GroupResult, failures: list[Any]) -> str:
        contract = self.contract
        metadata = str(option(self.config, "path"))
        app = option(self.config, "app")
        target = f"app_target({app!r})" if app else "HttpTarget()"
        settings = contract.settings
        replay: dict[str, Any] = {}
        if settings is not None:
            replay = {"hasura_version": settings.profile.label, "exclude_checks": settings.exclude_checks}
        parts = [
            render_failure(f, catalog=contract.catalog, metadata=metadata, target=target, **replay) for f in failures
        ]
        seed = result.seed
        rerun = f"--action-contract-seed {seed}" if seed is not None else "the same options"
        parts.append(f"{len(failures)} failure(s) in {result.cases} cases; rerun with {rerun}")
        return "\n\n".join(parts)

    def _report_warnings(self, result: GroupResult) -> None:
        warnings = [f for f in result.failures if not f.fatal]
        if warnings:
            text = self._render(result, warnings)
            self.add_report_section("call", "action-contract warnings", text)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, (ContractFailed, ActionContractError)):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.line, f"{self.action} [{self.group}]"
