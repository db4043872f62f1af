"""Shared test set-up: where the fixtures live, and a small Hypothesis profile for the suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser import CHROMIUM_ARGS, BrowserPage, find_chromium, launch_failure, why_no_browser
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system's, driven by Playwright); the test is skipped when there is none.

    One per test module, not per session: while Playwright's sync API is started it marks this thread's asyncio
    loop as running, so `asyncio.run` in any later test of the session would fail.
    """
    reason = why_no_browser()
    if reason is not None:
        pytest.skip(reason)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            failure = ""
        except PlaywrightError as error:
            failure = launch_failure(error.message)
        if failure:
            # Found but broken is a failure to see, not a reason to skip quietly (outside the `except`, so the
            # report shows what Chromium said once, not Playwright's whole call log twice).
            pytest.fail(f"Chromium {executable} did not start: {failure}", pytrace=False)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[BrowserPage]:
    """A fresh page in its own context: desktop-sized, clipboard allowed, offline beyond loopback."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        accept_downloads=False,
        permissions=["clipboard-read", "clipboard-write"],
    )
    try:
        yield BrowserPage(context)
    finally:
        context.close()
