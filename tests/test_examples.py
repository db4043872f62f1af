"""The mock's examples file: what it means, and every mistake refused at start with file, line and path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES

from action_contract import InvalidArgument, Latency, MetadataError, load_catalog, load_examples
from action_contract._mock._replies import MockResponder

SHOP = load_catalog(FIXTURES / "projects" / "shop", env={"SHOP_ACTIONS_URL": "http://x", "SHOP_WEBHOOK_SECRET": "s"})
SAMPLE = FIXTURES / "mock" / "shop-examples.yaml"
SESSION = {"x-hasura-role": "customer"}
UUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def call(responder: MockResponder, action: str, arguments: dict, scenario: str | None = None) -> tuple[int, object]:
    body = json.dumps({"action": {"name": action}, "input": arguments, "session_variables": SESSION}).encode()
    reply = responder.answer("/", {}, body, scenario)
    return reply.status, json.loads(reply.body)


def test_the_sample_file_loads_and_each_form_answers() -> None:
    examples = load_examples(SAMPLE, SHOP)
    responder = MockResponder(SHOP, examples=examples)
    items = [{"sku": "TEA-42", "quantity": 1}]
    status, body = call(responder, "placeOrder", {"items": items, "coupon": "EXPIRED"})
    assert status == 400 and body == {
        "message": "The coupon EXPIRED has expired",
        "extensions": {"code": "coupon-expired"},
    }
    status, body = call(responder, "placeOrder", {"items": items, "coupon": "WELCOME"})
    assert status == 200 and "orderId" in body  # no rule matched: generated
    status, body = call(responder, "placeOrder", {"items": items}, "out-of-stock")
    assert status == 400 and body["extensions"]["code"] == "out-of-stock"
    assert call(responder, "quote", {"items": items}) == (200, {"total": 24.9, "currency": "EUR", "breakdown": None})
    seen = {call(responder, "cancelOrder", {"orderId": UUID, "reason": r})[1] for r in ["OTHER", "TOO_SLOW", None] * 3}
    assert seen <= {True, False}
    assert examples.get("placeOrder") is not None and str(examples.get("placeOrder").latency) == "80-250ms"


def test_match_rules_compare_nested_values_and_session_variables(tmp_path: Path) -> None:
    file = tmp_path / "e.yaml"
    file.write_text(
        "quote:\n"
        "  match:\n"
        "    - input: {shipTo: {country: DE}}\n"
        "      session_variables: {X-Hasura-Role: anonymous}\n"
        "      body: {total: 1, currency: EUR}\n"
        "  reply: {total: 2, currency: USD}\n"
    )
    responder = MockResponder(SHOP, examples=load_examples(file, SHOP))
    ship = {"line1": "a", "city": "b", "country": "DE"}
    body = json.dumps(
        {
            "action": {"name": "quote"},
            "input": {"items": [], "shipTo": ship},
            "session_variables": {"x-hasura-role": "anonymous"},
        }
    ).encode()
    assert json.loads(responder.answer("/", {}, body).body)["currency"] == "EUR"
    assert call(responder, "quote", {"items": [], "shipTo": ship})[1]["currency"] == "USD"  # role differs


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        pytest.param(
            "placeOrdr:\n  reply: {}\n", 1, ["no action named 'placeOrdr'", "placeOrder"], id="unknown-action"
        ),
        pytest.param(
            "quote:\n  reply:\n    total: cheap\n    currency: EUR\n",
            2,
            ["$.quote.reply.total", "expected Float", '"cheap"'],
            id="wrong-scalar",
        ),
        pytest.param("quote:\n  reply: {currency: EUR}\n", 2, ["Hasura would refuse", "total"], id="missing-non-null"),
        pytest.param(
            "quote:\n  examples:\n    bad:\n      status: 400\n      body: {error: nope}\n",
            5,
            ["error object", "message"],
            id="error-without-message",
        ),
        pytest.param("quote:\n  examples:\n    error:\n      body: {}\n", 3, ["built-in scenario"], id="reserved-name"),
        pytest.param("quote:\n  replys: []\n", 2, ["unknown key 'replys'", "replies"], id="unknown-key"),
        pytest.param("quote:\n  latency: fast\n", 2, ["latency in milliseconds"], id="bad-latency"),
        pytest.param(
            "quote:\n  match:\n    - input: {shipto: {}}\n      body: {total: 1, currency: EUR}\n",
            3,
            ["no argument 'shipto'", "shipTo"],
            id="unknown-argument",
        ),
        pytest.param(
            "quote:\n  examples:\n    moved:\n      status: 301\n      body: {}\n",
            5,
            ["neither a success"],
            id="redirect",
        ),
        pytest.param("quote: [\n", 2, ["malformed YAML"], id="malformed"),
    ],
)
def test_a_broken_examples_file_is_refused_with_file_line_and_reason(
    tmp_path: Path, text: str, line: int, fragments: list[str]
) -> None:
    file = tmp_path / "examples.yaml"
    file.write_text(text)
    with pytest.raises(MetadataError) as raised:
        load_examples(file, SHOP)
    rendered = str(raised.value)
    assert f"examples.yaml:{line}" in rendered, rendered
    for fragment in fragments:
        assert fragment in rendered, rendered


def test_json_files_name_the_json_path(tmp_path: Path) -> None:
    file = tmp_path / "examples.json"
    file.write_text(
        json.dumps({"quote": {"replies": [{"total": 1, "currency": "EUR"}, {"total": "x", "currency": "EUR"}]}})
    )
    with pytest.raises(MetadataError) as raised:
        load_examples(file, SHOP)
    assert "$.quote.replies[1].total" in str(raised.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="cannot read the examples file"):
        load_examples(tmp_path / "nope.yaml", SHOP)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [(50, 50, 50), ("120", 120, 120), ("50-200", 50, 200), ("50ms - 200ms", 50, 200), (0.5, 0.5, 0.5)],
)
def test_latency_forms(text: object, low: float, high: float) -> None:
    assert Latency.parse(text) == Latency(low, high)


@pytest.mark.parametrize("text", ["fast", "200-50", "-5", True, None])
def test_bad_latencies_say_what_is_accepted(text: object) -> None:
    with pytest.raises(InvalidArgument, match="latency"):
        Latency.parse(text)
