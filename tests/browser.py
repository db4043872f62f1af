"""A real headless Chromium for tests: finding it, and pages that must work offline and without script errors."""

from __future__ import annotations

import importlib.util
import os
import shutil
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, Route

# Playwright's own browser download is not used: tests drive the system's Chromium. Without a sandbox (containers
# run as root), a GPU or QUIC, and with every background service off, it starts quickly and never stalls on a
# network that is blocked; Playwright adds --headless itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# A page may load its own file and inline data, and talk to servers the test started on loopback; nothing else.
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def find_chromium() -> str | None:
    """The Chromium to drive: $ACTION_CONTRACT_CHROMIUM if set, else the first Chromium or Chrome on PATH."""
    chosen = os.environ.get("ACTION_CONTRACT_CHROMIUM")
    if chosen:
        return chosen
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def why_no_browser() -> str | None:
    """None when the browser tests can run, else why they cannot (the skip message)."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed: pip install -e '.[dev]'"
    chromium = find_chromium()
    if chromium is None or not os.access(chromium, os.X_OK):
        return (
            "no Chromium found: install Debian's chromium (apt-get install chromium; .ci/run does this where it can)"
            " or set ACTION_CONTRACT_CHROMIUM to a Chromium binary"
            + (f" ({chromium} is not an executable file)" if chromium else "")
        )
    return None


def launch_failure(message: str) -> str:
    """Playwright's launch error without the full command line and call log, which bury what Chromium said."""
    logs, _, calls = message.partition("\nCall log:")
    kept = [line for line in logs.splitlines() if line.strip() and "<launching>" not in line]
    kept = [line for line in kept if line.strip() != "Browser logs:"][:20]
    kept += [line.strip(" -") for line in calls.splitlines() if "process did exit" in line]
    return "\n".join(kept) or message


def is_local(url: str) -> bool:
    """Whether a page may fetch `url` in a test: its own files, inline data, or a server on loopback."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS


class BrowserPage:
    """A page whose requests beyond loopback are aborted and recorded, and whose script errors are recorded."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.blocked: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        self.page: Page = context.new_page()
        self.page.on("pageerror", self._page_error)
        self.page.on("console", self._console)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught: {error.name}: {error.message}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            self.errors.append(f"console.error at {where.get('url')}:{where.get('lineNumber')}: {message.text}")

    def assert_clean(self) -> None:
        """The page asked for nothing beyond loopback and raised or logged no script error."""
        problems = [f"blocked request to {url}" for url in self.blocked] + self.errors
        assert not problems, "the page is not clean:\n  " + "\n  ".join(problems)
