"""The mock's journal page over real HTTP: its headers, that it needs nothing from the network, and its endpoints.

Plus what the page's buttons rely on: clearing one action's calls from the journal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import FIXTURES
from servers import serving

from action_contract import MockHandler, load_catalog
from action_contract._errors import InvalidArgument
from action_contract._mock._journal import Journal
from action_contract._mock._page import journal_page
from action_contract._mock._replies import MockReply

ENV = {"SHOP_ACTIONS_URL": "http://127.0.0.1:3000", "SHOP_WEBHOOK_SECRET": "s3cret"}
SHOP = load_catalog(FIXTURES / "projects" / "shop", env=ENV)
SESSION = {"x-hasura-role": "customer", "x-hasura-user-id": "42"}
ITEMS = [{"sku": "A-1", "quantity": 2}]
POLICY = re.compile(
    r"default-src 'none'; script-src 'nonce-([A-Za-z0-9_-]+)'; style-src 'unsafe-inline'; connect-src 'self'; "
    r"img-src data:; base-uri 'none'; form-action 'none'"
)
SCRIPT_NONCE = re.compile(r'<script nonce="([^"]+)">')


def payload(action: str) -> dict[str, Any]:
    return {"action": {"name": action}, "input": {"items": ITEMS}, "session_variables": SESSION}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving(MockHandler(SHOP, env=ENV)) as base:
        yield base


@pytest.fixture
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url) as client:
        client.delete("/__mock/requests")
        yield client


def call(client: httpx.Client, action: str) -> None:
    path = {"placeOrder": "/place-order", "quote": "/quote"}[action]
    response = client.post(path, json=payload(action))
    assert response.status_code == 200, response.text


# -- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/__mock", "/__mock/"])
def test_the_page_is_html_with_a_fresh_nonce_per_response(client: httpx.Client, path: str) -> None:
    nonces = []
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        policy = POLICY.fullmatch(response.headers["content-security-policy"])
        assert policy is not None, response.headers["content-security-policy"]
        scripts = SCRIPT_NONCE.findall(response.text)
        assert scripts == [policy.group(1)]
        assert "<title>action-contract mock: journal</title>" in response.text
        nonces.append(policy.group(1))
    assert nonces[0] != nonces[1]


def test_the_page_needs_nothing_from_the_network(client: httpx.Client) -> None:
    page = client.get("/__mock").text
    # An empty icon keeps the browser from asking the webhook path for /favicon.ico.
    assert page.count("<link") == 1 and '<link rel="icon" href="data:,">' in page
    page = page.replace('<link rel="icon" href="data:,">', "")
    for pattern in (r"<link", r"\bsrc\s*=", r"url\(", r"https?://", r"@import", r"//cdn"):
        assert not re.search(pattern, page, re.IGNORECASE), pattern
    assert page.count("<script") == 1 and "<script nonce=" in page
    for name in ("calls", "live", "clear", "clear-action", "action-filter", "empty", "shown", "total", "offline"):
        assert re.search(rf'\bid="{name}"', page), name
    assert re.search(r'<input type="checkbox" id="live" checked>', page)


def test_the_page_never_puts_data_into_html(client: httpx.Client) -> None:
    page = client.get("/__mock").text
    assert "innerHTML" not in page and "outerHTML" not in page and "insertAdjacentHTML" not in page
    assert "document.write" not in page and "eval(" not in page


def test_every_endpoint_the_page_calls_exists(client: httpx.Client) -> None:
    call(client, "quote")
    page = client.get("/__mock").text
    paths = set(re.findall(r"""['"`](/__mock[^'"`?\s]*)""", page))
    assert paths >= {"/__mock/requests", "/__mock/health"}
    for path in sorted(paths):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"] == "application/json"
    filtered = client.get("/__mock/requests", params={"action": "quote"}).json()
    assert [entry["action"] for entry in filtered["requests"]] == ["quote"]


def test_a_nonce_that_could_leave_its_attribute_is_refused() -> None:
    assert '<script nonce="abc_-123==">' in journal_page("abc_-123==")
    for bad in ('x" onload="alert(1)', "", "a b", "a<b"):
        with pytest.raises(InvalidArgument):
            journal_page(bad)


# -- routing ----------------------------------------------------------------------------------


def test_unknown_mock_endpoints_list_the_page(client: httpx.Client) -> None:
    missing = client.get("/__mock/nothing")
    assert missing.status_code == 404
    assert "GET /__mock," in missing.json()["message"] and "DELETE /__mock/requests" in missing.json()["message"]
    assert client.post("/__mock").status_code == 404


def test_the_page_shadows_no_action(client: httpx.Client) -> None:
    assert client.get("/__mock").status_code == 200
    call(client, "placeOrder")
    # Paths that merely start with the page's name are webhook paths, like any other.
    assert client.get("/__mockup").status_code == 405
    assert client.post("/__mockup", json=payload("quote")).status_code == 200
    entries = client.get("/__mock/requests").json()["requests"]
    assert [(entry["path"], entry["action"]) for entry in entries] == [
        ("/place-order", "placeOrder"),
        ("/__mockup", "quote"),
    ]


# -- clearing ---------------------------------------------------------------------------------


def test_clearing_one_action_keeps_the_others(client: httpx.Client) -> None:
    for action in ("placeOrder", "quote", "placeOrder", "quote", "quote"):
        call(client, action)
    assert client.delete("/__mock/requests", params={"action": "quote"}).json() == {"cleared": 3}
    listed = client.get("/__mock/requests").json()
    assert [entry["action"] for entry in listed["requests"]] == ["placeOrder", "placeOrder"]
    assert listed["total"] >= 5
    assert client.delete("/__mock/requests", params={"action": "nothing"}).json() == {"cleared": 0}
    call(client, "quote")
    assert client.delete("/__mock/requests").json() == {"cleared": 3}
    assert client.get("/__mock/requests").json()["requests"] == []


def test_journal_clear_by_action_keeps_the_size() -> None:
    journal = Journal(3)

    def record(action: str | None) -> int:
        reply = MockReply(status=200 if action else 400, body=b"{}", action=action)
        return journal.record(method="POST", path="/", headers={}, body=b"{}", reply=reply, duration=0.001)

    for action in ("a", "b", "a", None):
        record(action)
    assert [e["action"] for e in journal.entries()] == ["b", "a", None]
    assert journal.clear("a") == 1
    assert [e["action"] for e in journal.entries()] == ["b", None]
    assert journal.clear("missing") == 0
    for action in ("c", "c", "d"):
        record(action)
    # Still at most three calls: clearing by action keeps the journal's bound.
    assert journal.size == 3 and [e["action"] for e in journal.entries()] == ["c", "c", "d"]
    assert journal.total == 7
    assert journal.clear() == 3 and journal.entries() == [] and journal.size == 3
