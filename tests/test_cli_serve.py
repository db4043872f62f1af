"""`action-contract serve` as a user runs it: a real process on a real port, spoken to over loopback.

Proves that the Hasura-like `/v1/graphql` works for an off-the-shelf GraphQL client (gql over HTTPX,
which also introspects the schema and validates its documents against it), with `/healthz`,
`/v1/version` and CORS preflights answered as Hasura answers them; that the admin secret is enforced;
that asynchronous actions are recorded, run by the worker and read back over the wire, and survive a
restart with `--state`; that an unreachable handler is a GraphQL error, not a crash; that the banner
lists every action with its kind and roles; that Ctrl-C stops it cleanly; and that usage errors exit 2
with a message and no traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FIXTURES
from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLError
from servers import Command, running_command

SHOP = FIXTURES / "projects" / "shop"
ITEMS = [{"sku": "A", "quantity": 2, "giftWrap": True}]
QUOTE = """
query Quote($items: [OrderItemInput!]!) {
  quote(items: $items, shipTo: {line1: "1 High St", city: "Leeds", country: "GB"}) { total currency breakdown }
}
"""
PLACE_ORDER = """
mutation PlaceOrder($items: [OrderItemInput!]!, $coupon: String) {
  placeOrder(items: $items, coupon: $coupon) {
    orderId status total placedAt
    lines { sku quantity price }
  }
}
"""
IMPORT = 'mutation { importCatalog(url: "https://example.com/catalog.csv", options: {dryRun: true}) }'
RESULT = "query Result($id: uuid!) { importCatalog(id: $id) { id created_at output { imported failed } errors } }"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


#: Read by `serve` from the environment: the machine's values must not reach the process. (The
#: module-scoped server starts before conftest's function-scoped fixture clears the SHOP_* ones.)
_MACHINE = ("HASURA_GRAPHQL_ADMIN_SECRET", "SHOP_ACTIONS_URL", "SHOP_WEBHOOK_SECRET", "ACTION_BASE_URL", "BASE_URL")


def _env() -> dict[str, str]:
    """The test's environment without `_MACHINE`: the template values come from the project's .env."""
    return {name: value for name, value in os.environ.items() if name not in _MACHINE}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "action_contract", "serve", *args]


class Serve(Command):
    """A running `action-contract serve` process and what it printed."""

    @property
    def graphql(self) -> str:
        return self.url + "/v1/graphql"

    def post(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return httpx.post(self.graphql, json=body, headers=headers, timeout=10)


def running(*args: str) -> contextlib.AbstractContextManager[Serve]:
    return running_command(
        Serve, ["serve", *args], r"Listening on (http://\S+)/v1/graphql \(Ctrl-C to stop\)", env=_env()
    )


def _client(serve: Serve, **headers: str) -> Client:
    return Client(transport=HTTPXTransport(url=serve.graphql, headers=headers), fetch_schema_from_transport=True)


def _poll_result(serve: Serve, action_id: str, within: float = 2.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        response = serve.post(RESULT, {"id": action_id})
        assert response.status_code == 200, response.text
        result = response.json()["data"]["importCatalog"]
        if result["output"] is not None or result["errors"] is not None or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


def _record_import(serve: Serve) -> str:
    response = serve.post(IMPORT)
    assert response.status_code == 200, response.text
    action_id = response.json()["data"]["importCatalog"]
    assert UUID.match(action_id), action_id
    return action_id


@pytest.fixture(scope="module")
def shop() -> Iterator[Serve]:
    """One `serve shop --mock` for the tests that only read from it."""
    with running(str(SHOP), "--mock", "--seed", "3", "-q") as serve:
        yield serve


# -- one shared server: the client's view --------------------------------------------------------


def test_a_real_graphql_client_queries_and_mutates_through_the_mock(shop: Serve) -> None:
    with _client(shop) as session:
        assert session.client.schema is not None  # gql introspected the served schema
        assert {"quote", "recommendations", "importCatalog"} <= set(session.client.schema.query_type.fields)
        quoted = session.execute(GraphQLRequest(QUOTE, variable_values={"items": ITEMS}))
        placed = session.execute(
            GraphQLRequest(PLACE_ORDER, variable_values={"items": ITEMS, "coupon": None}),
        )
    quote = quoted["quote"]
    assert set(quote) == {"total", "currency", "breakdown"}, quote
    assert isinstance(quote["total"], float | int) and isinstance(quote["currency"], str)
    order = placed["placeOrder"]
    assert set(order) == {"orderId", "status", "total", "placedAt", "lines"}
    assert UUID.match(order["orderId"]) and order["status"] in {"PENDING", "PAID", "SHIPPED"}
    assert isinstance(order["total"], float | int) and isinstance(order["lines"], list)
    for line in order["lines"]:
        assert set(line) == {"sku", "quantity", "price"} and isinstance(line["quantity"], int)


def test_gql_validates_locally_against_the_introspected_schema(shop: Serve) -> None:
    # graphql-core's wording, not the server's ("field 'nope' not found in type: 'Quote'"): refused locally.
    with _client(shop) as session, pytest.raises(GraphQLError, match="Cannot query field 'nope' on type 'Quote'"):
        session.execute(gql("{ quote(items: []) { nope } }"))


def test_healthz_and_version(shop: Serve) -> None:
    health = httpx.get(shop.url + "/healthz")
    assert health.status_code == 200 and health.text == "OK"
    version = httpx.get(shop.url + "/v1/version")
    assert version.status_code == 200 and version.headers["content-type"].startswith("application/json")
    assert re.match(r"^v\d+\.\d+\.\d+", version.json()["version"])


def test_the_banner_lists_each_action_with_its_kind_and_roles(shop: Serve) -> None:
    banner = "\n".join(shop.seen)
    assert re.search(r"serve: 5 actions from .*shop.*handlers: the mock handler", banner), banner
    expected = {
        "placeOrder": ("mutation", "admin, customer"),
        "cancelOrder": ("mutation", "admin, customer"),
        "importCatalog": ("async mutation", "admin"),
        "quote": ("query", "admin, anonymous, customer"),
        "recommendations": ("query", "admin, customer"),
    }
    for name, (kind, roles) in expected.items():
        line = next((line for line in shop.seen if re.search(rf"\b{name}\b", line)), None)
        assert line is not None, banner
        assert re.match(rf"^\s+{kind}\s+{name}\s+roles: {roles}$", line), line
    assert "admin secret not set" in banner and "async actions kept in memory" in banner
    assert shop.seen[-1].startswith("Listening on http://127.0.0.1:")


def test_a_cors_preflight_echoes_the_origin(shop: Serve) -> None:
    origin = "http://localhost:5173"
    response = httpx.options(
        shop.graphql,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-hasura-role",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert "POST" in response.headers["access-control-allow-methods"]
    simple = httpx.post(shop.graphql, json={"query": "{ __typename }"}, headers={"Origin": origin})
    assert simple.json() == {"data": {"__typename": "query_root"}}
    assert simple.headers["access-control-allow-origin"] == origin


# -- a server per test ---------------------------------------------------------------------------


def test_ctrl_c_stops_it_cleanly_with_exit_0() -> None:
    with running(str(SHOP), "--mock") as serve:
        assert serve.post("{ __typename }").status_code == 200
        serve.wait_for(r"POST /v1/graphql - -> 200 data")  # not -q: a line per request
        assert serve.stop() == 0
        serve.wait_for("serve stopped")
        assert not any("Traceback" in line for line in serve.seen)


def test_the_admin_secret_is_required() -> None:
    with running(str(SHOP), "--mock", "--admin-secret", "s3cret", "-q") as serve:
        assert any("admin secret required" in line for line in serve.seen)
        refused = serve.post("{ __typename }")
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "access-denied"
        wrong = serve.post("{ __typename }", **{"x-hasura-admin-secret": "guess"})
        assert wrong.status_code == 401 and wrong.json()["errors"][0]["extensions"]["code"] == "access-denied"
        allowed = serve.post(QUOTE, {"items": ITEMS}, **{"x-hasura-admin-secret": "s3cret"})
        assert allowed.status_code == 200 and "data" in allowed.json(), allowed.text
        with _client(serve, **{"x-hasura-admin-secret": "s3cret"}) as session:
            placed = session.execute(GraphQLRequest(PLACE_ORDER, variable_values={"items": ITEMS}))
        assert UUID.match(placed["placeOrder"]["orderId"])
        assert serve.stop() == 0


def test_an_async_action_runs_and_its_result_is_read_over_the_wire() -> None:
    with running(str(SHOP), "--mock", "--async-interval", "0.05", "-q") as serve:
        action_id = _record_import(serve)
        result = _poll_result(serve, action_id)
        assert result["id"] == action_id and result["errors"] is None, result
        assert result["output"] is not None, result
        assert isinstance(result["output"]["imported"], int) and isinstance(result["output"]["failed"], list)
        assert re.match(r"^\d{4}-\d\d-\d\dT", result["created_at"])
        assert serve.stop() == 0


def test_a_restart_with_state_loses_no_async_action(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with running(str(SHOP), "--mock", "--state", str(state), "--async-interval", "1000", "-q") as first:
        assert any(f"async actions kept in {state}" in line for line in first.seen)
        action_id = _record_import(first)
        pending = first.post(RESULT, {"id": action_id}).json()["data"]["importCatalog"]
        assert pending["id"] == action_id and pending["output"] is None and pending["errors"] is None
        assert first.stop() == 0
    assert state.exists()
    with running(str(SHOP), "--mock", "--state", str(state), "--async-interval", "0.05", "-q") as second:
        result = _poll_result(second, action_id)
        assert result["id"] == action_id and result["errors"] is None, result
        assert result["output"] is not None and isinstance(result["output"]["imported"], int), result
        assert second.stop() == 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_handler_is_a_graphql_error() -> None:
    port = _closed_port()
    with running(str(SHOP), "--url", f"http://127.0.0.1:{port}", "--timeout", "2", "-q") as serve:
        assert any(f"handlers: http://127.0.0.1:{port}" in line for line in serve.seen)
        response = serve.post(QUOTE, {"items": ITEMS})
        assert response.status_code == 200
        body = response.json()
        assert "data" not in body, body
        (error,) = body["errors"]
        assert error["message"] == "http exception when calling webhook", error
        assert error["extensions"]["code"] == "unexpected"
        assert serve.stop() == 0


# -- usage errors --------------------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_cli(*args), capture_output=True, text=True, timeout=30, env=_env())


def test_more_than_one_handler_source_is_a_usage_error() -> None:
    result = _run(str(SHOP), "--mock", "--url", "x")
    assert result.returncode == 2
    assert "pass only one of" in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(str(SHOP), "--mock", "--port", str(port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr and "Listening on" not in result.stderr


def test_a_missing_metadata_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-project"
    result = _run(str(missing), "--mock", "--port", "0")
    assert result.returncode == 2
    assert str(missing) in result.stderr and "no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr and "Listening on" not in result.stderr
