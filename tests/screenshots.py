"""Refresh the README's screenshots: `python tests/screenshots.py [--out fixtures/screenshots]`.

Each page is produced for real from the bundled shop project and shot in headless Chromium, as the
browser tests drive it: the HTML report of a failing `check`, GraphiQL on `serve --mock` after a
mutation, and the mock's journal page after a few calls.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from browser import CHROMIUM_ARGS, find_chromium, why_no_browser
from servers import Command, running_command

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "fixtures" / "projects" / "shop"
FAULTY = ROOT / "fixtures" / "handlers" / "faulty.py"
OUT = ROOT / "fixtures" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
PLACE_ORDER = """mutation PlaceOrder {
  placeOrder(items: [{sku: "TEA-42", quantity: 2}], coupon: "SPRING") {
    orderId
    status
    total
    lines { sku quantity price }
  }
}"""


def report(page: Any, out: Path) -> None:
    """A failing run of the faulty sample handler, its matrix and first failure."""
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "report.html"
        args = ["check", str(SHOP), "--app", f"{FAULTY}:loose_types_app", "--derandomize", "--examples", "20"]
        args += ["--adversarial-examples", "10", "-q", "--report-html", str(html)]
        subprocess.run([sys.executable, "-m", "action_contract", *args], capture_output=True, check=False)
        page.goto(html.as_uri())
        page.screenshot(path=out / "report.png")
        # The first failure from its title down, as far as the window reaches.
        page.evaluate("() => document.querySelector('details.failure').scrollIntoView()")
        page.screenshot(path=out / "report-failure.png")


def graphiql(page: Any, out: Path) -> None:
    """GraphiQL on `serve --mock` with the admin secret preset, after running a mutation."""
    ready = r"Listening on (http://\S+)/v1/graphql"
    with running_command(Command, ["serve", str(SHOP), "--mock", "--admin-secret", "s3cret"], ready) as serve:
        page.goto(serve.url + "/console")
        page.wait_for_selector(".graphiql-query-editor .CodeMirror")
        editor = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
        page.evaluate(f"q => {editor}.setValue(q)", PLACE_ORDER)
        page.click(".graphiql-execute-button")
        page.wait_for_selector(".result-window >> text=orderId")
        page.screenshot(path=out / "graphiql.png")


def journal(page: Any, out: Path) -> None:
    """The mock's journal page after calls of several actions and scenarios, one of them expanded."""
    with running_command(Command, ["mock", str(SHOP), "--seed", "7"], r"Listening on (http://\S+)") as mock:
        session = {"x-hasura-role": "customer", "x-hasura-user-id": "42"}
        calls: list[tuple[str, dict[str, Any], dict[str, str]]] = [
            ("/quote", {"items": [{"sku": "TEA-42", "quantity": 2}]}, {}),
            ("/place-order", {"items": [{"sku": "TEA-42", "quantity": 2}], "coupon": "SPRING"}, {}),
            ("/place-order", {"items": [{"sku": "MUG-7", "quantity": 1}]}, {"x-mock-scenario": "error"}),
            ("/recommendations", {"customerId": "5f1e2b9c-3b7a-4c1e-9a57-2a9f0d5c1e11", "limit": 3}, {}),
            ("/place-order", {"items": [{"sku": "TEA-42", "quantity": 1.5}]}, {}),
            ("/cancel-order", {"orderId": "5f1e2b9c-3b7a-4c1e-9a57-2a9f0d5c1e11", "reason": "TOO_SLOW"}, {}),
        ]
        names = {"/quote": "quote", "/place-order": "placeOrder", "/recommendations": "recommendations"}
        names["/cancel-order"] = "cancelOrder"
        for path, arguments, headers in calls:
            body = {"action": {"name": names[path]}, "input": arguments, "session_variables": session}
            httpx.post(mock.url + path, json=body, headers=headers)
            time.sleep(0.05)
        page.goto(mock.url + "/__mock")
        page.wait_for_function("() => document.querySelectorAll('tr.call').length === 6")
        page.click('tr.call[data-action="cancelOrder"]')
        page.wait_for_selector("tr.detail")
        page.screenshot(path=out / "journal.png")


PAGES: dict[str, Callable[[Any, Path], None]] = {"report": report, "graphiql": graphiql, "journal": journal}


def main(argv: list[str] | None = None) -> int:
    """Shoot every page (or those named) into --out; exit 2 with the reason when no browser can run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNG files (default: {OUT})")
    parser.add_argument("pages", nargs="*", metavar="PAGE", help=f"any of {', '.join(PAGES)} (default: all)")
    options = parser.parse_args(argv)
    unknown = sorted(set(options.pages) - set(PAGES))
    if unknown:
        parser.error(f"no page {', '.join(unknown)}; pages are {', '.join(PAGES)}")
    reason = why_no_browser()
    if reason is not None:
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    options.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            for name in options.pages or PAGES:
                context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
                try:
                    PAGES[name](context.new_page(), options.out)
                finally:
                    context.close()
                print(f"{name}: {', '.join(sorted(p.name for p in options.out.glob(name + '*.png')))}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
