"""`mock_router`: the mock inside a Python test, for code that calls handlers with httpx (sync and async)."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
import respx
from conftest import FIXTURES

from action_contract import ActionMockRouter, InvalidArgument, load_catalog, mock_router, strict_findings

ENV = {"SHOP_ACTIONS_URL": "https://actions.shop.test", "SHOP_WEBHOOK_SECRET": "s3cret"}
SHOP = load_catalog(FIXTURES / "projects" / "shop", env=ENV)
SESSION = {"x-hasura-role": "customer"}
ORDER = {
    "action": {"name": "placeOrder"},
    "input": {"items": [{"sku": "A", "quantity": 1}]},
    "session_variables": SESSION,
}


def test_calls_to_handler_urls_are_answered_like_the_mock_server() -> None:
    with mock_router(SHOP) as router:
        assert isinstance(router, respx.MockRouter) and isinstance(router, ActionMockRouter)
        response = httpx.post("https://actions.shop.test/place-order", json=ORDER)
        assert response.status_code == 200
        assert strict_findings(SHOP, SHOP.action("placeOrder").output_type, response.json()) == []
        again = httpx.post("https://actions.shop.test/place-order", json=ORDER)
        assert again.json() == response.json()
        bad = httpx.post("https://actions.shop.test/place-order", json={**ORDER, "input": {}})
        assert bad.status_code == 400 and "$.input.items" in bad.json()["message"]
        assert [entry["status"] for entry in router.journal] == [200, 200, 400]
        assert router.routes["https://actions.shop.test/place-order"].call_count == 3


def test_unknown_urls_are_not_silently_answered() -> None:
    with mock_router(SHOP), pytest.raises(respx.models.AllMockedAssertionError):
        httpx.post("https://elsewhere.test/place-order", json=ORDER)


def test_async_clients_work_and_latency_is_waited_for() -> None:
    async def main() -> tuple[int, float]:
        with mock_router(SHOP, latency=40):
            async with httpx.AsyncClient() as client:
                started = time.perf_counter()
                response = await client.post("https://actions.shop.test/place-order", json=ORDER)
                return response.status_code, time.perf_counter() - started

    status, elapsed = asyncio.run(main())
    assert status == 200 and elapsed >= 0.04


@pytest.mark.parametrize(
    ("option", "status"),
    [({"scenario": "error"}, 400), ({"scenario": "server-error"}, 500), ({"error_rate": 1.0}, 400)],
)
def test_a_default_scenario_or_error_rate_applies_to_every_call(option: dict, status: int) -> None:
    with mock_router(SHOP, **option):
        assert httpx.post("https://actions.shop.test/place-order", json=ORDER).status_code == status


def test_the_timeout_scenario_raises_the_clients_timeout_at_once() -> None:
    with mock_router(SHOP):
        started = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout, match="timeout"):
            httpx.post("https://actions.shop.test/place-order", json=ORDER, headers={"X-Mock-Scenario": "timeout"})
        assert time.perf_counter() - started < 1


def test_secrets_and_base_url() -> None:
    with mock_router(SHOP, require_secret=True, base_url="http://localhost:9999"):
        assert httpx.post("http://localhost:9999/place-order", json=ORDER).status_code == 401
        ok = httpx.post("http://localhost:9999/place-order", json=ORDER, headers={"X-Shop-Secret": "s3cret"})
        assert ok.status_code == 200


def test_unresolvable_handler_urls_say_what_to_pass(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(FIXTURES / "projects" / "shop", project)
    (project / ".env").unlink()
    catalog = load_catalog(project, env={"SHOP_WEBHOOK_SECRET": "s"})
    with pytest.raises(InvalidArgument, match=r"SHOP_ACTIONS_URL.*|base_url"):
        mock_router(catalog)
    with mock_router(catalog, base_url="http://localhost:1"):
        assert httpx.post("http://localhost:1/quote", json={**ORDER, "action": {"name": "quote"}}).status_code == 200


def test_the_router_tells_actions_apart_by_query_and_reads_the_scenario_parameter(tmp_path: Path) -> None:
    actions = [
        {
            "name": name,
            "definition": {
                "handler": f"http://api.test/actions?action_name={name}",
                "arguments": [],
                "type": "query",
                "kind": "synchronous",
                "output_type": "Boolean",
            },
        }
        for name in ("first", "second")
    ]
    metadata = tmp_path / "metadata.json"
    metadata.write_text(json.dumps({"version": 3, "sources": [], "actions": actions}))
    call = {"action": {"name": "second"}, "input": {}, "session_variables": SESSION}
    with mock_router(load_catalog(metadata)):
        assert httpx.post("http://api.test/actions?action_name=second", json=call).status_code == 200
        mismatch = httpx.post("http://api.test/actions?action_name=first", json=call)
        assert mismatch.status_code == 400 and mismatch.json()["extensions"]["code"] == "action-mismatch"
        chosen = httpx.post("http://api.test/actions?action_name=second&__scenario=error", json=call)
        assert chosen.status_code == 400 and chosen.headers["x-mock-scenario"] == "error"
