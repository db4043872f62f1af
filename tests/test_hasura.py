"""The judge: Hasura's exact verdict on a reply, message by message and release by release (contract §3-§5, §8)."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from action_contract import Catalog, HasuraProfile, InvalidArgument, load_catalog
from action_contract._generate._action_request import prepare_call
from action_contract._hasura._judge import Verdict, decode_reply, judge
from action_contract._send._response import ActionResponse, TransportFailure

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# The actions and types of Hasura's own tests (`server/tests-py/queries/actions/sync/schema_setup.yaml`,
# contract §8), plus a few scalar outputs for the §3.2 table.
HASURA_TESTS_SDL = """
type Mutation { create_user(email: String!, name: String!): UserId }
type Mutation { create_users(users: [UserInput!]!): [UserId] }
type Mutation { mirror(arg: InObject!): OutObject }
type Query { get_user_by_email(email: String!): UserId! }
type Query { get_users_by_email(email: String!): [UserId]! }
type Query { intentional_error(blob: IntentionalErrorInput!): [UserId]! }
type Mutation { null_response: NullableResp }
type Mutation { omitted_response_field: Address }
type Mutation { scalar_response: String! }
type Mutation { pgscalar_response: json! }
type Mutation { custom_scalar_response: myCustomScalar! }
type Mutation { scalar_array_response: [String]! }
type Mutation { non_null_scalar_array_response: [String!]! }
type Mutation { int_array_response: [Int]! }
type Mutation { custom_scalar_array_response: [myCustomScalar!]! }
type Mutation { custom_scalar_nested_array_response: [[myCustomScalar!]]! }
type Query { get_user_by_email_nested(email: String!): NestedOutObject! }
type Query { typed_nested_null: TypedNestedNull! }
type Query { typed_nested_null_wrong_field: TypedNestedNull! }
type Query { recursive_output: Recursive }
type Query { int_response: Int! }
type Query { float_response: Float }
type Query { boolean_response: Boolean! }
type Query { id_response: ID! }
type Query { uuid_response: uuid }
input UserInput { name: String!, email: String!, parent: UserInput }
input InObject { id: ID, name: String, age: Int }
input IntentionalErrorInput { message: String!, code: String, extensions: json }
scalar myCustomScalar
type UserId { id: Int! }
type UserId2 { id: Int! }
type OutObject { id: ID!, name: String }
type NullableResp { id: Int! }
type Address { city: String, country: String }
type NestedOutObject { id: Int!, user_id: UserId2, address: Address, addresses: [Address] }
type TypedNestedNull { id: ID!, child: TypedNestedNull }
type Recursive { direct: Direct, list: ListR }
type Direct { id: Int!, this: Direct }
type ListR { id: Int!, these: [ListR] }
"""


def load_sdl(text: str) -> Catalog:
    """A catalog from SDL text (written to a temporary actions.graphql)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "actions.graphql"
        path.write_text(text)
        return load_catalog(path)


HASURA = load_sdl(HASURA_TESTS_SDL)
SHOP = load_catalog(FIXTURES / "projects" / "shop")
NEWEST = "2.45"


def reply(body: Any, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> ActionResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return ActionResponse(status=status, headers=headers, body=raw)


def verdict(
    action: str,
    body: Any,
    *,
    status: int = 200,
    version: str | None = NEWEST,
    catalog: Catalog = HASURA,
    **flags: Any,
) -> Verdict:
    profile = HasuraProfile.for_version(version, **flags)
    return judge(catalog.action(action), reply(body, status), profile, catalog=catalog)


def client_error(v: Verdict) -> dict[str, Any]:
    """The error without `internal`, as a non-admin client sees it."""
    assert v.error is not None
    error = json.loads(json.dumps(v.error))
    if isinstance(error["extensions"], dict):
        error["extensions"].pop("internal", None)
    return error  # type: ignore[no-any-return]


def unexpected(message: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"path": "$", "code": "unexpected"}}


# -- profile rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "rules", "number", "extensions", "aeson", "null_missing", "nested_nulls", "http"),
    [
        ("1.3", "objects", "Number", False, 1, True, False, "show"),
        ("2.0", "objects", "Number", False, 1, False, False, "short"),
        ("2.2", "nullable", "Number", True, 1, False, False, "short"),
        ("2.5", "scalars", "Number", True, 1, False, False, "short"),
        ("2.8", "recursive", "Number", True, 1, False, True, "short"),
        ("2.15", "recursive", "String", True, 2, False, True, "short"),
        ("2.45", "recursive", "String", True, 2, True, True, "detailed"),
    ],
)
def test_reply_rules_by_version(version, rules, number, extensions, aeson, null_missing, nested_nulls, http):
    profile = HasuraProfile.for_version(version)
    assert profile.reply_rules == rules
    assert profile.number_mismatch_kind == number
    assert profile.honours_error_extensions is extensions
    assert profile.rejects_extra_response_fields is (rules == "objects")
    assert profile.aeson_major == aeson
    assert profile.null_for_missing_fields is null_missing
    assert profile.keeps_nested_nulls is nested_nulls
    assert profile.http_exception_style == http


@pytest.mark.parametrize(
    ("dev_mode", "admin_internal_errors", "role", "shown"),
    [
        (False, True, None, True),
        (False, True, "admin", True),
        (False, True, "user", False),
        (True, True, "user", True),
        (True, False, "user", True),
        (False, False, "admin", False),
    ],
    ids=["no-role-is-admin", "admin", "user", "dev-mode-user", "dev-mode-no-admin-flag", "admin-flag-off"],
)
def test_who_sees_internal(dev_mode, admin_internal_errors, role, shown):
    profile = HasuraProfile.for_version("2.15", dev_mode=dev_mode, admin_internal_errors=admin_internal_errors)
    assert profile.shows_internal(role) is shown


# -- §3.2: the success-path table (HEAD) ----------------------------------------------------------

TABLE = [
    ("null-nullable-object", "null_response", None, None),
    ("null-nullable-list", "create_users", None, None),
    ("null-non-null-object", "get_user_by_email", None, "got null for the action webhook response"),
    ("null-non-null-list", "get_users_by_email", None, "got null for the action webhook response"),
    ("int-for-Int", "int_response", 7, None),
    ("fraction-for-Int", "int_response", 1.5, None),
    ("huge-for-Int", "int_response", 2**40, None),
    ("int-for-Float", "float_response", 3, None),
    ("number-for-String", "scalar_response", 5, "got scalar String for the action webhook response, expecting String"),
    ("number-for-object", "create_user", 5, "got scalar String for the action webhook response, expecting UserId"),
    ("bool-for-Boolean", "boolean_response", True, None),
    ("bool-for-Int", "int_response", False, "got scalar Boolean for the action webhook response, expecting Int"),
    ("string-for-String", "scalar_response", "x", None),
    ("string-for-ID", "id_response", "x", None),
    ("number-for-ID", "id_response", 5, "got scalar String for the action webhook response, expecting ID"),
    ("string-for-Int", "int_response", "5", "got scalar String for the action webhook response, expecting Int"),
    (
        "string-for-Boolean",
        "boolean_response",
        "true",
        "got scalar String for the action webhook response, expecting Boolean",
    ),
    ("array-for-named", "create_user", [{"id": 1}], "got array for the action webhook response, expecting UserId"),
    ("array-for-scalar", "int_response", [1], "got array for the action webhook response, expecting Int"),
    ("array-elements", "scalar_array_response", ["a", None], None),
    ("array-null-element", "non_null_scalar_array_response", ["a", None], "got null for the action webhook response"),
    (
        "object-for-builtin",
        "scalar_response",
        {"id": 1},
        "got object for the action webhook response, expecting String",
    ),
    ("object-for-ID", "id_response", {}, "got object for the action webhook response, expecting ID"),
    ("object-for-object", "create_user", {"id": 1}, None),
    ("object-for-list", "create_users", {"id": 1}, "expecting array for the action webhook response"),
    ("scalar-for-list", "scalar_array_response", "a", "expecting array for the action webhook response"),
    ("missing-field", "create_user", {}, 'field "id" expected in webhook response, but not found'),
    ("null-field", "create_user", {"id": None}, 'expecting not null value for field "id"'),
    ("field-not-type-checked", "create_user", {"id": "abc"}, None),
    ("extra-keys-ignored", "create_user", {"id": 1, "extra": True}, None),
    ("nested-not-validated", "get_user_by_email_nested", {"id": 1, "user_id": {"id": None}}, None),
    ("list-element-fields", "create_users", [{"id": 1}, {}], 'field "id" expected in webhook response, but not found'),
]


@pytest.mark.parametrize(("action", "body", "message"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_success_table(action, body, message):
    v = verdict(action, body)
    if message is None:
        assert v.accepted and v.reason == "ok" and v.error is None
    else:
        assert not v.accepted
        assert client_error(v) == unexpected(message)


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("custom_scalar_response", None),
        ("custom_scalar_response", [1, "two"]),
        ("pgscalar_response", 5),
        ("pgscalar_response", None),
        ("uuid_response", {"not": "a uuid"}),
        ("custom_scalar_array_response", [None, {"a": 1}]),
    ],
    ids=[
        "null-for-custom-bang",
        "array-for-custom",
        "number-for-json",
        "null-for-json-bang",
        "object-for-uuid",
        "elements",
    ],
)
def test_custom_scalars_skip_validation(action, body):
    v = verdict(action, body)
    assert v.accepted and v.data == body


def test_number_message_said_number_before_2_10():
    message = "got scalar Number for the action webhook response, expecting String"
    assert client_error(verdict("scalar_response", 5, version="2.8")) == unexpected(message)
    assert client_error(verdict("scalar_response", 5, version="2.10")) == unexpected(
        message.replace("Number", "String")
    )


def test_paths_point_into_the_body():
    assert verdict("create_users", [{"id": 1}, {"id": None}]).path == "$[1].id"
    assert verdict("non_null_scalar_array_response", ["a", "b", None]).path == "$[2]"
    assert verdict("mirror", {"name": "x"}).path == "$.id"
    v = verdict("create_users", [{"id": 1}, {"id": None}])
    assert v.reason == "null_field" and v.error is not None and v.error["extensions"]["path"] == "$"


@pytest.mark.parametrize(
    ("body", "reason"),
    [(None, "null_body"), ("x", "shape"), ({}, "missing_field"), ({"id": None}, "null_field")],
)
def test_reasons(body, reason):
    assert verdict("get_user_by_email", body).reason == reason


# -- §8: Hasura's own test scenarios --------------------------------------------------------------

INDIA = {"country": "India"}
SCENARIOS = [
    ("3-object-for-list", "create_users", {"id": 1}, "expecting array for the action webhook response"),
    (
        "4-array-for-object",
        "create_user",
        [{"id": 1}, {"id": 2}],
        "got array for the action webhook response, expecting UserId",
    ),
    ("5-null-for-UserId!", "get_user_by_email", None, "got null for the action webhook response"),
    ("5-null-for-[UserId]!", "get_users_by_email", None, "got null for the action webhook response"),
    (
        "6-scalar-for-object",
        "create_user",
        "some-string",
        "got scalar String for the action webhook response, expecting UserId",
    ),
    (
        "7-object-for-String!",
        "scalar_response",
        {"id": 1},
        "got object for the action webhook response, expecting String",
    ),
    (
        "8-null-in-[String!]!",
        "non_null_scalar_array_response",
        ["foo", "bar", None],
        "got null for the action webhook response",
    ),
    (
        "9-strings-for-[Int]!",
        "int_array_response",
        ["foo", "bar", None],
        "got scalar String for the action webhook response, expecting Int",
    ),
    (
        "11-nested-custom-array",
        "custom_scalar_nested_array_response",
        [{"foo": "bar"}],
        "expecting array for the action webhook response",
    ),
    ("13-null-id", "mirror", {"id": None, "name": "x"}, 'expecting not null value for field "id"'),
    ("13-missing-id", "mirror", {"name": "x"}, 'field "id" expected in webhook response, but not found'),
    (
        "14-wrong-field",
        "typed_nested_null_wrong_field",
        {"id": None, "child": None},
        'expecting not null value for field "id"',
    ),
]


@pytest.mark.parametrize(("action", "body", "message"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_hasura_scenarios_rejected(action, body, message):
    assert client_error(verdict(action, body)) == unexpected(message)


ACCEPTED = [
    ("10-[String]!", "scalar_array_response", ["foo", "bar", None], ["foo", "bar", None]),
    ("12-custom-scalar", "custom_scalar_response", {"foo": "bar"}, {"foo": "bar"}),
    ("12-json", "pgscalar_response", {"foo": "bar"}, {"foo": "bar"}),
    ("12-custom-array", "custom_scalar_array_response", [{"foo": "bar"}], [{"foo": "bar"}]),
    ("13-extra-age", "mirror", {"id": "1", "name": "x", "age": 3}, {"id": "1", "name": "x"}),
    ("14-typed-nested-null", "typed_nested_null", {"id": 1, "child": None}, {"id": 1, "child": None}),
    ("15-null-response", "null_response", None, None),
    ("15-omitted-field", "omitted_response_field", INDIA, {"city": None, "country": "India"}),
]


@pytest.mark.parametrize(("action", "body", "data"), [s[1:] for s in ACCEPTED], ids=[s[0] for s in ACCEPTED])
def test_hasura_scenarios_accepted(action, body, data):
    v = verdict(action, body)
    assert v.accepted and v.data == data and v.errors == []


def test_recursive_output_is_shaped_all_the_way_down():
    body = {
        "direct": {"id": 1, "this": {"id": 2, "this": {"id": 3}}},
        "list": {"id": 1, "these": [{"id": 2, "these": [{"id": 3}]}, {"id": 4}]},
    }
    data = verdict("recursive_output", body).data
    assert data["direct"] == {"id": 1, "this": {"id": 2, "this": {"id": 3}}}
    assert data["list"]["these"][1] == {"id": 4}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"message": "m", "code": "toplevel-error", "extensions": {"foo": "bar", "code": "action-error"}},
            {"message": "m", "extensions": {"foo": "bar", "code": "action-error"}},
        ),
        (
            {"message": "m", "code": "toplevel-error", "extensions": {"foo": "bar"}},
            {"message": "m", "extensions": {"foo": "bar"}},
        ),
        (
            {"message": "m", "code": "toplevel-error"},
            {"message": "m", "extensions": {"path": "$", "code": "toplevel-error"}},
        ),
        ({"message": "m"}, {"message": "m", "extensions": {"path": "$", "code": "unexpected"}}),
        ({"message": "m", "extensions": None}, {"message": "m", "extensions": {"path": "$", "code": "unexpected"}}),
        ({"message": "m", "extensions": "text"}, {"message": "m", "extensions": "text"}),
        (
            {"message": "m", "code": None, "more": 1},
            {"message": "m", "extensions": {"path": "$", "code": "unexpected"}},
        ),
        ({"message": "m", "code": ""}, {"message": "m", "extensions": {"path": "$", "code": ""}}),
    ],
    ids=[
        "16-extensions-with-code",
        "16-extensions-without-code",
        "16-code-only",
        "16-message-only",
        "null-extensions",
        "string-extensions",
        "null-code-extra-keys",
        "empty-code",
    ],
)
def test_error_objects(body, error):
    v = verdict("intentional_error", body, status=400)
    assert not v.accepted and v.reason == "handler_error"
    assert v.error == error  # no `internal` on a well-formed error object, even for admin


def test_hasura_scenario_1_business_error():
    body = {"message": "Given email address is not valid", "code": "invalid-email"}
    v = verdict("create_user", body, status=400)
    assert v.error == {
        "message": "Given email address is not valid",
        "extensions": {"path": "$", "code": "invalid-email"},
    }


@pytest.mark.parametrize("version", ["1.3", "2.0"])
def test_extensions_ignored_before_2_1(version):
    body = {"message": "m", "code": "toplevel-error", "extensions": {"foo": "bar"}}
    v = verdict("intentional_error", body, status=400, version=version)
    assert v.error == {"message": "m", "extensions": {"path": "$", "code": "toplevel-error"}}


AESON2 = "parsing Hasura.GraphQL.Execute.Action.Types.ActionWebhookErrorResponse(ActionWebhookErrorResponse) failed"
INVALID_ERRORS = [
    ("no-message-aeson2", "2.45", {"error": "x"}, f'{AESON2}, key "message" not found', "$"),
    ("no-message-aeson2-2.9", "2.9", {}, f'{AESON2}, key "message" not found', "$"),
    ("no-message-aeson1-2.8", "2.8", {"error": "x"}, "the key 'message' was not present", "$"),
    ("no-message-aeson1-1.3", "1.3", {"error": "x"}, "the key 'message' was not present", "$"),
    (
        "message-number",
        "2.45",
        {"message": 123},
        "parsing Text failed, expected String, but encountered Number",
        "$.message",
    ),
    (
        "message-null",
        "2.45",
        {"message": None},
        "parsing Text failed, expected String, but encountered Null",
        "$.message",
    ),
    (
        "code-number",
        "2.45",
        {"message": "m", "code": 5},
        "parsing Text failed, expected String, but encountered Number",
        "$.code",
    ),
    ("array-body", "2.45", [{"message": "m"}], f"{AESON2}, expected Object, but encountered Array", "$"),
    ("string-body", "2.45", "oops", f"{AESON2}, expected Object, but encountered String", "$"),
]


@pytest.mark.parametrize(
    ("version", "body", "message", "path"), [row[1:] for row in INVALID_ERRORS], ids=[row[0] for row in INVALID_ERRORS]
)
def test_invalid_error_objects(version, body, message, path):
    v = verdict("intentional_error", body, status=422, version=version)
    assert v.reason == "invalid_error_object" and v.path == path
    assert client_error(v) == {"message": message, "extensions": {"path": path, "code": "parse-failed"}}
    assert v.error is not None and v.error["extensions"]["internal"]["error"] == "unexpected response"


# -- §3.1: decoding before the status; other statuses ----------------------------------------------

NOT_JSON = [
    ("empty", b""),
    ("text", b"not json"),
    ("html-500", b"<html>oops</html>"),
    ("invalid-utf8", b'{"id": "\xff"}'),
    ("nan", b"NaN"),
    ("infinity", b'{"id": Infinity}'),
    ("trailing-garbage", b'{"id": 1} x'),
    ("bom", b'\xef\xbb\xbf{"id": 1}'),
    ("truncated", b'{"id":'),
]


@pytest.mark.parametrize("body", [row[1] for row in NOT_JSON], ids=[row[0] for row in NOT_JSON])
@pytest.mark.parametrize("status", [200, 400, 500, 204])
def test_not_json_whatever_the_status(body, status):
    v = verdict("create_user", body, status=status)
    assert v.reason == "not_json"
    assert client_error(v) == unexpected("not a valid json response from webhook")


@pytest.mark.parametrize(
    ("version", "body", "internal"),
    [
        ("2.45", b"", "invalid JSON: Error in $: not enough input"),
        ("2.15", b"", "invalid json: Error in $: not enough input"),
        ("2.15", b"{} x", "invalid json: Error in $: endOfInput"),
    ],
)
def test_not_json_internal_error(version, body, internal):
    v = verdict("create_user", body, status=204, version=version)
    assert v.error is not None
    block = v.error["extensions"]["internal"]
    assert block["error"] == internal
    assert block["response"] == {"status": 204, "body": body.decode(), "headers": []}


def test_duplicate_keys_keep_the_last_value():
    assert verdict("create_user", b'{"id": 1, "id": 2}').data == {"id": 2}
    assert decode_reply(b'{"a": 1, "a": null}') == (True, {"a": None}, "")


@pytest.mark.parametrize(
    ("status", "body"), [(500, {"id": 1}), (302, {}), (301, {"message": "m"}), (503, None), (199, [])]
)
def test_other_statuses_are_internal_errors(status, body):
    v = verdict("create_user", body, status=status)
    assert v.reason == "unexpected_status"
    assert client_error(v) == unexpected("internal error")
    assert v.error is not None
    assert v.error["extensions"]["internal"]["error"] == f"expecting 2xx or 4xx status code, but found {status}"


def test_redirect_with_empty_body_is_not_json():
    assert verdict("create_user", b"", status=302).reason == "not_json"


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_any_2xx_is_success(status):
    assert verdict("create_user", {"id": 1}, status=status).accepted


# -- §3.4: older releases ------------------------------------------------------------------------

OLD = [
    ("2.5-number", "2.5", "scalar_response", 5, "got scalar Number for the action webhook response, expecting String"),
    (
        "2.5-list-brackets",
        "2.5",
        "get_users_by_email",
        5,
        "got scalar Number for the action webhook response, expecting [UserId]",
    ),
    ("2.5-bool", "2.5", "create_user", True, "got scalar Boolean for the action webhook response, expecting UserId"),
    (
        "2.5-ID-refuses-string",
        "2.5",
        "id_response",
        "x",
        "got scalar String for the action webhook response, expecting ID",
    ),
    (
        "2.5-array",
        "2.5",
        "create_user",
        [{"id": 1}],
        "got array for the action webhook response, might want to check the action return type defined!",
    ),
    (
        "2.5-object-scalar",
        "2.5",
        "scalar_response",
        {},
        "got object for the action webhook response, might want to check the action return type defined!",
    ),
    (
        "2.5-object-list",
        "2.5",
        "create_users",
        {},
        "got object for the action webhook response, might want to check the action return type defined!",
    ),
    ("2.5-null", "2.5", "get_user_by_email", None, "got null for the action webhook response"),
    ("2.5-missing", "2.5", "create_user", {}, 'field "id" expected in webhook response, but not found'),
    ("2.2-null-object", "2.2", "get_user_by_email", None, "expecting object for action webhook response but got null"),
    ("2.2-null-list", "2.2", "get_users_by_email", None, "expecting array for action webhook response but got null"),
    ("2.2-null-nullable-bug", "2.2", "create_user", None, 'field "id" expected in webhook response, but not found'),
    (
        "2.2-array-for-object",
        "2.2",
        "create_user",
        [{"id": 1}],
        "expecting object for action webhook response but got array",
    ),
    (
        "2.2-object-for-list",
        "2.2",
        "create_users",
        {"id": 1},
        "expecting array for action webhook response but got object",
    ),
    ("2.0-array-for-object", "2.0", "create_user", [], "expecting object for action webhook response but got array"),
    (
        "2.0-extra",
        "2.0",
        "mirror",
        {"id": "1", "age": 3, "height": 2},
        "unexpected fields in webhook response: age, height",
    ),
    ("1.3-extra-13", "1.3", "mirror", {"id": "1", "name": "x", "age": 3}, "unexpected fields in webhook response: age"),
    ("1.3-missing", "1.3", "mirror", {"name": "x"}, 'field "id" expected in webhook response, but not found'),
]


@pytest.mark.parametrize(("version", "action", "body", "message"), [r[1:] for r in OLD], ids=[r[0] for r in OLD])
def test_old_release_messages(version, action, body, message):
    assert client_error(verdict(action, body, version=version)) == unexpected(message)


PARSE_FAILED = [
    (
        "2.2-scalar",
        "2.2",
        "create_user",
        "x",
        "expecting null, object or array of objects for action webhook response",
        "$",
    ),
    ("2.0-null", "2.0", "create_user", None, "expecting object or array of objects for action webhook response", "$"),
    ("1.3-number", "1.3", "create_user", 5, "expecting object or array of objects for action webhook response", "$"),
    (
        "2.5-non-object-element",
        "2.5",
        "create_users",
        [{"id": 1}, 2],
        "parsing HashMap failed, expected Object, but encountered Number",
        "$[1]",
    ),
    (
        "2.0-null-element",
        "2.0",
        "create_users",
        [None],
        "parsing HashMap failed, expected Object, but encountered Null",
        "$[0]",
    ),
]


@pytest.mark.parametrize(
    ("version", "action", "body", "message", "path"), [r[1:] for r in PARSE_FAILED], ids=[r[0] for r in PARSE_FAILED]
)
def test_old_release_parse_failures(version, action, body, message, path):
    v = verdict(action, body, version=version)
    assert client_error(v) == {"message": message, "extensions": {"path": path, "code": "parse-failed"}}


@pytest.mark.parametrize(
    ("version", "action", "body", "data"),
    [
        ("2.5", "create_user", {"id": 1, "extra": 2}, {"id": 1}),
        ("2.5", "id_response", {}, {}),  # `isScalar` did not know ID: an object passed
        ("2.2", "omitted_response_field", None, None),
        ("2.2", "mirror", {"id": "1", "age": 3}, {"id": "1"}),
    ],
    ids=["2.5-extra-ignored", "2.5-object-for-ID", "2.2-null-all-nullable", "2.2-extra-ignored"],
)
def test_old_release_accepts(version, action, body, data):
    v = verdict(action, body, version=version)
    assert v.accepted and v.data == data


@pytest.mark.parametrize(
    ("version", "action", "text"),
    [
        ("1.3", "scalar_response", "the type: String is not an object type defined in custom types"),
        ("2.2", "scalar_response", 'the type: "String" is not an object type defined in custom types'),
        ("2.5", "custom_scalar_response", "allowed as an output type since v2.7"),
        ("2.7", "scalar_array_response", "allowed as an output type since v2.8"),
        (
            "2.0",
            "get_user_by_email_nested",
            'the type "UserId2" of the field "user_id" in the object type "NestedOutObject" '
            "is object type which isn't allowed",
        ),
    ],
)
def test_output_types_a_release_refuses(version, action, text):
    with pytest.raises(InvalidArgument, match="refuses action") as raised:
        verdict(action, {}, version=version)
    assert text in str(raised.value)


# -- shaping (§3.3) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "data"),
    [
        ("1.3", {"city": None, "country": "India"}),
        ("2.15", INDIA),
        ("2.18", INDIA),
        ("2.19", {"city": None, "country": "India"}),
    ],
)
def test_missing_nullable_field_by_version(version, data):
    assert verdict("omitted_response_field", INDIA, version=version).data == data


NESTED = {
    "id": 1,
    "extra": "dropped",
    "user_id": "junk",
    "address": None,
    "addresses": [None, 7, {"city": "Bangalore", "zip": 1}, [{"country": "India"}]],
}


@pytest.mark.parametrize(
    ("version", "data"),
    [
        (
            "2.45",
            {
                "id": 1,
                "address": None,
                "addresses": [None, {"city": "Bangalore", "country": None}, [{"city": None, "country": "India"}]],
            },
        ),
        ("2.15", {"id": 1, "address": None, "addresses": [None, {"city": "Bangalore"}, [{"country": "India"}]]}),
        ("2.5", {"id": 1, "addresses": [{"city": "Bangalore"}, [{"country": "India"}]]}),
    ],
    ids=["newest", "omits-missing", "drops-nested-nulls"],
)
def test_nested_objects_follow_the_data(version, data):
    assert verdict("get_user_by_email_nested", NESTED, version=version).data == data


def test_list_outputs_are_shaped_elementwise():
    body = [{"id": 1, "extra": True}, None, {"id": 2}]
    assert verdict("create_users", body).data == [{"id": 1}, None, {"id": 2}]


def test_relationship_fields_come_from_the_database():
    body = [{"id": "p1", "name": "Pen", "customer": {"id": "c1"}}]
    # The output has relationships: read through Postgres before ≈v2.19, so missing keys are null.
    for version in ("2.15", NEWEST):
        v = verdict("recommendations", body, version=version, catalog=SHOP)
        assert v.data == [{"id": "p1", "name": "Pen", "customerId": None}]


def test_values_are_copied_verbatim():
    body = {"id": "not a number", "name": {"deep": [1, 2]}}
    assert verdict("mirror", body).data == body


# -- transport failures (§5) ------------------------------------------------------------------------

TRANSPORT = [
    ("refused", "Connection failure: Network.Socket.connect: does not exist (Connection refused)"),
    ("dns", "Connection failure: getAddrInfo: does not exist (Name or service not known)"),
    ("connect_timeout", "Connection timeout"),
    ("timeout", "Response timeout"),
    ("reset", "Connection failure: connection reset by peer"),
    ("no_response", "No response data received"),
    ("crashed", "Connection failure: the app raised RuntimeError"),
]


def failed(kind: str, text: str) -> ActionResponse:
    return ActionResponse(failure=TransportFailure(kind=kind, detail=f"{kind} happened", hasura_text=text))  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "text"), TRANSPORT, ids=[t[0] for t in TRANSPORT])
def test_transport_failures(kind, text):
    action = SHOP.action("quote")
    v = judge(action, failed(kind, text), HasuraProfile.for_version(NEWEST), catalog=SHOP)
    assert v.reason == f"transport:{kind}" and not v.accepted
    assert client_error(v) == unexpected("http exception when calling webhook")
    assert v.error is not None
    internal = v.error["extensions"]["internal"]
    assert internal["response"] is None
    assert internal["error"] == {
        "type": "http_exception",
        "message": text,
        "request": {
            "host": "localhost",
            "port": 3000,
            "secure": False,
            "path": "/quote",
            "queryString": "",
            "method": "POST",
            "responseTimeout": "ResponseTimeoutMicro 30000000",
        },
    }


def test_a_reply_over_our_cap_gets_no_hasura_verdict():
    # The cap is ours: Hasura reads any size, so there is nothing to say about what it would do.
    action = SHOP.action("quote")
    cut = failed("too_large", "")
    v = judge(action, cut, HasuraProfile.for_version(NEWEST), catalog=SHOP)
    assert (v.reason, v.accepted, v.error) == ("unread:too_large", False, None)
    assert "Hasura has no such cap" in v.explanation


@pytest.mark.parametrize(
    ("version", "error"),
    [
        ("1.3", {"type": "http_exception", "message": "ConnectionFailure connection reset by peer"}),
        ("2.15", {"type": "http_exception", "message": "Connection failure"}),
        ("2.25", {"type": "http_exception", "message": "Connection failure: connection reset by peer"}),
    ],
)
def test_transport_error_text_by_version(version, error):
    action = SHOP.action("quote")
    v = judge(
        action,
        failed("reset", "Connection failure: connection reset by peer"),
        HasuraProfile.for_version(version),
        catalog=SHOP,
    )
    assert v.error is not None
    shown = v.error["extensions"]["internal"]["error"]
    assert {key: shown[key] for key in ("type", "message")} == error


def test_timeout_text_in_v1_is_haskell_show():
    v = judge(
        SHOP.action("quote"), failed("timeout", "Response timeout"), HasuraProfile.for_version("1.3"), catalog=SHOP
    )
    assert v.error is not None and v.error["extensions"]["internal"]["error"]["message"] == "ResponseTimeout"


def test_invalid_url_has_no_request_object():
    v = judge(SHOP.action("quote"), failed("invalid_url", "Invalid URL"), HasuraProfile(), catalog=SHOP)
    assert v.error is not None and v.error["extensions"]["internal"]["error"] == {
        "type": "invalid_url",
        "message": "Invalid URL",
    }


def _response_transform(template: str) -> dict[str, Any]:
    return {"version": 2, "body": {"action": "transform", "template": template}}


def test_the_response_transform_shapes_the_reply_before_the_verdict():
    action = dataclasses.replace(
        HASURA.action("create_user"), response_transform=_response_transform('{"id": $body.uid}')
    )
    v = judge(action, reply({"uid": 1}), catalog=HASURA)
    assert v.accepted and v.reply == {"id": 1}
    # A non-JSON reply is `$body = null` to the template, never "not a valid json response".
    v = judge(action, reply(b"<html>", 200), catalog=HASURA)
    assert not v.accepted and v.reason == "response_transform"
    assert v.error is not None and v.error["message"] == "Response Transformation Failed"
    assert v.error["extensions"]["internal"] == [
        {
            "error_code": "Type Error",
            "message": "Couldn't match expected type 'Object' with actual type 'Null'",
            "source_position": {"start_line": 0, "start_column": 8, "end_line": 0, "end_column": 13},
        }
    ]


def test_the_transformed_value_is_judged_by_the_original_status():
    action = dataclasses.replace(HASURA.action("create_user"), response_transform=_response_transform("{{ $body? }}"))
    # create_user's output is nullable: a non-JSON 2xx reply becomes null and is accepted as such.
    accepted = judge(action, reply(b"oops", 200), catalog=HASURA)
    assert accepted.accepted and accepted.reply is None and accepted.data is None
    error = judge(action, reply({"message": "nope"}, 400), catalog=HASURA)
    assert error.reason == "handler_error" and error.error == {
        "message": "nope",
        "extensions": {"path": "$", "code": "unexpected"},
    }


def test_transport_comes_before_the_transform():
    action = dataclasses.replace(HASURA.action("create_user"), response_transform=_response_transform("x"))
    assert judge(action, failed("timeout", "Response timeout"), catalog=HASURA).reason == "transport:timeout"


# -- internal (§4.3) ------------------------------------------------------------------------------


def shop_verdict(version: str, *, role: str = "admin", action: str = "placeOrder", **flags: Any) -> Verdict:
    profile = HasuraProfile.for_version(version, **flags)
    call = prepare_call(SHOP, SHOP.action(action), profile=profile)
    arguments = {"items": [{"sku": "A", "quantity": 1}]}
    session = {"x-hasura-role": role, "x-hasura-user-id": "7"}
    request = call.request(
        arguments, session, "mutation { placeOrder }", {"Authorization": "Bearer t", "Accept": "*/*"}
    )
    response = reply(None, 200, headers=(("Content-Type", "application/json"), ("Set-Cookie", "abcd")))
    return judge(SHOP.action(action), response, profile, catalog=SHOP, request=request)


def test_internal_shape_newest():
    v = shop_verdict("2.45")
    assert v.error is not None
    assert v.error["extensions"]["internal"] == {
        "error": "unexpected response",
        "request": {
            "url": "{{SHOP_ACTIONS_URL}}/place-order",
            "action": {"name": "placeOrder"},
            "input": {"items": [{"sku": "A", "quantity": 1}]},
            "request_query": "mutation { placeOrder }",
            "transformed_request": None,
        },
        "response": {
            "status": 200,
            "body": None,
            "headers": [{"name": "Content-Type", "value": "application/json"}, {"name": "Set-Cookie", "value": "abcd"}],
        },
    }
    assert list(v.error["extensions"]) == ["path", "code", "internal"]


SECRET = {"name": "X-Shop-Secret", "value_from_env": "SHOP_WEBHOOK_SECRET"}
AUTHORIZATION = {"name": "Authorization", "value": "Bearer t"}


@pytest.mark.parametrize(
    ("version", "action", "url", "keys", "headers"),
    [
        (
            "2.15",
            "placeOrder",
            "{{SHOP_ACTIONS_URL}}/place-order",
            ["url", "body", "headers", "transformed_request"],
            [SECRET, AUTHORIZATION],
        ),
        (
            "2.5",
            "placeOrder",
            "http://localhost:3000/place-order",
            ["url", "body", "headers", "transformed_request"],
            [SECRET, AUTHORIZATION],
        ),
        (
            "1.3",
            "recommendations",
            "http://localhost:3000/recommendations",
            ["url", "body", "headers"],
            [AUTHORIZATION],
        ),
        ("1.3", "quote", "http://localhost:3000/quote", ["url", "body", "headers"], []),
    ],
)
def test_internal_request_before_2_42(version, action, url, keys, headers):
    v = shop_verdict(version, action=action)
    assert v.error is not None
    info = v.error["extensions"]["internal"]["request"]
    assert list(info) == keys and info["url"] == url
    assert info["body"]["session_variables"] == {"x-hasura-role": "admin", "x-hasura-user-id": "7"}
    assert info["headers"] == headers


@pytest.mark.parametrize(
    ("role", "flags", "shown"),
    [
        ("admin", {}, True),
        ("customer", {}, False),
        ("customer", {"dev_mode": True}, True),
        ("admin", {"admin_internal_errors": False}, False),
    ],
)
def test_internal_by_role_and_flags(role, flags, shown):
    v = shop_verdict(NEWEST, role=role, **flags)
    assert v.error is not None
    assert ("internal" in v.error["extensions"]) is shown
    assert v.error["message"] == "got null for the action webhook response"  # the message never changes


def test_internal_without_a_request_uses_an_admin_stand_in():
    v = verdict("get_user_by_email", None, version="2.15")
    assert v.error is not None
    request = v.error["extensions"]["internal"]["request"]
    assert request["body"] == {
        "action": {"name": "get_user_by_email"},
        "input": {},
        "session_variables": {"x-hasura-role": "admin"},
        "request_query": None,
    }
