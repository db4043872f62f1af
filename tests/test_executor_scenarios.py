"""Hasura's own action tests replayed through `ReferenceExecutor`: every client reply must be Hasura's, exactly.

The scenarios are the numbered list of contract §8 (Hasura's `server/tests-py/test_actions.py` and the
YAML files of `queries/actions/{sync,async}`), run against the re-created test webhook
(fixtures/handlers/hasura_webhook.py) with the metadata of fixtures/projects/hasura_sync and hasura_async.
Where Hasura's tests `update_action` an action to another handler or output type, the catalog is
redefined the same way (the whole definition replaced, arguments included).

What is proved, for the default (newest) profile:

* a rejected 2xx reply (§3.2) reaches a `user` caller as `{"message", "extensions": {"path", "code"}}`
  and nothing else; an admin caller gets the same plus `extensions.internal` with `"error":
  "unexpected response"` (§4.3, `admin_internal_errors` default true, v2.42+ `internal.request` keys);
* a well-formed 4xx error object reaches every role as §4.2 says, never with `internal`;
* accepted replies are shaped to the selection set (§3.3), `Set-Cookie` of a 2xx reply is copied to the
  client (§2.2), `User-Agent` is `hasura-graphql-engine/<version>` (§1.2);
* the payload the handler gets is §1.3-§1.5 (`request_query` the document, session variables, `input`);
* asynchronous actions (§2.3) store errors in QErr form, hide rows from other sessions, and call the
  handler with the mutation's session and `request_query: null`.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import pytest
from conftest import FIXTURES
from servers import serving

from action_contract import (
    ActionRequest,
    Catalog,
    GraphQLReply,
    HttpTarget,
    ReferenceExecutor,
    Target,
    TypeRef,
    app_target,
    load_catalog,
)

# Fixture handlers are imported with their folder on sys.path, as the runner loads them.
sys.path.insert(0, str(FIXTURES / "handlers"))
hasura_webhook = importlib.import_module("hasura_webhook")

WEBHOOK = "{{ACTION_WEBHOOK_HANDLER}}"
ENV = {"ACTION_WEBHOOK_HANDLER": "http://webhook.test"}  # app_target answers whatever host the URL names
USER = {"x-hasura-role": "user"}
USER_1 = {"X-Hasura-Role": "user", "X-Hasura-User-Id": "1"}
USER_2 = {"X-Hasura-Role": "user", "X-Hasura-User-Id": "2"}
#: `internal.request` keys since ≈v2.42 (contract §4.3).
INTERNAL_REQUEST_KEYS = {"url", "action", "input", "request_query", "transformed_request"}


# -- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_users() -> None:
    """Every scenario starts with an empty user table, so the first user created gets id 1."""
    hasura_webhook.reset()


@pytest.fixture(scope="module")
def webhook() -> Iterator[Target]:
    """The test webhook in-process: every executor of the module sends to it."""
    with app_target(hasura_webhook.app) as target:
        yield target


@pytest.fixture(scope="module")
def sync_catalog() -> Catalog:
    return load_catalog(FIXTURES / "projects" / "hasura_sync", env=ENV)


@pytest.fixture(scope="module")
def make_executor(webhook: Target) -> Iterator[Callable[..., ReferenceExecutor]]:
    """`make_executor(catalog, **options)`: an executor on the in-process webhook, closed at the end."""
    made: list[ReferenceExecutor] = []

    def make(catalog: Catalog, **options: Any) -> ReferenceExecutor:
        executor = ReferenceExecutor(catalog, webhook, **options)
        made.append(executor)
        return executor

    yield make
    for executor in made:
        executor.close()


@pytest.fixture(scope="module")
def sync_executor(sync_catalog: Catalog, make_executor: Callable[..., ReferenceExecutor]) -> ReferenceExecutor:
    return make_executor(sync_catalog)


@pytest.fixture(scope="module")
def async_executor(make_executor: Callable[..., ReferenceExecutor]) -> ReferenceExecutor:
    # timeout=0.5 makes /create-user-timeout (a 3 s sleep) time out quickly, as `timeout: 2` does in Hasura.
    catalog = load_catalog(FIXTURES / "projects" / "hasura_async", env=ENV)
    return make_executor(catalog, timeout=0.5)


# -- helpers -------------------------------------------------------------------------------------------------


class Redefinition(NamedTuple):
    """Hasura's `update_action` in a test: the action gets this handler path, output type and arguments."""

    action: str
    path: str
    output: str
    arguments_of: str | None = None  # take the arguments of this action; None: no arguments


def redefine(catalog: Catalog, change: Redefinition) -> Catalog:
    action = catalog.actions[change.action]
    arguments = catalog.actions[change.arguments_of].arguments if change.arguments_of else ()
    updated = dataclasses.replace(
        action, handler=WEBHOOK + change.path, output_type=TypeRef.parse(change.output), arguments=arguments
    )
    return dataclasses.replace(catalog, actions={**catalog.actions, change.action: updated})


def unexpected(message: str) -> dict[str, Any]:
    """Hasura's client error for a rejected reply, without `internal` (contract §3.2, §4.3)."""
    return {"message": message, "extensions": {"path": "$", "code": "unexpected"}}


def lowered(headers: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(name.lower(), value) for name, value in headers]


def only_call(reply: GraphQLReply) -> ActionRequest:
    """The request of the one handler call `reply` made."""
    assert len(reply.calls) == 1, reply.calls
    return reply.calls[0].request


def sent(reply: GraphQLReply) -> Mapping[str, Any]:
    """The JSON payload of the one handler call `reply` made."""
    payload = only_call(reply).payload
    assert payload is not None
    return payload


# -- scenarios 3-9, 11, 13, 14: replies Hasura rejects ---------------------------------------------------------


class Rejected(NamedTuple):
    change: Redefinition | None
    query: str
    variables: dict[str, Any] | None
    message: str
    #: The handler's reply body, as `internal.response.body` shows it to admin.
    body: Any


REJECTED = [
    pytest.param(
        Rejected(
            Redefinition("create_users", "/create-user", "[UserId]", arguments_of="create_user"),
            'mutation { create_users(email: "clarke@gmail.com", name: "Clarke") { id } }',
            None,
            "expecting array for the action webhook response",
            {"id": 1},
        ),
        id="3-object-for-list-output",
    ),
    pytest.param(
        Rejected(
            Redefinition("create_user", "/create-users", "UserId", arguments_of="create_users"),
            'mutation { create_user(users: [{email: "blake@hasura.io", name: "Blake"}, '
            '{email: "elsa@hasura.io", name: "Elsa"}]) { id } }',
            None,
            "got array for the action webhook response, expecting UserId",
            [{"id": 1}, {"id": 2}],
        ),
        id="4-array-for-object-output",
    ),
    pytest.param(
        Rejected(
            Redefinition("create_user", "/null-response", "UserId!"),
            "mutation { create_user { id } }",
            None,
            "got null for the action webhook response",
            None,
        ),
        id="5-null-for-non-null-object",
    ),
    pytest.param(
        Rejected(
            Redefinition("create_users", "/null-response", "[UserId]!"),
            "mutation { create_users { id } }",
            None,
            "got null for the action webhook response",
            None,
        ),
        id="5-null-for-non-null-list",
    ),
    pytest.param(
        Rejected(
            Redefinition("create_user", "/scalar-response", "UserId"),
            "mutation { create_user { id } }",
            None,
            "got scalar String for the action webhook response, expecting UserId",
            "some-string",
        ),
        id="6-string-for-object-output",
    ),
    pytest.param(
        Rejected(
            Redefinition("scalar_response", "/create-user", "String!", arguments_of="create_user"),
            'mutation { scalar_response(email: "clarke@gmail.com", name: "Clarke") }',
            None,
            "got object for the action webhook response, expecting String",
            {"id": 1},
        ),
        id="7-object-for-string-output",
    ),
    pytest.param(
        Rejected(
            Redefinition("scalar_array_response", "/scalar-array-response", "[String!]!"),
            "mutation { scalar_array_response }",
            None,
            "got null for the action webhook response",
            ["foo", "bar", None],
        ),
        id="8-null-element-for-non-null-strings",
    ),
    pytest.param(
        Rejected(
            Redefinition("scalar_array_response", "/scalar-array-response", "[Int]!"),
            "mutation { scalar_array_response }",
            None,
            "got scalar String for the action webhook response, expecting Int",
            ["foo", "bar", None],
        ),
        id="9-strings-for-int-list",
    ),
    pytest.param(
        Rejected(
            None,
            "mutation { custom_scalar_nested_array_response }",
            None,
            "expecting array for the action webhook response",
            [{"foo": "bar"}],
        ),
        id="11-custom-scalars-for-nested-list",
    ),
    pytest.param(
        Rejected(
            None,
            "mutation ($id: ID, $name: String) { mirror(arg: {id: $id, name: $name}) { id name } }",
            {"id": None, "name": "Alice"},
            'expecting not null value for field "id"',
            {"id": None, "name": "Alice"},
        ),
        id="13-mirror-null-id",
    ),
    pytest.param(
        Rejected(
            None,
            "mutation ($name: String) { mirror(arg: {name: $name}) { id name } }",
            {"name": "Alice"},
            'field "id" expected in webhook response, but not found',
            {"name": "Alice"},
        ),
        id="13-mirror-missing-id",
    ),
    pytest.param(
        Rejected(
            None,
            "query { typed_nested_null_wrong_field { id child { id } } }",
            None,
            'expecting not null value for field "id"',
            {"id": None, "child": None},
        ),
        id="14-typed-nested-null-wrong-field",
    ),
]


def _executor_for(case: Rejected, catalog: Catalog, make: Callable[..., ReferenceExecutor]) -> ReferenceExecutor:
    return make(catalog if case.change is None else redefine(catalog, case.change))


@pytest.mark.parametrize("case", REJECTED)
def test_rejected_reply_reaches_a_user_as_exactly_hasuras_error(
    case: Rejected, sync_catalog: Catalog, make_executor: Callable[..., ReferenceExecutor]
) -> None:
    reply = _executor_for(case, sync_catalog, make_executor).execute(case.query, case.variables, headers=USER)
    assert reply.status == 200
    assert reply.body == {"errors": [unexpected(case.message)]}  # no `data`, no `internal` for role user
    assert reply.headers == ()  # Set-Cookie is copied on success only


@pytest.mark.parametrize("case", REJECTED)
def test_rejected_reply_shows_admin_the_internal_block(
    case: Rejected, sync_catalog: Catalog, make_executor: Callable[..., ReferenceExecutor]
) -> None:
    executor = _executor_for(case, sync_catalog, make_executor)
    reply = executor.execute(case.query, case.variables)
    assert reply.status == 200
    assert list(reply.body) == ["errors"]
    [error] = reply.errors
    extensions = dict(error["extensions"])
    internal = extensions.pop("internal")
    assert {**error, "extensions": extensions} == unexpected(case.message)
    action = executor.catalog.actions[only_call(reply).action]
    assert internal["error"] == "unexpected response"
    assert set(internal["request"]) == INTERNAL_REQUEST_KEYS
    assert internal["request"]["url"] == action.handler  # the template text since v2.8
    assert internal["request"]["action"] == {"name": action.name}
    assert internal["request"]["input"] == sent(reply)["input"]
    assert internal["request"]["request_query"] == case.query
    assert internal["request"]["transformed_request"] is None
    assert (internal["response"]["status"], internal["response"]["body"]) == (200, case.body)


# -- scenarios 1, 2, 16: error objects from the handler ----------------------------------------------------


HANDLER_ERRORS = [
    pytest.param(
        'mutation { create_user(email: "random-email", name: "Clarke") { id } }',
        {"message": "Given email address is not valid", "extensions": {"path": "$", "code": "invalid-email"}},
        id="1-create_user-invalid-email",
    ),
    pytest.param(
        'query { get_user_by_email(email: "random-email") { id } }',
        {"message": "Given email address is not valid", "extensions": {"path": "$", "code": "invalid-email"}},
        id="1-get_user_by_email-invalid-email",
    ),
    pytest.param(
        'mutation { create_users(users: [{email: "blake@hasura.io", name: "Blake"}, '
        '{email: "random-email", name: "Elsa"}]) { id __typename } }',
        {"message": "Email address is not valid: random-email", "extensions": {"path": "$", "code": "invalid-email"}},
        id="2-create_users-one-invalid-email",
    ),
    pytest.param(
        'query { intentional_error(blob: {message: "intentionally generated error", code: "toplevel-error", '
        'extensions: {foo: "bar", code: "action-error"}}) { id } }',
        {"message": "intentionally generated error", "extensions": {"foo": "bar", "code": "action-error"}},
        id="16-both-codes",
    ),
    pytest.param(
        'query { intentional_error(blob: {message: "intentionally generated error", code: "toplevel-error", '
        'extensions: {foo: "bar"}}) { id } }',
        {"message": "intentionally generated error", "extensions": {"foo": "bar"}},
        id="16-toplevel-code-extensions-without-code",
    ),
    pytest.param(
        'query { intentional_error(blob: {message: "intentionally generated error", code: "toplevel-error"}) { id } }',
        {"message": "intentionally generated error", "extensions": {"path": "$", "code": "toplevel-error"}},
        id="16-toplevel-code-no-extensions",
    ),
    pytest.param(
        'query { intentional_error(blob: {message: "intentionally generated error"}) { id } }',
        {"message": "intentionally generated error", "extensions": {"path": "$", "code": "unexpected"}},
        id="16-message-only",
    ),
    pytest.param(
        'query { intentional_error(blob: {message: "intentionally generated error", '
        'extensions: {foo: "bar", code: "action-error"}}) { id } }',
        {"message": "intentionally generated error", "extensions": {"foo": "bar", "code": "action-error"}},
        id="16-only-extensions-code",
    ),
    pytest.param(
        'query { intentional_error(blob: {message: "intentionally generated error", extensions: {foo: "bar"}}) '
        "{ id } }",
        {"message": "intentionally generated error", "extensions": {"foo": "bar"}},
        id="16-only-extensions-without-code",
    ),
]


@pytest.mark.parametrize("headers", [pytest.param(USER, id="user"), pytest.param(None, id="admin")])
@pytest.mark.parametrize(("query", "expected"), HANDLER_ERRORS)
def test_handler_error_object_reaches_every_role_without_internal(
    sync_executor: ReferenceExecutor, query: str, expected: dict[str, Any], headers: dict[str, str] | None
) -> None:
    reply = sync_executor.execute(query, headers=headers)
    assert reply.status == 200
    assert reply.body == {"errors": [expected]}
    assert reply.headers == ()  # a 4xx reply's Set-Cookie is not copied (§2.2)
    assert hasura_webhook.users() == []


# -- scenarios 10, 12-15: replies Hasura accepts --------------------------------------------------------------


ACCEPTED = [
    pytest.param(
        "mutation { scalar_array_response }",
        None,
        {"scalar_array_response": ["foo", "bar", None]},
        id="10-nullable-string-list",
    ),
    pytest.param(
        "mutation { custom_scalar_response }",
        None,
        {"custom_scalar_response": {"foo": "bar"}},
        id="12-custom-scalar",
    ),
    pytest.param("mutation { pgscalar_response }", None, {"pgscalar_response": {"foo": "bar"}}, id="12-json"),
    pytest.param(
        "mutation { custom_scalar_array_response }",
        None,
        {"custom_scalar_array_response": [{"foo": "bar"}]},
        id="12-custom-scalar-list",
    ),
    pytest.param(
        "mutation ($id: ID, $name: String, $age: Int) { mirror(arg: {id: $id, name: $name, age: $age}) { id name } }",
        {"id": "some-id", "name": "Alice", "age": 25},
        {"mirror": {"id": "some-id", "name": "Alice"}},
        id="13-mirror-extra-field-ignored",
    ),
    pytest.param(
        'mutation { mirror(arg: {id: 5, name: "Alice", age: 25}) { id name } }',
        None,
        {"mirror": {"id": "5", "name": "Alice"}},
        id="13-mirror-id-literal-sent-as-string",
    ),
    pytest.param(
        "mutation ($id: ID) { mirror(arg: {id: $id, age: 25}) { id name } }",
        {"id": 5},
        {"mirror": {"id": "5", "name": None}},
        id="13-mirror-id-variable-sent-as-string",
    ),
    pytest.param(
        "query { typed_nested_null { id child { id } } }",
        None,
        {"typed_nested_null": {"id": 1, "child": None}},
        id="14-typed-nested-null",
    ),
    pytest.param("mutation { null_response { id } }", None, {"null_response": None}, id="15-null-for-nullable"),
    pytest.param(
        "mutation { omitted_response_field { city country } }",
        None,
        {"omitted_response_field": {"city": None, "country": "India"}},
        id="15-omitted-field-is-null",
    ),
    pytest.param(
        "query { recursive_output { direct { id this { id this { id } } } list { id these { id these { id } } } "
        "mutual { id that { id other { id that { id } } } } } }",
        None,
        {
            "recursive_output": {
                "direct": {"id": 1, "this": {"id": 2, "this": {"id": 3}}},
                "list": {"id": 1, "these": [{"id": 2, "these": [{"id": 3}]}, {"id": 4}]},
                "mutual": {"id": 1, "that": {"id": 2, "other": {"id": 3, "that": {"id": 4}}}},
            }
        },
        id="recursive-output",
    ),
]


@pytest.mark.parametrize(("query", "variables", "data"), ACCEPTED)
def test_accepted_reply_is_shaped_exactly(
    sync_executor: ReferenceExecutor, query: str, variables: dict[str, Any] | None, data: dict[str, Any]
) -> None:
    reply = sync_executor.execute(query, variables, headers=USER)
    assert (reply.status, reply.body) == (200, {"data": data})


def test_17_aliases_on_scalar_fields_inside_nested_objects(sync_executor: ReferenceExecutor) -> None:
    created = sync_executor.execute('mutation { create_user(email: "clarke@gmail.com", name: "Clarke") { id } }')
    assert created.body == {"data": {"create_user": {"id": 1}}}
    query = """
      query ($email: String!) {
        get_user_by_email_nested(email: $email) {
          id
          address { my_city: city my_country: country }
          addresses { city }
          user_id { user_id: id }
        }
      }
    """
    reply = sync_executor.execute(query, {"email": "clarke@gmail.com"}, headers=USER)
    assert reply.body == {
        "data": {
            "get_user_by_email_nested": {
                "id": 1,
                "address": {"my_city": "New York", "my_country": "USA"},
                "addresses": [{"city": "Bangalore"}, {"city": "Melbourne"}],
                "user_id": {"user_id": 1},
            }
        }
    }


# -- scenarios 18, 19: headers both ways ----------------------------------------------------------------------


def test_18_mirror_headers_shows_hasuras_user_agent(sync_executor: ReferenceExecutor) -> None:
    reply = sync_executor.execute("query { mirror_headers { headers { name value } } }")
    headers = reply.data["mirror_headers"]["headers"]
    agents = [h["value"] for h in headers if h["name"].lower() == "user-agent"]
    assert len(agents) == 1
    assert agents[0].startswith("hasura-graphql-engine/")


CREATE_CLARKE = 'mutation { create_user(email: "clarke@gmail.com", name: "Clarke") { id } }'


def test_19_set_cookie_of_a_successful_call_reaches_the_client(sync_executor: ReferenceExecutor) -> None:
    reply = sync_executor.execute(CREATE_CLARKE)
    assert (reply.status, reply.body) == (200, {"data": {"create_user": {"id": 1}}})
    assert lowered(reply.headers) == [("set-cookie", "abcd")]


def test_19_set_cookie_over_real_http() -> None:
    with serving(hasura_webhook.app) as url:
        catalog = load_catalog(FIXTURES / "projects" / "hasura_sync", env={"ACTION_WEBHOOK_HANDLER": url})
        with HttpTarget() as target:
            executor = ReferenceExecutor(catalog, target)
            try:
                reply = executor.execute(CREATE_CLARKE)
            finally:
                executor.close()
    assert only_call(reply).url == url + "/create-user"
    assert (reply.status, reply.body) == (200, {"data": {"create_user": {"id": 1}}})
    assert lowered(reply.headers) == [("set-cookie", "abcd")]


# -- the payload the handler gets (§1.3-§1.5) ---------------------------------------------------------------


def test_sync_payload_carries_the_document_text_as_request_query(sync_executor: ReferenceExecutor) -> None:
    query = '\nmutation  CreateClarke {\n  create_user(email: "clarke@gmail.com", name: "Clarke") {\n    id\n  }\n}\n'
    reply = sync_executor.execute(query)
    assert sent(reply) == {
        "action": {"name": "create_user"},
        "input": {"email": "clarke@gmail.com", "name": "Clarke"},
        "session_variables": {"x-hasura-role": "admin"},
        "request_query": query,
    }


@pytest.mark.parametrize(
    ("headers", "session"),
    [
        pytest.param(None, {"x-hasura-role": "admin"}, id="no-headers-is-admin"),
        pytest.param(
            {"x-hasura-role": "user", "X-Hasura-User-Id": "7"},
            {"x-hasura-role": "user", "x-hasura-user-id": "7"},
            id="user-7-lower-cased",
        ),
    ],
)
def test_sync_payload_session_variables(
    sync_executor: ReferenceExecutor, headers: dict[str, str] | None, session: dict[str, str]
) -> None:
    reply = sync_executor.execute(CREATE_CLARKE, headers=headers)
    assert reply.data == {"create_user": {"id": 1}}
    assert sent(reply)["session_variables"] == session


@pytest.mark.parametrize(
    ("query", "variables", "arg"),
    [
        pytest.param(
            'mutation { mirror(arg: {name: "Alice"}) { name } }', None, {"name": "Alice"}, id="omitted-field-absent"
        ),
        pytest.param(
            'mutation { mirror(arg: {id: null, name: "Alice"}) { name } }',
            None,
            {"id": None, "name": "Alice"},
            id="explicit-null-present",
        ),
        pytest.param("mutation { mirror(arg: {id: 5}) { id } }", None, {"id": "5"}, id="id-literal-5-as-string"),
        pytest.param(
            "mutation ($id: ID, $name: String) { mirror(arg: {id: $id, name: $name}) { name } }",
            {"name": "Alice"},
            {"id": None, "name": "Alice"},
            id="unbound-variable-is-null",
        ),
    ],
)
def test_sync_payload_input_encoding(
    sync_executor: ReferenceExecutor, query: str, variables: dict[str, Any] | None, arg: dict[str, Any]
) -> None:
    reply = sync_executor.execute(query, variables)
    payload = sent(reply)
    assert payload["input"] == {"arg": arg}
    assert list(payload["input"]["arg"]) == list(arg)  # absent keys stay absent


# -- scenario 20: asynchronous actions ---------------------------------------------------------------------


RESULT = "query ($id: uuid!) { %s(id: $id) { __typename id errors output { __typename %s } } }"


def _mutate(executor: ReferenceExecutor, mutation: str, headers: dict[str, str] | None = None) -> str:
    """Run an asynchronous mutation; its reply is the action id, a UUID (§2.3)."""
    action_id: str = next(iter(_mutation_reply(executor, mutation, headers).data.values()))
    return action_id


def _mutation_reply(executor: ReferenceExecutor, mutation: str, headers: dict[str, str] | None) -> GraphQLReply:
    reply = executor.execute(mutation, headers=headers)
    assert (reply.status, list(reply.body)) == (200, ["data"]), reply.body
    [action_id] = reply.data.values()
    assert str(uuid.UUID(action_id)) == action_id
    assert reply.headers == ()  # no handler reply is known yet when Hasura answers the mutation
    return reply


def _result(
    executor: ReferenceExecutor, action: str, action_id: str, headers: dict[str, str] | None = None, output: str = "id"
) -> Any:
    reply = executor.execute(RESULT % (action, output), {"id": action_id}, headers=headers)
    assert reply.status == 200 and list(reply.body) == ["data"], reply.body
    return reply.data[action]


def test_20_async_invalid_email_is_stored_as_a_qerr(async_executor: ReferenceExecutor) -> None:
    action_id = _mutate(async_executor, 'mutation { create_user(email: "random-email", name: "Clarke") }')
    assert _result(async_executor, "create_user", action_id) == {
        "__typename": "create_user",
        "id": action_id,
        "errors": {"code": "invalid-email", "path": "$", "error": "Given email address is not valid"},
        "output": None,
    }


@pytest.mark.parametrize("headers", [pytest.param(USER, id="user"), pytest.param(None, id="admin")])
def test_20_async_non_json_reply_is_stored_without_internal(
    async_executor: ReferenceExecutor, headers: dict[str, str] | None
) -> None:
    # The handler path is not served (204, empty body). ≈v2.45 never stores `internal`, for any role (§2.3).
    action_id = _mutate(async_executor, "mutation { test_async_action_error_response }", headers)
    result = _result(async_executor, "test_async_action_error_response", action_id, headers)
    assert result["errors"] == {"code": "unexpected", "path": "$", "error": "not a valid json response from webhook"}
    assert result["output"] is None


def test_20_async_success_has_output_and_typenames(async_executor: ReferenceExecutor) -> None:
    action_id = _mutate(async_executor, 'mutation { create_user(email: "clarke@hasura.io", name: "Clarke") }')
    assert _result(async_executor, "create_user", action_id) == {
        "__typename": "create_user",
        "id": action_id,
        "errors": None,
        "output": {"__typename": "UserId", "id": 1},
    }


def test_20_async_nested_output(async_executor: ReferenceExecutor) -> None:
    action_id = _mutate(async_executor, 'mutation { create_user_nested(email: "clarke@hasura.io", name: "Clarke") }')
    result = _result(async_executor, "create_user_nested", action_id, output="userObj { __typename id }")
    assert result == {
        "__typename": "create_user_nested",
        "id": action_id,
        "errors": None,
        "output": {"__typename": "UserIdNested", "userObj": {"__typename": "UserIdObj", "id": 1}},
    }


def test_20_async_result_is_hidden_from_another_session(async_executor: ReferenceExecutor) -> None:
    mutation = 'mutation { create_user(email: "blake@hasura.io", name: "Blake") }'
    reply = _mutation_reply(async_executor, mutation, USER_1)
    action_id = reply.data["create_user"]
    assert _result(async_executor, "create_user", action_id, USER_2) is None
    shown = {"__typename": "create_user", "id": action_id, "errors": None, "output": {"__typename": "UserId", "id": 1}}
    assert _result(async_executor, "create_user", action_id, USER_1) == shown
    assert _result(async_executor, "create_user", action_id) == shown  # admin sees every row
    # The worker (run before `execute` returned) called the handler with the mutation's session and
    # `request_query: null` (§1.3, §2.3).
    call = only_call(reply)
    assert call.action == "create_user"
    assert call.payload == {
        "action": {"name": "create_user"},
        "input": {"email": "blake@hasura.io", "name": "Blake"},
        "session_variables": {"x-hasura-role": "user", "x-hasura-user-id": "1"},
        "request_query": None,
    }


def test_20_async_handler_past_the_timeout_is_an_http_exception(async_executor: ReferenceExecutor) -> None:
    action_id = _mutate(async_executor, 'mutation { create_user_timeout(email: "clarke@hasura.io", name: "Clarke") }')
    result = _result(async_executor, "create_user_timeout", action_id)
    assert result["errors"] == {"code": "unexpected", "path": "$", "error": "http exception when calling webhook"}
    assert result["output"] is None
