"""Shared test set-up: where the fixtures live, and a small Hypothesis profile for the suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# The suite stays quick; long property runs belong in benchmarks/ or a `--hypothesis-profile=thorough` run.
settings.register_profile("suite", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture
def fixtures() -> Path:
    """The fixtures/ folder."""
    return FIXTURES


@pytest.fixture(autouse=True)
def _no_template_values_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Template variables must come from each test, never from whoever runs the suite."""
    for name in ("SHOP_ACTIONS_URL", "SHOP_WEBHOOK_SECRET", "ACTION_BASE_URL", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite the golden files in tests/golden")
