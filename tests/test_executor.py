"""`ReferenceExecutor` plays Hasura's part: a GraphQL request, the webhook call, the judged and shaped reply.

What this module proves, on the sample `shop` project (contract sections in brackets):

- each role's schema: admin sees every action, another role only the actions that grant it a
  permission, an unknown role only `no_queries_available`; an asynchronous action is a mutation
  returning `uuid!` plus a result query `importCatalog(id)` with `id created_at errors output`; the
  same through introspection, including graphql-core's full introspection query rebuilt into a
  client schema [§2.1, §2.3];
- Hasura's request errors (unknown fields, syntax, operation choice, subscriptions, variables) with
  their texts and paths, HTTP 200 and no handler call [§2.1, §4.4];
- how arguments become `input`: required and nullable arguments, scalar kinds and the 32-bit `Int`,
  enums by name, one value for a list type, unknown input fields, explicit null, variable defaults,
  `@skip`/`@include`, aliases and fragments in the shaped reply [§1.5, §3.3];
- session variables from the headers and the admin secret [§1.4];
- the headers the handler receives and `request_query` [§1.2, §1.3], `Set-Cookie` copied back [§2.2];
- asynchronous actions: the id, the worker, `request_query: null`, the stored result shaped to the
  selection, a restart on a state file, per-session visibility [§2.3];
- `execute_http`: bad bodies and batches;
- a failing handler reaches the client exactly as the judge words it, `internal` per role and dev
  mode, and one failing field fails the whole operation [§4.2, §4.3].

"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from graphql import GraphQLObjectType, build_client_schema, get_introspection_query

from action_contract import (
    GraphQLReply,
    HasuraProfile,
    MockHandler,
    Permission,
    ReferenceExecutor,
    app_target,
    load_catalog,
)

ENV = {"SHOP_ACTIONS_URL": "http://shop.test", "SHOP_WEBHOOK_SECRET": "s"}
SHOP = load_catalog(FIXTURES / "projects" / "shop", env=ENV)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ORDER_ID = "3f0c7a9e-1111-4222-8333-444455556666"

ITEM = '{sku: "pen", quantity: 2}'
QUOTE = f"{{ quote(items: [{ITEM}]) {{ total }} }}"
PLACE_ORDER = f"mutation {{ placeOrder(items: [{ITEM}]) {{ orderId total }} }}"
IMPORT = 'mutation { importCatalog(url: "https://files.test/catalog.csv", options: {dryRun: true}) }'
RESULT = """query ($id: uuid!) {
  importCatalog(id: $id) { id created_at errors output { imported failed } __typename }
}"""
CUSTOMER = {"X-Hasura-Role": "customer", "X-Hasura-User-Id": "7"}

Reply = tuple[Any, ...]
REPLIES: dict[str, Reply] = {
    "placeOrder": (
        200,
        {
            "orderId": ORDER_ID,
            "status": "PENDING",
            "total": 5.0,
            "lines": [{"sku": "pen", "quantity": 2, "price": 2.5}],
            "placedAt": None,
        },
    ),
    "cancelOrder": (200, True),
    "importCatalog": (200, {"imported": 3, "failed": ["row 7"]}),
    "quote": (200, {"total": 5.0, "currency": "EUR", "breakdown": {"net": 4.2}}),
    "recommendations": (200, [{"id": "p1", "name": "Pen", "customerId": None}]),
}


class Recorder:
    """A handler `(payload, headers)` that keeps what it received and answers per action."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply | Callable[[dict[str, Any]], Reply]] = dict(REPLIES)
        self.received: list[tuple[dict[str, Any], dict[str, str]]] = []
        self._lock = threading.Lock()

    def __call__(self, payload: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.received.append((payload, dict(headers)))
        reply = self.replies[payload["action"]["name"]]
        return reply(payload) if callable(reply) else reply

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [payload for payload, _ in self.received]


Make = Callable[..., ReferenceExecutor]


@pytest.fixture
def handler() -> Recorder:
    return Recorder()


@pytest.fixture
def make(handler: Recorder) -> Iterator[Make]:
    """Builds executors calling `handler` in-process; closes them and their targets afterwards."""
    made: list[tuple[ReferenceExecutor, Any]] = []

    def build(catalog: Any = SHOP, **options: Any) -> ReferenceExecutor:
        target = app_target(handler, kind="callable")
        executor = ReferenceExecutor(catalog, target, env=ENV, **options)
        made.append((executor, target))
        return executor

    yield build
    for executor, target in reversed(made):
        executor.close()
        target.close()


@pytest.fixture
def executor(make: Make) -> ReferenceExecutor:
    return make()


@pytest.fixture(scope="module")
def mocked() -> Iterator[ReferenceExecutor]:
    """An executor in front of the toolkit's own mock handler (in-process ASGI)."""
    target = app_target(MockHandler(SHOP, env=ENV), kind="asgi")
    executor = ReferenceExecutor(SHOP, target, env=ENV)
    yield executor
    executor.close()
    target.close()


def refused(message: str, path: str = "$", code: str = "validation-failed") -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"path": path, "code": code}}]}


def assert_refused(reply: GraphQLReply, message: str | re.Pattern[str], path: str) -> None:
    """One validation-failed error at `path`; `message` exact, or a pattern where Hasura's wording is unpinned."""
    error = only_error(reply)
    assert error["extensions"] == {"path": path, "code": "validation-failed"}
    if isinstance(message, re.Pattern):
        assert message.fullmatch(error["message"]), error["message"]
    else:
        assert error["message"] == message


def only_error(reply: GraphQLReply) -> dict[str, Any]:
    assert "data" not in reply.body, reply.body
    assert len(reply.errors) == 1, reply.body
    return dict(reply.errors[0])


def wait_for(condition: Callable[[], Any], seconds: float = 2.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


# -- 1. schema and roles (§2.1, §2.3) ------------------------------------------------------------

ROLES = [
    pytest.param(
        "admin",
        {"importCatalog", "quote", "recommendations"},
        {"placeOrder", "cancelOrder", "importCatalog"},
        id="admin-sees-everything",
    ),
    pytest.param(
        "customer", {"quote", "recommendations"}, {"placeOrder", "cancelOrder"}, id="customer-without-admin-only"
    ),
    pytest.param("anonymous", {"quote"}, None, id="anonymous-only-quote"),
    pytest.param("stranger", {"no_queries_available"}, None, id="unknown-role-sees-nothing"),
]


@pytest.mark.parametrize(("role", "queries", "mutations"), ROLES)
def test_each_role_sees_only_its_actions(
    mocked: ReferenceExecutor, role: str, queries: set[str], mutations: set[str] | None
) -> None:
    schema = mocked.schema(role)
    assert schema.query_type is not None and schema.query_type.name == "query_root"
    assert set(schema.query_type.fields) == queries
    if mutations is None:
        assert schema.mutation_type is None
    else:
        assert schema.mutation_type is not None and schema.mutation_type.name == "mutation_root"
        assert set(schema.mutation_type.fields) == mutations


@pytest.mark.parametrize(("role", "queries", "mutations"), ROLES)
def test_introspection_answers_for_the_role_in_the_headers(
    mocked: ReferenceExecutor, role: str, queries: set[str], mutations: set[str] | None
) -> None:
    query = "{ __schema { queryType { name fields { name } } mutationType { name } } }"
    reply = mocked.execute(query, headers={"x-hasura-role": role})
    assert reply.status == 200 and reply.calls == ()
    found = reply.data["__schema"]
    assert found["queryType"]["name"] == "query_root"
    assert {f["name"] for f in found["queryType"]["fields"]} == queries
    assert found["mutationType"] == (None if mutations is None else {"name": "mutation_root"})


def test_without_a_role_header_the_caller_is_admin(mocked: ReferenceExecutor) -> None:
    reply = mocked.execute("{ __schema { mutationType { fields { name } } } }")
    assert {f["name"] for f in reply.data["__schema"]["mutationType"]["fields"]} == {
        "placeOrder",
        "cancelOrder",
        "importCatalog",
    }


def test_the_async_action_is_a_uuid_mutation_and_a_result_query(mocked: ReferenceExecutor) -> None:
    schema = mocked.schema("admin")
    assert schema.mutation_type is not None
    assert str(schema.mutation_type.fields["importCatalog"].type) == "uuid!"
    result = schema.query_type.fields["importCatalog"]
    assert {name: str(arg.type) for name, arg in result.args.items()} == {"id": "uuid!"}
    assert isinstance(result.type, GraphQLObjectType) and result.type.name == "importCatalog"
    assert {name: str(f.type) for name, f in result.type.fields.items()} == {
        "id": "uuid!",
        "created_at": "timestamptz!",
        "errors": "json",
        "output": "ImportReport",
    }


@pytest.mark.parametrize(
    ("role", "query"),
    [
        pytest.param("anonymous", f"mutation {{ placeOrder(items: [{ITEM}]) {{ total }} }}", id="anonymous"),
        pytest.param("stranger", 'mutation { cancelOrder(orderId: "x") }', id="unknown-role"),
    ],
)
def test_a_role_without_mutations_gets_no_mutations_exist(mocked: ReferenceExecutor, role: str, query: str) -> None:
    reply = mocked.execute(query, headers={"X-Hasura-Role": role})
    assert (reply.status, reply.body, reply.calls) == (200, refused("no mutations exist"), ())


@pytest.mark.parametrize(
    ("query", "root"),
    [
        pytest.param(IMPORT, "mutation_root", id="mutation"),
        pytest.param(f'{{ importCatalog(id: "{ORDER_ID}") {{ id }} }}', "query_root", id="result-query"),
    ],
)
def test_the_customer_cannot_reach_the_admin_only_action(mocked: ReferenceExecutor, query: str, root: str) -> None:
    reply = mocked.execute(query, headers=CUSTOMER)
    assert reply.body == refused(f"field 'importCatalog' not found in type: '{root}'", "$.selectionSet.importCatalog")
    assert reply.calls == ()


def test_the_full_introspection_query_rebuilds_into_a_client_schema(mocked: ReferenceExecutor) -> None:
    reply = mocked.execute(get_introspection_query(descriptions=True))
    assert reply.status == 200 and reply.errors == []
    client = build_client_schema(reply.data)  # what codegen tools do
    assert client.query_type is not None and client.query_type.name == "query_root"
    assert client.mutation_type is not None and client.mutation_type.name == "mutation_root"
    assert client.subscription_type is not None and list(client.subscription_type.fields) == ["importCatalog"]
    result = client.get_type("importCatalog")
    assert isinstance(result, GraphQLObjectType)
    assert list(result.fields) == ["id", "created_at", "errors", "output"]
    assert str(client.mutation_type.fields["importCatalog"].type) == "uuid!"
    place = client.mutation_type.fields["placeOrder"]
    assert {name: str(arg.type) for name, arg in place.args.items()} == {
        "items": "[OrderItemInput!]!",
        "coupon": "String",
        "deliverAt": "timestamptz",
    }
    assert place.args["items"].description == "What to buy"
    assert list(client.get_type("CancelReason").values) == ["CHANGED_MIND", "TOO_SLOW", "OTHER"]  # type: ignore[union-attr]


def test_a_call_through_the_mock_handler_is_shaped_to_the_selection(mocked: ReferenceExecutor) -> None:
    query = f"mutation {{ placeOrder(items: [{ITEM}]) {{ t: total status lines {{ sku }} __typename }} }}"
    reply = mocked.execute(query, headers=CUSTOMER)
    assert reply.errors == [] and len(reply.calls) == 1 and reply.calls[0].verdict.accepted
    order = reply.data["placeOrder"]
    assert list(order) == ["t", "status", "lines", "__typename"]
    assert order["__typename"] == "OrderResult" and order["status"] in {"PENDING", "PAID", "SHIPPED"}
    assert all(list(line) == ["sku"] for line in order["lines"])


# -- 2. request errors: no handler call, HTTP 200 (§2.1, §4.4) ------------------------------------

EXACTLY_ONE = "exactly one operation has to be present in the document when operationName is not specified"
NOT_ALLOWED_WITH_SHORTHAND = "operationName cannot be used when an anonymous operation exists in the document"

REQUEST_ERRORS = [
    pytest.param(
        "{ x }", None, None, "field 'x' not found in type: 'query_root'", "$.selectionSet.x", id="unknown-query-field"
    ),
    pytest.param(
        "mutation { x }",
        None,
        None,
        "field 'x' not found in type: 'mutation_root'",
        "$.selectionSet.x",
        id="unknown-mutation-field",
    ),
    pytest.param(
        f"{{ quote(items: [{ITEM}]) {{ total nope }} }}",
        None,
        None,
        "field 'nope' not found in type: 'Quote'",
        "$.selectionSet.quote.selectionSet.nope",
        id="unknown-nested-field",
    ),
    pytest.param(
        f"mutation {{ placeOrder(items: [{ITEM}]) {{ lines {{ sku nope }} }} }}",
        None,
        None,
        "field 'nope' not found in type: 'OrderLine'",
        "$.selectionSet.placeOrder.selectionSet.lines.selectionSet.nope",
        id="unknown-field-two-levels-down",
    ),
    pytest.param("{ quote(", None, None, "not a valid graphql query", "$.query", id="syntax-error"),
    pytest.param(
        "query A { __typename } query B { __typename }", None, None, EXACTLY_ONE, "$", id="two-named-no-name-given"
    ),
    pytest.param(
        "{ __typename } { __typename }",
        None,
        None,
        EXACTLY_ONE,
        "$",
        id="two-anonymous",
    ),
    pytest.param(
        "query { __typename } query { __typename }",
        None,
        None,
        EXACTLY_ONE,
        "$",
        id="two-anonymous-query-keyword",
    ),
    pytest.param(
        "query A { __typename }",
        None,
        "X",
        'no such operation found in the document: "X"',
        "$",
        id="unknown-operation-name",
    ),
    pytest.param(
        "{ __typename }",
        None,
        "X",
        NOT_ALLOWED_WITH_SHORTHAND,
        "$",
        id="operation-name-with-shorthand",
    ),
    pytest.param(
        "{ __typename } query X { __typename }",
        None,
        "X",
        NOT_ALLOWED_WITH_SHORTHAND,
        "$",
        id="operation-name-beside-shorthand",
    ),
    pytest.param(
        f'subscription {{ importCatalog(id: "{ORDER_ID}") {{ id }} }}',
        None,
        None,
        "subscriptions are not supported over HTTP, use websockets instead",
        "$",
        id="subscription",
    ),
    pytest.param(
        "{ __typename }",
        {"a": 1, "b": 2},
        None,
        "unexpected variables in variableValues: a, b",
        "$",
        id="undeclared-variables",
    ),
    pytest.param(
        'query ($x: Int!) { quote(items: [{sku: "pen", quantity: $x}]) { total } }',
        None,
        None,
        'expecting a value for non-nullable variable: "x"',
        "$.variableValues",
        id="non-null-variable-missing",
    ),
]


@pytest.mark.parametrize(("query", "variables", "operation", "message", "path"), REQUEST_ERRORS)
def test_request_errors_are_hasuras_and_call_no_handler(
    executor: ReferenceExecutor,
    handler: Recorder,
    query: str,
    variables: dict[str, Any] | None,
    operation: str | None,
    message: str,
    path: str,
) -> None:
    reply = executor.execute(query, variables, operation)
    assert reply.status == 200
    assert reply.body == refused(message, path)
    assert reply.calls == () and handler.received == []


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(f"{{ quote(items: [{ITEM}]) {{ total }} x }}", id="unknown-root-field-second"),
        pytest.param(
            f'{{ a: quote(items: [{ITEM}]) {{ total }} b: quote(items: [{{sku: "pen"}}]) {{ total }} }}',
            id="argument-error-second",
        ),
        pytest.param(
            f"{{ a: quote(items: [{ITEM}]) {{ total }} b: quote(items: [{ITEM}]) {{ nope }} }}",
            id="unknown-nested-field-second",
        ),
        pytest.param(
            f'mutation {{ a: cancelOrder(orderId: "{ORDER_ID}") b: cancelOrder(orderId: 5) }}',
            id="sync-mutation-ran-before-refusal",
        ),
        pytest.param(
            'mutation { a: importCatalog(url: "u") b: cancelOrder(orderId: 5) }',
            id="async-mutation-recorded-before-refusal",
        ),
    ],
)
def test_an_error_in_a_later_root_field_calls_no_handler(
    executor: ReferenceExecutor, handler: Recorder, query: str
) -> None:
    reply = executor.execute(query)
    assert reply.status == 200
    assert only_error(reply)["extensions"]["code"] == "validation-failed"
    assert reply.calls == () and handler.received == [] and executor.log.entries() == []


def test_an_operation_name_picks_the_operation(executor: ReferenceExecutor, handler: Recorder) -> None:
    document = f'query Q {QUOTE} mutation M {{ cancelOrder(orderId: "{ORDER_ID}") }}'
    reply = executor.execute(document, operation_name="M")
    assert reply.body == {"data": {"cancelOrder": True}}
    assert [p["action"]["name"] for p in handler.payloads] == ["cancelOrder"]
    assert handler.payloads[0]["request_query"] == document  # the whole document, not just the operation


# -- 3. reading arguments into `input` (§1.5) and shaping (§3.3) -------------------------------------

ARGUMENT_ERRORS = [
    pytest.param(
        "{ quote { total } }",
        None,
        "missing required field 'items'",
        "$.selectionSet.quote.args.items",
        id="missing-argument",
    ),
    pytest.param(
        '{ quote(items: [{sku: "pen"}]) { total } }',
        None,
        "missing required field 'quantity'",
        "$.selectionSet.quote.args.items[0].quantity",
        id="missing-input-field",
    ),
    pytest.param(
        '{ quote(items: [{sku: "pen", quantity: "2"}]) { total } }',
        None,
        "expected a 32-bit integer for type 'Int', but found a string",
        "$.selectionSet.quote.args.items[0].quantity",
        id="string-literal-for-int",
    ),
    pytest.param(
        "{ quote(items: [{sku: 5, quantity: 2}]) { total } }",
        None,
        "expected a string for type 'String', but found an integer",
        "$.selectionSet.quote.args.items[0].sku",
        id="int-literal-for-string",
    ),
    pytest.param(
        '{ quote(items: [{sku: "pen", quantity: 2.5}]) { total } }',
        None,
        "expected a 32-bit integer for type 'Int', but found a float",
        "$.selectionSet.quote.args.items[0].quantity",
        id="float-literal-for-int",
    ),
    pytest.param(
        'query ($q: Int!) { quote(items: [{sku: "pen", quantity: $q}]) { total } }',
        {"q": "2"},
        "expected a 32-bit integer for type 'Int', but found a string",
        "$.selectionSet.quote.args.items[0].quantity",
        id="string-variable-for-int",
    ),
    pytest.param(
        "query ($i: [OrderItemInput!]!) { quote(items: $i) { total } }",
        {"i": [{"sku": "pen", "quantity": 1}, {"sku": "ink", "quantity": True}]},
        "expected a 32-bit integer for type 'Int', but found a boolean",
        "$.selectionSet.quote.args.items[1].quantity",
        id="boolean-inside-list-variable",
    ),
    pytest.param(
        '{ quote(items: [{sku: "pen", quantity: 2147483648}]) { total } }',
        None,
        "expected a 32-bit integer for type 'Int', but found an integer",
        "$.selectionSet.quote.args.items[0].quantity",
        id="int-literal-over-32-bits",
    ),
    pytest.param(
        'query ($q: Int!) { quote(items: [{sku: "pen", quantity: $q}]) { total } }',
        {"q": -(2**31) - 1},
        "expected a 32-bit integer for type 'Int', but found a number",
        "$.selectionSet.quote.args.items[0].quantity",
        id="int-variable-under-32-bits",
    ),
    pytest.param(
        f'mutation {{ cancelOrder(orderId: "{ORDER_ID}", reason: "TOO_SLOW") }}',
        None,
        re.compile(r"expected .+ for type 'CancelReason', but found a string"),
        "$.selectionSet.cancelOrder.args.reason",
        id="enum-as-string-literal",
    ),
    pytest.param(
        f'mutation {{ cancelOrder(orderId: "{ORDER_ID}", reason: BORED) }}',
        None,
        re.compile(r"expected .+ for type 'CancelReason', but found an enum value"),
        "$.selectionSet.cancelOrder.args.reason",
        id="unknown-enum-value",
    ),
    pytest.param(
        '{ quote(items: [{sku: "pen", quantity: 1, colour: "red"}]) { total } }',
        None,
        "field 'colour' not found in type: 'OrderItemInput'",
        "$.selectionSet.quote.args.items[0].colour",
        id="unknown-input-field",
    ),
    pytest.param(
        f'{{ quote(items: [{ITEM}], shipTo: {{line1: "a", city: "b", country: "c", forwardTo: {{city: "d"}}}}) '
        "{ total } }",
        None,
        "missing required field 'line1'",
        "$.selectionSet.quote.args.shipTo.forwardTo.line1",
        id="missing-field-in-nested-object",
    ),
    pytest.param(
        "{ recommendations(customerId: 5) { id } }",
        None,
        re.compile(r"expected .+ for type 'uuid', but found an integer"),
        "$.selectionSet.recommendations.args.customerId",
        id="postgres-scalar-checked",
    ),
]


@pytest.mark.parametrize(("query", "variables", "message", "path"), ARGUMENT_ERRORS)
def test_argument_errors_are_refused_before_any_call(
    executor: ReferenceExecutor,
    handler: Recorder,
    query: str,
    variables: dict[str, Any] | None,
    message: str | re.Pattern[str],
    path: str,
) -> None:
    reply = executor.execute(query, variables)
    assert reply.status == 200
    assert_refused(reply, message, path)
    assert reply.calls == () and handler.received == []


SENT_INPUT = [
    pytest.param(
        f'mutation {{ cancelOrder(orderId: "{ORDER_ID}", reason: TOO_SLOW) }}',
        None,
        {"orderId": ORDER_ID, "reason": "TOO_SLOW"},
        id="enum-by-name",
    ),
    pytest.param(
        'mutation ($r: CancelReason) { cancelOrder(orderId: "' + ORDER_ID + '", reason: $r) }',
        {"r": "OTHER"},
        {"orderId": ORDER_ID, "reason": "OTHER"},
        id="enum-from-variable",
    ),
    pytest.param(
        '{ quote(items: {sku: "pen", quantity: 2}) { total } }',
        None,
        {"items": [{"sku": "pen", "quantity": 2}]},
        id="one-object-literal-for-a-list",
    ),
    pytest.param(
        "query ($i: [OrderItemInput!]!) { quote(items: $i) { total } }",
        {"i": {"sku": "pen", "quantity": 2}},
        {"items": [{"sku": "pen", "quantity": 2}]},
        id="one-object-variable-for-a-list",
    ),
    pytest.param(
        f"{{ quote(items: [{ITEM}]) {{ total }} }}",
        None,
        {"items": [{"sku": "pen", "quantity": 2}]},
        id="omitted-nullable-argument-and-field-absent",
    ),
    pytest.param(
        '{ quote(items: [{sku: "pen", quantity: 2, giftWrap: null}], shipTo: null) { total } }',
        None,
        {"items": [{"sku": "pen", "quantity": 2, "giftWrap": None}], "shipTo": None},
        id="explicit-null-present",
    ),
    pytest.param(
        'query ($q: Int = 4) { quote(items: [{sku: "pen", quantity: $q}]) { total } }',
        None,
        {"items": [{"sku": "pen", "quantity": 4}]},
        id="variable-default-used",
    ),
    pytest.param(
        'query ($q: Int = 4) { quote(items: [{sku: "pen", quantity: $q}]) { total } }',
        {"q": 9},
        {"items": [{"sku": "pen", "quantity": 9}]},
        id="variable-value-beats-default",
    ),
    pytest.param(
        'query ($s: AddressInput) { quote(items: [{sku: "pen", quantity: 1}], shipTo: $s) { total } }',
        None,
        {"items": [{"sku": "pen", "quantity": 1}], "shipTo": None},
        id="unbound-nullable-variable-sent-as-null",
    ),
    pytest.param(
        'query ($q: Int!) { quote(items: [{sku: "pen", quantity: $q}]) { total } }',
        {"q": 2**31 - 1},
        {"items": [{"sku": "pen", "quantity": 2**31 - 1}]},
        id="largest-int",
    ),
]


@pytest.mark.parametrize(("query", "variables", "sent"), SENT_INPUT)
def test_arguments_reach_the_handler_as_hasura_sends_them(
    executor: ReferenceExecutor, handler: Recorder, query: str, variables: dict[str, Any] | None, sent: dict[str, Any]
) -> None:
    reply = executor.execute(query, variables)
    assert reply.errors == []
    assert [payload["input"] for payload in handler.payloads] == [sent]
    assert reply.calls[0].request.payload["input"] == sent


@pytest.mark.parametrize(
    ("query", "variables", "called"),
    [
        pytest.param(f"{{ quote(items: [{ITEM}]) @skip(if: true) {{ total }} }}", None, False, id="skip-true"),
        pytest.param(f"{{ quote(items: [{ITEM}]) @include(if: false) {{ total }} }}", None, False, id="include-false"),
        pytest.param(f"{{ quote(items: [{ITEM}]) @skip(if: false) {{ total }} }}", None, True, id="skip-false"),
        pytest.param(
            f"query ($s: Boolean!) {{ quote(items: [{ITEM}]) @skip(if: $s) {{ total }} }}",
            {"s": True},
            False,
            id="skip-variable",
        ),
        pytest.param(
            f"query ($s: Boolean = true) {{ quote(items: [{ITEM}]) @skip(if: $s) {{ total }} }}",
            None,
            False,
            id="skip-variable-default",
        ),
        pytest.param(
            f"query ($s: Boolean = true) {{ quote(items: [{ITEM}]) @include(if: $s) {{ total }} }}",
            None,
            True,
            id="include-variable-default",
        ),
    ],
)
def test_skip_and_include_decide_whether_the_handler_is_called(
    executor: ReferenceExecutor, handler: Recorder, query: str, variables: dict[str, Any] | None, called: bool
) -> None:
    reply = executor.execute(query, variables)
    assert reply.errors == []
    assert reply.data == ({"quote": {"total": 5.0}} if called else {})
    assert len(handler.received) == len(reply.calls) == int(called)


def test_aliases_and_fragments_shape_the_reply_in_selection_order(executor: ReferenceExecutor) -> None:
    query = f"""
    query {{
      kind: __typename
      q: quote(items: [{ITEM}]) {{ c: currency ...Money ... on Quote {{ __typename t: total }} }}
    }}
    fragment Money on Quote {{ breakdown }}
    """
    reply = executor.execute(query)
    assert reply.body == {
        "data": {
            "kind": "query_root",
            "q": {"c": "EUR", "breakdown": {"net": 4.2}, "__typename": "Quote", "t": 5.0},
        }
    }
    assert list(reply.data) == ["kind", "q"]
    assert list(reply.data["q"]) == ["c", "breakdown", "__typename", "t"]


def test_the_same_action_under_two_aliases_is_called_twice(executor: ReferenceExecutor, handler: Recorder) -> None:
    query = (
        '{ a: quote(items: {sku: "a", quantity: 1}) { total } b: quote(items: {sku: "b", quantity: 2}) { currency } }'
    )
    reply = executor.execute(query)
    assert reply.data == {"a": {"total": 5.0}, "b": {"currency": "EUR"}}
    assert [p["input"]["items"][0]["sku"] for p in handler.payloads] == ["a", "b"]


def test_introspection_and_an_action_in_one_query_keep_their_order(executor: ReferenceExecutor) -> None:
    reply = executor.execute(f'{{ t: __type(name: "Quote") {{ name }} quote(items: [{ITEM}]) {{ total }} }}')
    assert reply.body == {"data": {"t": {"name": "Quote"}, "quote": {"total": 5.0}}}
    assert list(reply.data) == ["t", "quote"]


# -- 4. session variables and the admin secret (§1.4) --------------------------------------------

SESSIONS = [
    pytest.param(None, None, {"x-hasura-role": "admin"}, id="no-secret-no-headers-is-admin"),
    pytest.param(
        None,
        {"X-Hasura-Role": "customer", "X-Hasura-User-Id": "7", "Authorization": "Bearer t"},
        {"x-hasura-role": "customer", "x-hasura-user-id": "7"},
        id="keys-lower-cased-only-x-hasura",
    ),
    pytest.param(
        None,
        {"x-hasura-admin-secret": "anything", "X-Hasura-Org": "Acme"},
        {"x-hasura-org": "Acme", "x-hasura-role": "admin"},
        id="unconfigured-secret-header-dropped",
    ),
    pytest.param("s3cret", {"x-hasura-admin-secret": "s3cret"}, {"x-hasura-role": "admin"}, id="right-secret"),
    pytest.param(
        "s3cret", {"X-Hasura-Access-Key": "s3cret"}, {"x-hasura-role": "admin"}, id="right-secret-as-access-key"
    ),
    pytest.param(
        "s3cret",
        {"X-Hasura-Admin-Secret": "s3cret", "X-Hasura-Role": "customer", "X-Hasura-User-Id": "7"},
        {"x-hasura-role": "customer", "x-hasura-user-id": "7"},
        id="right-secret-with-role",
    ),
]


@pytest.mark.parametrize(("secret", "headers", "session"), SESSIONS)
def test_session_variables_come_from_the_headers(
    make: Make, handler: Recorder, secret: str | None, headers: dict[str, str] | None, session: dict[str, str]
) -> None:
    reply = make(admin_secret=secret).execute(QUOTE, headers=headers)
    assert reply.status == 200 and reply.errors == []
    assert [payload["session_variables"] for payload in handler.payloads] == [session]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        pytest.param(None, "x-hasura-admin-secret/x-hasura-access-key required, but not found", id="no-secret"),
        pytest.param(
            {"X-Hasura-Role": "customer"},
            "x-hasura-admin-secret/x-hasura-access-key required, but not found",
            id="role-without-secret",
        ),
        pytest.param(
            {"x-hasura-admin-secret": "wrong"}, "invalid x-hasura-admin-secret/x-hasura-access-key", id="wrong-secret"
        ),
        pytest.param(
            {"x-hasura-access-key": "S3CRET"}, "invalid x-hasura-admin-secret/x-hasura-access-key", id="case-matters"
        ),
    ],
)
def test_a_missing_or_wrong_admin_secret_is_401(
    make: Make, handler: Recorder, headers: dict[str, str] | None, message: str
) -> None:
    reply = make(admin_secret="s3cret").execute(QUOTE, headers=headers)
    assert (reply.status, reply.body) == (401, refused(message, code="access-denied"))
    assert reply.calls == () and handler.received == []


# -- 5. headers the handler receives (§1.2, §1.3, §2.2) ----------------------------------------------

CLIENT_HEADERS = {
    "Authorization": "Bearer abc",
    "X-Request-Id": "r-1",
    "X-Hasura-Role": "customer",
    "X-Hasura-User-Id": "7",
    "x-hasura-admin-secret": "not-forwarded",
    "Accept": "application/json",
}


@pytest.mark.parametrize(
    ("query", "forwards"),
    [
        pytest.param(PLACE_ORDER, True, id="placeOrder-forwards"),
        pytest.param(f'{{ recommendations(customerId: "{ORDER_ID}") {{ id }} }}', True, id="recommendations-forwards"),
        pytest.param(QUOTE, False, id="quote-does-not-forward"),
    ],
)
def test_client_headers_are_forwarded_as_hasura_does(
    executor: ReferenceExecutor, handler: Recorder, query: str, forwards: bool
) -> None:
    reply = executor.execute(query, headers=CLIENT_HEADERS)
    assert reply.errors == []
    (payload, received) = handler.received[0]
    assert payload["request_query"] == query
    assert not [name for name in received if name.startswith("x-hasura-")]
    assert "accept" not in received  # on Hasura's ignore list
    assert received["content-type"] == "application/json"
    assert received["user-agent"].startswith("hasura-graphql-engine/")
    if forwards:
        assert (received["authorization"], received["x-request-id"]) == ("Bearer abc", "r-1")
    else:
        assert "authorization" not in received and "x-request-id" not in received


def test_the_configured_secret_header_is_sent(executor: ReferenceExecutor, handler: Recorder) -> None:
    executor.execute(PLACE_ORDER, headers=CUSTOMER)
    executor.execute(f'mutation {{ cancelOrder(orderId: "{ORDER_ID}") }}', headers=CUSTOMER)
    assert [headers.get("x-shop-secret") for _, headers in handler.received] == ["s", "s"]
    assert all(payload["request_query"] is not None for payload in handler.payloads)


def test_the_handlers_set_cookie_reaches_the_client(executor: ReferenceExecutor, handler: Recorder) -> None:
    handler.replies["quote"] = (200, REPLIES["quote"][1], [("Set-Cookie", "cart=1"), ("X-Other", "no")])
    reply = executor.execute(QUOTE)
    assert reply.errors == []
    assert [(name.lower(), value) for name, value in reply.headers] == [("set-cookie", "cart=1")]


# -- 6. asynchronous actions (§2.3) ----------------------------------------------------------------


def test_an_async_mutation_returns_an_id_and_the_result_is_shaped(
    executor: ReferenceExecutor, handler: Recorder
) -> None:
    reply = executor.execute(IMPORT, headers={"Authorization": "Bearer abc"})
    assert reply.errors == [] and list(reply.data) == ["importCatalog"]
    action_id = reply.data["importCatalog"]
    assert isinstance(action_id, str) and UUID.match(action_id)
    assert [call.action for call in reply.calls] == ["importCatalog"]  # immediate mode: the call is this reply's
    # async_interval=None: the handler ran before execute returned, with `request_query: null`.
    assert handler.payloads == [
        {
            "action": {"name": "importCatalog"},
            "input": {"url": "https://files.test/catalog.csv", "options": {"dryRun": True}},
            "session_variables": {"x-hasura-role": "admin"},
            "request_query": None,
        }
    ]
    assert "authorization" not in handler.received[0][1]  # importCatalog does not forward client headers
    result = executor.execute(RESULT, {"id": action_id})
    entry = result.data["importCatalog"]
    assert list(entry) == ["id", "created_at", "errors", "output", "__typename"]
    assert entry["id"] == action_id and entry["errors"] is None
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$", entry["created_at"])
    assert entry["output"] == {"imported": 3, "failed": ["row 7"]}
    assert entry["__typename"] == "importCatalog"
    assert result.calls == ()


def test_the_result_follows_aliases_and_a_partial_selection(executor: ReferenceExecutor) -> None:
    action_id = executor.execute(IMPORT).data["importCatalog"]
    query = "query ($id: uuid!) { r: importCatalog(id: $id) { out: output { n: imported __typename } key: id } }"
    assert executor.execute(query, {"id": action_id}).data == {
        "r": {"out": {"n": 3, "__typename": "ImportReport"}, "key": action_id}
    }


@pytest.mark.parametrize(
    ("variables", "query", "message"),
    [
        pytest.param(
            {"id": "not-a-uuid"},
            RESULT,
            re.compile(r"expected .+ for type 'uuid', but found a string"),
            id="variable",
        ),
        pytest.param(
            None,
            '{ importCatalog(id: "42") { id } }',
            re.compile(r"expected .+ for type 'uuid', but found a string"),
            id="literal",
        ),
        pytest.param(
            None,
            "{ importCatalog(id: 42) { id } }",
            re.compile(r"expected .+ for type 'uuid', but found an integer"),
            id="integer",
        ),
    ],
)
def test_a_bad_action_id_is_a_validation_error(
    executor: ReferenceExecutor,
    handler: Recorder,
    variables: dict[str, Any] | None,
    query: str,
    message: re.Pattern[str],
) -> None:
    reply = executor.execute(query, variables)
    assert reply.status == 200
    assert_refused(reply, message, "$.selectionSet.importCatalog.args.id")
    assert reply.calls == () and handler.received == []


def test_an_unknown_action_id_gives_null(executor: ReferenceExecutor) -> None:
    assert executor.execute(RESULT, {"id": ORDER_ID}).body == {"data": {"importCatalog": None}}


def test_the_worker_fills_the_result_later(make: Make, handler: Recorder) -> None:
    gate = threading.Event()

    def slow(payload: dict[str, Any]) -> Reply:
        gate.wait(2)
        return REPLIES["importCatalog"]

    handler.replies["importCatalog"] = slow
    executor = make(async_interval=0.05).start()
    try:
        action_id = executor.execute(IMPORT).data["importCatalog"]
        pending = executor.execute(RESULT, {"id": action_id}).data["importCatalog"]
        assert pending["id"] == action_id and (pending["output"], pending["errors"]) == (None, None)
        assert wait_for(lambda: handler.received), "the worker never called the handler"
        # The handler is running (the row is `processing`): still no output.
        assert executor.execute(RESULT, {"id": action_id}).data["importCatalog"]["output"] is None
    finally:
        gate.set()
    done = wait_for(lambda: executor.execute(RESULT, {"id": action_id}).data["importCatalog"]["output"])
    assert done == {"imported": 3, "failed": ["row 7"]}
    assert len(handler.received) == 1 and handler.payloads[0]["request_query"] is None


def test_nothing_is_lost_over_a_restart(make: Make, handler: Recorder, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    first = make(state=state, async_interval=3600)  # never started: the worker never runs
    action_id = first.execute(IMPORT, headers=CUSTOMER | {"X-Hasura-Role": "admin"}).data["importCatalog"]
    assert first.execute(RESULT, {"id": action_id}).data["importCatalog"]["output"] is None
    first.close()
    assert handler.received == []

    second = make(state=state, async_interval=0.05).start()
    done = wait_for(lambda: second.execute(RESULT, {"id": action_id}).data["importCatalog"]["output"])
    assert done == {"imported": 3, "failed": ["row 7"]}
    assert handler.payloads == [
        {
            "action": {"name": "importCatalog"},
            "input": {"url": "https://files.test/catalog.csv", "options": {"dryRun": True}},
            "session_variables": {"x-hasura-role": "admin", "x-hasura-user-id": "7"},
            "request_query": None,
        }
    ]


def _customer_may_import() -> Any:
    action = dataclasses.replace(SHOP.actions["importCatalog"], permissions=(Permission(role="customer"),))
    return dataclasses.replace(SHOP, actions={**SHOP.actions, "importCatalog": action})


@pytest.mark.parametrize(
    ("headers", "visible"),
    [
        pytest.param({"x-hasura-role": "customer", "x-hasura-user-id": "7"}, True, id="same-session"),
        pytest.param({"X-Hasura-Role": "customer", "X-Hasura-User-Id": "7"}, True, id="same-session-other-case"),
        pytest.param({"x-hasura-role": "customer", "x-hasura-user-id": "8"}, False, id="other-user"),
        pytest.param({"x-hasura-role": "customer"}, False, id="fewer-session-variables"),
        pytest.param(
            {"x-hasura-role": "customer", "x-hasura-user-id": "7", "x-hasura-org": "1"}, False, id="more-variables"
        ),
        pytest.param(None, True, id="admin-sees-every-row"),
    ],
)
def test_a_role_sees_only_results_of_its_own_session(make: Make, headers: dict[str, str] | None, visible: bool) -> None:
    executor = make(_customer_may_import())
    action_id = executor.execute(IMPORT, headers={"x-hasura-role": "customer", "x-hasura-user-id": "7"}).data[
        "importCatalog"
    ]
    reply = executor.execute(RESULT, {"id": action_id}, headers=headers)
    assert reply.errors == []
    found = reply.data["importCatalog"]
    assert (found is not None) is visible
    if visible:
        assert found["output"] == {"imported": 3, "failed": ["row 7"]}


def test_a_failed_async_call_stores_the_error(executor: ReferenceExecutor, handler: Recorder) -> None:
    handler.replies["importCatalog"] = (500, {"boom": True})
    action_id = executor.execute(IMPORT).data["importCatalog"]
    entry = executor.execute(RESULT, {"id": action_id}).data["importCatalog"]
    assert entry["output"] is None
    assert entry["errors"] == {"code": "unexpected", "path": "$", "error": "internal error"}


# -- 7. execute_http ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        pytest.param(b"{not json", "invalid-json", None, id="invalid-json"),
        pytest.param(b'{"variables": {}}', "parse-failed", 'Error in $: key "query" not found', id="no-query"),
        pytest.param(b'{"query": 5}', "parse-failed", None, id="query-not-a-string"),
        pytest.param(b"[1, 2", "invalid-json", None, id="truncated-batch"),
    ],
)
def test_execute_http_refuses_bodies_it_cannot_read(
    executor: ReferenceExecutor, handler: Recorder, body: bytes, code: str, message: str | None
) -> None:
    reply = executor.execute_http(body)
    assert reply.status == 400
    error = only_error(reply)
    assert error["extensions"] == {"path": "$", "code": code}
    if message is not None:
        assert error["message"] == message
    assert reply.calls == () and handler.received == []


def test_execute_http_answers_one_request(executor: ReferenceExecutor) -> None:
    body = json.dumps({"query": "query ($q: Int!) { quote(items: {sku: \"a\", quantity: $q}) { total } }",
                       "variables": {"q": 3}, "operationName": None}).encode()  # fmt: skip
    reply = executor.execute_http(body, headers={"X-Hasura-Role": "anonymous"})
    assert (reply.status, reply.body) == (200, {"data": {"quote": {"total": 5.0}}})
    assert reply.calls[0].request.payload["session_variables"] == {"x-hasura-role": "anonymous"}
    assert json.loads(reply.encoded()) == reply.body


def test_a_batch_gets_a_list_of_replies(executor: ReferenceExecutor, handler: Recorder) -> None:
    batch = [{"query": QUOTE}, {"query": "query Q { __typename } query R { x: __typename }", "operationName": "R"}]
    reply = executor.execute_http(json.dumps(batch).encode())
    assert reply.status == 200
    assert reply.body == [{"data": {"quote": {"total": 5.0}}}, {"data": {"x": "query_root"}}]
    assert len(reply.calls) == len(handler.received) == 1


def test_one_failing_request_of_a_batch_leaves_the_others(executor: ReferenceExecutor) -> None:
    reply = executor.execute_http(json.dumps([{"query": "{ x }"}, {"query": QUOTE}]).encode())
    assert reply.status == 200
    assert reply.body == [
        refused("field 'x' not found in type: 'query_root'", "$.selectionSet.x"),
        {"data": {"quote": {"total": 5.0}}},
    ]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(json.dumps([{"query": QUOTE}, {"query": QUOTE}]).encode(), id="batch"),
        pytest.param(b"{not json", id="unreadable-body"),
    ],
)
def test_without_the_admin_secret_the_http_request_is_one_401(make: Make, handler: Recorder, body: bytes) -> None:
    # Hasura resolves the user once per HTTP request, before an unreadable body is refused (mkSpockAction).
    reply = make(admin_secret="s3cret").execute_http(body)
    assert reply.status == 401 and handler.received == []
    assert reply.body == refused(
        "x-hasura-admin-secret/x-hasura-access-key required, but not found", code="access-denied"
    )


def test_a_batch_with_an_unreadable_request_is_refused_whole(executor: ReferenceExecutor, handler: Recorder) -> None:
    reply = executor.execute_http(json.dumps([{"query": QUOTE}, {"variables": {}}]).encode())
    assert reply.status == 400
    assert only_error(reply)["extensions"]["code"] == "parse-failed"
    assert handler.received == []


# -- 8. failing handlers reach the client as the judge says (§4.2, §4.3) -----------------------------------


@pytest.mark.parametrize(
    ("profile", "headers", "internal"),
    [
        pytest.param(None, None, True, id="admin-sees-internal"),
        pytest.param(None, CUSTOMER, False, id="customer-does-not"),
        pytest.param(HasuraProfile.for_version(None, dev_mode=True), CUSTOMER, True, id="dev-mode-customer-does"),
        pytest.param(
            HasuraProfile.for_version(None, admin_internal_errors=False), None, False, id="admin-internal-errors-off"
        ),
    ],
)
def test_a_500_is_an_internal_error_with_internal_by_role(
    make: Make,
    handler: Recorder,
    profile: HasuraProfile | None,
    headers: dict[str, str] | None,
    internal: bool,
) -> None:
    handler.replies["placeOrder"] = (500, {"oops": 1})
    reply = make(profile=profile).execute(PLACE_ORDER, headers=headers)
    assert reply.status == 200
    error = only_error(reply)
    assert error["message"] == "internal error"
    assert (error["extensions"]["path"], error["extensions"]["code"]) == ("$", "unexpected")
    assert ("internal" in error["extensions"]) is internal
    if internal:
        assert error["extensions"]["internal"]["error"] == "expecting 2xx or 4xx status code, but found 500"
        assert error["extensions"]["internal"]["response"]["status"] == 500
    assert [error] == [dict(reply.calls[0].verdict.error or {})]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            (400, {"message": "out of stock", "code": "stock"}),
            {"message": "out of stock", "extensions": {"path": "$", "code": "stock"}},
            id="4xx-with-code",
        ),
        pytest.param(
            (422, {"message": "no", "extensions": {"reason": "r"}}),
            {"message": "no", "extensions": {"reason": "r"}},
            id="4xx-extensions-verbatim",
        ),
    ],
)
def test_a_handler_error_reaches_the_client_verbatim(
    executor: ReferenceExecutor, handler: Recorder, reply: Reply, expected: dict[str, Any]
) -> None:
    handler.replies["placeOrder"] = reply
    answered = executor.execute(PLACE_ORDER, headers=CUSTOMER)
    assert answered.body == {"errors": [expected]}
    assert dict(answered.calls[0].verdict.error or {}) == expected


def test_a_reply_the_judge_refuses_is_an_error_too(executor: ReferenceExecutor, handler: Recorder) -> None:
    handler.replies["quote"] = (200, {"currency": "EUR"})  # `total: Float!` missing
    reply = executor.execute(QUOTE)
    error = only_error(reply)
    assert error["message"] == 'field "total" expected in webhook response, but not found'
    assert (error["extensions"]["code"], error["extensions"]["internal"]["error"]) == (
        "unexpected",
        "unexpected response",
    )
    verdict = reply.calls[0].verdict
    assert not verdict.accepted and error == dict(verdict.error or {})


def test_one_failing_field_fails_the_whole_operation(executor: ReferenceExecutor, handler: Recorder) -> None:
    def by_sku(payload: dict[str, Any]) -> Reply:
        if payload["input"]["items"][0]["sku"] == "bad":
            return 400, {"message": "unknown sku"}
        return REPLIES["quote"]

    handler.replies["quote"] = by_sku
    query = """{
      ok: quote(items: {sku: "pen", quantity: 1}) { total }
      bad: quote(items: {sku: "bad", quantity: 1}) { total }
    }"""
    reply = executor.execute(query)
    assert reply.status == 200
    assert reply.body == refused("unknown sku", code="unexpected")
    assert "data" not in reply.body and reply.data is None
