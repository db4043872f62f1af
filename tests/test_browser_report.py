"""The HTML report in a real headless Chromium: opened from disk, it works with no network and no script errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser import BrowserPage, find_chromium, is_local, why_no_browser
from click.testing import CliRunner
from conftest import FIXTURES

from action_contract import load_catalog
from action_contract._cli._main import main

SHOP = FIXTURES / "projects" / "shop"
HANDLERS = FIXTURES / "handlers"
QUICK = ["--examples", "6", "--adversarial-examples", "4", "--no-database", "--seed", "1", "-q"]


def _report(tmp_path: Path, app: str) -> tuple[int, Path]:
    """`check --report-html` against the shop with handler `app`; the exit code and the page's path."""
    out = tmp_path / "report.html"

    def run() -> int:
        result = CliRunner().invoke(main, ["check", str(SHOP), "--app", app, *QUICK, "--report-html", str(out)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.exit_code

    # On a thread of its own, as outside a browser test: while Playwright is started it marks this thread's
    # asyncio loop as running, and the run would go another way.
    with ThreadPoolExecutor(max_workers=1) as pool:
        code = pool.submit(run).result()
    assert out.is_file()
    return code, out


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One failing run's page, shared by the tests that only read it."""
    code, path = _report(tmp_path_factory.mktemp("failing"), f"{HANDLERS / 'faulty.py'}:loose_types_app")
    assert code == 1
    return path


def _open(browser_page: BrowserPage, path: Path) -> None:
    """Open the report from disk and wait until its script has run."""
    browser_page.page.goto(path.as_uri(), wait_until="load")


def test_a_failing_report_shows_the_verdict_and_the_matrix_failures_first(browser_page, failing):
    page = browser_page.page
    _open(browser_page, failing)
    verdict = page.locator("#verdict")
    assert "fail" in (verdict.get_attribute("class") or "").split()
    assert "failure(s)" in verdict.inner_text()
    matrix = page.locator("#matrix table")
    assert matrix.is_visible()
    rows = matrix.locator("tbody tr[data-action]")
    names = [rows.nth(i).get_attribute("data-action") for i in range(rows.count())]
    assert sorted(names) == sorted(action.name for action in load_catalog(SHOP))
    failing = [rows.nth(i).locator("td.cell.failed").count() > 0 for i in range(rows.count())]
    assert failing[0] and page.locator("td.cell.failed").first.is_visible()
    assert failing == sorted(failing, reverse=True), "rows with failures come before rows without"
    browser_page.assert_clean()


def test_a_failure_opens_and_its_curl_reproduction_copies_to_the_clipboard(browser_page, failing):
    page = browser_page.page
    _open(browser_page, failing)
    failure = page.locator("details.failure").first
    curl = failure.locator("pre[id$='-curl']")
    # The report shows failures open; the summary folds and unfolds them.
    summary = failure.locator("summary")
    summary.click()
    assert failure.evaluate("d => d.open") is False and curl.is_hidden()
    summary.click()
    assert failure.evaluate("d => d.open") is True
    curl.wait_for(state="visible")
    text = curl.text_content() or ""
    assert "curl" in text
    button = failure.locator(f"button.copy[data-target='{curl.get_attribute('id')}']")
    button.click()
    page.wait_for_function("b => b.textContent === 'copied'", arg=button.element_handle())
    assert page.evaluate("() => navigator.clipboard.readText()") == text
    browser_page.assert_clean()


def test_each_action_has_a_drawn_latency_chart(browser_page, failing):
    page = browser_page.page
    _open(browser_page, failing)
    charts = page.locator("#actions div.action[data-action] svg.latency")
    assert charts.count() >= 1
    charts.first.scroll_into_view_if_needed()
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    assert page.locator("#run").is_visible()
    browser_page.assert_clean()


def test_a_passing_report_says_so_with_no_failed_cell(browser_page, tmp_path):
    code, path = _report(tmp_path, f"{HANDLERS / 'shop.py'}:app")
    assert code == 0
    page = browser_page.page
    _open(browser_page, path)
    verdict = page.locator("#verdict")
    assert "pass" in (verdict.get_attribute("class") or "").split()
    assert "the contract holds" in verdict.inner_text()
    assert page.locator("#matrix td.cell.passed").count() > 0
    assert page.locator("td.cell.failed").count() == 0
    assert page.locator("details.failure").count() == 0
    browser_page.assert_clean()


def test_without_chromium_the_reason_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.delenv("ACTION_CONTRACT_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() is None
    reason = why_no_browser()
    assert reason is not None and "no Chromium found" in reason and "ACTION_CONTRACT_CHROMIUM" in reason
    monkeypatch.setenv("ACTION_CONTRACT_CHROMIUM", str(tmp_path / "nonexistent"))
    assert find_chromium() == str(tmp_path / "nonexistent")
    assert "is not an executable file" in (why_no_browser() or "")
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.delenv("ACTION_CONTRACT_CHROMIUM")
    assert find_chromium() == str(fake)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("file:///tmp/report.html", True),
        ("data:text/plain,x", True),
        ("about:blank", True),
        ("http://127.0.0.1:8080/x", True),
        ("http://localhost/x", True),
        ("http://[::1]:9/x", True),
        ("https://fonts.googleapis.com/css", False),
        ("http://127.0.0.1.example.com/x", False),
    ],
)
def test_only_local_addresses_are_allowed(url, local):
    assert is_local(url) is local
