"""actions.graphql as the Hasura CLI reads it: parsed, not schema-built."""

from __future__ import annotations

from pathlib import Path

import pytest

from action_contract import MetadataError, ObjectType, load_catalog


def _load(tmp_path: Path, sdl: str, **kwargs):
    path = tmp_path / "actions.graphql"
    path.write_text(sdl)
    return load_catalog(path, **kwargs)


def test_repeated_and_extended_root_blocks_are_merged(tmp_path):
    catalog = _load(
        tmp_path,
        """
        type Mutation { a: Out }
        type Mutation { b(x: Int): Out }
        extend type Mutation { c: Out }
        type Query { d: [Out!]! }
        type Out { id: ID! }
        """,
    )
    assert {n: a.type for n, a in catalog.actions.items()} == {
        "a": "mutation",
        "b": "mutation",
        "c": "mutation",
        "d": "query",
    }


def test_subscription_is_an_ordinary_object_type(tmp_path):
    catalog = _load(tmp_path, "type Query { s: Subscription }\ntype Subscription { plan: String }")
    assert isinstance(catalog.type("Subscription"), ObjectType)
    assert list(catalog.actions) == ["s"]


def test_descriptions_comments_deprecations_and_commas(tmp_path):
    catalog = _load(
        tmp_path,
        '''
        # a comment
        type Query {
          """ Finds things """
          find(a: Int, b: String,): Thing @deprecated(reason: "use search")
        }
        """ A thing """
        type Thing { "its name" name : String }
        enum Colour { RED GREEN @deprecated }
        input Unused { c: Colour }
        ''',
    )
    assert [a.name for a in catalog.action("find").arguments] == ["a", "b"]
    assert catalog.action("find").description == "Finds things"
    thing = catalog.type("Thing")
    assert thing.description == "A thing" and thing.fields[0].description == "its name"  # type: ignore[union-attr]
    assert [v.is_deprecated for v in catalog.type("Colour").values] == [False, True]  # type: ignore[union-attr]


def test_undeclared_postgres_scalars_are_known(tmp_path):
    catalog = _load(
        tmp_path, "type Mutation { a(id: uuid!, at: timestamptz, doc: jsonb): Out }\ntype Out { n: bigint }"
    )
    assert {n for n, t in catalog.types.items() if getattr(t, "origin", None) == "postgres"} == {
        "uuid",
        "timestamptz",
        "jsonb",
        "bigint",
    }


def test_extra_postgres_scalars_can_be_named(tmp_path):
    sdl = "type Mutation { a(v: my_domain): Boolean }"
    with pytest.raises(MetadataError, match='"my_domain" is not defined'):
        _load(tmp_path, sdl)
    assert _load(tmp_path, sdl, scalars=["my_domain"]).type("my_domain").origin == "postgres"  # type: ignore[union-attr]


def test_what_the_cli_drops_is_a_warning(tmp_path):
    catalog = _load(
        tmp_path,
        """
        interface Node { id: ID! }
        type Query { a(limit: Int = 10): Out }
        type Out implements Node { id: ID! label(lang: String): String }
        extend type Out { extra: Int }
        union Either = Out
        """,
    )
    warnings = [w.message for w in catalog.warnings]
    assert "default value of 'limit' is ignored: Hasura metadata has no default values" in warnings
    assert "interface Node is ignored by the Hasura CLI" in warnings
    assert "extend type Out is ignored by the Hasura CLI" in warnings
    assert "union Either is ignored by the Hasura CLI" in warnings
    assert "arguments of Out.label are ignored by the Hasura CLI" in warnings
    assert [f.name for f in catalog.type("Out").fields] == ["id", "label"]  # type: ignore[union-attr]


def test_schema_definitions_are_refused(tmp_path):
    with pytest.raises(MetadataError, match="schema definitions are not allowed"):
        _load(tmp_path, "schema { query: Query }\ntype Query { a: Int }")


def test_same_action_twice_is_an_error(tmp_path):
    with pytest.raises(MetadataError, match='action with name "a" already exists'):
        _load(tmp_path, "type Query { a: Int }\ntype Mutation { a: Int }")


def test_empty_sdl_is_an_empty_catalog(tmp_path):
    assert len(_load(tmp_path, "\n")) == 0
