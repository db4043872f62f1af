"""Reading a GraphQL field's arguments into the `input` Hasura sends a handler (contract §1.5).

Hasura never renames keys and fills in no defaults: an omitted nullable argument or input field is
absent, an explicit `null` is present, a referenced but unbound variable arrives as `null`. Built-in
scalars are checked (`Int` 32-bit, `ID` always sent as a string), enums are sent by name, a single
value for a list type becomes a one-element list, and custom and Postgres scalars pass their JSON
through unchanged (Postgres ones after a check of their form). Errors are Hasura's `validation-failed`
texts, `expected <what> for type '<Name>', but found <value>` and `missing required field '<name>'`,
with the JSON path Hasura gives (`$.selectionSet.<field>.args.<argument>...`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graphql.language import ast

from .._catalog._model import Action, Catalog, EnumType, Field, InputObjectType, ScalarType, TypeRef
from .._catalog._scalars import json_schema_for_scalar
from .._catalog._schema_subset import describe, valid
from .._hasura._rules import json_kind

__all__ = ["ArgumentReader", "GraphQLFailure", "Variables"]

#: The operation's variable values and definitions, as the request gave them.
Variables = tuple[Mapping[str, Any], Mapping[str, ast.VariableDefinitionNode]]

#: Reads one member's value: (value, its type, its JSON path) -> the JSON Hasura sends.
_Read = Callable[[Any, TypeRef, str], Any]

_INT32 = (-(2**31), 2**31 - 1)
# What Hasura's built-in scalar parsers say they expected (observed Hasura texts).
_EXPECTED = {
    "Int": "a 32-bit integer",
    "Float": "a float",
    "String": "a string",
    "Boolean": "a boolean",
    "ID": "a String or a 32-bit integer",
}


class GraphQLFailure(Exception):
    """A GraphQL request Hasura refuses before calling any handler: its error object, path and code."""

    def __init__(self, message: str, *, path: str = "$", code: str = "validation-failed", status: int = 200) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.code = code
        #: The HTTP status of Hasura's reply: 200 for GraphQL errors, 4xx for a request it cannot read.
        self.status = status

    def error(self) -> dict[str, Any]:
        """The GraphQL error object (`encodeGQErr`): message, then `extensions` with path and code."""
        return {"message": self.message, "extensions": {"path": self.path, "code": self.code}}


class ArgumentReader:
    """Turns argument literals and variable values into Hasura's `input` JSON for one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def read(self, action: Action, node: ast.FieldNode, variables: Variables, path: str) -> dict[str, Any]:
        """`input` for a call of `action` written as `node`; raises `GraphQLFailure` as Hasura would."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        return self.members(
            action.arguments,
            given,
            path,
            lambda name: f"'{action.name}' has no argument named '{name}'",
            lambda value, ref, where: self.literal(value, ref, variables, where),
        )

    # -- GraphQL literals ----------------------------------------------------------------------

    def literal(self, node: ast.ValueNode, ref: TypeRef, variables: Variables, path: str) -> Any:
        """The JSON Hasura sends for literal (or variable) `node` of type `ref`."""
        if isinstance(node, ast.VariableNode):
            return self.variable(node.name.value, ref, variables, path)
        if isinstance(node, ast.NullValueNode):
            return self.null(ref, path, "null")
        if ref.of_type is not None:
            if isinstance(node, ast.ListValueNode):
                return [
                    self.literal(item, ref.of_type, variables, f"{path}[{i}]") for i, item in enumerate(node.values)
                ]
            return [self.literal(node, ref.of_type, variables, path)]  # input coercion: one value, one-element list
        name = ref.base_name
        named = self.catalog.types.get(name)
        if isinstance(named, InputObjectType):
            if not isinstance(node, ast.ObjectValueNode):
                raise _mismatch("an object", name, _literal_kind(node), path)
            fields = {f.name.value: f.value for f in node.fields}
            return self.object(
                named, fields, path, lambda value, field_ref, where: self.literal(value, field_ref, variables, where)
            )
        if isinstance(named, EnumType):
            if isinstance(node, ast.EnumValueNode) and node.value in named.value_names:
                return node.value
            raise _enum_mismatch(named, _literal_kind(node), path)
        return self.scalar(name, named, _untyped(node, variables), _literal_kind(node), node, path)

    def variable(self, name: str, ref: TypeRef, variables: Variables, path: str) -> Any:
        values, definitions = variables
        if name in values:
            return self.json(values[name], ref, path)
        definition = definitions.get(name)
        if definition is not None and definition.default_value is not None:
            return self.literal(definition.default_value, ref, variables, path)
        # Unbound: Hasura sends null (contract §1.5; absent only with an experimental flag).
        return self.null(ref, path, "null")

    # -- JSON variable values --------------------------------------------------------------------

    def json(self, value: Any, ref: TypeRef, path: str) -> Any:
        """The JSON Hasura sends for variable value `value` used where type `ref` is expected."""
        if value is None:
            return self.null(ref, path, "null")
        if ref.of_type is not None:
            if isinstance(value, list):
                return [self.json(item, ref.of_type, f"{path}[{i}]") for i, item in enumerate(value)]
            return [self.json(value, ref.of_type, path)]
        name = ref.base_name
        named = self.catalog.types.get(name)
        if isinstance(named, InputObjectType):
            if not isinstance(value, dict):
                raise _mismatch("an object", name, _json_kind(value), path)
            return self.object(named, value, path, lambda item, field_ref, where: self.json(item, field_ref, where))
        if isinstance(named, EnumType):
            if isinstance(value, str) and value in named.value_names:
                return value
            raise _enum_mismatch(named, _json_kind(value), path)
        return self.scalar(name, named, value, _json_kind(value), None, path)

    # -- shared ----------------------------------------------------------------------------------

    def null(self, ref: TypeRef, path: str, found: str) -> None:
        if ref.non_null:
            raise _mismatch(_expected(self.catalog, ref), ref.base_name, found, path)
        return None

    def object(self, named: InputObjectType, given: Mapping[str, Any], path: str, read: _Read) -> dict[str, Any]:
        unknown = f"field '{{}}' not found in type: '{named.name}'"
        return self.members(named.fields, given, path, unknown.format, read)

    def members(
        self, fields: Sequence[Field], given: Mapping[str, Any], path: str, unknown: Callable[[str], str], read: _Read
    ) -> dict[str, Any]:
        """Arguments or input-object fields: none unknown, every non-null one given, omitted ones absent."""
        declared = {field.name for field in fields}
        for key in given:
            if key not in declared:
                raise GraphQLFailure(unknown(key), path=f"{path}.{key}")
        result: dict[str, Any] = {}
        for field in fields:
            where = f"{path}.{field.name}"
            if field.name in given:
                result[field.name] = read(given[field.name], field.type, where)
            elif field.type.non_null:
                raise GraphQLFailure(f"missing required field '{field.name}'", path=where)
        return result

    def scalar(self, name: str, named: Any, value: Any, kind: str, node: ast.ValueNode | None, path: str) -> Any:
        if name == "Int":
            if _is_int(value) and _INT32[0] <= value <= _INT32[1] and not isinstance(node, ast.FloatValueNode):
                return value
        elif name == "Float":
            if _is_number(value) and math.isfinite(value):
                return value
        elif name == "String":
            if isinstance(value, str) and not isinstance(node, ast.EnumValueNode):
                return value
        elif name == "Boolean":
            if isinstance(value, bool):
                return value
        elif name == "ID":
            # Always a string for the handler: an integer literal 5 becomes "5" (contract §1.5).
            if isinstance(value, str) and not isinstance(node, ast.EnumValueNode):
                return value
            if _is_int(value) and not isinstance(node, ast.FloatValueNode):
                return str(value)
        else:
            origin = named.origin if isinstance(named, ScalarType) else "custom"
            schema = json_schema_for_scalar(name, origin)
            # Postgres scalars are checked by their parser, then the original JSON goes on (§1.5).
            if valid(schema, value):
                return value
            raise _mismatch(describe(name, schema).partition(", ")[2] or "a value", name, kind, path)
        raise _mismatch(_EXPECTED[name], name, kind, path)


def _expected(catalog: Catalog, ref: TypeRef) -> str:
    if ref.of_type is not None:
        return "a list"
    named = catalog.types.get(ref.base_name)
    if isinstance(named, InputObjectType):
        return "an object"
    if isinstance(named, EnumType):
        return "an enum value"
    return _EXPECTED.get(ref.base_name, "a value")


def _mismatch(expected: str, name: str, found: str, path: str) -> GraphQLFailure:
    return GraphQLFailure(f"expected {expected} for type '{name}', but found {found}", path=path)


def _enum_mismatch(named: EnumType, found: str, path: str) -> GraphQLFailure:
    values = ", ".join(named.value_names)
    # Hasura's exact wording for enums is not pinned by the contract file; the pattern is.
    return _mismatch(f"one of the values {values}", named.name, found, path)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _untyped(node: ast.ValueNode, variables: Variables) -> Any:
    """A literal as JSON, the way Hasura's `jsonScalar` converts GraphQL object and list literals (§1.5)."""
    if isinstance(node, ast.IntValueNode):
        return int(node.value)
    if isinstance(node, ast.FloatValueNode):
        return float(node.value)
    if isinstance(node, ast.StringValueNode | ast.EnumValueNode):
        return node.value
    if isinstance(node, ast.BooleanValueNode):
        return node.value
    if isinstance(node, ast.ListValueNode):
        return [_untyped(item, variables) for item in node.values]
    if isinstance(node, ast.ObjectValueNode):
        return {f.name.value: _untyped(f.value, variables) for f in node.fields}
    if isinstance(node, ast.VariableNode):
        return variables[0].get(node.name.value)
    return None


def _literal_kind(node: ast.ValueNode) -> str:
    return _LITERAL_KINDS.get(type(node), "a value")


_LITERAL_KINDS: dict[type, str] = {
    ast.IntValueNode: "an integer",
    ast.FloatValueNode: "a float",
    ast.StringValueNode: "a string",
    ast.BooleanValueNode: "a boolean",
    ast.NullValueNode: "null",
    ast.EnumValueNode: "an enum value",
    ast.ListValueNode: "a list",
    ast.ObjectValueNode: "an object",
}


def _json_kind(value: Any) -> str:
    # Hasura's words for a JSON value it did not expect, as in "but found a number" (observed Hasura text).
    return _JSON_KINDS[json_kind(value)]


_JSON_KINDS = {
    "Null": "null",
    "Boolean": "a boolean",
    "Number": "a number",
    "String": "a string",
    "Array": "a list",
    "Object": "an object",
}
