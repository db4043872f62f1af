"""The checks of leaf values: built-in scalars, enums and Postgres or registered scalars (contract §1.5).

IDs arrive as strings, enums as value names, Postgres scalars as the client wrote them; custom
scalars and json/jsonb take any JSON. `Int` takes `5.0`, as the strict input schema (draft 2020-12
`integer`) does; scalar schemas are read through `_schema_subset`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from .._catalog._model import EnumType, ScalarType
from .._catalog._scalars import int_range, json_schema_for_scalar, postgres_category, registered
from .._catalog._schema_subset import describe, valid
from .._suggest import did_you_mean, listed, short_json
from ._problems import Check, Report, list_hint

__all__ = ["enum_check", "scalar_check"]

_INT_LOW, _INT_HIGH = int_range("Int") or (-(2**31), 2**31 - 1)


def _int(value: Any, path: str, report: Report) -> None:
    # An integral float counts, as in the strict input schema (draft 2020-12 `integer`) and `_strict`.
    if isinstance(value, bool) or not isinstance(value, int | float):
        report.add(path, f"expected Int, a 32-bit whole number, found {short_json(value)}{list_hint(value, 'Int')}")
    elif isinstance(value, float) and not value.is_integer():
        report.add(path, f"expected Int, a 32-bit whole number, found {short_json(value)}")
    elif not _INT_LOW <= value <= _INT_HIGH:
        hint = f"; Int ranges from {_INT_LOW} to {_INT_HIGH}"
        report.add(path, f"expected Int, a 32-bit whole number, found {short_json(value)}{hint}")


def _float(value: Any, path: str, report: Report) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        report.add(path, f"expected Float, a number, found {short_json(value)}{list_hint(value, 'Float')}")
    elif isinstance(value, float) and not math.isfinite(value):
        report.add(path, f"expected Float, a finite number, found {short_json(value)}")


def _leaf(ok: Callable[[Any], bool], name: str, expected: str, hint: str = "") -> Check:
    def check(value: Any, path: str, report: Report) -> None:
        if not ok(value):
            report.add(path, f"expected {expected}, found {short_json(value)}{list_hint(value, name) or hint}")

    return check


def _anything(value: Any, path: str, report: Report) -> None:
    """Custom scalars and json/jsonb: Hasura forwards any JSON as given (contract §1.5)."""


_BUILTINS: dict[str, Check] = {
    "Int": _int,
    "Float": _float,
    "String": _leaf(lambda value: isinstance(value, str), "String", "String"),
    # An ID written as a number in the query still reaches the handler as a string (contract §1.5).
    "ID": _leaf(lambda value: isinstance(value, str), "ID", "ID, a string", "; Hasura sends every ID as a string"),
    "Boolean": _leaf(lambda value: isinstance(value, bool), "Boolean", "Boolean, true or false"),
}


def enum_check(named: EnumType) -> Check:
    values = frozenset(named.value_names)
    expected = f"expected {named.name}, one of {listed([json.dumps(v) for v in named.value_names])}"

    def check(value: Any, path: str, report: Report) -> None:
        if isinstance(value, str) and value in values:
            return
        # Enum values are case-sensitive, so `"red"` for `RED` is wrong but gets a suggestion.
        suggestion = did_you_mean(value, named.value_names) if isinstance(value, str) else ""
        report.add(
            path,
            f"{expected}, found {short_json(value)}{'.' + suggestion if suggestion else list_hint(value, named.name)}",
        )

    return check


def scalar_check(named: ScalarType) -> Check:
    name = named.name
    if named.origin == "builtin" and registered(name) is None:
        return _BUILTINS[name]
    # Postgres scalars are checked by Hasura's parser but forwarded as written (contract §1.5).
    schema = json_schema_for_scalar(name, named.origin)
    return _leaf(lambda value: valid(schema, value), name, _what(name, schema)) if schema else _anything


def _what(name: str, schema: dict[str, Any]) -> str:
    # Examples read better than the schema's regular expressions; a registered schema speaks for itself.
    if registered(name) is not None:
        return describe(name, schema)
    category = postgres_category(name)
    if category in _EXAMPLES:
        return f"{name}, {_EXAMPLES[category]}"
    if schema == {"type": "string"}:
        return f"{name}, a string"
    if schema == {"type": "boolean"}:
        return f"{name}, true or false"
    return describe(name, schema)


_EXAMPLES = {
    "bigint": 'a whole number or a string of digits such as "9007199254740993"',
    "decimal": 'a number or a decimal string such as "12.50"',
    "timestamp": 'a date and time such as "2024-02-29T12:00:00"',
    "timestamptz": 'a date and time such as "2024-02-29T12:00:00Z"',
    "time": 'a time of day such as "12:30:00"',
    "timetz": 'a time of day such as "12:30:00+02:00"',
    "geo": 'a GeoJSON object such as {"type": "Point", "coordinates": [1, 2]}',
}
