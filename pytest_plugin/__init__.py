"""The pytest adapter of action-contract: `pytest --action-contract`, off unless asked for.

This module is imported by every pytest run of every project that has action-contract installed,
so it imports nothing but pytest: the library (Hypothesis strategies, graphql-core, httpx) is
loaded only when `--action-contract` is on or one of the fixtures is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from action_contract import ActionMockRouter, Catalog, ReferenceExecutor, Target

__all__ = ["action_catalog", "action_mock", "action_target", "hasura_executor"]

#: (option suffix, kind, help) of every setting; each `--action-contract-X` is also the ini key `action_contract_X`.
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("path", "string", "Hasura metadata: a CLI project, metadata export, API calls file or actions.graphql."),
    ("url", "string", "Send to this scheme://host:port, keeping each handler's path (default: the metadata's URLs)."),
    ("app", "string", "Call an ASGI/WSGI app or function in-process: module:attr or path/to/file.py:attr."),
    ("app-kind", "string", "asgi, wsgi or callable, when --action-contract-app can't tell."),
    ("examples", "string", "Conforming requests per action (default 100)."),
    ("adversarial-examples", "string", "Invalid requests per action (default 50)."),
    ("seed", "string", "Same seed, same requests (default: random, shown on failure)."),
    ("hasura-version", "string", "Judge as this Hasura release does (default: the newest)."),
    ("timeout", "string", "Seconds per reply instead of each action's timeout."),
    ("database", "string", "Where failing examples are kept ('none' for no database)."),
    ("env", "linelist", "NAME=VALUE for a {{NAME}} template. Repeatable."),
    ("exclude-check", "linelist", "A check to turn off. Repeatable."),
    ("header", "linelist", "'NAME: VALUE', a client header Hasura forwards. Repeatable."),
    ("session", "linelist", "NAME=VALUE, a fixed session variable. Repeatable."),
    ("no-strict", "bool", "Report output_conforms findings as warnings."),
    ("no-adversarial", "bool", "Send no invalid requests."),
    ("derandomize", "bool", "Same requests on every run and no example database."),
    ("via-graphql", "bool", "Send conforming requests as GraphQL operations through the reference executor."),
    ("report-html", "string", "Write the run as one self-contained HTML page (per worker under xdist: FILE-gwN.html)."),
    ("scalar", "linelist", "A Postgres type of your database to accept without a declaration (e.g. a domain)."),
    ("action", "linelist", "Only this action. Repeatable."),
    ("mock", "bool", "Check the mock handler (shows the contract is self-consistent)."),
    ("no-database", "bool", "Neither replay nor keep failing examples."),
    ("no-shrink", "bool", "Report failures as found, without shrinking them."),
    ("hasura-dev-mode", "bool", "Show `internal` in Hasura's errors, as HASURA_GRAPHQL_DEV_MODE does."),
    ("report-json", "string", "Write the run as JSON (per worker under xdist: FILE-gwN.json)."),
    ("adversarial-raw", "bool", "Behind a request_transform too: send Hasura's payload broken and untransformed."),
    ("adversarial-strict", "bool", "Report a 2xx to a request that is only extra or off in the envelope as an error."),
    ("wait-for-restart", "string", "Seconds to wait for a handler that stopped answering to come back (default 0)."),
    ("max-reply-mb", "string", "Read replies up to this size (default 100); a bigger one is a warning."),
    ("examples-file", "string", "The examples file the mock reads: its `inputs:` lists are known-good inputs."),
    ("workers", "string", "Requests in flight at once: a number, or auto (default: adapted from 1 to 16)."),
    ("shrink-time", "string", "Seconds each failure may spend being shrunk (default 10)."),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add `--action-contract` and its options, each also an ini key."""
    group = parser.getgroup("action-contract", "Hasura Action handler contract tests")
    group.addoption(
        "--action-contract",
        action="store_true",
        default=None,
        help="Check the handlers of the Hasura actions in --action-contract-path (ini: action_contract = true).",
    )
    parser.addini("action_contract", "Turn the contract tests on.", type="bool", default=False)
    for suffix, kind, text in OPTIONS:
        dest = "action_contract_" + suffix.replace("-", "_")
        if kind == "bool":
            group.addoption(f"--action-contract-{suffix}", action="store_true", default=None, dest=dest, help=text)
            parser.addini(dest, text, type="bool", default=False)
        elif kind == "linelist":
            group.addoption(f"--action-contract-{suffix}", action="append", default=None, dest=dest, help=text)
            parser.addini(dest, text, type="linelist", default=[])
        else:
            group.addoption(f"--action-contract-{suffix}", default=None, dest=dest, help=text)
            parser.addini(dest, text, default=None)


def option(config: pytest.Config, name: str) -> Any:
    """The value of setting `name` (`path`, `no-strict`...): the command line beats the ini file."""
    dest = "action_contract_" + name.replace("-", "_")
    value = config.getoption(dest)
    return config.getini(dest) if value is None else value


def pytest_configure(config: pytest.Config) -> None:
    """Load the contract machinery only when `--action-contract` is on."""
    config.addinivalue_line("markers", "action_contract: a Hasura Action handler contract test item")
    config.addinivalue_line(
        "markers",
        "action_mock(seed=0, scenario=None, examples=None, latency=None, error_rate=0.0, require_secret=False, "
        "base_url=None, env=None): options of the action_mock fixture",
    )
    config.addinivalue_line(
        "markers",
        "hasura_executor(mock=False, admin_secret=None, hasura_version=None, dev_mode=False, state=None, "
        "timeout=None, env=None): options of the hasura_executor fixture",
    )
    config.addinivalue_line(
        "markers",
        "action_contract_inputs(ACTION=[{...}, ...]): known-good inputs of a contract item's action "
        "(add it to the items in a conftest's pytest_collection_modifyitems)",
    )
    if _enabled(config):
        # Imported here, not at the top: a pytest run without --action-contract must not pay for it.
        from ._items import ContractSession

        config.pluginmanager.register(ContractSession(config), "action-contract-session")


def _enabled(config: pytest.Config) -> bool:
    value = config.getoption("action_contract")
    return bool(config.getini("action_contract") if value is None else value)


@pytest.fixture(scope="session")
def action_catalog(pytestconfig: pytest.Config) -> Catalog:
    """The `Catalog` of the metadata in `--action-contract-path` (or the ini key), loaded once."""
    from ._items import load_configured_catalog

    return load_configured_catalog(pytestconfig)


@pytest.fixture(scope="session")
def action_target(pytestconfig: pytest.Config) -> Iterator[Target]:
    """A `Target` for `--action-contract-url`/`--action-contract-app`, open for the session."""
    from ._items import configured_target

    with configured_target(pytestconfig) as target:
        yield target


@pytest.fixture
def action_mock(request: pytest.FixtureRequest, action_catalog: Catalog) -> Iterator[ActionMockRouter]:
    """A started respx router answering httpx calls to the handler URLs as `action-contract mock` would.

    Options come from `@pytest.mark.action_mock(seed=..., scenario=..., examples=...)`; the journal of
    calls is `action_mock.journal`.
    """
    from ._fixtures import started_mock

    marker = request.node.get_closest_marker("action_mock")
    options = dict(marker.kwargs) if marker is not None else {}
    with started_mock(request.config, action_catalog, options, request.path.parent) as router:
        yield router


@pytest.fixture
def hasura_executor(request: pytest.FixtureRequest, action_catalog: Catalog) -> Iterator[ReferenceExecutor]:
    """A `ReferenceExecutor`: send GraphQL as a client of Hasura would, to the configured handlers.

    Handlers are called as `action_target` would (`--action-contract-url`/`-app`, else the metadata's
    URLs); `@pytest.mark.hasura_executor(mock=True)` answers with the mock handler instead. Other
    options: admin_secret, hasura_version, dev_mode, state, timeout, env. Asynchronous actions run
    before `execute` returns.
    """
    from ._fixtures import started_executor
    from ._items import configured_target

    marker = request.node.get_closest_marker("hasura_executor")
    options = dict(marker.kwargs) if marker is not None else {}
    if options.get("mock"):
        with started_executor(request.config, action_catalog, None, options) as executor:
            yield executor
        return
    with (
        configured_target(request.config) as target,
        started_executor(request.config, action_catalog, target, options) as executor,
    ):
        yield executor
