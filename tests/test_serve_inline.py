"""`serve`'s GraphQL endpoint over real loopback HTTP: plain ASGI, and on the event loop behind the mock.

Behind `MockTarget` (a target that only computes) the endpoint runs the executor on the event loop instead of
hopping to a worker thread; the mock's latency and its `timeout` scenario are collected and awaited before the
reply. The client still sees every wait, requests still overlap, and the server answers other requests while
one waits. A body over `INLINE_REQUEST` bytes goes to a worker thread. The endpoint is plain ASGI (the hot
path), so what Starlette did for it is tested here: the body limit (413 in Hasura's error shape, declared or
streamed), 405 for other methods, and the handler's `Set-Cookie` headers copied to the client in order.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from conftest import FIXTURES
from servers import serving

from action_contract import ActionRequest, ActionResponse, MockHandler, MockTarget, ReferenceExecutor, load_catalog
from action_contract._executor._app import INLINE_REQUEST, graphql_app
from action_contract._send._waits import deferred_waits, wait

ENV = {"SHOP_ACTIONS_URL": "http://shop.test", "SHOP_WEBHOOK_SECRET": "s"}
SHOP = load_catalog(FIXTURES / "projects" / "shop", env=ENV)
QUOTE = '{ quote(items: [{sku: "pen", quantity: 2}]) { total } }'
LATENCY = 0.3


def _app(timeout: float | None = None, **mock: Any) -> Any:
    target = MockTarget(MockHandler(SHOP, env=ENV, cors=False, **mock))
    return graphql_app(ReferenceExecutor(SHOP, target, env=ENV, timeout=timeout), console=False)


def _post(url: str, query: str = QUOTE) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = httpx.post(f"{url}/v1/graphql", json={"query": query}, timeout=10)
    return time.perf_counter() - started, response.json()


def test_latency_is_awaited_so_requests_overlap_and_the_server_stays_responsive():
    with serving(_app(latency=int(LATENCY * 1000))) as url, ThreadPoolExecutor(4) as pool:
        started = time.perf_counter()
        calls = [pool.submit(_post, url) for _ in range(4)]
        time.sleep(LATENCY / 3)
        health_started = time.perf_counter()
        health = httpx.get(f"{url}/healthz", timeout=10)
        health_took = time.perf_counter() - health_started
        replies = [call.result() for call in calls]
        took = time.perf_counter() - started
    assert health.text == "OK" and health_took < LATENCY, health_took
    for elapsed, body in replies:
        assert elapsed >= LATENCY, elapsed
        assert isinstance(body["data"]["quote"]["total"], int | float), body
    # Slept on the loop, four requests would take 4 x 0.3 s one after the other.
    assert took < 3 * LATENCY, took


def test_the_timeout_scenario_waits_the_timeout_and_reaches_the_client_as_hasura_words_it():
    with serving(_app(timeout=LATENCY, scenario="timeout")) as url:
        elapsed, body = _post(url)
    assert LATENCY <= elapsed < LATENCY + 5, elapsed
    assert body["errors"][0]["message"] == "http exception when calling webhook", body


def test_a_large_body_is_answered_off_the_loop_with_the_same_reply():
    padded = QUOTE + " " * (INLINE_REQUEST + 1)
    with serving(_app()) as url:
        (_, small), (_, large) = _post(url), _post(url, padded)
    assert small == large and "data" in small, (small, large)


def test_waits_are_slept_outside_and_collected_inside_deferred_waits():
    started = time.perf_counter()
    wait(0.05)
    assert time.perf_counter() - started >= 0.05
    with deferred_waits() as waits:
        started = time.perf_counter()
        wait(1.0)
        wait(2.0)
        assert time.perf_counter() - started < 0.5
    assert waits == [1.0, 2.0]


def test_a_body_over_the_limit_is_refused_in_hasuras_shape_whether_declared_or_streamed():
    app = graphql_app(ReferenceExecutor(SHOP, MockTarget(MockHandler(SHOP, env=ENV)), env=ENV), max_request=1000)
    big = b'{"query": "' + b" " * 2000 + b'{ __typename }"}'

    def chunks():
        yield big[:600]
        yield big[600:]

    with serving(app) as url:
        declared = httpx.post(f"{url}/v1/graphql", content=big, headers={"content-type": "application/json"})
        streamed = httpx.post(f"{url}/v1/graphql", content=chunks(), headers={"content-type": "application/json"})
        small = httpx.post(f"{url}/v1/graphql", json={"query": "{ __typename }"})
        other = httpx.get(f"{url}/v1/graphql")
    for response in (declared, streamed):
        assert response.status_code == 413 and response.headers["content-type"] == "application/json"
        assert response.json() == {
            "errors": [
                {
                    "message": "request body larger than 1000 bytes",
                    "extensions": {"path": "$", "code": "request-too-large"},
                }
            ]
        }
    assert small.status_code == 200 and small.json() == {"data": {"__typename": "query_root"}}
    assert other.status_code == 405


class _Cookies:
    """A handler that answers every call with the shop's quote and two cookies."""

    def send(self, request: ActionRequest) -> ActionResponse:
        headers = (("content-type", "application/json"), ("Set-Cookie", "cart=1"), ("Set-Cookie", "seen=yes"))
        return ActionResponse(status=200, headers=headers, body=b'{"total": 3, "currency": "EUR", "breakdown": []}')

    def close(self) -> None:
        """Nothing to release."""


def test_the_handlers_cookies_reach_the_client_in_order():
    app = graphql_app(ReferenceExecutor(SHOP, _Cookies(), env=ENV), console=False)
    with serving(app) as url:
        response = httpx.post(f"{url}/v1/graphql", json={"query": QUOTE})
    assert response.json() == {"data": {"quote": {"total": 3}}}, response.text
    assert response.headers.get_list("set-cookie") == ["cart=1", "seen=yes"]
