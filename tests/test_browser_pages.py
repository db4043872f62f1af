"""The served pages in headless Chromium: GraphiQL on `serve --mock`, and the mock's journal page.

Each test starts the real command on a free port, drives the page as a user would, and ends with
`assert_clean()`: the page asked for nothing beyond loopback (its files come from the package) and
raised or logged no script error (a Content-Security-Policy violation is one).
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser import BrowserPage, why_no_browser
from conftest import FIXTURES
from servers import Command, running_command

SHOP = FIXTURES / "projects" / "shop"
ROOT = FIXTURES.parent
SECRET = "browser-s3cret"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PLACE_ORDER = """mutation Place {
  placeOrder(items: [{sku: "A-1", quantity: 2}], coupon: "SPRING") {
    orderId
    status
    total
    lines { sku quantity price }
  }
}"""


def _editor(page: Any, where: str) -> str:
    """The JavaScript expression for GraphiQL's CodeMirror editor inside `where`."""
    return f"document.querySelector({json.dumps(where + ' .CodeMirror')}).CodeMirror"


def _run(page: Any, query: str) -> dict[str, Any]:
    """Put `query` in the editor, press the run button, and return the result pane's JSON once it changes."""
    before = page.evaluate(f"{_editor(page, '.result-window')}.getValue()")
    page.evaluate(f"q => {_editor(page, '.graphiql-query-editor')}.setValue(q)", query)
    page.click(".graphiql-execute-button")
    result = _editor(page, ".result-window")
    page.wait_for_function(f"prev => {result}.getValue() !== prev && {result}.getValue().trim() !== ''", arg=before)
    value: dict[str, Any] = json.loads(page.evaluate(f"{result}.getValue()"))
    return value


def test_graphiql_runs_a_mutation_against_serve_mock(browser_page: BrowserPage) -> None:
    ready = r"Listening on (http://\S+)/v1/graphql"
    with running_command(Command, ["serve", str(SHOP), "--mock", "--admin-secret", SECRET], ready) as serve:
        page = browser_page.page
        page.goto(serve.url + "/console")
        page.wait_for_selector(".graphiql-query-editor .CodeMirror")
        assert "roles: admin, anonymous, customer" in page.inner_text("#bar")

        # The header editor is open and preset: the role to change, and (a browser on this machine) the secret.
        headers = _editor(page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)")
        assert json.loads(page.evaluate(f"{headers}.getValue()")) == {
            "x-hasura-role": "admin",
            "x-hasura-admin-secret": SECRET,
        }
        assert "placeOrder (mutation)" in page.evaluate(f"{_editor(page, '.graphiql-query-editor')}.getValue()")
        # The schema loaded with the preset headers (the secret is required): the docs list the roots.
        page.click('button[aria-label="Show Documentation Explorer"]')
        page.wait_for_selector(".graphiql-doc-explorer >> text=mutation_root")

        reply = _run(page, PLACE_ORDER)
        order = reply["data"]["placeOrder"]
        assert UUID.match(order["orderId"]) and order["status"] in ("PENDING", "PAID", "SHIPPED")
        assert (
            isinstance(order["total"], (int, float))
            and order["lines"]
            and set(order["lines"][0])
            == {
                "sku",
                "quantity",
                "price",
            }
        )
        assert '"orderId"' in page.inner_text(".result-window")  # shown, not only held by the editor
        serve.wait_for(r"POST /v1/graphql placeOrder -> 200 data")
        browser_page.assert_clean()

        # The headers travel with each request: another role sees its own schema, no secret is refused
        # (Chromium logs each 401 as a console error: expected from here on, and only those).
        page.evaluate(f"h => {headers}.setValue(h)", json.dumps({"x-hasura-role": "anonymous"}))
        refused = _run(page, PLACE_ORDER)
        assert refused["errors"][0]["extensions"]["code"] == "access-denied"
        page.evaluate(f"h => {headers}.setValue(h)", json.dumps({"x-hasura-role": "anonymous", **_secret()}))
        hidden = _run(page, PLACE_ORDER)
        assert hidden["errors"][0]["message"] == "no mutations exist"  # anonymous may only run `quote`
    assert browser_page.blocked == []
    assert all("/v1/graphql" in error and "401 (Unauthorized)" in error for error in browser_page.errors)


def _secret() -> dict[str, str]:
    return {"x-hasura-admin-secret": SECRET}


def _order(sku: str) -> dict[str, Any]:
    return {
        "action": {"name": "placeOrder"},
        "input": {"items": [{"sku": sku, "quantity": 1}]},
        "session_variables": {"x-hasura-role": "customer"},
        "request_query": "mutation { placeOrder(items: []) { orderId } }",
    }


def test_journal_page_lists_calls_made_to_the_mock(browser_page: BrowserPage) -> None:
    with running_command(Command, ["mock", str(SHOP), "--seed", "3"], r"Listening on (http://\S+)") as mock:
        page = browser_page.page
        page.goto(mock.url + "/__mock")
        page.wait_for_selector("#empty", state="visible")
        assert mock.url in page.inner_text("#empty")  # the curl example names this mock

        # A call made elsewhere appears without reloading the page.
        assert httpx.post(mock.url + "/place-order", json=_order("A-1")).status_code == 200
        row = page.wait_for_selector('tr.call[data-action="placeOrder"]')
        assert row is not None
        assert page.is_hidden("#empty")
        cells = row.inner_text()
        assert "placeOrder" in cells and "200" in cells and "success" in cells and " ms" in cells

        # Expanded, it shows the payload and the reply; it stays open while the page keeps polling.
        row.click()
        detail = page.wait_for_selector("tr.detail", state="visible")
        assert detail is not None
        shown = detail.inner_text()
        assert '"sku": "A-1"' in shown and '"orderId"' in shown
        reply = httpx.get(mock.url + "/__mock/requests").json()["requests"][-1]["reply"]["body"]
        assert reply["orderId"] in shown
        assert httpx.post(mock.url + "/cancel-order", json=_cancel()).status_code == 200
        page.wait_for_selector('tr.call[data-action="cancelOrder"]')
        assert page.is_visible("tr.detail") and reply["orderId"] in page.inner_text("tr.detail")
        order = page.query_selector_all("tr.call")
        assert [r.get_attribute("data-action") for r in order] == ["cancelOrder", "placeOrder"]  # newest first

        # Anything a caller sends is shown as text, never run.
        hostile = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script>"
        httpx.post(mock.url + "/place-order", json=_order(hostile))
        page.wait_for_function("() => document.querySelectorAll('tr.call').length === 3")
        page.click('tr.call[data-action="placeOrder"]')  # the newest placeOrder row
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=hostile)
        assert page.evaluate("window.pwned") is None

        # Clearing empties the page and the journal.
        page.click("#clear")
        page.wait_for_selector("#empty", state="visible")
        assert page.query_selector_all("tr.call") == []
        assert httpx.get(mock.url + "/__mock/requests").json()["requests"] == []
    browser_page.assert_clean()


def _cancel() -> dict[str, Any]:
    return {
        "action": {"name": "cancelOrder"},
        "input": {"orderId": "5f1e2b9c-3b7a-4c1e-9a57-2a9f0d5c1e11"},
        "session_variables": {"x-hasura-role": "customer"},
        "request_query": 'mutation { cancelOrder(orderId: "x") }',
    }


def test_the_screenshot_script_shoots_every_page_the_readme_shows(tmp_path: Path) -> None:
    reason = why_no_browser()
    if reason is not None:
        pytest.skip(reason)
    script = Path(__file__).with_name("screenshots.py")
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    shot = sorted(p.name for p in tmp_path.glob("*.png"))
    assert shot == ["graphiql.png", "journal.png", "report-failure.png", "report.png"]
    for name in shot:
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (1280, 800), name  # IHDR: the window, not a blank crop
    # The README shows each of them, from the folder the script writes to by default.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\((fixtures/screenshots/[^)]+)\)", readme)
    assert sorted(Path(p).name for p in shown) == shot
    assert all((ROOT / p).is_file() for p in shown)
