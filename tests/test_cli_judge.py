"""`action-contract judge`: Hasura's verdict on one reply from the command line (text, JSON, exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from action_contract._cli._main import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHOP = str(FIXTURES / "projects" / "shop")
UUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
ORDER = {"orderId": UUID, "status": "PAID", "total": 9.5, "lines": [], "extra": 1}


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, ["judge", SHOP, *args], input=stdin)


def as_json(*args: str, stdin: bytes | None = None):
    result = run(*args, "--format", "json", stdin=stdin)
    return result.exit_code, json.loads(result.output)


def test_accepted_json():
    code, document = as_json("--action", "placeOrder", "--status", "200", "--body", json.dumps(ORDER))
    assert code == 0
    assert document == {
        "accepted": True,
        "data": {"orderId": UUID, "status": "PAID", "total": 9.5, "lines": [], "placedAt": None},
        "errors": [],
        "strict": [],
    }


def test_accepted_with_strict_findings_exits_1():
    body = {**ORDER, "status": "LOST", "lines": [{"sku": "A", "quantity": 1.5, "price": 1}]}
    code, document = as_json("--action", "placeOrder", "--status", "201", "--body", json.dumps(body))
    assert code == 1 and document["accepted"] is True
    assert document["strict"] == [
        {
            "path": "$.status",
            "rule": "enum",
            "expected": "OrderStatus, one of PENDING, PAID, SHIPPED",
            "found": '"LOST"',
        },
        {"path": "$.lines[0].quantity", "rule": "integral", "expected": "Int, a whole number", "found": "1.5"},
    ]


def test_rejected_json_shows_the_error_exactly():
    code, document = as_json("--action", "placeOrder", "--status", "200", "--body", "null", "--role", "customer")
    assert code == 1
    assert document == {
        "accepted": False,
        "data": None,
        "errors": [
            {"message": "got null for the action webhook response", "extensions": {"path": "$", "code": "unexpected"}}
        ],
        "strict": [],
    }


def test_admin_and_dev_mode_see_internal():
    for extra in ([], ["--role", "customer", "--dev-mode"]):
        code, document = as_json("--action", "placeOrder", "--status", "500", "--body", "{}", *extra)
        internal = document["errors"][0]["extensions"]["internal"]
        assert code == 1 and internal["error"] == "expecting 2xx or 4xx status code, but found 500"
        assert internal["request"]["url"] == "{{SHOP_ACTIONS_URL}}/place-order"


def test_hasura_version():
    body = json.dumps({"orderId": UUID, "status": "PAID", "total": 1, "lines": [], "age": 1})
    code, document = as_json("--action", "quote", "--status", "200", "--body", body, "--hasura-version", "1.3")
    assert code == 1
    assert document["errors"][0]["message"].startswith("unexpected fields in webhook response: ")


def test_handler_error_is_a_rejection():
    body = json.dumps({"message": "Out of stock", "code": "out-of-stock"})
    code, document = as_json("--action", "placeOrder", "--status", "409", "--body", body, "--role", "customer")
    assert code == 1
    assert document["errors"] == [{"message": "Out of stock", "extensions": {"path": "$", "code": "out-of-stock"}}]


def test_text_output_accepted():
    body = {**ORDER, "total": "9.5"}
    result = run("--action", "placeOrder", "--status", "200", "--body", json.dumps(body))
    assert result.exit_code == 1
    assert result.output.startswith("ACCEPTED  placeOrder -> 200 reply, judged as Hasura v2.45.0 (ok)\n")
    assert '"placeOrder": {' in result.output
    assert "strict findings (1): Hasura passes these on, but OrderResult! forbids them" in result.output
    assert '  $.total: expected Float, a number, found "9.5"' in result.output


def test_text_output_rejected():
    result = run("--action", "placeOrder", "--status", "200", "--body", '{"status": "PAID"}', "--role", "customer")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "REJECTED  placeOrder -> 200 reply, judged as Hasura v2.45.0 (missing_field)"
    assert lines[1:5] == [
        '  message: field "orderId" expected in webhook response, but not found',
        "  code:    unexpected",
        "  path:    $",
        "  in body: $.orderId",
    ]
    assert '"errors": [' in result.output and "internal" not in result.output


def test_body_from_a_file(tmp_path):
    reply = tmp_path / "reply.json"
    reply.write_bytes(json.dumps(ORDER).encode())
    code, document = as_json("--action", "placeOrder", "--status", "200", "--body", f"@{reply}")
    assert code == 0 and document["accepted"] is True


def test_body_from_stdin():
    code, document = as_json("--action", "placeOrder", "--status", "200", "--body", "-", stdin=b"")
    assert code == 1
    assert document["errors"][0]["message"] == "not a valid json response from webhook"


def test_headers_reach_internal():
    args = ("--action", "placeOrder", "--status", "200", "--body", "[]", "--header", "Set-Cookie: abcd")
    code, document = as_json(*args)
    assert code == 1
    assert document["errors"][0]["extensions"]["internal"]["response"]["headers"] == [
        {"name": "Set-Cookie", "value": "abcd"}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--action", "placeOrdr", "--status", "200", "--body", "{}"], 'Did you mean "placeOrder"'),
        (["--action", "placeOrder", "--status", "200", "--body", "@/no/such/file"], "cannot read '/no/such/file'"),
        (
            ["--action", "placeOrder", "--status", "200", "--body", "{}", "--header", "nocolon"],
            "expected 'NAME: VALUE'",
        ),
        (["--action", "placeOrder", "--status", "200", "--body", "{}", "--hasura-version", "latest"], "found 'latest'"),
        (["--action", "cancelOrder", "--status", "200", "--body", "true", "--hasura-version", "2.0"], "refuses action"),
        (["--action", "placeOrder", "--status", "42", "--body", "{}"], "42 is not in the range 100<=x<=599"),
    ],
    ids=["unknown-action", "missing-file", "bad-header", "bad-version", "unsupported-output", "bad-status"],
)
def test_usage_errors_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_metadata_errors_exit_2():
    result = CliRunner().invoke(
        main, ["judge", str(FIXTURES / "broken" / "malformed.json"), "--action", "a", "--status", "200", "--body", "{}"]
    )
    assert result.exit_code == 2
