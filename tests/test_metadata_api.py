"""Metadata API calls with Hasura's rules and messages (contract §6.3)."""

from __future__ import annotations

import json

import pytest

from action_contract import MetadataError, load_catalog

OUT = {"objects": [{"name": "Out", "fields": [{"name": "id", "type": "Int!"}]}]}


def _action(name, **definition):
    return {
        "type": "create_action",
        "args": {"name": name, "definition": {"handler": "http://h/x", "output_type": "Out", **definition}},
    }


def _load(tmp_path, calls):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps(calls))
    return load_catalog(path)


def _errors(tmp_path, calls):
    with pytest.raises(MetadataError) as info:
        _load(tmp_path, calls)
    return [p.hasura_message for p in info.value.errors]


def test_a_failing_bulk_is_rolled_back_and_later_calls_still_checked(tmp_path):
    errors = _errors(
        tmp_path,
        [
            {"type": "set_custom_types", "args": OUT},
            {"type": "bulk", "args": [_action("a"), _action("b", output_type="Nope")]},
            _action("b"),
            {"type": "drop_action", "args": {"name": "a"}},  # `a` was rolled back with its bulk
        ],
    )
    assert errors == [
        'Inconsistent object: in action "b"; the type: "Nope" is not an object or scalar type defined in custom types',
        'action with name "a" does not exist',
    ]


def test_custom_types_cannot_break_existing_actions(tmp_path):
    errors = _errors(
        tmp_path, [{"type": "set_custom_types", "args": OUT}, _action("a"), {"type": "set_custom_types", "args": {}}]
    )
    assert errors == [
        'Inconsistent object: in action "a"; the type: "Out" is not an object or scalar type defined in custom types'
    ]


def test_permissions(tmp_path):
    calls = [
        {"type": "set_custom_types", "args": OUT},
        _action("a"),
        {"type": "create_action_permission", "args": {"action": "a", "role": "user", "comment": "c"}},
        {"type": "create_action_permission", "args": {"action": "a", "role": "user"}},
        {"type": "create_action_permission", "args": {"action": "zz", "role": "user"}},
    ]
    assert _errors(tmp_path, calls) == [
        'permission for role "user" is already defined on "a"',
        'action with name "zz" does not exist',
    ]
    catalog = _load(tmp_path, [*calls[:3], {"type": "drop_action_permission", "args": {"action": "a", "role": "user"}}])
    assert catalog.action("a").permissions == ()


def test_replace_and_clear_metadata(tmp_path):
    replace = {
        "type": "replace_metadata",
        "args": {"version": 3, "actions": [_action("r")["args"]], "custom_types": OUT},
    }
    assert list(_load(tmp_path, [replace]).actions) == ["r"]
    assert len(_load(tmp_path, [replace, {"type": "clear_metadata", "args": {}}])) == 0


def test_custom_type_validation_messages(tmp_path):
    bad = {
        "input_objects": [{"name": "I", "fields": [{"name": "a", "type": "Int"}, {"name": "a", "type": "Nope"}]}],
        "objects": [
            {
                "name": "O",
                "fields": [{"name": "tags", "type": "[String!]"}, {"name": "o", "type": "I"}],
                "relationships": [
                    {"name": "r", "type": "array", "remote_table": "t", "field_mapping": {"tags": "tag", "gone": "x"}}
                ],
            }
        ],
        "enums": [{"name": "E", "values": [{"value": "A"}, {"value": "A"}]}],
    }
    errors = {
        e.removeprefix("Inconsistent object: validation for the given custom types failed because ")
        for e in _errors(tmp_path, [{"type": "set_custom_types", "args": bad}])
    }
    assert errors == {
        'the enum type "E" has duplicate values: "A"',
        'the input object "I" has duplicate fields: "a"',
        'the type "Nope" for field "a" in  input object type "I" does not exist',
        'the type "I" for field "o" in  object type "O" does not exist',
        'the field "gone" for relationship "r" in object type "O" does not exist',
        'the type of the field "tags" for relationship "r" in object type "O" is a list type',
    }


def test_relationship_rules_for_sync_and_async(tmp_path):
    types = {
        "objects": [
            {"name": "Inner", "fields": [{"name": "id", "type": "Int"}]},
            {
                "name": "Out",
                "fields": [{"name": "id", "type": "Int!"}, {"name": "inner", "type": "Inner"}],
                "relationships": [
                    {"name": "user", "type": "object", "remote_table": "users", "field_mapping": {"id": "id"}}
                ],
            },
        ]
    }
    base = [{"type": "set_custom_types", "args": types}]
    assert _load(tmp_path, [*base, _action("s")]).action("s").kind == "synchronous"
    assert _errors(tmp_path, [*base, _action("a", kind="asynchronous")]) == [
        'Inconsistent object: in action "a"; Async action relations cannot be used with object fields: "inner"'
    ]


def test_definition_parsing_rules(tmp_path):
    calls = [
        {"type": "set_custom_types", "args": OUT},
        _action("t1", type="subscription"),
        _action("t2", timeout=1.5),
        _action("t3", headers=[{"name": "X"}]),
        _action("t4", arguments=[{"name": "o", "type": "Out"}]),
    ]
    assert [e.split("; ", 1)[1] for e in _errors(tmp_path, calls)] == [
        "expected mutation or query, but found subscription",
        "1.5 is out of bounds",
        "expecting value or value_from_env keys",
        'the type: "Out" is not defined in custom types or it is not a scalar/enum/input_object',
    ]


def test_non_action_calls_are_skipped(tmp_path):
    catalog = _load(tmp_path, {"type": "bulk", "args": [{"type": "run_sql", "args": {"sql": "select 1"}}]})
    assert catalog.source_kind == "metadata API calls: 0 calls applied, 1 skipped"
