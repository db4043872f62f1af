"""Kriti evaluation: a walk over the parsed tree with kriti-lang's rules, error codes and spans.

Left to right, no short-circuit except `??` (right side only when the left is null) and the chosen
branch of `if`; `&&` and `||` evaluate both sides. Optional chains turn any error of their target
into null. See the facts document §1.4 for the table this follows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ._kriti_ast import (
    Array,
    Binary,
    Call,
    Field,
    If,
    KritiError,
    Literal,
    Node,
    Object,
    Optional,
    Range,
    Span,
    StringTemplate,
    Var,
)
from ._kriti_functions import FunctionFailure, KritiFunction
from ._kriti_values import compare, encode, equal, kind_of

__all__ = ["evaluate"]

Scope = Mapping[str, Any]
Functions = Mapping[str, KritiFunction]
_INT_MIN, _INT_MAX = -(1 << 63), (1 << 63) - 1


def _type_error(span: Span, value: Any, expected: str) -> KritiError:
    return KritiError(
        "Type Error", f"Couldn't match expected type '{expected}' with actual type '{kind_of(value)}'", span
    )


def _as_index(value: Any) -> int | None:
    """An integral number within Haskell's Int, as kriti-lang's `toBoundedInteger @Int` accepts it."""
    if value is True or value is False or not isinstance(value, (int, float, Decimal)):
        return None
    if isinstance(value, int):
        number = value
    else:
        decimal = Decimal(repr(value)) if isinstance(value, float) else value
        if decimal != decimal.to_integral_value():
            return None
        number = int(decimal)
    return number if _INT_MIN <= number <= _INT_MAX else None


def _literal(node: Literal, scope: Scope, functions: Functions) -> Any:
    return node.value


def _string(node: StringTemplate, scope: Scope, functions: Functions) -> Any:
    out = []
    for part in node.parts:
        value = _eval(part, scope, functions)
        out.append(value if isinstance(value, str) else encode(value))
    return "".join(out)


def _array(node: Array, scope: Scope, functions: Functions) -> Any:
    return [_eval(item, scope, functions) for item in node.items]


def _object(node: Object, scope: Scope, functions: Functions) -> Any:
    return {key: _eval(value, scope, functions) for key, value in node.fields}


def _var(node: Var, scope: Scope, functions: Functions) -> Any:
    try:
        return scope[node.name]
    except KeyError:
        raise KritiError("Name Error", f"Variable '{node.name}' not in scope", node.span) from None


def _missing(node: Field, key: str) -> KritiError:
    return KritiError("Attribute Error", f"'Object' has no attritubte '{key}'.", node.span)


def _field(node: Field, scope: Scope, functions: Functions) -> Any:
    target = _eval(node.target, scope, functions)
    key = node.key
    if isinstance(key, str):
        if not isinstance(target, dict):
            raise _type_error(node.target.span, target, "Object")
        if key not in target:
            raise _missing(node, key)
        return target[key]
    if isinstance(target, dict):
        name = _eval(key, scope, functions)
        if not isinstance(name, str):
            raise _type_error(node.target.span, name, "String")
        if name not in target:
            raise _missing(node, name)
        return target[name]
    if isinstance(target, list):
        index = _eval(key, scope, functions)
        position = _as_index(index)
        if position is None:
            raise _type_error(node.span, index, "Integer")
        if not 0 <= position < len(target):
            raise KritiError("Index Error", "Can only range over an array", node.span)
        return target[position]
    raise _type_error(node.target.span, target, "Object")


def _optional(node: Optional, scope: Scope, functions: Functions) -> Any:
    try:
        value = _eval(node.target, scope, functions)
    except KritiError:
        value = None
    keys = [key if isinstance(key, str) else _eval(key, scope, functions) for key in node.fields]
    if value is None:
        return None
    if not isinstance(value, (dict, list)):
        raise _type_error(node.target.span, value, "Object")
    for key in keys:
        if isinstance(value, dict) and isinstance(key, str) and key in value:
            value = value[key]
        elif isinstance(value, list) and (position := _as_index(key)) is not None and 0 <= position < len(value):
            value = value[position]
        else:
            return None
    return value


def _if(node: If, scope: Scope, functions: Functions) -> Any:
    branches = [(node.span, node.condition, node.body)]
    branches.extend((branch.span, branch.condition, branch.body) for branch in node.elifs)
    for span, condition, body in branches:
        value = _eval(condition, scope, functions)
        if value is True:
            return _eval(body, scope, functions)
        if value is not False:
            raise _type_error(span, value, "Boolean")
    return _eval(node.orelse, scope, functions)


def _binary(node: Binary, scope: Scope, functions: Functions) -> Any:
    op = node.op
    left = _eval(node.left, scope, functions)
    if op == "??":
        return _eval(node.right, scope, functions) if left is None else left
    right = _eval(node.right, scope, functions)
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op in ("&&", "||"):
        if not isinstance(right, bool):
            raise _type_error(node.span, right, "Boolean")
        if not isinstance(left, bool):
            raise _type_error(node.span, left, "Boolean")
        return (left and right) if op == "&&" else (left or right)
    if op == "in":
        if isinstance(right, dict):
            if not isinstance(left, str):
                raise _type_error(node.span, left, "String")
            return left in right
        if isinstance(right, list):
            return any(equal(left, item) for item in right)
        raise _type_error(node.span, right, "Array")
    order = compare(left, right)
    return _COMPARISONS[op](order)


_COMPARISONS: dict[str, Callable[[int], bool]] = {
    "<": lambda order: order < 0,
    ">": lambda order: order > 0,
    "<=": lambda order: order <= 0,
    ">=": lambda order: order >= 0,
}


def _range(node: Range, scope: Scope, functions: Functions) -> Any:
    source = _eval(node.source, scope, functions)
    if not isinstance(source, list):
        raise _type_error(node.span, source, "Array")
    out = []
    for position, item in enumerate(source):
        inner = dict(scope)
        inner[node.binder] = item
        if node.index is not None:
            inner[node.index] = position  # the index wins when both binders share a name
        out.append(_eval(node.body, inner, functions))
    return out


def _call(node: Call, scope: Scope, functions: Functions) -> Any:
    argument = _eval(node.argument, scope, functions)
    function = functions.get(node.name)
    if function is None:
        raise KritiError("Name Error", f"Variable '{node.name}' not in scope", node.span)
    try:
        return function(argument)
    except FunctionFailure as failure:
        raise KritiError("Function Error", str(failure), node.argument.span) from None


_DISPATCH: dict[type, Callable[[Any, Scope, Functions], Any]] = {
    Literal: _literal,
    StringTemplate: _string,
    Array: _array,
    Object: _object,
    Var: _var,
    Field: _field,
    Optional: _optional,
    If: _if,
    Binary: _binary,
    Range: _range,
    Call: _call,
}


def _eval(node: Node, scope: Scope, functions: Functions) -> Any:
    return _DISPATCH[type(node)](node, scope, functions)


def evaluate(node: Node, scope: Scope, functions: Functions) -> Any:
    """The value of `node` with `scope` bound (names include the `$`); raises KritiError or KritiCrash."""
    return _eval(node, scope, functions)
