"""JSON Schemas (draft 2020-12) of the contract: what Hasura sends, and what a handler may reply.

The success schema is the *strict* reading of the declared output type: non-null fields present and
not null, 32-bit `Int`, enum values, nested objects and list elements checked all the way down. Hasura
itself checks far less (contract §3.2); the difference is what `output_conforms` reports. Every schema
is self-contained (its own `$defs`), so any one of them can be handed to a validator as is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._errors import InvalidArgument
from ._model import Action, Catalog, EnumType, InputObjectType, ObjectType, ScalarType, TypeRef
from ._scalars import json_schema_for_scalar

__all__ = ["action_schemas", "error_reply_schema", "schema_document", "type_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_document(catalog: Catalog, actions: Iterable[str] | None = None) -> dict[str, Any]:
    """One JSON document with the request, input, success and error schemas of each action."""
    names = list(actions) if actions is not None else list(catalog.actions)
    return {
        "title": f"Hasura Action contract of {catalog.source or 'metadata'}",
        "actions": {name: action_schemas(catalog, catalog.action(name)) for name in names},
    }


def action_schemas(catalog: Catalog, action: Action) -> dict[str, dict[str, Any]]:
    """`request`, `input`, `success` and `error` schemas of one action."""
    return {
        "request": _standalone(catalog, lambda defs: _request(catalog, action, defs)),
        "input": _standalone(catalog, lambda defs: _input(catalog, action, defs)),
        "success": _standalone(catalog, lambda defs: type_schema(catalog, action.output_type, defs)),
        "error": error_reply_schema(),
    }


def error_reply_schema() -> dict[str, Any]:
    """A 4xx body Hasura can read: `{message, code?, extensions?}` (contract §4.1)."""
    return {
        "$schema": DIALECT,
        "title": "Hasura Action error reply",
        "type": "object",
        "required": ["message"],
        "properties": {
            "message": {"type": "string"},
            "code": {"type": ["string", "null"]},
            "extensions": {"description": "Any JSON; when present it replaces Hasura's path and code."},
        },
    }


def _standalone(catalog: Catalog, build: Any) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    body = build(defs)
    schema: dict[str, Any] = {"$schema": DIALECT}
    schema.update(body)
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def _input(catalog: Catalog, action: Action, defs: dict[str, Any]) -> dict[str, Any]:
    # Hasura sends exactly the argument names; an omitted nullable argument is absent (contract §1.5).
    return {
        "type": "object",
        "properties": {a.name: _described(type_schema(catalog, a.type, defs), a.description) for a in action.arguments},
        "required": [a.name for a in action.arguments if a.type.non_null],
        "additionalProperties": False,
    }


def _request(catalog: Catalog, action: Action, defs: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": f"Hasura's request to the handler of {action.name}",
        "type": "object",
        "required": ["action", "input", "session_variables", "request_query"],
        "properties": {
            "action": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"const": action.name}},
            },
            "input": _input(catalog, action, defs),
            # Lower-cased x-hasura-* keys with string values, the role always set (contract §1.4).
            "session_variables": {
                "type": "object",
                "required": ["x-hasura-role"],
                "propertyNames": {"pattern": "^x-hasura-[^A-Z]*$"},
                "additionalProperties": {"type": "string"},
            },
            # null for asynchronous actions, the client's GraphQL document otherwise (contract §1.3).
            "request_query": {"type": "null"} if action.is_async else {"type": "string"},
        },
    }


def type_schema(catalog: Catalog, ref: TypeRef, defs: dict[str, Any]) -> dict[str, Any]:
    """The strict schema of values of `ref`; named object, input and enum types go into `defs`."""
    if ref.of_type is not None:
        schema: dict[str, Any] = {"type": "array", "items": type_schema(catalog, ref.of_type, defs)}
    else:
        schema = _named(catalog, ref.base_name, defs)
    if ref.non_null and not schema:
        # Hasura passes any JSON for a custom scalar, even null (contract §3.2); strictly, `!` forbids null.
        return {"not": {"type": "null"}}
    return schema if ref.non_null else _nullable(schema)


def _named(catalog: Catalog, name: str, defs: dict[str, Any]) -> dict[str, Any]:
    named = catalog.types.get(name)
    if named is None:
        raise InvalidArgument(f"type {name!r} is not in the catalog")
    if isinstance(named, ScalarType):
        return _described(json_schema_for_scalar(name, named.origin), named.description)
    if name not in defs:
        defs[name] = {}  # placeholder first, so recursive types terminate
        if isinstance(named, EnumType):
            defs[name] = _described({"enum": list(named.value_names)}, named.description)
        elif isinstance(named, InputObjectType):
            defs[name] = _described(_object(catalog, named.fields, defs, closed=True), named.description)
        elif isinstance(named, ObjectType):
            defs[name] = _described(_object(catalog, named.fields, defs, closed=False), named.description)
    return {"$ref": f"#/$defs/{name}"}


def _object(catalog: Catalog, fields: Iterable[Any], defs: dict[str, Any], *, closed: bool) -> dict[str, Any]:
    fields = list(fields)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: _described(type_schema(catalog, f.type, defs), f.description) for f in fields},
        "required": [f.name for f in fields if f.type.non_null],
    }
    # Hasura sends no extra input fields; in replies, extra keys are ignored (contract §3.2).
    if closed:
        schema["additionalProperties"] = False
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:
        return schema  # any JSON already includes null
    kind = schema.get("type")
    if isinstance(kind, str) and "anyOf" not in schema:
        return {**schema, "type": [kind, "null"]}
    if "enum" in schema and "$ref" not in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {"anyOf": [schema, {"type": "null"}]}


def _described(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    if description and "$ref" not in schema:
        return {**schema, "description": description}
    return schema
