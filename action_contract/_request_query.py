"""`request_query`: a GraphQL document Hasura could have received for a given `input`.

Hasura forwards the client's document text verbatim, with `$var` references left in place and the
variables themselves not sent (contract §1.3). So the text must agree with `input`: every present
argument appears, as a literal or as a variable, and an absent one does not appear at all (an
unbound variable would arrive as null, §1.5). Printing is plain string work; graphql-core is only
used by the tests to prove the documents parse and validate.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ._model import Action, Catalog, EnumType, InputObjectType, ObjectType, TypeRef

__all__ = ["choice_bits", "request_query"]

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_FIXED_BITS = 3  # operation name, alias, __typename


def choice_bits(catalog: Catalog, action: Action) -> int:
    """How many random bits `request_query` uses for `action` (one Hypothesis draw covers them all)."""
    return _FIXED_BITS + len(action.arguments) + len(_output_fields(catalog, action.output_type))


def request_query(catalog: Catalog, action: Action, arguments: dict[str, Any], choices: int) -> str:
    """A document calling `action` with `arguments`; `choices` picks variables, aliases and the selection."""
    named, choices = bool(choices & 1), choices >> 1
    aliased, choices = bool(choices & 1), choices >> 1
    typename, choices = bool(choices & 1), choices >> 1
    variables: list[str] = []
    written: list[str] = []
    for argument in action.arguments:
        as_variable, choices = bool(choices & 1), choices >> 1
        if argument.name not in arguments:
            continue
        value = arguments[argument.name]
        text = None if as_variable else _literal(catalog, value, argument.type)
        if text is None:
            variables.append(f"${argument.name}: {argument.type}")
            text = f"${argument.name}"
        written.append(f"{argument.name}: {text}")

    fields = _output_fields(catalog, action.output_type)
    chosen = [name for index, name in enumerate(fields) if choices >> index & 1] or fields[:1]
    selection = _selection(catalog, action.output_type, chosen, typename)

    keyword = "query" if action.type == "query" else "mutation"
    head = keyword + (f" {action.name[:1].upper()}{action.name[1:]}" if named else "")
    if variables:
        head += "(" + ", ".join(variables) + ")"
    call = ("result: " if aliased else "") + action.name
    if written:
        call += "(" + ", ".join(written) + ")"
    return f"{head} {{ {call}{selection} }}"


def _output_fields(catalog: Catalog, ref: TypeRef) -> list[str]:
    named = catalog.types.get(ref.base_name)
    return [f.name for f in named.fields] if isinstance(named, ObjectType) else []


def _selection(catalog: Catalog, ref: TypeRef, chosen: list[str], typename: bool, depth: int = 0) -> str:
    named = catalog.types.get(ref.base_name)
    if not isinstance(named, ObjectType):
        return ""  # scalar outputs take no selection set
    parts = ["__typename"] if typename else []
    for field in named.fields:
        if field.name not in chosen:
            continue
        nested = catalog.types.get(field.type.base_name)
        if isinstance(nested, ObjectType):
            if depth >= 2:
                continue
            inner = [f.name for f in nested.fields if not isinstance(catalog.types.get(f.type.base_name), ObjectType)]
            parts.append(field.name + _selection(catalog, field.type, inner, not inner, depth + 1))
        else:
            parts.append(field.name)
    return " { " + " ".join(parts or ["__typename"]) + " }"


def _literal(catalog: Catalog, value: Any, ref: TypeRef) -> str | None:
    """The GraphQL literal of `value` as `ref`, or None when only a variable can carry it."""
    if value is None:
        return "null"
    if ref.of_type is not None:
        if not isinstance(value, list):
            return None
        items = [_literal(catalog, item, ref.of_type) for item in value]
        return None if None in items else "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    named = catalog.types.get(ref.base_name)
    if isinstance(named, EnumType):
        return value if isinstance(value, str) and _NAME.fullmatch(value) else None
    if isinstance(named, InputObjectType):
        if not isinstance(value, dict):
            return None
        parts = []
        for key, item in value.items():
            field = named.field(key)
            text = None if field is None else _literal(catalog, item, field.type)
            if text is None:
                return None
            parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"
    return _json_literal(value)


def _json_literal(value: Any) -> str | None:
    # A scalar's JSON written as GraphQL: Hasura turns object and list literals back into JSON (§1.5).
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, str):
        # JSON string escapes are GraphQL string escapes; non-ASCII stays as it is.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        items = [_json_literal(item) for item in value]
        return None if None in items else "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            text = _json_literal(item)
            if text is None or not (isinstance(key, str) and _NAME.fullmatch(key)):
                return None  # keys that are not GraphQL names need a variable
            parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"
    return None
