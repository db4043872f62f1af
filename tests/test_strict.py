"""Strict findings: what Hasura lets through but the declared output type forbids, rule by rule.

The walker must agree with the strict JSON Schema (`action_schemas(...)["success"]`) on which values
are valid; a property test holds the two together over generated and mutated values.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from test_hasura import HASURA_TESTS_SDL, load_sdl

from action_contract import Catalog, EnumType, ObjectType, ScalarType, TypeRef, load_catalog
from action_contract._catalog._json_schema import action_schemas
from action_contract._generate._scalar_strategies import scalar_strategy
from action_contract._hasura._strict import StrictFinding, strict_findings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Every Postgres scalar kind as an output field, so the postgres_scalar rule meets each schema.
POSTGRES_SDL = """
type Query { pg: PgOut! }
type Query { pgs: [PgOut] }
type PgOut {
  small: smallint, whole: integer!, big: bigint!, num: numeric, real: float8, day: date!, at: time,
  atz: timetz, ts: timestamp, tstz: timestamptz!, doc: jsonb!, raw: json, place: geography,
  key: uuid!, yes: bool, bytes: bytea, ip: inet, word: citext, span: interval
}
"""
SHOP = load_catalog(FIXTURES / "projects" / "shop")
ALL_INPUTS = load_catalog(FIXTURES / "metadata" / "all_inputs.graphql")
HASURA = load_sdl(HASURA_TESTS_SDL)
POSTGRES = load_sdl(POSTGRES_SDL)
UUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def findings(catalog: Catalog, type_text: str, value: Any) -> list[StrictFinding]:
    return strict_findings(catalog, TypeRef.parse(type_text), value)


def rules(catalog: Catalog, type_text: str, value: Any) -> list[tuple[str, str]]:
    return [(f.path, f.rule) for f in findings(catalog, type_text, value)]


LINE = {"sku": "A", "quantity": 1, "price": 2.5}
ORDER = {"orderId": UUID, "status": "PAID", "total": 9.5, "lines": [LINE], "placedAt": "2024-02-29T12:00:00Z"}


def order(**changes: Any) -> dict[str, Any]:
    value = {**ORDER, **changes}
    return {key: item for key, item in value.items() if item is not ...}


RULES = [
    ("conforms", "OrderResult!", order(), []),
    ("extra-keys-are-fine", "OrderResult!", order(extra=1), []),
    ("null-top", "OrderResult!", None, [("$", "non_null")]),
    ("missing-field", "OrderResult!", order(total=...), [("$.total", "non_null")]),
    ("null-field", "OrderResult!", order(total=None), [("$.total", "non_null")]),
    ("null-element", "OrderResult!", order(lines=[LINE, None]), [("$.lines[1]", "non_null")]),
    ("nested-missing", "OrderResult!", order(lines=[{"sku": "A", "price": 1}]), [("$.lines[0].quantity", "non_null")]),
    ("string-kind", "OrderResult!", order(lines=[{**LINE, "sku": 5}]), [("$.lines[0].sku", "scalar_kind")]),
    ("float-kind", "OrderResult!", order(total="9.5"), [("$.total", "scalar_kind")]),
    ("bool-is-no-number", "OrderResult!", order(total=True), [("$.total", "scalar_kind")]),
    ("int-range", "OrderResult!", order(lines=[{**LINE, "quantity": 2**31}]), [("$.lines[0].quantity", "int_range")]),
    (
        "int-low",
        "OrderResult!",
        order(lines=[{**LINE, "quantity": -(2**31) - 1}]),
        [("$.lines[0].quantity", "int_range")],
    ),
    ("integral", "OrderResult!", order(lines=[{**LINE, "quantity": 1.5}]), [("$.lines[0].quantity", "integral")]),
    ("whole-float-is-int", "OrderResult!", order(lines=[{**LINE, "quantity": 2.0}]), []),
    ("finite-float", "OrderResult!", order(total=math.inf), [("$.total", "finite")]),
    ("finite-int", "OrderResult!", order(lines=[{**LINE, "quantity": math.nan}]), [("$.lines[0].quantity", "finite")]),
    ("enum", "OrderResult!", order(status="paid"), [("$.status", "enum")]),
    ("enum-kind", "OrderResult!", order(status=1), [("$.status", "enum")]),
    ("list-for-list", "OrderResult!", order(lines=LINE), [("$.lines", "list")]),
    ("list-for-scalar", "OrderResult!", order(total=[1]), [("$.total", "list")]),
    ("list-for-object", "OrderResult!", [ORDER], [("$", "list")]),
    ("object", "OrderResult!", "order", [("$", "object")]),
    ("bad-uuid", "OrderResult!", order(orderId="not-a-uuid"), [("$.orderId", "postgres_scalar")]),
    ("bad-timestamptz", "OrderResult!", order(placedAt="yesterday"), [("$.placedAt", "postgres_scalar")]),
    ("several", "OrderResult!", order(total=None, status="X"), [("$.status", "enum"), ("$.total", "non_null")]),
    ("list-output", "[Product!]!", [{"id": "1", "name": "a"}, None], [("$[1]", "non_null")]),
    ("id-is-a-string", "[Product!]!", [{"id": 1, "name": "a"}], [("$[0].id", "scalar_kind")]),
    ("custom-scalar-any", "Quote", {"total": 1, "currency": "EUR", "breakdown": [1, {"x": None}]}, []),
    ("boolean", "Boolean!", "true", [("$", "scalar_kind")]),
]


@pytest.mark.parametrize(("type_text", "value", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rules(type_text, value, expected):
    assert rules(SHOP, type_text, value) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("small", 70000),
        ("whole", "1"),
        ("big", "12a"),
        ("num", "1,5"),
        ("day", "2024-02-30"),
        ("tstz", "29.02.2024"),
        ("key", UUID.upper()[:-1]),
        ("place", {"coordinates": [1, 2]}),
        ("yes", "true"),
        ("ip", 127),
    ],
)
def test_postgres_scalars(field, value):
    valid = {"whole": 1, "big": "9007199254740993", "day": "2024-02-29", "tstz": "2024-02-29T12:00:00Z", "key": UUID}
    valid["doc"] = {"any": ["json"]}
    assert findings(POSTGRES, "PgOut!", valid) == []
    found = findings(POSTGRES, "PgOut!", {**valid, field: value})
    assert [(f.path, f.rule) for f in found] == [(f"$.{field}", "postgres_scalar")]
    assert found[0].expected.startswith(field_type(field))


def field_type(field: str) -> str:
    named = POSTGRES.types["PgOut"]
    assert isinstance(named, ObjectType)
    item = named.field(field)
    assert item is not None
    return item.type.base_name


@pytest.mark.parametrize(
    ("type_text", "value", "expected"),
    [
        ("myCustomScalar!", None, [("$", "non_null")]),
        ("myCustomScalar", None, []),
        ("myCustomScalar!", [None, {"deep": None}], []),
        ("json!", 5, []),
        ("[myCustomScalar!]!", [None], [("$[0]", "non_null")]),
        ("TypedNestedNull!", {"id": "1", "child": {"id": None, "child": {"id": "3"}}}, [("$.child.id", "non_null")]),
    ],
)
def test_custom_scalars_take_anything_but_null_for_bang(type_text, value, expected):
    assert rules(HASURA, type_text, value) == expected


def test_findings_read_well():
    long = "x" * 100
    (finding,) = findings(SHOP, "Quote!", {"total": 1, "currency": {"k": long}})
    assert finding == StrictFinding(
        path="$.currency", expected="String", found='{"k": "' + "x" * 32 + "…", rule="scalar_kind"
    )
    (finding,) = findings(SHOP, "Quote!", {"total": long, "currency": "EUR"})
    assert len(finding.found) == 40 and finding.found.endswith("…")
    assert finding.to_json() == {
        "path": "$.total",
        "rule": "scalar_kind",
        "expected": "Float, a number",
        "found": finding.found,
    }
    (missing,) = findings(SHOP, "Quote!", {"total": 1})
    assert str(missing) == "$.currency: expected a non-null String, found missing"
    (enum,) = findings(SHOP, "OrderResult!", order(status="LOST"))
    assert enum.expected == "OrderStatus, one of PENDING, PAID, SHIPPED" and enum.found == '"LOST"'


def test_custom_start_path():
    assert [f.path for f in strict_findings(SHOP, TypeRef.parse("Int!"), "x", "$.data.n")] == ["$.data.n"]


# -- agreement with the JSON Schema -------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
DEPTH = 3


def valid_values(catalog: Catalog, ref: TypeRef, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that conform to `ref` strictly (a test-local generator of outputs)."""
    if ref.of_type is not None:
        items = st.just([]) if depth >= DEPTH else st.lists(valid_values(catalog, ref.of_type, depth + 1), max_size=3)
        inner: st.SearchStrategy[Any] = items
    else:
        named = catalog.types[ref.base_name]
        if isinstance(named, ObjectType):
            required = {f.name: valid_values(catalog, f.type, depth + 1) for f in named.fields if f.type.non_null}
            optional = {}
            if depth < DEPTH:
                optional = {
                    f.name: valid_values(catalog, f.type, depth + 1) for f in named.fields if not f.type.non_null
                }
            inner = st.fixed_dictionaries(required, optional=optional)
        elif isinstance(named, EnumType):
            inner = st.sampled_from(named.value_names)
        else:
            assert isinstance(named, ScalarType)
            inner = scalar_strategy(named)
    if ref.non_null:
        return inner
    return st.none() | inner if depth < DEPTH else st.none()


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _nudge(value: Any, draw: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return draw(st.sampled_from([value + 0.5, value * 2**31, -value - 1, str(value), float(value)]))
    if isinstance(value, str):
        position = draw(st.integers(0, len(value)))
        extra = draw(st.sampled_from(["-", "x", "0", " ", ":", "Z", "\n", ""]))
        return value[:position] + extra + value[position + 1 :]
    return draw(JSON)


@st.composite
def mutated(draw: Any, base: st.SearchStrategy[Any]) -> Any:
    value = draw(base)
    path = draw(st.sampled_from(_paths(value)))
    change = draw(st.sampled_from(["replace", "nudge", "wrap", "delete"]))

    def apply(node: Any, rest: tuple[Any, ...]) -> Any:
        if not rest:
            if change == "replace":
                return draw(JSON)
            if change == "wrap":
                return [node]
            return _nudge(node, draw)
        key, more = rest[0], rest[1:]
        if change == "delete" and not more and isinstance(node, dict):
            return {k: v for k, v in node.items() if k != key}
        copy = dict(node) if isinstance(node, dict) else list(node)
        copy[key] = apply(node[key], more)
        return copy

    return apply(value, path)


CATALOGS = {"shop": SHOP, "all_inputs": ALL_INPUTS, "hasura": HASURA, "postgres": POSTGRES}
CASES = [(catalog, action) for catalog in CATALOGS.values() for action in catalog]
IDS = [f"{label}-{action.name}" for label, catalog in CATALOGS.items() for action in catalog]
VALIDATORS = {
    (id(catalog), action.name): Draft202012Validator(
        action_schemas(catalog, action)["success"], format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    for catalog, action in CASES
}


@pytest.mark.parametrize(("catalog", "action"), CASES, ids=IDS)
@given(data=st.data())
def test_agrees_with_the_json_schema(catalog, action, data):
    valid = valid_values(catalog, action.output_type)
    value = data.draw(st.one_of(valid, mutated(valid), JSON))
    found = strict_findings(catalog, action.output_type, value)
    schema_valid = VALIDATORS[(id(catalog), action.name)].is_valid(value)
    assert (not found) == schema_valid, (value, found)
