"""`request_query`: a GraphQL document Hasura could have received for a given `input`.

Hasura forwards the client's document text verbatim, with `$var` references left in place and the
variables themselves not sent (contract §1.3). So the text must agree with `input`: every present
argument appears, as a literal or as a variable, and an absent one does not appear at all (an
unbound variable would arrive as null, §1.5). Printing is plain string work, compiled once per
action; graphql-core is only used by the tests to prove the documents parse and validate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from .._catalog._model import Action, Catalog, EnumType, InputObjectType, ObjectType, TypeRef

__all__ = ["QueryPrinter"]

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_FIXED_BITS = 3  # operation name, alias, __typename

#: Prints a value as a GraphQL literal, or returns None when only a variable can carry it.
Literal = Callable[[Any], "str | None"]


class QueryPrinter:
    """Prints `request_query` documents for one action; `choices` picks variables, alias and selection."""

    def __init__(self, catalog: Catalog, action: Action) -> None:
        self.catalog = catalog
        self.action = action
        self._literals: dict[str, Literal] = {}
        self.arguments = [(a.name, f"${a.name}: {a.type}", self._literal(a.type)) for a in action.arguments]
        named = catalog.types.get(action.output_type.base_name)
        self.fields = list(named.fields) if isinstance(named, ObjectType) else []
        self.keyword = "query" if action.type == "query" else "mutation"
        self.operation_name = action.name[:1].upper() + action.name[1:]

    @property
    def bits(self) -> int:
        """How many random bits a document uses (one Hypothesis integer draw covers them all)."""
        return _FIXED_BITS + len(self.arguments) + len(self.fields)

    def print(self, arguments: dict[str, Any], choices: int) -> str:
        """A document calling the action with `arguments`."""
        named, aliased, typename = choices & 1, choices & 2, choices & 4
        choices >>= _FIXED_BITS
        variables: list[str] = []
        written: list[str] = []
        for name, declaration, literal in self.arguments:
            as_variable = choices & 1
            choices >>= 1
            if name not in arguments:
                continue
            value = arguments[name]
            text = None if as_variable else "null" if value is None else literal(value)
            if text is None:
                variables.append(declaration)
                text = "$" + name
            written.append(f"{name}: {text}")
        head = self.keyword + (" " + self.operation_name if named else "")
        if variables:
            head += "(" + ", ".join(variables) + ")"
        call = ("result: " if aliased else "") + self.action.name
        if written:
            call += "(" + ", ".join(written) + ")"
        return f"{head} {{ {call}{self._selection(choices, bool(typename))} }}"

    def _selection(self, choices: int, typename: bool) -> str:
        if not self.fields:
            return ""  # scalar outputs take no selection set
        chosen = [f for index, f in enumerate(self.fields) if choices >> index & 1] or self.fields[:1]
        parts = ["__typename"] if typename else []
        for field in chosen:
            nested = self.catalog.types.get(field.type.base_name)
            parts.append(field.name + (self._nested(nested, 1) if isinstance(nested, ObjectType) else ""))
        return " { " + " ".join(parts) + " }"

    def _nested(self, named: ObjectType, depth: int) -> str:
        # Nested objects select their leaf fields, and their own nested objects down to depth 2.
        parts = []
        for field in named.fields:
            nested = self.catalog.types.get(field.type.base_name)
            if not isinstance(nested, ObjectType):
                parts.append(field.name)
            elif depth < 2:
                parts.append(field.name + self._nested(nested, depth + 1))
        return " { " + " ".join(parts or ["__typename"]) + " }"

    def _literal(self, ref: TypeRef) -> Literal:
        key = str(ref)
        printer = self._literals.get(key)
        if printer is None:
            # Input-object fields compile on first use, so recursive input types terminate.
            printer = self._literals[key] = self._compile(ref)
        return printer

    def _compile(self, ref: TypeRef) -> Literal:
        if ref.of_type is not None:
            item = self._literal(ref.of_type)
            return lambda value: _list(value, item)
        named = self.catalog.types.get(ref.base_name)
        if isinstance(named, EnumType):
            return lambda value: value if isinstance(value, str) and _NAME.fullmatch(value) else None
        if isinstance(named, InputObjectType):
            fields = {f.name: f.type for f in named.fields}
            return lambda value: self._object(value, fields)
        return json_literal

    def _object(self, value: Any, fields: dict[str, TypeRef]) -> str | None:
        if not isinstance(value, dict):
            return None
        parts = []
        for key, item in value.items():
            ref = fields.get(key)
            text = None if ref is None else "null" if item is None else self._literal(ref)(item)
            if text is None:
                return None
            parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"


def _list(value: Any, item: Literal) -> str | None:
    if value is None:
        return "null"
    if not isinstance(value, list):
        return None
    parts = []
    for element in value:
        text = "null" if element is None else item(element)
        if text is None:
            return None
        parts.append(text)
    return "[" + ", ".join(parts) + "]"


def json_literal(value: Any) -> str | None:
    """A scalar's JSON written as GraphQL: Hasura turns object and list literals back into JSON (§1.5)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        # JSON string escapes are GraphQL string escapes; non-ASCII stays as it is.
        return encode_basestring(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, list):
        return _list(value, json_literal)
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            text = json_literal(item)
            if text is None or not (isinstance(key, str) and _NAME.fullmatch(key)):
                return None  # keys that are not GraphQL names need a variable
            parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"
    return None
