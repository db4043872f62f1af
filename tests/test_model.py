from __future__ import annotations

import pytest
from conftest import FIXTURES
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.vendor.pretty import pretty

from action_contract import InvalidArgument, TypeRef, load_catalog


@pytest.mark.parametrize(
    ("text", "base", "is_list", "non_null"),
    [
        ("Int", "Int", False, False),
        ("String!", "String", False, True),
        ("[Int]", "Int", True, False),
        ("[Int!]!", "Int", True, True),
        ("[[myCustomScalar!]]!", "myCustomScalar", True, True),
        (" [ Foo ! ] ! ", "Foo", True, True),
    ],
)
def test_type_ref_parses_graphql_type_syntax(text, base, is_list, non_null):
    ref = TypeRef.parse(text)
    assert (ref.base_name, ref.is_list, ref.non_null) == (base, is_list, non_null)
    assert str(TypeRef.parse(str(ref))) == str(ref)


@pytest.mark.parametrize("text", ["", "[Int", "Int!!", "1Int", "[Int]]", "Int Foo"])
def test_type_ref_rejects_malformed_text(text):
    with pytest.raises(ValueError, match="type"):
        TypeRef.parse(text)


type_refs = st.recursive(
    st.builds(TypeRef.named, st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,8}", fullmatch=True), non_null=st.booleans()),
    lambda inner: st.builds(TypeRef.list_of, inner, non_null=st.booleans()),
    max_leaves=5,
)


@given(type_refs)
def test_type_ref_round_trips_through_text(ref):
    assert TypeRef.parse(str(ref)) == ref


def test_unknown_action_name_suggests_the_close_one(fixtures):
    catalog = load_catalog(fixtures / "projects" / "shop")
    with pytest.raises(InvalidArgument, match='Did you mean "placeOrder"'):
        catalog.action("placeOrdr")
    assert isinstance(InvalidArgument("x"), TypeError)


def test_catalog_is_immutable(fixtures):
    catalog = load_catalog(fixtures / "projects" / "shop")
    with pytest.raises(TypeError):
        catalog.actions["x"] = catalog.action("quote")  # type: ignore[index]
    with pytest.raises(AttributeError):
        catalog.action("quote").timeout = 3  # type: ignore[misc]


def test_catalog_and_action_have_a_short_repr_for_hypothesis_reports():
    # A failing `@given(conforming_requests(..., catalog=action_catalog))` prints its arguments.
    catalog = load_catalog(FIXTURES / "projects" / "shop")
    names = "placeOrder, cancelOrder, importCatalog, quote, recommendations"
    assert repr(catalog) == f"<Catalog of 5 action(s) from {catalog.source}: {names}>"
    assert repr(catalog.action("quote")).startswith("<Action quote: query -> ")
    assert len(repr(catalog)) < 200
    # Hypothesis prints a falsifying example's arguments with its own printer, field by field for dataclasses.
    assert pretty(catalog) == repr(catalog) and pretty(catalog.action("quote")) == repr(catalog.action("quote"))
