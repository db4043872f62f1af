"""The fixtures that replay Hasura's own action tests (contract §8): the two CLI projects load cleanly, and
the re-created test webhook (fixtures/handlers/hasura_webhook.py) answers as Hasura's tests-py handler does.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator

import httpx
import pytest
from conftest import FIXTURES
from servers import serving

from action_contract import load_catalog

# Fixture handlers are imported with their folder on sys.path, as the runner loads them.
sys.path.insert(0, str(FIXTURES / "handlers"))
hasura_webhook = importlib.import_module("hasura_webhook")

ENV = {"ACTION_WEBHOOK_HANDLER": "http://127.0.0.1:1"}

SYNC_OUTPUTS = {
    "create_user": "UserId",
    "create_users": "[UserId]",
    "mirror": "OutObject",
    "mirror_headers": "OutHeaders",
    "get_user_by_email": "UserId!",
    "get_user_by_email_nested": "NestedOutObject!",
    "get_users_by_email": "[UserId]!",
    "intentional_error": "[UserId]!",
    "null_response": "NullableResp",
    "omitted_response_field": "Address",
    "scalar_response": "String!",
    "pgscalar_response": "json!",
    "custom_scalar_response": "myCustomScalar!",
    "scalar_array_response": "[String]!",
    "custom_scalar_array_response": "[myCustomScalar!]!",
    "custom_scalar_nested_array_response": "[[myCustomScalar!]]!",
    "recursive_output": "Recursive",
    "result_list": "ResultIdList",
    "typed_nested_null": "TypedNestedNull!",
    "typed_nested_null_wrong_field": "TypedNestedNull!",
}
SYNC_QUERIES = {
    "mirror_headers",
    "get_user_by_email",
    "get_user_by_email_nested",
    "get_users_by_email",
    "intentional_error",
    "recursive_output",
    "result_list",
    "typed_nested_null",
    "typed_nested_null_wrong_field",
}
ASYNC_OUTPUTS = {
    "create_user": "UserId",
    "create_user_nested": "UserIdNested",
    "test_async_action_error_response": "UserId",
    "create_user_timeout": "UserId",
}

# -- the projects --------------------------------------------------------------------------------------------


def test_sync_project_loads_with_the_actions_of_schema_setup() -> None:
    catalog = load_catalog(FIXTURES / "projects" / "hasura_sync", env=ENV)
    assert catalog.warnings == ()
    assert {a.name: str(a.output_type) for a in catalog} == SYNC_OUTPUTS
    assert {a.name for a in catalog if a.type == "query"} == SYNC_QUERIES
    assert not any(a.is_async for a in catalog)
    assert all([p.role for p in a.permissions] == ["user"] for a in catalog)
    assert all(a.handler.startswith("{{ACTION_WEBHOOK_HANDLER}}/") for a in catalog)
    assert catalog.action("mirror").handler == "{{ACTION_WEBHOOK_HANDLER}}/mirror-action"
    assert catalog.action("mirror_headers").forward_client_headers
    assert [(a.name, str(a.type)) for a in catalog.action("create_users").arguments] == [("users", "[UserInput!]!")]
    assert catalog.variables == ENV


def test_async_project_loads_with_the_async_actions() -> None:
    catalog = load_catalog(FIXTURES / "projects" / "hasura_async", env=ENV)
    assert catalog.warnings == ()
    assert {a.name: str(a.output_type) for a in catalog} == ASYNC_OUTPUTS
    assert all(a.is_async and a.type == "mutation" for a in catalog)
    assert all([p.role for p in a.permissions] == ["user"] for a in catalog)
    assert catalog.action("test_async_action_error_response").arguments == ()
    timeout = catalog.action("create_user_timeout")
    assert (timeout.timeout, timeout.handler) == (2, "{{ACTION_WEBHOOK_HANDLER}}/create-user-timeout")


# -- the webhook ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(hasura_webhook.app) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    hasura_webhook.reset()
    with httpx.Client(base_url=base_url, timeout=5) as http:
        yield http


def _call(client: httpx.Client, path: str, arguments: object = None, **headers: str) -> httpx.Response:
    payload = {
        "action": {"name": "test"},
        "input": arguments if arguments is not None else {},
        "session_variables": {"x-hasura-role": "admin"},
        "request_query": "",
    }
    return client.post(path, json=payload, headers=headers)


def _assert_hasura_headers(response: httpx.Response) -> None:
    assert response.headers["content-type"] == "application/json"
    assert response.headers["set-cookie"] == "abcd"


def test_create_user_numbers_users_from_one(client: httpx.Client) -> None:
    first = _call(client, "/create-user", {"email": "clarke@gmail.com", "name": "Clarke"})
    second = _call(client, "/create-user", {"email": "blake@gmail.com", "name": "Blake"})
    assert (first.status_code, first.json()) == (200, {"id": 1})
    assert (second.status_code, second.json()) == (200, {"id": 2})
    _assert_hasura_headers(first)
    found = _call(client, "/get-users-by-email", {"email": "blake@gmail.com"})
    assert (found.status_code, found.json()) == (200, [{"id": 2}])
    assert _call(client, "/get-user-by-email", {"email": "nobody@gmail.com"}).json() is None


def test_create_user_refuses_an_invalid_email(client: httpx.Client) -> None:
    response = _call(client, "/create-user", {"email": "random-email", "name": "Clarke"})
    assert response.status_code == 400
    assert response.json() == {"message": "Given email address is not valid", "code": "invalid-email"}
    _assert_hasura_headers(response)
    assert hasura_webhook.users() == []


def test_create_users_names_the_invalid_email(client: httpx.Client) -> None:
    users = [{"email": "clarke@gmail.com", "name": "Clarke"}, {"email": "random-email", "name": "Blake"}]
    response = _call(client, "/create-users", {"users": users})
    assert response.status_code == 400
    assert response.json() == {"message": "Email address is not valid: random-email", "code": "invalid-email"}


def test_unknown_path_is_204_with_an_empty_body(client: httpx.Client) -> None:
    response = _call(client, "/test-action-user-role-async")
    assert (response.status_code, response.content) == (204, b"")
    assert response.headers["set-cookie"] == "abcd"
    assert client.get("/anything").status_code == 200


def test_scalar_array_response(client: httpx.Client) -> None:
    response = _call(client, "/scalar-array-response")
    assert (response.status_code, response.json()) == (200, ["foo", "bar", None])
    _assert_hasura_headers(response)


def test_intentional_error_echoes_the_blob(client: httpx.Client) -> None:
    blob = {"message": "intentionally generated error", "code": "toplevel", "extensions": {"foo": ["bar", 1]}}
    response = _call(client, "/intentional-error", {"blob": blob})
    assert (response.status_code, response.json()) == (400, blob)
    _assert_hasura_headers(response)


def test_mirror_headers_lists_the_request_headers(client: httpx.Client) -> None:
    response = _call(client, "/mirror-headers", **{"X-Custom-Header": "from-the-client"})
    assert response.status_code == 200
    headers = response.json()["headers"]
    assert {"name": "x-custom-header", "value": "from-the-client"} in headers
    assert all(set(h) == {"name", "value"} for h in headers)
