"""The sample shop handlers in fixtures/handlers against the real generators, in process through httpx.

The correct handler (shop.py) answers everything Hasura could send with a reply that fits the strict output
type, and refuses every adversarial request with a 4xx error object. Each faulty variant (faulty.py) shows
its one fault on the same requests, and none of the others: `faults()` sorts what a run shows into the
check families of DESIGN.md (hasura_accepts, output_conforms, error_object, accepts_valid, rejects_invalid,
enforces_secret), judging replies the way contract §3-§4 says Hasura does.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import FIXTURES
from jsonschema import Draft202012Validator, FormatChecker

from action_contract import (
    VIOLATIONS,
    ActionRequest,
    InvalidArgument,
    ObjectType,
    TypeRef,
    adversarial_requests,
    conforming_requests,
    edge_requests,
    load_catalog,
)
from action_contract._catalog._json_schema import action_schemas
from action_contract._generate._sampling import draw_examples

# The runner loads `faulty.py:envelope_app` with the file's folder on sys.path; so do we.
sys.path.insert(0, str(FIXTURES / "handlers"))
shop = importlib.import_module("shop")
faulty = importlib.import_module("faulty")

SHOP = load_catalog(FIXTURES / "projects" / "shop")
SECRET_RULES = ("missing_secret_header", "wrong_secret_header")
SUCCESS = {
    name: Draft202012Validator(action_schemas(SHOP, SHOP.action(name))["success"], format_checker=FormatChecker())
    for name in SHOP.actions
}
ERROR = Draft202012Validator(action_schemas(SHOP, SHOP.action("quote"))["error"])
CONFORMING_PER_ACTION, ADVERSARIAL_PER_RULE = 40, 4
NOT_JSON: Any = object()

# -- requests, drawn once ----------------------------------------------------------------------------


def _rules(action: str) -> list[str]:
    rules = []
    for rule in VIOLATIONS:
        try:
            adversarial_requests(action, catalog=SHOP, violations=[rule])
        except InvalidArgument:
            continue  # the rule cannot apply to this action (no Int argument, no secret header...)
        rules.append(rule)
    return rules


@functools.cache
def conforming(per_action: int = CONFORMING_PER_ACTION) -> tuple[ActionRequest, ...]:
    """The edge requests of every action, then `per_action` random ones (a prefix of the full draw)."""
    requests: list[ActionRequest] = []
    for seed, action in enumerate(SHOP.actions):
        drawn = _drawn_conforming(action, seed)
        requests += edge_requests(action, catalog=SHOP) + list(drawn[:per_action])
    return tuple(requests)


@functools.cache
def _drawn_conforming(action: str, seed: int) -> tuple[ActionRequest, ...]:
    return tuple(draw_examples(conforming_requests(action, catalog=SHOP), CONFORMING_PER_ACTION, seed_value=seed))


@functools.cache
def adversarial(per_rule: int = ADVERSARIAL_PER_RULE) -> tuple[ActionRequest, ...]:
    """`per_rule` requests for every rule that applies to each action, secret rules included."""
    return tuple(
        r for action in SHOP.actions for rule in _rules(action) for r in _drawn_adversarial(action, rule)[:per_rule]
    )


@functools.cache
def _drawn_adversarial(action: str, rule: str) -> tuple[ActionRequest, ...]:
    strategy = adversarial_requests(action, catalog=SHOP, violations=[rule])
    return tuple(draw_examples(strategy, ADVERSARIAL_PER_RULE, seed_value=VIOLATIONS.index(rule)))


# -- sending and judging --------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One request and the app's reply; `status` None when no reply came before the deadline."""

    request: ActionRequest
    status: int | None
    body: bytes = b""
    content_type: str = ""

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return NOT_JSON

    @property
    def is_error_object(self) -> bool:
        return self.json is not NOT_JSON and ERROR.is_valid(self.json)


def send(app: Any, requests: Sequence[ActionRequest], deadline: float = 2.0) -> list[Exchange]:
    """Post each request to `app` at its URL's path, with its headers and body, all at once."""

    async def one(client: httpx.AsyncClient, request: ActionRequest) -> Exchange:
        path = urlsplit(request.url).path
        try:
            call = client.post(path, content=request.body, headers=list(request.headers))
            reply = await asyncio.wait_for(call, deadline)
        except asyncio.TimeoutError:
            return Exchange(request, None)
        return Exchange(request, reply.status_code, reply.content, reply.headers.get("content-type", ""))

    async def every() -> list[Exchange]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3000") as client:
            return await asyncio.gather(*(one(client, r) for r in requests))

    return asyncio.run(every())


def hasura_problem(exchange: Exchange) -> str | None:
    """What Hasura would tell the client instead of the reply to a request it sent (contract §3.1-§3.2)."""
    if exchange.status is None:
        return "http exception when calling webhook (Response timeout)"
    body = exchange.json
    if body is NOT_JSON:
        return "not a valid json response from webhook"
    if 400 <= exchange.status < 500:
        return None  # a business error; whether Hasura can read it is error_object's business
    if not 200 <= exchange.status < 300:
        return f"expecting 2xx or 4xx status code, but found {exchange.status}"
    return _top_level(SHOP.action(exchange.request.action).output_type, body)


def _top_level(ref: TypeRef, value: Any) -> str | None:
    # Hasura's `validateResponse`: nullability, list vs object vs scalar kind, and only the top-level
    # non-null fields of an object; field values and nested objects pass unchecked.
    if value is None:
        return "got null for the action webhook response" if ref.non_null else None
    if ref.of_type is not None:
        if not isinstance(value, list):
            return "expecting array for the action webhook response"
        return next((p for p in (_top_level(ref.of_type, item) for item in value) if p), None)
    name = ref.base_name
    if isinstance(value, list):
        return f"got array for the action webhook response, expecting {name}"
    named = SHOP.types[name]
    if isinstance(named, ObjectType):
        if not isinstance(value, dict):
            return f"got scalar for the action webhook response, expecting {name}"
        for field in named.fields:
            if field.type.non_null and field.name not in value:
                return f'field "{field.name}" expected in webhook response, but not found'
            if field.type.non_null and value[field.name] is None:
                return f'expecting not null value for field "{field.name}"'
        return None
    kinds: dict[str, tuple[type, ...]] = {"Boolean": (bool,), "String": (str,), "ID": (str,), "Int": (int, float)}
    kinds["Float"] = kinds["Int"]
    fits = isinstance(value, kinds.get(name, (object,))) and (name == "Boolean" or not isinstance(value, bool))
    return None if fits else f"got {type(value).__name__} for the action webhook response, expecting {name}"


def faults(exchanges: Sequence[Exchange]) -> dict[str, list[str]]:
    """The check families the exchanges fail, each with what failed (`{}` for a correct handler)."""
    found: dict[str, list[str]] = {}

    def add(family: str, exchange: Exchange, what: str) -> None:
        found.setdefault(family, []).append(f"{exchange.request.action}: {what}")

    succeeded: set[str] = set()
    for exchange in exchanges:
        request, status = exchange.request, exchange.status
        if status is not None and 400 <= status < 500 and not exchange.is_error_object:
            add("error_object", exchange, f"{status} {exchange.body[:80]!r}")
        if request.violation is None:
            problem = hasura_problem(exchange)
            success = status is not None and 200 <= status < 300
            if success:
                succeeded.add(request.action)  # accepts_valid looks at the status only
            if problem is not None:
                add("hasura_accepts", exchange, problem)
            elif success and not SUCCESS[request.action].is_valid(exchange.json):
                add("output_conforms", exchange, exchange.body[:80].decode(errors="replace"))
        elif status is None or not 400 <= status < 500:
            family = "enforces_secret" if request.violation in SECRET_RULES else "rejects_invalid"
            add(family, exchange, f"{request.violation} answered {status}")
    tried = {e.request.action for e in exchanges if e.request.violation is None}
    for action in sorted(tried - succeeded):
        found.setdefault("accepts_valid", []).append(f"{action}: no conforming request got a 2xx")
    return found


@functools.cache
def exchanges(app_name: str) -> tuple[Exchange, ...]:
    """A smaller run against one app: 15 random conforming requests per action, 2 per adversarial rule."""
    app = shop.app if app_name == "app" else getattr(faulty, app_name)
    return tuple(send(app, conforming(15) + adversarial(2)))


# -- the correct handler -----------------------------------------------------------------------------


@functools.cache
def correct_run() -> tuple[Exchange, ...]:
    return tuple(send(shop.app, conforming() + adversarial()))


def test_the_generators_cover_every_rule_that_applies():
    drawn = {(r.action, r.violation) for r in adversarial()}
    assert drawn == {(action, rule) for action in SHOP.actions for rule in _rules(action)}
    assert len(_rules("placeOrder")) == len(VIOLATIONS) - 1  # all but unknown_enum_value


def test_correct_handler_shows_no_fault():
    assert faults(correct_run()) == {}


def test_correct_handler_answers_every_conforming_request_with_the_strict_output_type():
    replies = [e for e in correct_run() if e.request.violation is None]
    assert len(replies) >= 5 * CONFORMING_PER_ACTION
    for exchange in replies:
        # The documented business error (SKU `SOLD-OUT`) never comes up in generated requests.
        assert exchange.status == 200, (exchange.request.payload, exchange.body)
        assert exchange.content_type == "application/json"
        errors = list(SUCCESS[exchange.request.action].iter_errors(exchange.json))
        assert not errors, (exchange.request.payload, exchange.body, errors[0].message)


def test_correct_handler_refuses_every_adversarial_request_at_the_broken_rule():
    replies = [e for e in correct_run() if e.request.violation is not None]
    assert {e.request.violation for e in replies} == set(VIOLATIONS)
    for exchange in replies:
        request, body = exchange.request, exchange.json
        assert exchange.is_error_object, (request.violation, exchange.status, exchange.body)
        if request.violation in SECRET_RULES:
            assert exchange.status == 401
            assert body == {"message": "missing or wrong X-Shop-Secret header", "extensions": {"code": "unauthorized"}}
            continue
        assert exchange.status == 400, (request.violation, request.payload, exchange.body)
        # The reply names the place the request broke its rule (or the object around it).
        path, expected = body["extensions"]["path"], request.violation_path or "?"
        assert path.startswith(expected) or expected.startswith(path), (request.violation, path, expected)


def test_correct_handler_error_paths_name_the_field():
    request = _with_input("quote", {"items": [{"sku": "A-1", "quantity": 1.5}]})
    (exchange,) = send(shop.app, [request])
    assert exchange.status == 400
    assert exchange.json == {
        "message": "$.input.items[0].quantity: expected Int (a 32-bit integer), found 1.5",
        "extensions": {"code": "invalid-value", "path": "$.input.items[0].quantity"},
    }


def _with_input(action: str, arguments: dict[str, Any]) -> ActionRequest:
    base = edge_requests(action, catalog=SHOP)[0]
    assert base.payload is not None
    return ActionRequest(
        action=action, url=base.url, headers=base.headers, payload={**base.payload, "input": arguments}
    )


def test_correct_handler_business_error_is_a_hasura_error_object():
    request = _with_input("placeOrder", {"items": [{"sku": "A-1", "quantity": 1}, {"sku": "SOLD-OUT", "quantity": 2}]})
    (exchange,) = send(shop.app, [request])
    assert exchange.status == 400
    assert exchange.json["extensions"] == {"code": "out-of-stock", "path": "$.input.items[1].sku"}
    assert exchange.is_error_object


def test_correct_handler_replies_follow_the_input():
    order = _with_input("placeOrder", {"items": [{"sku": "A-1", "quantity": 3, "giftWrap": True}], "coupon": "WELCOME"})
    cheap = _with_input("recommendations", {"customerId": "{3F2504E0-4F89-41D3-9A0C-0305E82C3301}", "limit": 2**31 - 1})
    none = _with_input("recommendations", {"customerId": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "limit": -5})
    first, again, many, empty = send(shop.app, [order, order, cheap, none])
    assert first.body == again.body
    unit = shop.unit_cents("A-1")
    assert first.json["total"] == (3 * unit + 250 - (3 * unit + 250) // 10) / 100
    assert len(many.json) == 20  # the cap, for a limit of 2^31 - 1
    assert {p["customerId"] for p in many.json} == {"3f2504e0-4f89-41d3-9a0c-0305e82c3301"}
    assert empty.json == []


def test_correct_handler_refuses_other_paths_and_methods():
    async def calls() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=shop.app), base_url="http://shop") as client:
            return [await client.post("/unknown", json={}), await client.get("/quote")]

    unknown, get = asyncio.run(calls())
    assert (unknown.status_code, unknown.json()["extensions"]["code"]) == (404, "not-found")
    assert (get.status_code, get.json()["extensions"]["code"]) == (405, "method-not-allowed")


def test_correct_handler_reads_the_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("SHOP_WEBHOOK_SECRET", "rotated")
    request = edge_requests("cancelOrder", catalog=SHOP)[0]
    (exchange,) = send(shop.app, [request])
    assert exchange.status == 401


# -- the faulty variants: each shows its fault and only that one ---------------------------------------------

FAULTS = [
    ("envelope_app", "hasura_accepts"),
    ("string_error_app", "hasura_accepts"),
    ("html_crash_app", "hasura_accepts"),
    ("not_json_app", "hasura_accepts"),
    ("loose_types_app", "output_conforms"),
    ("detail_422_app", "error_object"),
    ("empty_error_app", "error_object"),
    ("rejects_everything_app", "accepts_valid"),
    ("accepts_anything_app", "rejects_invalid"),
    ("crashes_on_invalid_app", "rejects_invalid"),
    ("ignores_secret_app", "enforces_secret"),
]


@pytest.mark.parametrize(("app_name", "family"), FAULTS)
def test_faulty_app_fails_one_family(app_name, family):
    assert getattr(faulty, app_name).__doc__.strip()
    assert set(faults(exchanges(app_name))) == {family}


def test_every_faulty_app_is_tested():
    assert {name for name, _ in FAULTS} | {"slow_app"} == set(faulty.__all__)


def _conforming(app_name: str, action: str | None = None) -> list[Exchange]:
    return [
        e for e in exchanges(app_name) if e.request.violation is None and (action is None or e.request.action == action)
    ]


def _input(exchange: Exchange) -> dict[str, Any]:
    assert exchange.request.payload is not None
    return dict(exchange.request.payload["input"])


def test_envelope_app_wraps_the_right_value():
    for exchange in _conforming("envelope_app"):
        assert exchange.status == 200
        assert set(exchange.json) == {"data"}
        assert SUCCESS[exchange.request.action].is_valid(exchange.json["data"])


def test_string_error_app_answers_coupons_with_a_string():
    for exchange in _conforming("string_error_app", "placeOrder"):
        coupon = _input(exchange).get("coupon")
        if coupon and coupon != "WELCOME":
            assert (exchange.status, exchange.json) == (200, "invalid coupon")
            assert hasura_problem(exchange) == "got scalar for the action webhook response, expecting OrderResult"
        else:
            assert hasura_problem(exchange) is None


def test_html_crash_app_crashes_on_empty_orders():
    crashed = [e for e in _conforming("html_crash_app", "placeOrder") if e.status == 500]
    assert crashed
    for exchange in crashed:
        assert _input(exchange)["items"] == []
        assert exchange.content_type.startswith("text/html")
        assert hasura_problem(exchange) == "not a valid json response from webhook"


def test_not_json_app_answers_recommendations_with_no_content():
    for exchange in _conforming("not_json_app"):
        if exchange.request.action == "recommendations":
            assert (exchange.status, exchange.body) == (204, b"")
        else:
            assert exchange.status == 200


def test_slow_app_misses_the_deadline_with_delivery_dates(monkeypatch):
    monkeypatch.setenv("SLOW_HANDLER_SECONDS", "0.3")
    requests = [r for action in SHOP.actions for r in edge_requests(action, catalog=SHOP)] + list(adversarial(1))
    replies = send(faulty.slow_app, requests, deadline=0.1)
    timed_out = [e for e in replies if e.status is None]
    assert timed_out
    assert {e.request.action for e in timed_out} == {"placeOrder"}
    assert all(_input(e).get("deliverAt") for e in timed_out)
    assert set(faults(replies)) == {"hasura_accepts"}


def test_loose_types_app_passes_hasura_but_not_the_declared_types():
    broken: Counter[tuple[str, str]] = Counter()
    for exchange in _conforming("loose_types_app"):
        assert hasura_problem(exchange) is None
        for error in SUCCESS[exchange.request.action].iter_errors(exchange.json):
            broken[(exchange.request.action, error.validator)] += 1
    assert ("placeOrder", "enum") in broken  # status "paid"
    assert ("recommendations", "type") in broken  # id 12 instead of "prod-012"
    assert ("importCatalog", "anyOf") in broken  # imported beyond 2^31 - 1 (ImportReport is nullable)
    assert ("placeOrder", "type") in broken  # price null in a line


def test_error_object_apps_keep_the_statuses():
    for app_name in ("detail_422_app", "empty_error_app"):
        for exchange in exchanges(app_name):
            if exchange.request.violation is not None:
                assert exchange.status in {401, 422} if app_name == "detail_422_app" else {400, 401}
                assert "message" not in exchange.json
    detail = next(e for e in exchanges("detail_422_app") if e.request.violation == "null_for_non_null")
    assert detail.json["detail"][0]["loc"][:2] == ["body", "input"]


def test_rejects_everything_app_refuses_with_a_valid_error_object():
    for exchange in exchanges("rejects_everything_app"):
        assert exchange.status == 400
        assert exchange.json == {"message": "unauthorized", "extensions": {"code": "unauthorized"}}


def test_accepts_anything_app_answers_invalid_requests_with_valid_replies():
    invalid = [e for e in exchanges("accepts_anything_app") if e.request.violation not in (None, *SECRET_RULES)]
    assert all(e.status == 200 for e in invalid)
    assert all(SUCCESS[e.request.action].is_valid(e.json) for e in invalid)
    secret = [e for e in exchanges("accepts_anything_app") if e.request.violation in SECRET_RULES]
    assert secret and all(e.status == 401 for e in secret)


def test_crashes_on_invalid_app_crashes_or_accepts():
    invalid = [e for e in exchanges("crashes_on_invalid_app") if e.request.violation not in (None, *SECRET_RULES)]
    statuses = Counter(e.status for e in invalid)
    assert set(statuses) == {200, 500}
    assert statuses[500] > statuses[200]
    crashed = next(e for e in invalid if e.status == 500)
    assert crashed.json == {"message": "Internal Server Error"}


def test_ignores_secret_app_answers_without_the_secret():
    secret = [e for e in exchanges("ignores_secret_app") if e.request.violation in SECRET_RULES]
    assert {e.request.violation for e in secret} == set(SECRET_RULES)
    assert all(e.status == 200 for e in secret)
