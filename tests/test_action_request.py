"""Hasura's HTTP call: URL resolution, header rules by version, and the body as sent."""

from __future__ import annotations

import json

import pytest

from action_contract import Action, Catalog, HasuraProfile, Header, InvalidArgument, TypeRef
from action_contract._generate._action_request import handler_url, prepare_call

CLIENT = {
    "Host": "hasura.example.com",
    "User-Agent": "Apollo/3.11",
    "Origin": "http://localhost:3000",
    "Content-Type": "application/json",
    "Accept": "*/*",
    "Authorization": "Bearer abc",
    "Cookie": "session=1",
    "X-Hasura-Role": "user",
    "x-hasura-admin-secret": "s3cret",
    "X-Request-Id": "42",
}


def _action(**overrides) -> Action:
    fields = {
        "name": "placeOrder",
        "type": "mutation",
        "kind": "synchronous",
        "arguments": (),
        "output_type": TypeRef.named("Boolean", non_null=True),
        "handler": "{{BASE}}/orders/place?tenant=a",
    }
    fields.update(overrides)
    return Action(**fields)


def _call(action: Action | None = None, version: str | None = None, *, base_url=None, env=None, **profile):
    action = action or _action()
    catalog = Catalog(actions={action.name: action}, types={}, variables={"BASE": "https://api.example.com/v1"})
    return prepare_call(
        catalog,
        action,
        profile=HasuraProfile.for_version(version, **profile),
        base_url=base_url,
        env=env,
    )


@pytest.mark.parametrize(
    ("handler", "variables", "base_url", "expected"),
    [
        ("{{BASE}}/orders/place?tenant=a", {"BASE": "https://api.example.com/v1"}, None,
         "https://api.example.com/v1/orders/place?tenant=a"),
        ("{{BASE}}/orders/place?tenant=a", {"BASE": "https://api.example.com/v1"}, "http://127.0.0.1:8000",
         "http://127.0.0.1:8000/v1/orders/place?tenant=a"),
        ("{{BASE}}/orders/place", {}, "http://127.0.0.1:8000", "http://127.0.0.1:8000/orders/place"),
        ("http://{{HOST}}:{{PORT}}/hook", {}, "http://localhost:3000/", "http://localhost:3000/hook"),
        ("https://prod.example.com/hook?x=1", {}, "http://localhost:3000/prefix", "http://localhost:3000/prefix/hook?x=1"),
        ("", {}, "http://localhost:3000", "http://localhost:3000/placeOrder"),
    ],
    ids=["template", "base-url-keeps-path-and-query", "unset-variable-with-base-url", "host-and-port-templates",
         "base-url-path-prefix", "empty-handler-with-base-url"],
)  # fmt: skip
def test_handler_url(handler, variables, base_url, expected):
    action = _action(handler=handler)
    catalog = Catalog(actions={action.name: action}, types={})
    assert handler_url(catalog, action, variables, base_url) == expected


def test_relative_handler_uses_the_projects_base_url():
    action = _action(handler="/place")
    catalog = Catalog(actions={action.name: action}, types={}, handler_base_url="http://localhost:3000/")
    assert handler_url(catalog, action, {}, None) == "http://localhost:3000/place"


@pytest.mark.parametrize(
    ("handler", "base_url", "message"),
    [
        ("{{BASE}}/place", None, "Value for environment variables not found: BASE. Pass --base-url URL"),
        ("", None, "has no handler URL in the metadata"),
        ("/place", None, "is not an absolute URL"),
        ("{{BASE}}/place", "localhost:3000", "expected an absolute base URL such as http://localhost:3000"),
    ],
)
def test_handler_url_errors_say_what_to_do(handler, base_url, message):
    action = _action(handler=handler)
    catalog = Catalog(actions={action.name: action}, types={})
    with pytest.raises(InvalidArgument, match=message.replace(".", r"\.")):
        handler_url(catalog, action, {}, base_url)


def test_default_and_configured_headers():
    action = _action(
        headers=(Header(name="X-Secret", value_from_env="SECRET"), Header(name="X-Tenant", value="t-{{TENANT}}"))
    )
    call = _call(action, env={"SECRET": "s", "TENANT": "7"})
    assert call.headers(None) == (
        ("Content-Type", "application/json"),
        ("User-Agent", "hasura-graphql-engine/v2.45.0"),
        ("X-Secret", "s"),
        ("X-Tenant", "t-7"),
    )
    assert call.secret_headers == ("X-Secret",)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (Header(name="X-Secret", value_from_env="SECRET"), "environment variable 'SECRET' not set"),
        (Header(name="X-Tenant", value="{{TENANT}}"), "template cannot be resolved: TENANT"),
    ],
)
def test_unresolvable_header_values_are_reported_with_hasuras_words(header, message):
    with pytest.raises(InvalidArgument, match=message):
        _call(_action(headers=(header,)))


def test_forwarded_client_headers_follow_hasuras_rules():
    call = _call(_action(forward_client_headers=True))
    headers = dict(call.headers(CLIENT))
    # Ignore list and x-hasura-* dropped; Authorization, Cookie and custom headers forwarded.
    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": "hasura-graphql-engine/v2.45.0",
        "Authorization": "Bearer abc",
        "Cookie": "session=1",
        "X-Request-Id": "42",
        "X-Forwarded-Host": "hasura.example.com",
        "X-Forwarded-User-Agent": "Apollo/3.11",
        "X-Forwarded-Origin": "http://localhost:3000",
    }


def test_client_headers_are_not_forwarded_without_the_flag():
    assert dict(_call().headers(CLIENT)) == {
        "Content-Type": "application/json",
        "User-Agent": "hasura-graphql-engine/v2.45.0",
    }


def test_forwarded_origin_only_since_2_13():
    call = _call(_action(forward_client_headers=True), "2.12")
    assert "X-Forwarded-Origin" not in dict(call.headers(CLIENT))


@pytest.mark.parametrize(("version", "forwarded"), [("2.41", False), ("2.42", True)])
def test_ignored_client_headers_replace_the_default_list_since_2_42(version, forwarded):
    action = _action(forward_client_headers=True, ignored_client_headers=("Cookie",))
    headers = dict(_call(action, version).headers(CLIENT))
    assert ("Cookie" in headers) is not forwarded
    assert ("Accept" in headers) is forwarded


@pytest.mark.parametrize(
    ("version", "flag", "winner"),
    [
        ("1.3.3", False, "client"),
        ("2.0.0", False, "client"),
        ("2.36", False, "client"),
        ("2.37", True, "configured"),
        ("2.45", False, "client"),
    ],
)
def test_header_precedence_between_configured_and_client(version, flag, winner):
    action = _action(forward_client_headers=True, headers=(Header(name="Authorization", value="configured"),))
    call = _call(action, version, configured_header_precedence=flag)
    merged = {name.lower(): value for name, value in call.headers({"authorization": "client"})}
    assert merged["authorization"] == winner


def test_old_versions_force_the_default_headers_over_client_ones():
    action = _action(forward_client_headers=True, ignored_client_headers=())
    client = {"User-Agent": "browser", "Content-Type": "text/plain"}
    assert dict(_call(action, "2.0").headers(client))["User-Agent"] == "hasura-graphql-engine/v2.0.0"
    # v2.2+ builds conf <> defaults <> client: a forwarded client header wins (contract §1.2, item 4).
    merged = {k.lower(): v for k, v in _call(action, "2.45").headers(client)}
    assert merged["user-agent"] == "browser"


def test_request_body_is_compact_sorted_json():
    call = _call()
    request = call.request({"b": 1, "a": "é"}, {"x-hasura-role": "admin"}, "mutation { placeOrder }")
    assert (
        request.body
        == json.dumps(
            {
                "action": {"name": "placeOrder"},
                "input": {"a": "é", "b": 1},
                "request_query": "mutation { placeOrder }",
                "session_variables": {"x-hasura-role": "admin"},
            },
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
    )
    assert request.header("content-type") == "application/json"
    assert request.timeout == 30.0
    assert request.to_json() == {
        "url": "https://api.example.com/v1/orders/place?tenant=a",
        "headers": dict(request.headers),
        "payload": request.payload,
    }


@pytest.mark.parametrize(("version", "has_key"), [("2.0", False), ("2.1", True)])
def test_request_query_key_by_version(version, has_key):
    request = _call(None, version).request({}, {"x-hasura-role": "admin"}, "mutation { placeOrder }")
    assert ("request_query" in request.payload) is has_key


def test_async_actions_send_a_null_request_query():
    request = _call(_action(kind="asynchronous")).request({}, {"x-hasura-role": "admin"}, "mutation { placeOrder }")
    assert request.payload["request_query"] is None
