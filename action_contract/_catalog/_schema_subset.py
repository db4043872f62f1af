"""`valid`: the part of JSON Schema (draft 2020-12) that scalar schemas use, checked as jsonschema does.

Scalar values are checked against the schemas of `json_schema_for_scalar` (Postgres types, registered
scalars) in two places: the strict reading of a handler's reply (`_strict`) and the check of an
incoming webhook call (`_validation`). Both must agree with the JSON Schemas of `_json_schema`, and
neither may need jsonschema, which is a development dependency only; hence this small checker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

__all__ = ["describe", "valid"]


def valid(schema: Any, value: Any) -> bool:
    """True when `value` satisfies `schema` (keywords outside the subset are not checked)."""
    if schema is True or schema == {}:
        return True
    if schema is False:
        return False
    # Keywords outside `_KEYWORDS` (rare in scalar schemas) are not checked.
    return all(check(schema[key], value) for key, check in _KEYWORDS.items() if key in schema)


def describe(name: str, schema: dict[str, Any]) -> str:
    """What values of scalar `name` look like, read from its schema: `uuid, a UUID such as ...`."""
    if schema.get("format") == "uuid":
        return f"{name}, a UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301"
    if schema.get("format") == "date":
        return f"{name}, a date such as 2024-02-29"
    if "pattern" in schema:
        return f"{name}, a text matching {schema['pattern']}"
    if "minimum" in schema and "maximum" in schema:
        return f"{name}, an integer from {schema['minimum']} to {schema['maximum']}"
    kinds = [part.get("type") for part in schema.get("anyOf", [])] or [schema.get("type")]
    return f"{name}, " + " or ".join(str(kind) for kind in kinds if kind) if any(kinds) else name


def _properties(props: dict[str, Any], value: Any) -> bool:
    return not isinstance(value, dict) or all(valid(sub, value[key]) for key, sub in props.items() if key in value)


_KEYWORDS: dict[str, Callable[[Any, Any], bool]] = {
    "type": lambda kinds, v: any(_is_kind(kind, v) for kind in (kinds if isinstance(kinds, list) else [kinds])),
    "enum": lambda allowed, v: any(_equal(v, a) for a in allowed),
    "const": lambda const, v: _equal(v, const),
    "pattern": lambda p, v: not isinstance(v, str) or re.search(p, v) is not None,
    "format": lambda kind, v: _format_ok(kind, v),
    "minimum": lambda m, v: not _is_number(v) or v >= m,
    "maximum": lambda m, v: not _is_number(v) or v <= m,
    "exclusiveMinimum": lambda m, v: not _is_number(v) or v > m,
    "exclusiveMaximum": lambda m, v: not _is_number(v) or v < m,
    "minLength": lambda m, v: not isinstance(v, str) or len(v) >= m,
    "maxLength": lambda m, v: not isinstance(v, str) or len(v) <= m,
    "anyOf": lambda subs, v: any(valid(s, v) for s in subs),
    "allOf": lambda subs, v: all(valid(s, v) for s in subs),
    "oneOf": lambda subs, v: sum(valid(s, v) for s in subs) == 1,
    "not": lambda sub, v: not valid(sub, v),
    "required": lambda keys, v: not isinstance(v, dict) or all(k in v for k in keys),
    "properties": _properties,
    "items": lambda sub, v: not isinstance(v, list) or all(valid(sub, item) for item in v),
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_kind(kind: str, value: Any) -> bool:
    if kind == "integer":
        # As jsonschema reads draft 2020-12: a float with no fraction is an integer.
        return _is_number(value) and (isinstance(value, int) or value.is_integer())
    test = _KINDS.get(kind)
    return test is not None and test(value)


_KINDS: dict[str, Callable[[Any], bool]] = {
    "number": _is_number,
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}


def _equal(left: Any, right: Any) -> bool:
    # JSON equality: true is not 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    return bool(left == right)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _format_ok(kind: str, value: Any) -> bool:
    # The same tests as jsonschema's format checker, so the two agree on every string.
    if not isinstance(value, str):
        return True
    try:
        if kind == "uuid":
            UUID(value)
            return all(value[position] == "-" for position in (8, 13, 18, 23))
        if kind == "date":
            return bool(_DATE.fullmatch(value) and date.fromisoformat(value))
    except (ValueError, IndexError):
        return False
    return True
