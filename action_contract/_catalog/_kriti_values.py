"""JSON values as Kriti (and aeson, which Hasura encodes with) see them: kinds, equality, order, text.

Values are plain Python JSON values; numbers may be `int`, `float` or `Decimal`. A `Decimal` keeps the
exponent it was written with (`1.50` is 150e-2), which decides how aeson writes it (§1.5 of the
facts: `1e3` is `1000`, `1.0` stays `1.0`, `0.01` is `1.0e-2`). A `float` stands for the JSON text
Python writes for it (its `repr`), which is what Hasura would have parsed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

__all__ = ["compare", "encode", "equal", "kind_of", "to_decimal", "to_python"]

# aeson's constructor order decides the order between kinds.
_RANK = {"Object": 0, "Array": 1, "String": 2, "Number": 3, "Boolean": 4, "Null": 5}
_ESCAPE = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')


def kind_of(value: Any) -> str:
    """Kriti's type name for `value`: Object, Array, String, Number, Boolean or Null."""
    if value is None:
        return "Null"
    if value is True or value is False:
        return "Boolean"
    if isinstance(value, str):
        return "String"
    if isinstance(value, (int, float, Decimal)):
        return "Number"
    if isinstance(value, dict):
        return "Object"
    if isinstance(value, (list, tuple)):
        return "Array"
    raise TypeError(f"not a JSON value: {value!r}")


def to_decimal(number: int | float | Decimal) -> Decimal:
    """`number` as an exact decimal; a float as the decimal its JSON text (repr) denotes."""
    if isinstance(number, Decimal):
        return number
    if isinstance(number, float):
        return Decimal(repr(number))
    return Decimal(number)


def _number_equal(left: Any, right: Any) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        return to_decimal(left) == to_decimal(right)
    return bool(left == right)


def equal(left: Any, right: Any) -> bool:
    """aeson's `Value` equality: structural, numbers by value, never across kinds (`true` is not `1`)."""
    kind = kind_of(left)
    if kind != kind_of(right):
        return False
    if kind == "Number":
        return _number_equal(left, right)
    if kind == "Array":
        return len(left) == len(right) and all(equal(a, b) for a, b in zip(left, right, strict=True))
    if kind == "Object":
        return left.keys() == right.keys() and all(equal(value, right[key]) for key, value in left.items())
    return bool(left == right)


def compare(left: Any, right: Any) -> int:
    """aeson's derived `Value` order as -1, 0 or 1: by kind first (Object < Array < String < Number <
    Boolean < Null), then numbers numerically, strings by code point, arrays and key-sorted objects
    lexicographically."""
    kind, other = kind_of(left), kind_of(right)
    if kind != other:
        return -1 if _RANK[kind] < _RANK[other] else 1
    if kind == "Number":
        a, b = to_decimal(left), to_decimal(right)
        return (a > b) - (a < b)
    if kind == "Array":
        return _compare_sequences(list(left), list(right))
    if kind == "Object":
        return _compare_sequences(sorted(left.items()), sorted(right.items()), pairs=True)
    if kind == "Null":
        return 0
    return int((left > right) - (left < right))


def _compare_sequences(left: list[Any], right: list[Any], pairs: bool = False) -> int:
    for a, b in zip(left, right, strict=False):  # a common prefix, then the shorter one first
        order = ((a[0] > b[0]) - (a[0] < b[0]) or compare(a[1], b[1])) if pairs else compare(a, b)
        if order:
            return order
    return (len(left) > len(right)) - (len(left) < len(right))


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPE.get(char) or f"\\u{ord(char):04x}"


def _encode_string(text: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def encode_number(number: int | float | Decimal) -> str:
    """A number as aeson writes it: plain digits for a non-negative exponent up to 1024, otherwise
    the shortest digits in fixed notation when the decimal exponent is 0..7, else `d.ddde<n>`."""
    if isinstance(number, int):
        return str(number)
    sign, digits, exponent = to_decimal(number).as_tuple()
    assert isinstance(exponent, int), "JSON has no NaN or infinity"
    coefficient = int("".join(map(str, digits)) or "0")
    negative = "-" if sign and coefficient else ""
    if 0 <= exponent <= 1024:
        return negative + str(coefficient * 10**exponent)
    if coefficient == 0:
        return "0.0"
    text = str(coefficient)
    stripped = text.rstrip("0")
    # value = 0.d1...dn x 10^point
    point = len(text) + exponent
    if 0 <= point <= 7:
        if point == 0:
            return f"{negative}0.{stripped}"
        whole = stripped[:point].ljust(point, "0")
        return f"{negative}{whole}.{stripped[point:] or '0'}"
    return f"{negative}{stripped[0]}.{stripped[1:] or '0'}e{point - 1}"


def encode(value: Any) -> str:
    """`value` as compact JSON text, exactly as aeson writes it (keys in code-point order)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, (int, float, Decimal)):
        return encode_number(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_encode_string(k)}:{encode(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(encode(item) for item in value) + "]"
    raise TypeError(f"not a JSON value: {value!r}")


def to_python(value: Any) -> Any:
    """`value` with every Decimal made an int (integral, non-negative exponent) or a float, as JSON
    decoding in Python would give it."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, dict):
        return {key: to_python(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_python(item) for item in value]
    return value
