"""The functions Hasura gives every transform: kriti-lang's standard table plus `getSessionVariable`.

Each takes one JSON value and returns one, or raises `FunctionFailure` with kriti-lang's exact
message (aeson's `parsing <what> failed, expected <T>, but encountered <T>` for the parser-based
ones). Where the Haskell code throws instead (`inverse(3)`, `tail([])`), `KritiCrash` is raised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ._kriti_ast import KritiCrash
from ._kriti_values import kind_of, to_decimal

__all__ = ["STANDARD_FUNCTIONS", "FunctionFailure", "KritiFunction", "percent_encode", "session_functions"]

KritiFunction = Callable[[Any], Any]


class FunctionFailure(Exception):
    """A function's own error; the evaluator reports it as a Function Error at the argument."""


def _expected(what: str, kind: str, value: Any) -> FunctionFailure:
    return FunctionFailure(f"parsing {what} failed, expected {kind}, but encountered {kind_of(value)}")


def _is_space(char: str) -> bool:
    # Haskell's isSpace: the Latin-1 spaces, then the Unicode category Zs only.
    if char <= "\xff":
        return char in " \t\n\r\f\v\xa0"
    return unicodedata.category(char) == "Zs"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _expected("String", "String", value)
    return value


def _array(value: Any, what: str = "Array") -> list[Any]:
    if kind_of(value) != "Array":
        raise _expected(what, "Array", value)
    return list(value)


def empty(value: Any) -> bool:
    """`empty`: no entries, a blank string, zero or null."""
    kind = kind_of(value)
    if kind == "Boolean":
        raise FunctionFailure("Cannot define emptiness for a boolean")
    if kind == "String":
        return all(_is_space(char) for char in value)
    if kind == "Number":
        return bool(to_decimal(value) == 0)
    return value is None or len(value) == 0


def size(value: Any) -> Any:
    """`size`: length of an array, object or string (code points); a number itself; booleans 1/0."""
    kind = kind_of(value)
    if kind == "Number":
        return value
    if kind == "Boolean":
        return int(value)
    if kind == "Null":
        return 0
    return len(value)


def _terminating(fraction: Fraction) -> Decimal:
    denominator, twos, fives = fraction.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        raise KritiCrash(
            "fromRational has been applied to a repeating decimal which can't be represented as a Scientific!"
        )
    places = max(twos, fives)
    scaled = fraction.numerator * 10**places // fraction.denominator
    digits = Decimal(abs(scaled)).as_tuple().digits
    exact = Decimal((1 if scaled < 0 else 0, digits, -places))
    # Scientific's division yields a normalised coefficient: an integral result has no fraction part.
    return exact.normalize() if exact == exact.to_integral_value() else exact


def inverse(value: Any) -> Any:
    """`inverse`: reversed array or string, negated boolean, 1/n for numbers; objects and null unchanged."""
    kind = kind_of(value)
    if kind == "Array":
        return list(reversed(value))
    if kind == "String":
        return value[::-1]
    if kind == "Boolean":
        return not value
    if kind == "Number":
        number = Fraction(to_decimal(value))
        if number == 0:
            raise KritiCrash("Ratio has zero denominator")
        return _terminating(1 / number)
    return value


def head(value: Any) -> Any:
    """`head`: first element or first character."""
    kind = kind_of(value)
    if kind in ("Array", "String"):
        if len(value) == 0:
            raise FunctionFailure("Empty array" if kind == "Array" else "Empty string")
        return value[0]
    raise FunctionFailure("Expected an array or string")


def tail(value: Any) -> Any:
    """`tail`: all but the first element or character."""
    kind = kind_of(value)
    if kind == "Array":
        if not value:
            raise KritiCrash("./Data/Vector/Generic.hs:408 (slice): invalid slice (1,-1,0)")
        return list(value[1:])
    if kind == "String":
        if not value:
            raise KritiCrash("Data.Text.tail: empty input")
        return value[1:]
    raise FunctionFailure("Expected an array or string")


def to_case_fold(value: Any) -> str:
    """`toCaseFold`: full Unicode case folding."""
    return _text(value).casefold()


def to_lower(value: Any) -> str:
    """`toLower`: full lower-case mapping character by character (no final-sigma rule, as Data.Text)."""
    return "".join(char.lower() for char in _text(value))


def to_upper(value: Any) -> str:
    """`toUpper`: full upper-case mapping character by character."""
    return "".join(char.upper() for char in _text(value))


def to_title(value: Any) -> str:
    """`toTitle`: only whitespace starts a word; a word's first character is title-cased, the rest lowered."""
    out, in_word = [], False
    for char in _text(value):
        if _is_space(char):
            out.append(char)
            in_word = False
        elif in_word:
            out.append(char.lower())
        else:
            out.append(char.title())
            in_word = unicodedata.category(char).startswith("L")
    return "".join(out)


_RESERVED_RUN = re.compile(r"[^A-Za-z0-9\-_.~]+")


def _percent(match: re.Match[str]) -> str:
    return "%" + match.group().encode("utf-8", "surrogatepass").hex("%").upper()


def percent_encode(text: str) -> str:
    """Every character but ASCII letters, digits and `-_.~` as `%XX` of its UTF-8 bytes (upper-case hex)."""
    return _RESERVED_RUN.sub(_percent, text)


def escape_uri(value: Any) -> str:
    """`escapeUri`: percent-encode all but ASCII letters, digits and `-_.~` (UTF-8, upper-case hex)."""
    return percent_encode(_text(value))


def from_pairs(value: Any) -> dict[str, Any]:
    """`fromPairs`: `[[k, v], ...]` to an object; later keys win."""
    out: dict[str, Any] = {}
    for pair in _array(value, "Nested Arrays"):
        items = _array(pair, "Array of Pair")
        if len(items) != 2:
            raise FunctionFailure("Expected an array of shape [ [k1,v1], [k2,v2] ... ] - With String keys.")
        if not isinstance(items[0], str):
            raise _expected("Key", "String", items[0])
        out[items[0]] = items[1]
    return out


def to_pairs(value: Any) -> list[list[Any]]:
    """`toPairs`: an object as `[[k, v], ...]` in ascending key order."""
    if kind_of(value) != "Object":
        raise _expected("Object", "Object", value)
    return [[key, value[key]] for key in sorted(value)]


def remove_nulls(value: Any) -> list[Any]:
    """`removeNulls`: the array without its null elements."""
    return [item for item in _array(value) if item is not None]


def concat(value: Any) -> Any:
    """`concat`: arrays concatenated, strings joined, or objects merged (right-most wins)."""
    items = _array(value)
    kinds = [kind_of(item) for item in items]
    if all(kind == "Array" for kind in kinds):
        return [element for item in items for element in item]
    if all(kind == "String" for kind in kinds):
        return "".join(items)
    merged: dict[str, Any] = {}
    for item, kind in zip(items, kinds, strict=True):
        if kind != "Object":
            raise _expected("Nested Object", "Object", item)
        merged.update(item)
    return merged


def negate(value: Any) -> bool:
    """`not`: boolean negation."""
    if kind_of(value) != "Boolean":
        raise _expected("Bool", "Boolean", value)
    return not value


STANDARD_FUNCTIONS: Mapping[str, KritiFunction] = {
    "empty": empty,
    "size": size,
    "inverse": inverse,
    "head": head,
    "tail": tail,
    "toCaseFold": to_case_fold,
    "toLower": to_lower,
    "toUpper": to_upper,
    "toTitle": to_title,
    "escapeUri": escape_uri,
    "fromPairs": from_pairs,
    "toPairs": to_pairs,
    "removeNulls": remove_nulls,
    "concat": concat,
    "not": negate,
}


def session_functions(session: Mapping[str, str] | None) -> dict[str, KritiFunction]:
    """The standard functions plus Hasura's `getSessionVariable` over `session` (None: no session)."""
    folded = {name.lower(): value for name, value in (session or {}).items()}

    def get_session_variable(name: Any) -> Any:
        if name is None:
            return None
        if not isinstance(name, str):
            raise FunctionFailure("Session variable name should be a string")
        if name.lower() not in folded:
            raise FunctionFailure(f'Session variable "{name}" not found')
        return folded[name.lower()]

    return {**STANDARD_FUNCTIONS, "getSessionVariable": get_session_variable}
