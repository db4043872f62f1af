"""The fixtures' machinery: a started mock router and a reference executor with their markers' options."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from action_contract import (
    ActionMockRouter,
    Catalog,
    HasuraProfile,
    InvalidArgument,
    MetadataError,
    MockHandler,
    MockTarget,
    ReferenceExecutor,
    Target,
    mock_router,
)

from . import option
from ._items import _pairs

__all__ = ["started_executor", "started_mock"]

#: What `@pytest.mark.action_mock(...)` may set: the options of `mock_router`.
MOCK_OPTIONS = ("seed", "scenario", "examples", "latency", "error_rate", "require_secret", "base_url", "env")

#: What `@pytest.mark.hasura_executor(...)` may set.
EXECUTOR_OPTIONS = ("mock", "admin_secret", "hasura_version", "dev_mode", "state", "timeout", "env")


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
