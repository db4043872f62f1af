"""The contract as JSON Schema: valid draft 2020-12, strict, and in agreement with the catalog."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from action_contract import EnumType, InputObjectType, ObjectType, ScalarType, load_catalog
from action_contract._catalog._json_schema import action_schemas, schema_document

INT_MAX = 2**31 - 1


def _valid(schema, value) -> bool:
    return Draft202012Validator(schema, format_checker=FormatChecker()).is_valid(value)


@pytest.fixture(scope="module")
def shop():
    from conftest import FIXTURES

    return load_catalog(FIXTURES / "projects" / "shop")


def test_every_schema_is_valid_draft_2020_12(shop):
    for schemas in schema_document(shop)["actions"].values():
        for schema in schemas.values():
            Draft202012Validator.check_schema(schema)
            assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize(
    ("action", "body", "ok"),
    [
        (
            "placeOrder",
            {"orderId": "0b5d3f5e-8f3c-4c37-a1c4-3f2f6c1d9b10", "status": "PAID", "total": 9.5, "lines": []},
            True,
        ),
        (
            "placeOrder",
            {"orderId": "0b5d3f5e-8f3c-4c37-a1c4-3f2f6c1d9b10", "status": "LOST", "total": 9.5, "lines": []},
            False,
        ),
        ("placeOrder", {"orderId": "not-a-uuid", "status": "PAID", "total": 1, "lines": []}, False),
        (
            "placeOrder",
            {
                "orderId": "0b5d3f5e-8f3c-4c37-a1c4-3f2f6c1d9b10",
                "status": "PAID",
                "total": 1,
                "lines": [{"sku": "a", "quantity": 2**31, "price": 1}],
            },
            False,
        ),
        ("placeOrder", {"orderId": "0b5d3f5e-8f3c-4c37-a1c4-3f2f6c1d9b10", "status": "PAID", "lines": []}, False),
        ("placeOrder", None, False),
        ("quote", None, True),
        ("quote", {"total": 1, "currency": "EUR", "breakdown": {"any": ["json"]}, "extra": True}, True),
        ("cancelOrder", True, True),
        ("cancelOrder", "true", False),
        ("recommendations", [{"id": "p1", "name": "n", "customerId": None}], True),
        ("recommendations", [{"id": 1, "name": "n"}], False),
        ("recommendations", [None], False),
    ],
)
def test_success_schema_is_strict(shop, action, body, ok):
    assert _valid(action_schemas(shop, shop.action(action))["success"], body) is ok


def test_input_and_request_schemas(shop):
    schemas = action_schemas(shop, shop.action("placeOrder"))
    good = {"items": [{"sku": "a", "quantity": 1}], "coupon": None}
    assert _valid(schemas["input"], good)
    assert not _valid(schemas["input"], {**good, "unknown": 1})
    assert not _valid(schemas["input"], {"coupon": "x"})
    request = {
        "action": {"name": "placeOrder"},
        "input": good,
        "session_variables": {"x-hasura-role": "customer"},
        "request_query": "mutation { placeOrder(items: []) { orderId } }",
    }
    assert _valid(schemas["request"], request)
    assert not _valid(schemas["request"], {**request, "session_variables": {"X-Hasura-Role": "customer"}})
    async_request = {**request, "action": {"name": "importCatalog"}, "input": {"url": "u"}, "request_query": None}
    assert _valid(action_schemas(shop, shop.action("importCatalog"))["request"], async_request)


def test_error_schema(shop):
    error = action_schemas(shop, shop.action("quote"))["error"]
    assert _valid(error, {"message": "no", "code": "x", "extensions": [1]})
    assert not _valid(error, {"code": "x"})
    assert not _valid(error, {"message": 1})


# -- property: random catalogs, written as SDL, loaded, turned into schemas ------------------------

names = st.text(string.ascii_lowercase, min_size=1, max_size=6).map(lambda s: "f" + s)
SCALARS = ["Int", "Float", "String", "Boolean", "ID", "uuid", "jsonb"]


@st.composite
def sdl_projects(draw):
    n_types = draw(st.integers(1, 4))
    enum = f"Enum{draw(st.integers(0, 9))}"
    inputs = [f"In{i}" for i in range(n_types)]
    outputs = [f"Out{i}" for i in range(n_types)]

    def wrap(base):
        ref = base + draw(st.sampled_from(["", "!"]))
        if draw(st.booleans()):
            ref = f"[{ref}]" + draw(st.sampled_from(["", "!"]))
        return ref

    lines = [f"enum {enum} {{ A B C }}"]
    for kind, pool in (("input", inputs), ("type", outputs)):
        for i, name in enumerate(pool):
            fields = draw(st.lists(names, min_size=1, max_size=4, unique=True))
            choices = [*SCALARS, enum, *pool[: i + 1]]  # allows recursion and earlier types
            typed = []
            for f in fields:
                base = draw(st.sampled_from(choices))
                # A reference to an input/object type stays nullable or a list, so recursion can end.
                typed.append(f"{f}: " + (draw(st.sampled_from([base, f"[{base}!]"])) if base in pool else wrap(base)))
            lines.append(f"{kind} {name} {{ " + " ".join(typed) + " }")
    actions = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    for action in actions:
        args = draw(st.lists(names, max_size=3, unique=True))
        arg_text = ", ".join(f"{a}: {wrap(draw(st.sampled_from([*SCALARS, enum, *inputs])))}" for a in args)
        output = wrap(draw(st.sampled_from([*outputs, "String", "jsonb"])))
        root = draw(st.sampled_from(["Mutation", "Query"]))
        lines.append(f"type {root} {{ {action}{f'({arg_text})' if args else ''}: {output} }}")
    return "\n".join(lines)


def _example(catalog, ref, depth=0):
    """A value of `ref`, built from the catalog independently of the schema code."""
    if not ref.non_null and depth > 2:
        return None
    if ref.of_type is not None:
        return [] if depth > 1 else [_example(catalog, ref.of_type, depth + 1)]
    named = catalog.types[ref.name]
    if isinstance(named, EnumType):
        return named.value_names[0]
    if isinstance(named, (InputObjectType, ObjectType)):
        return {f.name: _example(catalog, f.type, depth + 1) for f in named.fields}
    assert isinstance(named, ScalarType)
    return {
        "Int": INT_MAX,
        "Float": 1.5,
        "String": "s",
        "Boolean": False,
        "ID": "1",
        "uuid": "0b5d3f5e-8f3c-4c37-a1c4-3f2f6c1d9b10",
        "jsonb": {"a": [1]},
    }[named.name]


@given(sdl_projects())
def test_schemas_agree_with_the_catalog(tmp_path_factory, sdl):
    path = tmp_path_factory.mktemp("p") / "actions.graphql"
    path.write_text(sdl)
    catalog = load_catalog(path)
    document = json.loads(json.dumps(schema_document(catalog)))  # plain JSON all the way
    for action in catalog:
        schemas = document["actions"][action.name]
        for schema in schemas.values():
            Draft202012Validator.check_schema(schema)
        assert list(schemas["input"]["properties"]) == [a.name for a in action.arguments]
        assert schemas["input"]["required"] == [a.name for a in action.arguments if a.type.non_null]
        payload = {a.name: _example(catalog, a.type) for a in action.arguments}
        assert _valid(schemas["input"], payload)
        reply = _example(catalog, action.output_type)
        assert _valid(schemas["success"], reply)
        if action.output_type.non_null:
            assert not _valid(schemas["success"], None)
        if action.output_type.is_list:
            assert not _valid(schemas["success"], {"not": "a list"})
