"""The contract as pytest items: one per action and group, named so `-k placeOrder` works."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from action_contract import (
    ActionContractError,
    ActionMockRouter,
    Catalog,
    GroupResult,
    HasuraProfile,
    HttpTarget,
    InvalidArgument,
    MetadataError,
    MockHandler,
    MockTarget,
    ReferenceExecutor,
    Report,
    Settings,
    Target,
    app_target,
    load_catalog,
    mock_router,
    render_failure,
    render_html,
    run_group,
)

from . import option

__all__ = [
    "ContractItem",
    "ContractSession",
    "configured_target",
    "load_configured_catalog",
    "settings_from",
    "started_executor",
    "started_mock",
]

#: What `@pytest.mark.action_mock(...)` may set: the options of `mock_router`.
MOCK_OPTIONS = ("seed", "scenario", "examples", "latency", "error_rate", "require_secret", "base_url", "env")

#: What `@pytest.mark.hasura_executor(...)` may set.
EXECUTOR_OPTIONS = ("mock", "admin_secret", "hasura_version", "dev_mode", "state", "timeout", "env")

GROUPS = ("conforming", "adversarial", "secret")


def _pairs(values: list[str], sep: str, name: str) -> dict[str, str]:
    pairs = {}
    for item in values or []:
        key, found, value = item.partition(sep)
        if not found or not key.strip():
            raise pytest.UsageError(f"--action-contract-{name}: expected NAME{sep}VALUE, got {item!r}")
        pairs[key.strip()] = value.strip() if sep == ":" else value
    return pairs


def _number(config: pytest.Config, name: str, kind: type[Any]) -> Any:
    value = option(config, name)
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        raise pytest.UsageError(f"--action-contract-{name}: expected a number, got {value!r}") from None


def _workers(config: pytest.Config) -> int | Literal["auto"]:
    value = option(config, "workers")
    if value is None or str(value).strip() == "auto":
        return "auto"
    count = _number(config, "workers", int)
    if count < 1:
        raise pytest.UsageError(f"--action-contract-workers: expected a number from 1 or auto, got {value!r}")
    return int(count)


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
        return load_catalog(path, _pairs(option(config, "env"), "=", "env"))
    except MetadataError as error:
        raise pytest.UsageError(str(error)) from None
    except InvalidArgument as error:
        raise pytest.UsageError(f"--action-contract-path: {error}") from None


@contextlib.contextmanager
def started_mock(
    config: pytest.Config, catalog: Catalog, options: dict[str, Any], test_dir: Path
) -> Iterator[ActionMockRouter]:
    """A started `mock_router` for `catalog` with the marker's options; relative example files are
    looked up beside the test module first, then in the root directory."""
    unknown = sorted(set(options) - set(MOCK_OPTIONS))
    if unknown:
        pytest.fail(
            f"@pytest.mark.action_mock: unknown option {unknown[0]!r}; expected {', '.join(MOCK_OPTIONS)}",
            pytrace=False,
        )
    options = dict(options)
    examples = options.get("examples")
    if examples is not None and not Path(examples).is_absolute():
        beside = test_dir / examples
        options["examples"] = beside if beside.exists() else config.rootpath / examples
    options["env"] = {**_pairs(option(config, "env"), "=", "env"), **(options.get("env") or {})}
    options.setdefault("base_url", option(config, "url"))
    try:
        router = mock_router(catalog, **options)
    except (MetadataError, InvalidArgument) as error:
        pytest.fail(f"action_mock: {error}", pytrace=False)
    with router:
        yield router


@contextlib.contextmanager
def started_executor(
    config: pytest.Config, catalog: Catalog, target: Target | None, options: dict[str, Any]
) -> Iterator[ReferenceExecutor]:
    """A `ReferenceExecutor` for `catalog` calling `target` (or the mock handler with `mock=True`)."""
    unknown = sorted(set(options) - set(EXECUTOR_OPTIONS))
    if unknown:
        pytest.fail(
            f"@pytest.mark.hasura_executor: unknown option {unknown[0]!r}; expected {', '.join(EXECUTOR_OPTIONS)}",
            pytrace=False,
        )
    env = {**_pairs(option(config, "env"), "=", "env"), **(options.get("env") or {})}
    own_target = None
    try:
        profile = HasuraProfile.for_version(
            options.get("hasura_version") or option(config, "hasura-version"), dev_mode=bool(options.get("dev_mode"))
        )
        base_url = option(config, "url") or None
        if options.get("mock") or target is None:
            own_target = target = MockTarget(MockHandler(catalog, env=env, cors=False))
            base_url = "http://handler.test"
        executor = ReferenceExecutor(
            catalog,
            target,
            profile,
            admin_secret=options.get("admin_secret"),
            base_url=base_url,
            env=env,
            state=options.get("state"),
            timeout=options.get("timeout"),
        )
    except (MetadataError, InvalidArgument) as error:
        if own_target is not None:
            own_target.close()
        pytest.fail(f"hasura_executor: {error}", pytrace=False)
    try:
        with executor:
            yield executor
    finally:
        if own_target is not None:
            own_target.close()


@contextlib.contextmanager
def configured_target(config: pytest.Config) -> Iterator[Target]:
    """The target of `--action-contract-app` (in-process) or HTTP, closed afterwards."""
    app = option(config, "app")
    try:
        target: Target = app_target(app, kind=option(config, "app-kind")) if app else HttpTarget()
    except InvalidArgument as error:
        raise pytest.UsageError(f"--action-contract-app: {error}") from None
    with target:
        yield target


def settings_from(config: pytest.Config) -> Settings:
    """The run's `Settings` from the command line and ini file."""
    database = option(config, "database")
    examples = _number(config, "examples", int)
    adversarial_examples = _number(config, "adversarial-examples", int)
    shrink_time = _number(config, "shrink-time", float)
    # Without the option the library's default database applies; "none" turns it off.
    extra: dict[str, Any] = {} if database is None else {"database": None if database == "none" else database}
    try:
        return Settings(
            examples=100 if examples is None else examples,
            adversarial_examples=50 if adversarial_examples is None else adversarial_examples,
            adversarial=not option(config, "no-adversarial"),
            strict=not option(config, "no-strict"),
            seed=_number(config, "seed", int),
            derandomize=bool(option(config, "derandomize")),
            **extra,
            hasura_version=HasuraProfile.for_version(option(config, "hasura-version")),
            exclude_checks=tuple(option(config, "exclude-check") or ()),
            base_url=option(config, "url") or None,
            env=_pairs(option(config, "env"), "=", "env"),
            session=_pairs(option(config, "session"), "=", "session") or None,
            client_headers=_pairs(option(config, "header"), ":", "header") or None,
            timeout=_number(config, "timeout", float),
            in_process=bool(option(config, "app")),
            via_graphql=bool(option(config, "via-graphql")),
            workers=_workers(config),
            shrink_time=10.0 if shrink_time is None else shrink_time,
        )
    except InvalidArgument as error:
        raise pytest.UsageError(str(error)) from None


class ContractFailed(Exception):
    """An item's group found failures; the message is the text report of each."""


class ContractSession:
    """Per-process state: the catalog, the settings and one target shared by every item."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._target: contextlib.ExitStack | None = None
        self.target: Target | None = None
        self.catalog: Catalog | None = None
        self.settings: Settings | None = None
        #: Every group run in this process, for --action-contract-report-html.
        self.results: list[GroupResult] = []
        self.started = time.perf_counter()

    def open_target(self) -> Target:
        if self.target is None:
            stack = contextlib.ExitStack()
            self.target = stack.enter_context(configured_target(self.config))
            self._target = stack
        return self.target

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        # tryfirst: our items must exist before `-k` and `-m` deselect (the mark plugin's hook).
        self.catalog = load_configured_catalog(config)
        self.settings = settings_from(config)
        selected = self.settings.actions or tuple(self.catalog.actions)
        path = Path(option(config, "path"))
        collector = ContractCollector.from_parent(
            session, name=path.as_posix(), path=(config.rootpath / path).resolve()
        )
        items.extend(
            ContractItem.from_parent(collector, name=f"{name}[{group}]", action=name, group=group, contract=self)
            for name in selected
            for group in GROUPS
        )

    def pytest_sessionfinish(self) -> None:
        if self._target is not None:
            self._target.close()
        self.write_html()

    def write_html(self) -> None:
        """The HTML report of the groups this process ran, when --action-contract-report-html asks for one."""
        path = option(self.config, "report-html")
        if not path or not self.results or self.settings is None:
            return
        worker = getattr(self.config, "workerinput", {}).get("workerid")
        if worker:  # pytest-xdist: each worker writes the groups it ran, to a file of its own
            stem, dot, suffix = str(path).rpartition(".")
            path = f"{stem}-{worker}.{suffix}" if dot else f"{path}-{worker}"
        app = option(self.config, "app")
        report = Report(
            results=self.results,
            seed=self.settings.seed,
            hasura_version=self.settings.profile.label,
            options=self.settings.report_options(),
            elapsed=time.perf_counter() - self.started,
            source=str(option(self.config, "path")),
            target=f"app_target({app!r})" if app else "HttpTarget()",
        )
        Path(path).write_text(render_html(report, catalog=self.catalog), encoding="utf-8")


class ContractCollector(pytest.Collector):
    """The metadata file or directory the items come from."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []


class ContractItem(pytest.Item):
    """One group (conforming, adversarial or secret) of one action."""

    def __init__(self, *, action: str, group: str, contract: ContractSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.action, self.group, self.contract = action, group, contract
        self.add_marker("action_contract")
        self.keywords[action] = True
        self.keywords[group] = True

    def runtest(self) -> None:
        contract = self.contract
        assert contract.catalog is not None and contract.settings is not None  # set at collection
        result = run_group(contract.catalog, self.action, self.group, contract.open_target(), contract.settings)
        contract.results.append(result)
        if result.skipped is not None:
            pytest.skip(result.skipped)
        self._report_warnings(result)
        fatal = [f for f in result.failures if f.fatal]
        if fatal:
            raise ContractFailed(self._render(result, fatal))

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
        return self.path, None, f"{self.action} [{self.group}]"
