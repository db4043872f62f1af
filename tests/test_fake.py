"""Realistic mock values: always valid by the strict output rules, stable per seed, and shaped by field names."""

from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from conftest import FIXTURES
from hypothesis import strategies as st
from test_corpus import _sources, hasura_rejects
from test_hasura import load_sdl

from action_contract import (
    Catalog,
    InvalidArgument,
    ObjectType,
    TypeRef,
    load_catalog,
    register_scalar,
    strict_findings,
)
from action_contract._catalog import _scalars as scalars_module
from action_contract._catalog._scalars import POSTGRES_SCALARS
from action_contract._generate._fake import OutputFaker

# Every Postgres scalar as a non-null field and as a nullable list, plus recursive and realistic types.
POSTGRES_SDL = (
    "type Query { pg: PgOut! }\ntype Query { pgs: [PgOut] }\ntype PgOut {\n"
    + "\n".join(f"  v_{name}: {name}!\n  l_{name}: [{name}]" for name in sorted(POSTGRES_SCALARS))
    + """
}
type Query { tree: [Node!]! }
type Mutation { grow(depth: Int): Node }
type Node { id: ID!, children: [Node!]!, parent: Node, siblings: [[Node!]], label: String }
type Query { user: User! }
type User {
  id: uuid!, email: String!, firstName: String, lastName: String, name: String!, username: String, avatarUrl: String,
  phone: String, city: String, countryCode: String!, createdAt: timestamptz!, updated_at: String, age: Int,
  balance: numeric!, isActive: Boolean!, rating: Float, location: geography, settings: jsonb, orders: [Order!]!,
  tags: [String!], scores: [Int]!
}
type Order { id: ID!, total: Float!, quantity: Int!, placedAt: timestamptz, status: String! }
"""
)
LOOP_SDL = """
type Query { loop: Loop! }
type Query { maybeLoop: Loop }
type Query { loops: [Loop!]! }
type Query { holder: Holder! }
type Loop { next: Loop!, label: String }
type Holder { loop: Loop, loops: [Loop!]!, nested: [[Loop!]!], ok: Int! }
"""

CATALOGS = {
    "shop": load_catalog(FIXTURES / "projects" / "shop"),
    "all_inputs": load_catalog(FIXTURES / "metadata" / "all_inputs.graphql"),
    "bulk": load_catalog(FIXTURES / "metadata" / "bulk.json"),
    "postgres": load_sdl(POSTGRES_SDL),
}
CASES = [pytest.param(key, name, id=f"{key}-{name}") for key, catalog in CATALOGS.items() for name in catalog.actions]
PG = CATALOGS["postgres"]
FAKERS = {key: OutputFaker(catalog) for key, catalog in CATALOGS.items()}


def fake(key: str, type_text: str, seed: int, name: str = "") -> Any:
    return FAKERS[key].value(TypeRef.parse(type_text), random.Random(seed), name=name)


def walk(value: Any) -> Iterator[Any]:
    """Every value inside `value`, itself included."""
    yield value
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        yield from walk(child)


@pytest.mark.parametrize(("key", "action"), CASES)
def test_every_output_is_strictly_valid(key, action):
    catalog = CATALOGS[key]
    output = catalog.action(action).output_type
    for seed in range(50):
        value = FAKERS[key].value(output, random.Random(seed), name=action)
        assert strict_findings(catalog, output, value) == [], (seed, value)


def test_objects_have_every_field_and_nullable_fields_are_mostly_present():
    values = [fake("postgres", "User!", seed) for seed in range(400)]
    fields = [f.name for f in PG.types["User"].fields]  # type: ignore[union-attr]
    assert all(list(v) == fields for v in values)
    nulls = sum(v["firstName"] is None for v in values) / len(values)
    assert 0.05 < nulls < 0.25


def test_lists_have_one_to_four_items_and_nullable_lists_are_sometimes_empty():
    users = [fake("postgres", "User!", seed) for seed in range(300)]
    assert {len(user["orders"]) for user in users} == {1, 2, 3, 4}
    assert {len(inner) for seed in range(100) for inner in fake("postgres", "[[String!]!]!", seed)} == {1, 2, 3, 4}
    tags = [user["tags"] for user in users]
    assert None in tags and [] in tags
    assert sum(t is not None and len(t) > 0 for t in tags) > 200
    # Items are never null, whatever `[Int]` allows: real lists rarely have holes.
    assert all(score is not None for user in users for score in user["scores"])


def test_the_top_level_is_never_null():
    assert all(fake("postgres", "Node", seed, "grow") is not None for seed in range(100))
    assert all(fake("postgres", "String", seed, "getUserEmail") is not None for seed in range(100))


def test_same_seed_same_value_and_seeds_differ():
    output = PG.action("user").output_type
    first = [json.dumps(FAKERS["postgres"].value(output, random.Random(seed))) for seed in range(20)]
    again = [json.dumps(OutputFaker(PG).value(output, random.Random(seed))) for seed in range(20)]
    assert first == again
    assert len(set(first)) >= 15


def test_values_use_only_the_rng_passed_in():
    # A fresh faker in a fresh order of compilation gives the same values: nothing depends on call history.
    rng_state = random.getstate()
    fresh = OutputFaker(CATALOGS["shop"])
    fresh.value(TypeRef.parse("[Product!]!"), random.Random(1))
    value = fresh.value(TypeRef.parse("OrderResult!"), random.Random(3), name="placeOrder")
    assert value == fake("shop", "OrderResult!", 3, "placeOrder")
    assert random.getstate() == rng_state


def test_values_do_not_depend_on_hash_randomization():
    script = (
        "import json, random; from action_contract import load_catalog;"
        "from action_contract._generate._fake import OutputFaker;"
        "c = load_catalog('fixtures/projects/shop'); f = OutputFaker(c);"
        "print(json.dumps([f.value(a.output_type, random.Random(s), name=a.name) for a in c for s in range(5)]))"
    )
    root = Path(__file__).resolve().parent.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_recursive_types_stay_small():
    for seed in range(50):
        tree = fake("postgres", "[Node!]!", seed)
        depth = max(_depth(node) for node in tree)
        assert depth <= 4
        # At most 4 roots, each with up to 4 children, a parent and 4x4 siblings per level, 3 levels deep.
        assert sum(1 for v in walk(tree) if isinstance(v, dict)) <= 4 * (1 + 21 + 21**2)


def _depth(node: Any) -> int:
    if not isinstance(node, dict):
        return 0
    inner = [n for v in node.values() for n in (v if isinstance(v, list) else [v])]
    flat = [n for v in inner for n in (v if isinstance(v, list) else [v])]
    return 1 + max((_depth(n) for n in flat), default=0)


def test_impossible_types_stop_at_depth_8_and_only_where_unavoidable():
    catalog = load_sdl(LOOP_SDL)
    faker = OutputFaker(catalog)
    loop = faker.value(TypeRef.parse("Loop!"), random.Random(1))
    # No finite value exists: the chain stops with null at depth 8, the one finding strict reports.
    assert [f.path for f in strict_findings(catalog, TypeRef.parse("Loop!"), loop)] == ["$" + ".next" * 8]
    for seed in range(20):
        rng = random.Random(seed)
        assert faker.value(TypeRef.parse("Loop"), rng) is None
        assert faker.value(TypeRef.parse("[Loop!]!"), rng) == []
        holder = faker.value(TypeRef.parse("Holder!"), rng)
        assert holder["loop"] is None and holder["loops"] == []
        assert strict_findings(catalog, TypeRef.parse("Holder!"), holder) == []


def _is_timestamp(value: Any) -> bool:
    pattern = r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?)?"
    if not (isinstance(value, str) and re.fullmatch(pattern, value)):
        return False
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")[:10])
    return 2023 <= moment.year <= 2026


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and str(UUID(value)) == value


def _cents(value: Any) -> bool:
    return isinstance(value, float) and 0 < value < 1000 and round(value, 2) == value


# field name, type -> what a believable value looks like.
REALISM: list[tuple[str, str, Callable[[Any], bool]]] = [
    ("email", "String!", lambda v: re.fullmatch(r"[a-z]+\.[a-z]+@[a-z.]+", v) is not None),
    ("contactEmail", "String!", lambda v: "@" in v),
    ("getUserEmail", "String", lambda v: "@" in v),
    ("website", "String!", lambda v: v.startswith("https://")),
    ("avatarUrl", "String!", lambda v: v.startswith("https://") and v.endswith(".jpg")),
    ("firstName", "String!", lambda v: v.istitle() and " " not in v),
    ("fullName", "String!", lambda v: len(v.split()) == 2),
    ("username", "String!", lambda v: re.fullmatch(r"[a-z]+_[a-z]+\d+", v) is not None),
    ("description", "String!", lambda v: v.endswith(".") and " " in v),
    ("phoneNumber", "String!", lambda v: v.startswith("+")),
    ("addressLine1", "String!", lambda v: v.split()[0].isdigit()),
    ("city", "String!", lambda v: v.istitle()),
    ("countryCode", "String!", lambda v: re.fullmatch(r"[A-Z]{2}", v) is not None),
    ("zip", "String!", lambda v: v.isdigit()),
    ("currency", "String!", lambda v: v in {"EUR", "USD", "GBP"}),
    ("price", "Float!", _cents),
    ("subtotal", "numeric!", _cents),
    ("amount", "Int!", lambda v: isinstance(v, int) and 1 <= v <= 500),
    ("quantity", "Int!", lambda v: 0 <= v <= 20),
    ("totalCount", "Int!", lambda v: 0 <= v <= 20),
    ("imported", "Int!", lambda v: 0 <= v <= 20),
    ("age", "smallint!", lambda v: 18 <= v <= 90),
    ("rating", "Float!", lambda v: 0 <= v <= 5),
    ("latitude", "Float!", lambda v: -90 <= v <= 90),
    ("lng", "float8!", lambda v: -180 <= v <= 180),
    ("orderId", "String!", lambda v: re.fullmatch(r"ord_[0-9A-Za-z]{8}", v) is not None),
    ("customer_id", "ID!", lambda v: v.startswith("cus_")),
    ("orderId", "uuid!", _is_uuid),
    ("id", "Int!", lambda v: isinstance(v, int) and v > 0),
    ("createdAt", "String!", _is_timestamp),
    ("updated_at", "timestamptz!", lambda v: _is_timestamp(v) and v.endswith("+00:00")),
    ("placedAt", "timestamp!", _is_timestamp),
    ("birthDate", "String!", lambda v: date.fromisoformat(v).year >= 2023),
    ("day", "date!", lambda v: 2023 <= date.fromisoformat(v).year <= 2026),
    ("accessToken", "String!", lambda v: re.fullmatch(r"[0-9a-f]{32}", v) is not None),
    ("status", "String!", lambda v: v in {"active", "pending", "completed", "processing", "cancelled"}),
    ("brandColor", "String!", lambda v: re.fullmatch(r"#[0-9a-f]{6}", v) is not None),
    ("locale", "String!", lambda v: re.fullmatch(r"[a-z]{2}-[A-Z]{2}", v) is not None),
    ("sku", "String!", lambda v: re.fullmatch(r"SKU-\d{5}", v) is not None),
    ("slug", "String!", lambda v: re.fullmatch(r"[a-z]+(-[a-z]+)+", v) is not None),
    ("version", "String!", lambda v: re.fullmatch(r"\d+\.\d+\.\d+", v) is not None),
    ("location", "geography!", lambda v: v["type"] == "Point" and len(v["coordinates"]) == 2),
    ("settings", "jsonb!", lambda v: isinstance(v, dict) and bool(v)),
    ("raw", "bytea!", lambda v: re.fullmatch(r"\\x[0-9a-f]+", v) is not None),
    ("clientIp", "inet!", lambda v: v.count(".") == 3),
    ("span", "interval!", lambda v: "days" in v),
    ("something", "String!", lambda v: isinstance(v, str) and 0 < len(v) < 40),
    ("something", "Int!", lambda v: isinstance(v, int) and 0 <= v <= 100),
    ("something", "Float!", lambda v: isinstance(v, float) and math.isfinite(v)),
]


@pytest.mark.parametrize(("name", "type_text", "looks_right"), REALISM, ids=[f"{n}:{t}" for n, t, _ in REALISM])
def test_values_look_like_their_field_name(name, type_text, looks_right):
    for seed in range(30):
        value = fake("postgres", type_text, seed, name)
        assert looks_right(value), value
        assert strict_findings(PG, TypeRef.parse(type_text), value) == []


@pytest.mark.parametrize(
    ("name", "expected_true"),
    [("isActive", (0.65, 0.95)), ("isDeleted", (0.02, 0.35)), ("cancelOrder", (0.65, 0.95)), ("flag", (0.3, 0.7))],
)
def test_booleans_lean_by_name(name, expected_true):
    share = sum(fake("postgres", "Boolean!", seed, name) for seed in range(300)) / 300
    assert expected_true[0] < share < expected_true[1]


def test_bare_id_and_name_borrow_the_type_name():
    user = fake("postgres", "User!", 4)
    node = fake("postgres", "Node!", 4)
    assert node["id"].startswith("nod_")
    assert _is_uuid(user["id"]) and len(user["name"].split()) == 2


def test_registered_scalar_values_come_from_its_strategy(registered_scalar):
    name = registered_scalar
    register_scalar(name, st.sampled_from(["alpha", "beta", "gamma"]), {"type": "string"})
    catalog = load_sdl(f"scalar {name}\ntype Query {{ pick: Holds! }}\ntype Holds {{ one: {name}!, many: [{name}!]! }}")
    faker = OutputFaker(catalog)
    output = catalog.action("pick").output_type
    values = [faker.value(output, random.Random(seed)) for seed in range(30)]
    picked = {v["one"] for v in values} | {item for v in values for item in v["many"]}
    assert picked == {"alpha", "beta", "gamma"}
    assert all(strict_findings(catalog, output, v) == [] for v in values)


def test_registering_later_replaces_the_compiled_values(registered_scalar):
    name = registered_scalar
    catalog = load_sdl(f"scalar {name}\ntype Query {{ pick: {name}! }}")
    faker = OutputFaker(catalog)
    before = faker.value(TypeRef.parse(f"{name}!"), random.Random(1), name="pick")
    assert isinstance(before, str)
    register_scalar(name, st.integers(1000, 1009), {"type": "integer"})
    after = [faker.value(TypeRef.parse(f"{name}!"), random.Random(seed), name="pick") for seed in range(10)]
    assert all(1000 <= v <= 1009 for v in after)


@pytest.fixture
def registered_scalar(request) -> Iterator[str]:
    """A scalar name unique to the test, unregistered again afterwards."""
    name = "FakeTest" + re.sub(r"\W", "", request.node.name.title())
    yield name
    scalars_module._REGISTERED.pop(name, None)
    scalars_module._GENERATION[0] += 1


def test_unregistered_custom_scalars_read_their_own_name():
    catalog = load_sdl(
        "scalar Email\nscalar DateTime\nscalar Money\ntype Query { a: Out! }\n"
        "type Out { contact: Email!, when: DateTime!, total: Money!, other: Upload }\nscalar Upload"
    )
    for seed in range(20):
        value = OutputFaker(catalog).value(TypeRef.parse("Out!"), random.Random(seed))
        assert "@" in value["contact"] and _is_timestamp(value["when"]) and _cents(value["total"])


def test_types_that_are_not_outputs_are_refused():
    with pytest.raises(InvalidArgument, match="not an output type"):
        fake("shop", "OrderItemInput!", 1)


# -- the corpus of real projects (ACTION_CONTRACT_CORPUS) -----------------------------------------------------


CORPUS = os.environ.get("ACTION_CONTRACT_CORPUS")


def _corpus_sources() -> list[Any]:
    if not CORPUS:
        return []
    root = Path(CORPUS)
    return [
        pytest.param(source, id=str(source.relative_to(root)))
        for source in _sources(root)
        if not hasura_rejects(source)
    ]


def _impossible(catalog: Catalog) -> set[str]:
    """Object types that need themselves through non-null, non-list fields (no finite value exists)."""
    objects = {n.name: n for n in catalog.types.values() if isinstance(n, ObjectType)}
    possible: set[str] = set()
    while True:
        more = {
            name
            for name, obj in objects.items()
            if all(
                f.type.is_list or not f.type.non_null or f.type.base_name not in objects or f.type.base_name in possible
                for f in obj.fields
            )
        }
        if more <= possible:
            return set(objects) - possible
        possible |= more


@pytest.mark.skipif(not CORPUS, reason="set ACTION_CONTRACT_CORPUS to the corpus folder")
@pytest.mark.parametrize("source", _corpus_sources())
def test_corpus_outputs_are_strictly_valid(source):
    catalog = load_catalog(source)
    faker = OutputFaker(catalog)
    impossible = _impossible(catalog)
    for action in catalog:
        for seed in range(5):
            value = faker.value(action.output_type, random.Random(seed), name=action.name)
            findings = strict_findings(catalog, action.output_type, value)
            assert not findings or action.output_type.base_name in impossible, (action.name, findings)
