"""The mock handler over real HTTP: routing, validation, stable realistic replies, scenarios, CORS, journal.

And the property the mock exists for: every check of `action-contract check` passes against it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from servers import serving

from action_contract import (
    Catalog,
    MockHandler,
    Settings,
    app_target,
    conforming_requests,
    load_catalog,
    run_contract,
    strict_findings,
)
from action_contract._generate._sampling import draw_examples
from action_contract._mock._replies import MockResponder

ENV = {"SHOP_ACTIONS_URL": "http://127.0.0.1:3000", "SHOP_WEBHOOK_SECRET": "s3cret"}
SHOP = load_catalog(FIXTURES / "projects" / "shop", env=ENV)
SECRET = {"X-Shop-Secret": "s3cret"}
SESSION = {"x-hasura-role": "customer", "x-hasura-user-id": "42"}
ITEMS = [{"sku": "A-1", "quantity": 2}]


def payload(action: str, arguments: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"action": {"name": action}, "input": arguments, "session_variables": SESSION, **extra}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving(MockHandler(SHOP, env=ENV, require_secret=True)) as base:
        yield base


@pytest.fixture
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, headers=SECRET) as client:
        client.delete("/__mock/requests")
        yield client


def place(client: httpx.Client, arguments: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
    return client.post(
        "/place-order", json=payload("placeOrder", {"items": ITEMS} if arguments is None else arguments), **kwargs
    )


# -- replies ----------------------------------------------------------------------------------


def test_a_valid_call_gets_a_reply_valid_by_the_strict_output_type(client: httpx.Client) -> None:
    response = place(client)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert strict_findings(SHOP, SHOP.action("placeOrder").output_type, body) == []
    assert set(body) >= {"orderId", "status", "total", "lines"}


def test_the_same_input_gets_the_same_reply_and_other_inputs_mostly_others(client: httpx.Client) -> None:
    first = place(client).json()
    # Session variables and headers do not change the data; the input does.
    other_user = {**SESSION, "x-hasura-user-id": "7"}
    again = client.post(
        "/place-order", json={**payload("placeOrder", {"items": ITEMS}), "session_variables": other_user}
    ).json()
    assert again == first
    replies = {json.dumps(place(client, {"items": [{"sku": f"S-{n}", "quantity": 1}]}).json()) for n in range(10)}
    assert len(replies) >= 8


def test_the_seed_changes_the_whole_data_set() -> None:
    request = json.dumps(payload("placeOrder", {"items": ITEMS})).encode()
    replies = {MockResponder(SHOP, seed=seed).answer("/place-order", {}, request).body for seed in range(5)}
    assert len(replies) == 5
    assert MockResponder(SHOP, seed=3).answer("/place-order", {}, request).body in replies


def test_replies_look_like_the_fields_they_fill(client: httpx.Client) -> None:
    body = client.post(
        "/recommendations", json=payload("recommendations", {"customerId": "3f2504e0-4f89-41d3-9a0c-0305e82c3301"})
    ).json()
    assert isinstance(body, list) and 1 <= len(body) <= 4
    assert all(isinstance(p["name"], str) and p["name"] for p in body)


# -- routing ----------------------------------------------------------------------------------


def test_any_path_answers_by_the_payload_action_name(client: httpx.Client) -> None:
    response = client.post("/actions", json=payload("quote", {"items": ITEMS}))
    assert response.status_code == 200
    assert "total" in (response.json() or {"total": None})


def test_an_action_sent_to_another_actions_url_is_refused(client: httpx.Client) -> None:
    response = client.post("/place-order", json=payload("quote", {"items": ITEMS}))
    assert response.status_code == 400
    error = response.json()
    assert error["extensions"]["code"] == "action-mismatch" and error["extensions"]["path"] == "$.action.name"
    assert "/quote" in error["message"] and "placeOrder" in error["message"]


def test_an_unknown_action_name_gets_a_suggestion(client: httpx.Client) -> None:
    response = client.post("/anything", json=payload("placeOrdr", {}))
    assert response.status_code == 400
    assert "placeOrder" in response.json()["message"]
    assert response.json()["extensions"]["code"] == "action-not-found"


def test_a_bare_action_name_at_a_known_url_is_explained(client: httpx.Client) -> None:
    response = client.post("/place-order", json={**payload("placeOrder", {"items": ITEMS}), "action": "placeOrder"})
    assert response.status_code == 400
    assert response.json()["extensions"]["path"].startswith("$.action")


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        pytest.param({"items": [{"sku": "A", "quantity": 1.5}]}, "$.input.items[0].quantity", id="float-for-int"),
        pytest.param({"items": [{"sku": "A"}]}, "$.input.items[0].quantity", id="missing-field"),
        pytest.param({}, "$.input.items", id="missing-argument"),
        pytest.param({"items": ITEMS, "coupn": "X"}, "$.input.coupn", id="unknown-argument"),
        pytest.param({"items": {"sku": "A", "quantity": 1}}, "$.input.items", id="object-for-list"),
        pytest.param({"items": ITEMS, "deliverAt": "31/12/2024"}, "$.input.deliverAt", id="malformed-timestamptz"),
    ],
)
def test_a_call_hasura_would_never_send_gets_400_naming_the_path(
    client: httpx.Client, arguments: dict[str, Any], path: str
) -> None:
    response = place(client, arguments)
    assert response.status_code == 400
    error = response.json()
    assert isinstance(error["message"], str) and path in error["message"]
    assert error["extensions"]["code"] == "validation-failed"
    assert error["extensions"]["path"] == path
    assert error["extensions"]["problems"][0]["path"] == path


def test_bad_session_variables_are_refused(client: httpx.Client) -> None:
    response = client.post("/place-order", json={**payload("placeOrder", {"items": ITEMS}), "session_variables": []})
    assert response.status_code == 400 and "$.session_variables" in response.json()["message"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "empty"), (b"{'input': {}}", "not JSON"), (b"action=placeOrder", "not JSON")],
    ids=["empty", "single-quotes", "form"],
)
def test_bodies_that_are_not_json_get_400(client: httpx.Client, content: bytes, fragment: str) -> None:
    response = client.post("/place-order", content=content)
    assert response.status_code == 400
    assert fragment in response.json()["message"] and response.json()["extensions"]["code"] == "invalid-json"


def test_a_body_over_the_limit_gets_413(client: httpx.Client) -> None:
    big = json.dumps(payload("placeOrder", {"items": ITEMS, "coupon": "x" * (1024 * 1024)})).encode()
    response = client.post("/place-order", content=big)
    assert response.status_code == 413
    assert response.json()["extensions"] == {"code": "payload-too-large", "path": "$", "limit": 1024 * 1024}

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        yield big[: len(big) // 2]
        yield big[len(big) // 2 :]

    response = client.post("/place-order", content=chunks())
    assert response.status_code == 413 and "over the mock's limit" in response.json()["message"]


def test_other_methods_get_405(client: httpx.Client) -> None:
    response = client.get("/place-order")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert "POST" in response.json()["message"]


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({"X-Shop-Secret": ""}, "missing header x-shop-secret"), ({"X-Shop-Secret": "nope"}, "does not match")],
    ids=["missing", "wrong"],
)
def test_the_secret_header_is_required_when_asked(url: str, headers: dict[str, str], fragment: str) -> None:
    response = httpx.post(url + "/place-order", json=payload("placeOrder", {"items": ITEMS}), headers=headers)
    assert response.status_code == 401
    assert fragment in response.json()["message"] and response.json()["extensions"]["code"] == "access-denied"


@settings(max_examples=60)
@given(
    body=st.one_of(
        st.binary(max_size=64),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {"action": st.sampled_from([{"name": "placeOrder"}, {"name": 1}, "placeOrder", None])},
            optional={
                "input": st.dictionaries(st.sampled_from(["items", "coupon", "x"]), st.none() | st.integers()),
                "session_variables": st.none() | st.just(SESSION) | st.just({"X-Hasura-Role": 1}),
            },
        ).map(lambda v: json.dumps(v).encode()),
    ),
    path=st.sampled_from(["/place-order", "/", "/quote"]),
)
def test_garbage_never_gets_a_5xx(body: bytes, path: str) -> None:
    reply = MockResponder(SHOP, env=ENV).answer(path, {}, body)
    assert reply.status in {200, 400, 401, 413}
    if reply.status != 200:
        error = json.loads(reply.body)
        assert isinstance(error["message"], str) and isinstance(error["extensions"]["code"], str)


# -- scenarios --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "status", "content_type"),
    [
        ("success", 200, "application/json"),
        ("error", 400, "application/json"),
        ("not-json", 200, "text/plain; charset=utf-8"),
        ("server-error", 500, "text/plain; charset=utf-8"),
    ],
)
def test_scenarios_by_header_or_query(client: httpx.Client, scenario: str, status: int, content_type: str) -> None:
    by_header = place(client, headers={**SECRET, "X-Mock-Scenario": scenario})
    by_query = place(client, params={"__scenario": scenario})
    for response in (by_header, by_query):
        assert response.status_code == status and response.headers["content-type"] == content_type
        assert response.headers.get("x-mock-scenario") == (None if scenario == "success" else scenario)
    if scenario == "error":
        assert by_header.json()["extensions"]["code"] == "mock-error"


def test_an_unknown_scenario_is_a_400_listing_the_known_ones(client: httpx.Client) -> None:
    response = place(client, headers={**SECRET, "X-Mock-Scenario": "eror"})
    assert response.status_code == 400
    assert '"error"' in response.json()["message"] and "not-json" in response.json()["message"]


def test_the_timeout_scenario_answers_after_the_actions_timeout() -> None:
    body = json.dumps(payload("placeOrder", {"items": ITEMS})).encode()
    reply = MockResponder(SHOP).answer("/place-order", {"x-mock-scenario": "timeout"}, body)
    assert reply.times_out and reply.delay == pytest.approx(SHOP.action("placeOrder").timeout + 1)
    assert reply.status == 200


def test_latency_ranges_and_the_error_rate_are_seeded() -> None:
    body = json.dumps(payload("placeOrder", {"items": ITEMS})).encode()

    def run(seed: int) -> list[tuple[int, float]]:
        from action_contract import Latency

        responder = MockResponder(SHOP, seed=seed, latency=Latency(50, 200), error_rate=0.3)
        return [(r.status, r.delay) for r in (responder.answer("/place-order", {}, body) for _ in range(200))]

    first = run(1)
    assert first == run(1) and first != run(2)
    assert all(0.05 <= delay <= 0.2 for _, delay in first)
    errors = sum(status == 400 for status, _ in first)
    assert 30 <= errors <= 90  # about 30% of 200


# -- CORS, journal, health --------------------------------------------------------------------


def test_cors_allows_local_origins_only_by_default(client: httpx.Client) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-mock-scenario",
    }
    local = client.options("/place-order", headers={"Origin": "http://localhost:5173", **preflight})
    assert local.status_code == 200
    assert local.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "x-mock-scenario" in local.headers["access-control-allow-headers"].lower()
    assert client.options("/place-order", headers={"Origin": "https://evil.example", **preflight}).status_code == 400
    simple = place(client, headers={**SECRET, "Origin": "http://127.0.0.1:8080"})
    assert simple.headers["access-control-allow-origin"] == "http://127.0.0.1:8080"
    assert "x-mock-scenario" in simple.headers["access-control-expose-headers"].lower()


def test_cors_can_be_opened_or_switched_off() -> None:
    with serving(MockHandler(SHOP, cors=["*"])) as base:
        response = httpx.post(
            base + "/quote", json=payload("quote", {"items": ITEMS}), headers={"Origin": "https://a.b"}
        )
        # With credentials allowed, CORS answers the origin itself rather than "*".
        assert response.headers["access-control-allow-origin"] == "https://a.b"
    with serving(MockHandler(SHOP, cors=False)) as base:
        response = httpx.post(
            base + "/quote", json=payload("quote", {"items": ITEMS}), headers={"Origin": "http://localhost"}
        )
        assert "access-control-allow-origin" not in response.headers


def test_the_journal_lists_calls_with_secrets_redacted_and_can_be_cleared(client: httpx.Client) -> None:
    place(client)
    client.post("/quote", json=payload("quote", {"items": ITEMS}))
    client.post("/place-order", content=b"nope")
    entries = client.get("/__mock/requests").json()["requests"]
    assert [e["action"] for e in entries] == ["placeOrder", "quote", None]
    first = entries[0]
    assert first["request"]["headers"]["x-shop-secret"] == "***"
    assert first["request"]["body"]["input"] == {"items": ITEMS}
    assert first["reply"]["status"] == 200 and "orderId" in first["reply"]["body"]
    assert first["scenario"] == "success" and first["duration_ms"] >= 0
    assert entries[2]["status"] == 400 and entries[2]["request"]["body"] == "nope"
    only = client.get("/__mock/requests", params={"action": "quote"}).json()["requests"]
    assert [e["action"] for e in only] == ["quote"]
    assert len(client.get("/__mock/requests", params={"limit": "1"}).json()["requests"]) == 1
    superscript = client.get("/__mock/requests", params={"limit": "\u00b9"})  # "¹": isdigit, but not a number
    assert superscript.status_code == 400 and "whole number for `limit`" in superscript.json()["message"]
    assert client.delete("/__mock/requests").json() == {"cleared": 3}
    assert client.get("/__mock/requests").json()["requests"] == []


def test_health_and_unknown_mock_endpoints(client: httpx.Client) -> None:
    health = client.get("/__mock/health").json()
    assert health["status"] == "ok" and health["actions"] == len(SHOP) and health["generation"] == 1
    missing = client.get("/__mock/nothing")
    assert missing.status_code == 404 and "/__mock/requests" in missing.json()["message"]


# -- the contract holds against the mock --------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "env"),
    [
        pytest.param(FIXTURES / "projects" / "shop", ENV, id="shop"),
        pytest.param(FIXTURES / "metadata" / "all_inputs.graphql", {}, id="all_inputs"),
        pytest.param(FIXTURES / "metadata" / "bulk.json", {}, id="bulk"),
    ],
)
def test_every_check_passes_against_the_mock(source: Any, env: dict[str, str]) -> None:
    catalog = load_catalog(source, env=env)
    settings = Settings(examples=15, adversarial_examples=25, seed=3, database=None, env=env, in_process=True)
    with app_target(MockHandler(catalog, require_secret=True, env=env), kind="asgi") as target:
        report = run_contract(catalog, target, settings)
    assert report.passed, [(f.action, f.check, f.finding.title) for f in report.failures]
    assert any(r.skipped is None for r in report.results)


def test_conforming_requests_all_get_2xx_from_the_mock() -> None:
    catalog: Catalog = SHOP
    responder = MockResponder(catalog, env=ENV, require_secret=True)
    for action in catalog:
        for request in draw_examples(conforming_requests(action, catalog=catalog, env=ENV), 20, seed_value=1):
            headers = {name.lower(): value for name, value in request.headers}
            reply = responder.answer(httpx.URL(request.url).path, headers, request.body)
            assert reply.status == 200, reply.body


def test_actions_sharing_a_path_are_told_apart_by_their_handler_urls_query(tmp_path: Any) -> None:
    metadata = tmp_path / "metadata.json"
    actions = [
        {"name": name, "definition": {"handler": f"http://api.test/actions?action_name={name}", "arguments": []}}
        for name in ("first", "second")
    ]
    for action in actions:
        action["definition"].update({"type": "query", "kind": "synchronous", "output_type": "Boolean"})
    metadata.write_text(json.dumps({"version": 3, "sources": [], "actions": actions}))
    catalog = load_catalog(metadata)
    responder = MockResponder(catalog)

    def status(query: str, name: str) -> int:
        body = json.dumps(payload(name, {})).encode()
        return responder.answer("/actions", {}, body, query=query).status

    assert status("action_name=first", "first") == 200
    assert status("action_name=first&__scenario=success", "first") == 200
    mismatch = responder.answer("/actions", {}, json.dumps(payload("second", {})).encode(), query="action_name=first")
    assert mismatch.status == 400 and "/actions?action_name=second" in json.loads(mismatch.body)["message"]
    assert status("", "second") == 200  # no query: the path serves both


def test_the_reply_cache_changes_no_answer_and_stays_bounded() -> None:
    bodies = [
        json.dumps(payload("placeOrder", {"items": [{"sku": f"S-{n}", "quantity": 1}]})).encode() for n in range(5)
    ]
    cached, uncached = MockResponder(SHOP, cache_size=2), MockResponder(SHOP, cache_size=0)
    for body in bodies + bodies:
        assert cached.answer("/place-order", {}, body).body == uncached.answer("/place-order", {}, body).body
    assert len(cached._cache) == 2 and not uncached._cache
