"""Hypothesis strategies and fixed edge values for scalar inputs, as Hasura forwards them to a handler.

Built-in scalars cover the awkward parts often (both 32-bit bounds, negative zero, empty, non-ASCII,
astral-plane and long strings); Postgres scalars get valid values of their real type, because Hasura
parses them with the Postgres parser and forwards the JSON unchanged (contract §1.5); declared custom
scalars take any JSON. A strategy registered with `register_scalar` replaces all of this for its name.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Mapping
from datetime import timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from .._catalog._model import ScalarType
from .._catalog._scalars import int_range, postgres_category, register, registered, registry_generation
from .._errors import InvalidArgument
from ._realistic import naive_text
from ._sampling import draw_examples

__all__ = ["EDGE_MODES", "register_scalar", "scalar_edge", "scalar_strategy"]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
FLOAT_MAX = sys.float_info.max

#: The fixed examples every action starts with (see `_requests.edge_requests`).
EDGE_MODES = ("absent", "null", "present", "low", "high")

# Texts that break naive handlers: empty, whitespace, accents and combining marks, CJK, right-to-left,
# emoji outside the Basic Multilingual Plane, quotes and backslashes, control characters.
EDGE_STRINGS = (
    "", " ", "Zoë", "e\u0301", "日本語", "مرحبا", "🚀", "👩‍👩‍👧", "\U0001d518\U0001d52b\U0001d526",
    'quote " and \\ backslash', "line\nbreak\ttab", "\u0000", "\u202eright-to-left", "null",
)  # fmt: skip
LONG_STRING = ("Zoë 🚀 日本語 " * 120)[:1100]
# Over 1 KB: fixed texts cost one draw, where Hypothesis pays a draw per character of a random one.
LONG_STRINGS = (LONG_STRING, "a" * 1025, "🚀" * 1100, "line\n" * 300, " " * 2048)
_EDGE_FLOATS = (
    0.0, -0.0, 1.5, -1.0, 0.1, FLOAT_MAX, -FLOAT_MAX, 5e-324, 2.2250738585072014e-308,
    # Integral values: Hasura encodes a Double with no fraction as `5`, not `5.0` (contract §1.5).
    5, -(2**53), 2**53,
)  # fmt: skip
_EDGE_IDS = ("0", "1", "42", "", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "9" * 40, "id with spaces", "🚀")
_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12)
)
_JSON = st.recursive(
    _JSON_LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


# A non-null position cannot hold JSON null (GraphQL rejects `null` for `json!`); null comes from
# the nullable positions around it instead.
_JSON_PRESENT = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.lists(_JSON, max_size=3),
    st.dictionaries(st.text(max_size=8), _JSON, max_size=3),
)


def _not_null(value: Any) -> bool:
    return value is not None


def _edge_ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.sampled_from([0, 1, -1, 42, low, high])


_OFFSETS = [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
_PG_TEXT = st.text(st.characters(codec="utf-8", blacklist_characters="\x00"))
_PG_SPECIAL: dict[str, st.SearchStrategy[Any]] = {
    "inet": st.ip_addresses().map(str),
    "cidr": st.tuples(st.ip_addresses(v=4), st.integers(8, 32)).map(
        lambda t: str(ipaddress.ip_network(f"{t[0]}/{t[1]}", strict=False))
    ),
    "macaddr": st.binary(min_size=6, max_size=6).map(lambda b: ":".join(f"{x:02x}" for x in b)),
    "interval": st.tuples(st.integers(0, 400), st.integers(0, 23), st.integers(0, 59)).map(
        lambda t: f"{t[0]} days {t[1]:02d}:{t[2]:02d}:00"
    ),
    "point": st.tuples(st.integers(-1000, 1000), st.integers(-1000, 1000)).map(lambda t: f"({t[0]},{t[1]})"),
    "ltree": st.lists(st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True), min_size=1, max_size=4).map(".".join),
    "int4range": st.tuples(st.integers(-1000, 0), st.integers(1, 1000)).map(lambda t: f"[{t[0]},{t[1]})"),
    "bit": st.text("01", min_size=1, max_size=16),
    "char": st.characters(codec="utf-8", blacklist_characters="\x00"),
    "character": st.characters(codec="utf-8", blacklist_characters="\x00"),
}
_PG_SPECIAL_EDGES: dict[str, tuple[str, str, str, str]] = {
    # minimal, typical, low, high
    "inet": ("0.0.0.0", "192.168.1.20", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    "cidr": ("0.0.0.0/0", "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32"),
    "macaddr": ("00:00:00:00:00:00", "08:00:2b:01:02:03", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"),
    "interval": ("0 days 00:00:00", "1 day 02:03:04", "-178000000 years", "178000000 years"),
    "point": ("(0,0)", "(1.5,-2)", "(-1e300,-1e300)", "(1e300,1e300)"),
    "ltree": ("a", "top.science.astronomy", "a", ".".join(["label"] * 50)),
    "int4range": ("empty", "[1,10)", "(,0]", "[0,)"),
    "bit": ("0", "1010", "0", "1" * 64),
    "char": ("a", "Z", " ", "é"),
    "character": ("a", "Z", " ", "é"),
}


def _geo_point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


_LON = st.floats(-180, 180, allow_nan=False)
_LAT = st.floats(-90, 90, allow_nan=False)
_GEO = st.one_of(
    st.builds(_geo_point, _LON, _LAT),
    st.lists(st.tuples(_LON, _LAT).map(list), min_size=2, max_size=4).map(
        lambda coordinates: {"type": "LineString", "coordinates": coordinates}
    ),
)


def _postgres(name: str, category: str) -> st.SearchStrategy[Any]:
    if category == "int":
        bounds = int_range(name)
        assert bounds is not None  # every "int" category name has a width
        return st.integers(*bounds)
    if category == "bigint":
        # Hasura forwards a bigint as the client wrote it: a number or a numeric string (contract §1.5).
        numbers = st.integers(-(2**63), 2**63 - 1)
        return st.one_of(numbers, numbers.map(str))
    if category == "decimal":
        strings = st.tuples(st.integers(-(10**15), 10**15), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}")
        return st.one_of(st.floats(-1e15, 1e15, allow_nan=False), st.integers(-(10**15), 10**15), strings)
    simple: dict[str, st.SearchStrategy[Any]] = {
        "bool": st.booleans(),
        "json": _JSON_PRESENT,
        "geo": _GEO,
        "bytea": st.binary(max_size=16).map(lambda b: "\\x" + b.hex()),
        "uuid": st.uuids().map(str),
        "date": st.dates().map(lambda d: d.isoformat()),
        "time": st.times().map(lambda t: t.isoformat()),
        "timetz": st.times(timezones=st.sampled_from(_OFFSETS)).map(lambda t: t.isoformat()),
        "timestamp": st.datetimes().map(lambda d: d.isoformat()),
        "timestamptz": st.datetimes(timezones=st.sampled_from(_OFFSETS)).map(lambda d: d.isoformat()),
    }
    if category in simple:
        return simple[category]
    return _PG_SPECIAL.get(name, _PG_TEXT)


_BUILTIN: dict[str, st.SearchStrategy[Any]] = {
    "Int": st.integers(INT_MIN, INT_MAX),
    "Float": st.floats(allow_nan=False, allow_infinity=False),
    # Half the plain texts carry a piece that breaks naive string handling (`%`, `{0}`, quotes, `../`...).
    "String": st.one_of(st.text(), naive_text(st.text())),
    "Boolean": st.booleans(),
    # Hasura always forwards an ID as a string, even when the client wrote an integer (contract §1.5).
    "ID": st.uuids().map(str),
}
_BUILTIN_EDGES: dict[str, st.SearchStrategy[Any]] = {
    "Int": _edge_ints(INT_MIN, INT_MAX),
    "Float": st.sampled_from(_EDGE_FLOATS),
    "String": st.sampled_from(EDGE_STRINGS + LONG_STRINGS),
    "Boolean": st.booleans(),
    "ID": st.sampled_from(_EDGE_IDS),
}


def scalar_strategy(scalar: ScalarType, *, edge: bool = False) -> st.SearchStrategy[Any]:
    """Non-null values Hasura could forward for `scalar`: registered, built-in, Postgres, or any JSON.

    `edge=True` gives the awkward values instead (bounds, empty, long, astral, extremes); a user's
    registered strategy serves both.
    """
    own = registered(scalar.name)
    if own is not None:
        return own.strategy.filter(_not_null)  # type: ignore[no-any-return]
    if scalar.origin == "builtin":
        return (_BUILTIN_EDGES if edge else _BUILTIN)[scalar.name]
    category = postgres_category(scalar.name)
    if edge:
        values = [scalar_edge(scalar, mode) for mode in ("absent", "present", "low", "high")]
        if category == "int":
            values.extend([1, -1])
        elif category in {"text", None} and scalar.name not in _PG_SPECIAL_EDGES:
            values.extend(v for v in EDGE_STRINGS + LONG_STRINGS if "\x00" not in v)
        return st.sampled_from(list({repr(v): v for v in values}.values()))
    if category is not None:
        return _postgres(scalar.name, category)
    return _JSON_PRESENT


# minimal, typical, low, high: one deterministic value per edge mode (`null` and `absent` use minimal).
_DEEP_JSON = {"nested": {"list": [1, 2.5, "three", None, True], "émoji": "🚀"}, "empty": {}, "n": -1}
_EDGES: dict[str, tuple[Any, Any, Any, Any]] = {
    "Int": (0, 42, INT_MIN, INT_MAX),
    "Float": (-0.0, 1.5, -FLOAT_MAX, FLOAT_MAX),
    "String": ("", "Zoë 🚀", "", LONG_STRING),
    "Boolean": (False, True, False, True),
    "ID": ("0", "42", "", "9" * 40),
    "int": (0, 42, None, None),  # bounds from the type's width
    "bigint": (0, "9007199254740993", -(2**63), 2**63 - 1),
    "decimal": (0, "12.50", "-999999999999999.99", "999999999999999.99"),
    "bool": (False, True, False, True),
    "json": ({}, {"key": ["value", 1, True, None]}, [], _DEEP_JSON),
    "geo": (_geo_point(0, 0), _geo_point(-73.98, 40.75), _geo_point(-180, -90), _geo_point(180, 90)),
    "bytea": ("\\x", "\\xdeadbeef", "\\x00", "\\x" + "ff" * 64),
    "uuid": (
        "00000000-0000-0000-0000-000000000000",
        "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ),
    "date": ("2000-01-01", "2024-02-29", "0001-01-01", "9999-12-31"),
    "time": ("00:00:00", "12:34:56.789", "00:00:00", "23:59:59.999999"),
    "timetz": ("00:00:00Z", "12:34:56.789+05:30", "00:00:00-12:00", "23:59:59.999999+14:00"),
    "timestamp": ("2000-01-01T00:00:00", "2024-02-29T12:34:56.789", "0001-01-01T00:00:00", "9999-12-31T23:59:59"),
    "timestamptz": (
        "2000-01-01T00:00:00Z",
        "2024-02-29T12:34:56.789+05:30",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
    ),
    "text": ("", "hello", "", LONG_STRING.replace("\x00", "")),
    "custom": ({}, {"amount": 12.5, "currency": "EUR"}, [], _DEEP_JSON),
}
_MODE_INDEX = {"absent": 0, "null": 0, "present": 1, "low": 2, "high": 3}


def scalar_edge(scalar: ScalarType, mode: str) -> Any:
    """The fixed value of `scalar` for an edge example mode (see `EDGE_MODES`)."""
    index = _MODE_INDEX[mode]
    if registered(scalar.name) is not None:
        drawn = _registered_edges(scalar.name)
        return drawn[min(index, len(drawn) - 1)]
    if scalar.origin == "builtin":
        return _EDGES[scalar.name][index]
    category = postgres_category(scalar.name)
    if category == "text" and scalar.name in _PG_SPECIAL_EDGES:
        return _PG_SPECIAL_EDGES[scalar.name][index]
    if category == "int":
        bounds = int_range(scalar.name)
        assert bounds is not None
        return (0, 42, bounds[0], bounds[1])[index]
    return _EDGES[category or "custom"][index]


_REGISTERED_EDGES: dict[tuple[str, int], list[Any]] = {}


def _registered_edges(name: str) -> list[Any]:
    # A user's strategy has no fixed values; its first draws under a fixed seed are the next best
    # thing (the first is Hypothesis' simplest value).
    key = (name, registry_generation())
    if key not in _REGISTERED_EDGES:
        own = registered(name)
        assert own is not None
        _REGISTERED_EDGES[key] = draw_examples(own.strategy.filter(_not_null), 4, seed_value=0) or [None]
    return _REGISTERED_EDGES[key]


_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def register_scalar(name: str, strategy: st.SearchStrategy[Any], json_schema: Mapping[str, Any] | None = None) -> None:
    """Generate values of scalar `name` with `strategy` (and check them with `json_schema`) everywhere.

    Works for any scalar: a declared custom one, a Postgres type, even a built-in. Without
    `json_schema` the scalar keeps its current schema. Register before building strategies.
    """
    if not isinstance(name, str) or not _GRAPHQL_NAME.fullmatch(name):
        raise InvalidArgument(f"expected a GraphQL type name such as 'Money', found {name!r}")
    if not isinstance(strategy, st.SearchStrategy):
        raise InvalidArgument(
            f"expected a Hypothesis strategy for scalar {name!r} (e.g. st.emails()), found {type(strategy).__name__}"
        )
    if json_schema is not None and not isinstance(json_schema, Mapping):
        raise InvalidArgument(f"expected a JSON Schema object for scalar {name!r}, found {type(json_schema).__name__}")
    register(name, strategy, dict(json_schema) if json_schema is not None else None)
