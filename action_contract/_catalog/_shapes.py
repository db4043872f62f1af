"""Reading Hasura's JSON metadata shapes with located, Hasura-worded errors.

Each reader returns a usable default after reporting, so one pass finds every problem in a file.
"""

from __future__ import annotations

import re
from typing import Any

from ._locations import Reporter
from ._model import TypeRef

__all__ = ["NAME", "read_bool", "read_list", "read_name", "read_object", "read_str", "read_type"]

NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, (int, float)):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return type(value).__name__


def read_object(parent: Any, key: Any, report: Reporter, *, required: bool = False) -> dict[str, Any] | None:
    """`parent[key]` when it is an object; null or absent give None (and an error if required)."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            report.error(parent, f'key "{key}" not found', hint=f"Add `{key}:` here.")
        return None
    if not isinstance(value, dict):
        report.error(parent, f"expected Object for {key!r}, but encountered {_kind(value)}", key=key)
        return None
    return value


def read_list(parent: Any, key: Any, report: Reporter) -> list[Any]:
    """`parent[key]` when it is a list; null or absent give [] as Hasura's `.:? ... .!= []` does."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        report.error(parent, f"expected Array for {key!r}, but encountered {_kind(value)}", key=key)
        return []
    return value


def read_str(parent: Any, key: Any, report: Reporter, *, required: bool = False) -> str | None:
    """`parent[key]` when it is a string."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            report.error(parent, f'key "{key}" not found', hint=f"Add `{key}:` here.")
        return None
    if not isinstance(value, str):
        report.error(parent, f"expected String for {key!r}, but encountered {_kind(value)}", key=key)
        return None
    return value


def read_bool(parent: Any, key: Any, report: Reporter, default: bool = False) -> bool:
    """`parent[key]` when it is a boolean, else `default`."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        return default
    if not isinstance(value, bool):
        report.error(parent, f"expected Boolean for {key!r}, but encountered {_kind(value)}", key=key)
        return default
    return value


def read_name(parent: Any, key: Any, report: Reporter, what: str) -> str | None:
    """A required GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`)."""
    value = read_str(parent, key, report, required=True)
    if value is not None and not NAME.fullmatch(value):
        report.error(
            parent,
            f"{value!r} is not a valid GraphQL name for {what}",
            key=key,
            hint="Names start with a letter or _ and continue with letters, digits or _.",
        )
        return None
    return value


def read_type(parent: Any, key: Any, report: Reporter, *, subject: str | None = None) -> TypeRef | None:
    """A required GraphQL type reference such as `[Int!]!`."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        # An unquoted `type: [Foo]` is a YAML list, not the GraphQL list type `[Foo]`.
        report.error(
            parent,
            f"expected a GraphQL type string for {key!r}, but YAML read a list {value!r}",
            key=key,
            subject=subject,
            hint=f"Quote it: {key}: '[{value[0]}]'",
        )
        return None
    text = read_str(parent, key, report, required=True)
    if text is None:
        return None
    try:
        return TypeRef.parse(text)
    except ValueError as exc:
        report.error(parent, f"invalid GraphQL type: {exc}", key=key, subject=subject)
        return None
