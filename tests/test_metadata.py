"""load_catalog on every metadata form, and how the Hasura CLI's merge rules are followed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from action_contract import (
    EnumType,
    InputObjectType,
    MetadataError,
    ObjectType,
    ScalarType,
    TypeRef,
    load_catalog,
)
from action_contract._catalog._model import DEFAULT_IGNORED_CLIENT_HEADERS


def test_cli_project_merges_sdl_and_yaml_like_the_hasura_cli(fixtures):
    catalog = load_catalog(fixtures / "projects" / "shop")
    assert catalog.source_kind == "Hasura CLI project (config v3)"
    assert list(catalog.actions) == ["placeOrder", "cancelOrder", "importCatalog", "quote", "recommendations"]
    place = catalog.action("placeOrder")
    assert place.type == "mutation" and place.kind == "synchronous"
    assert [(a.name, str(a.type)) for a in place.arguments] == [
        ("items", "[OrderItemInput!]!"),
        ("coupon", "String"),
        ("deliverAt", "timestamptz"),
    ]
    assert place.arguments[0].description == "What to buy"
    assert place.output_type == TypeRef.named("OrderResult", non_null=True)
    assert place.handler == "{{SHOP_ACTIONS_URL}}/place-order"
    assert place.forward_client_headers is True
    assert place.timeout == 10
    assert [(h.name, h.value_from_env) for h in place.headers] == [("X-Shop-Secret", "SHOP_WEBHOOK_SECRET")]
    assert [p.role for p in place.permissions] == ["customer"]
    assert place.comment == "Places an order for the signed-in customer"
    assert place.ignored_client_headers == DEFAULT_IGNORED_CLIENT_HEADERS
    assert catalog.action("importCatalog").is_async
    quote = catalog.action("quote")
    assert quote.type == "query" and quote.kind == "synchronous"  # `kind: ""` on queries
    assert quote.timeout == 30


def test_cli_project_types_come_from_sdl_with_yaml_relationships(fixtures):
    catalog = load_catalog(fixtures / "projects" / "shop")
    product = catalog.type("Product")
    assert isinstance(product, ObjectType)
    (rel,) = product.relationships
    assert (rel.name, rel.type, rel.remote_table, dict(rel.field_mapping)) == (
        "customer",
        "object",
        ("public", "customers"),
        {"customerId": "id"},
    )
    assert isinstance(catalog.type("CancelReason"), EnumType)
    assert catalog.type("CancelReason").value_names == ("CHANGED_MIND", "TOO_SLOW", "OTHER")  # type: ignore[union-attr]
    address = catalog.type("AddressInput")
    assert isinstance(address, InputObjectType)
    assert address.field("forwardTo").type == TypeRef.named("AddressInput")  # type: ignore[union-attr]
    assert catalog.type("Money") == ScalarType(
        name="Money", origin="custom", description="An amount with its currency, as the payment provider returns it"
    )
    assert catalog.type("uuid") == ScalarType(name="uuid", origin="postgres")
    assert catalog.type("Int").origin == "builtin"  # type: ignore[union-attr]


def test_project_root_metadata_dir_and_actions_yaml_give_the_same_catalog(fixtures):
    root = fixtures / "projects" / "shop"
    by_root = load_catalog(root)
    by_dir = load_catalog(root / "metadata")
    by_file = load_catalog(root / "metadata" / "actions.yaml")
    assert by_root.actions == by_dir.actions == by_file.actions
    assert by_root.handler_base_url == "http://localhost:3000"


def test_templates_resolve_from_dotenv_environment_and_overrides(fixtures, monkeypatch):
    root = fixtures / "projects" / "shop"
    assert load_catalog(root).variables == {
        "SHOP_ACTIONS_URL": "http://localhost:3000",
        "SHOP_WEBHOOK_SECRET": "change-me",
    }
    monkeypatch.setenv("SHOP_ACTIONS_URL", "http://from-env:1")
    assert load_catalog(root).variables["SHOP_ACTIONS_URL"] == "http://from-env:1"
    overridden = load_catalog(root, env={"SHOP_ACTIONS_URL": "http://override:2"})
    assert overridden.variables["SHOP_ACTIONS_URL"] == "http://override:2"


def test_unresolved_templates_are_warnings_with_hasuras_messages(fixtures, tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(fixtures / "projects" / "shop", project)
    (project / ".env").unlink()
    catalog = load_catalog(project)
    messages = [w.message for w in catalog.warnings]
    assert any(
        m.startswith("Value for environment variables not found: SHOP_ACTIONS_URL (used by 5 actions") for m in messages
    )
    assert any(m.startswith("environment variable 'SHOP_WEBHOOK_SECRET' not set") for m in messages)
    assert catalog.variables == {}


@pytest.mark.parametrize(
    ("name", "kind", "actions"),
    [
        ("export_v3.json", "metadata export (version 3)", ["login", "me"]),
        ("export_wrapped.json", "metadata export (version 3)", ["login", "me"]),
        ("export_v2.yaml", "metadata export (version 2)", ["signup"]),
        ("calls.yaml", "metadata API calls: 4 calls applied, 1 skipped", ["greet"]),
        ("bulk.json", "metadata API calls: 4 calls applied, 0 skipped", ["echo"]),
        ("schema_only.graphql", "GraphQL SDL file (handlers default to http://localhost:3000/<action>)", ["sendEmail"]),
        ("config_v2", "Hasura CLI project (config v2)", ["weather"]),
        ("config_v1", "Hasura CLI project (config v1, 1 migration): 2 calls applied, 0 skipped", ["hello"]),
    ],
)
def test_every_metadata_form_loads(fixtures, name, kind, actions):
    catalog = load_catalog(fixtures / "metadata" / name)
    assert catalog.source_kind == kind
    assert list(catalog.actions) == actions


def test_export_reads_hasura_defaults_and_every_key(fixtures):
    catalog = load_catalog(fixtures / "metadata" / "export_wrapped.json")
    login = catalog.action("login")
    assert login.ignored_client_headers == ("Cookie",)
    assert login.forward_client_headers and login.comment == "Exchange a password for a token"
    me = catalog.action("me")
    assert (me.type, me.timeout, str(me.output_type), me.arguments) == ("query", 5, "[String]", ())
    signup = load_catalog(fixtures / "metadata" / "export_v2.yaml").action("signup")
    assert (signup.type, signup.kind, signup.timeout) == ("mutation", "synchronous", 30)


def test_calls_follow_update_semantics(fixtures):
    greet = load_catalog(fixtures / "metadata" / "calls.yaml").action("greet")
    # update_action replaced the definition (now a query) and kept the permission.
    assert (greet.type, greet.handler, str(greet.output_type)) == (
        "query",
        "http://localhost:3000/greet-v2",
        "Greeting!",
    )
    assert [p.role for p in greet.permissions] == ["user"]


def test_bare_sdl_takes_defaults(fixtures):
    action = load_catalog(fixtures / "metadata" / "schema_only.graphql").action("sendEmail")
    assert (action.kind, action.timeout, action.headers, action.handler) == (
        "synchronous",
        30,
        (),
        "http://localhost:3000/sendEmail",
    )


def test_repository_root_finds_the_single_project_below(fixtures, tmp_path):
    shutil.copytree(fixtures / "projects" / "shop", tmp_path / "backend" / "hasura")
    assert len(load_catalog(tmp_path)) == 5
    shutil.copytree(fixtures / "metadata" / "config_v2", tmp_path / "other")
    with pytest.raises(MetadataError, match="several Hasura projects"):
        load_catalog(tmp_path)


def test_load_catalog_validates_its_arguments(fixtures):
    from action_contract import InvalidArgument

    with pytest.raises(InvalidArgument):
        load_catalog(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        load_catalog(fixtures / "projects" / "shop", env=["A=1"])  # type: ignore[arg-type]


def test_json_export_of_the_shop_matches_the_cli_project(fixtures, tmp_path):
    """The same metadata as an export (what `hasura metadata export` would give) loads identically."""
    catalog = load_catalog(fixtures / "projects" / "shop")
    export = _to_export(catalog)
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps({"resource_version": 1, "metadata": export}))
    assert load_catalog(path, env=dict(catalog.variables)).actions == catalog.actions


def _to_export(catalog) -> dict:
    def fields(items):
        return [
            {"name": f.name, "type": str(f.type), **({"description": f.description} if f.description else {})}
            for f in items
        ]

    actions = []
    for a in catalog:
        definition = {
            "handler": a.handler,
            "output_type": str(a.output_type),
            "arguments": fields(a.arguments),
            "type": a.type,
            "kind": a.kind,
            "timeout": a.timeout,
            "forward_client_headers": a.forward_client_headers,
            "headers": [{"name": h.name, "value_from_env": h.value_from_env} for h in a.headers],
        }
        entry = {"name": a.name, "definition": definition, "permissions": [{"role": p.role} for p in a.permissions]}
        if a.comment:
            entry["comment"] = a.comment
        actions.append(entry)
    custom = {"scalars": [], "enums": [], "input_objects": [], "objects": []}
    for t in catalog.custom_types():
        if isinstance(t, ScalarType):
            custom["scalars"].append({"name": t.name, "description": t.description})
        elif isinstance(t, EnumType):
            custom["enums"].append({"name": t.name, "values": [{"value": v} for v in t.value_names]})
        elif isinstance(t, InputObjectType):
            custom["input_objects"].append({"name": t.name, "fields": fields(t.fields)})
        else:
            custom["objects"].append(
                {
                    "name": t.name,
                    "fields": fields(t.fields),
                    "relationships": [
                        {
                            "name": r.name,
                            "type": r.type,
                            "remote_table": {"schema": r.remote_table[0], "name": r.remote_table[1]},
                            "field_mapping": dict(r.field_mapping),
                        }
                        for r in t.relationships
                    ],
                }
            )
    return {"version": 3, "actions": actions, "custom_types": custom}


def test_path_that_does_not_exist_is_a_located_error(tmp_path: Path):
    with pytest.raises(MetadataError, match="no such file or directory"):
        load_catalog(tmp_path / "nowhere")


def test_actions_yaml_alone_is_read_as_its_metadata_directory(fixtures, tmp_path):
    (tmp_path / "actions.yaml").write_text((fixtures / "projects/shop/metadata/actions.yaml").read_text())
    with pytest.raises(MetadataError) as info:
        load_catalog(tmp_path / "actions.yaml")
    assert info.value.errors[0].message == "action placeOrder is not present in actions.graphql"


def test_input_types_without_a_finite_value_are_warned_about(tmp_path):
    sdl = tmp_path / "actions.graphql"
    sdl.write_text(
        "type Mutation { spin(node: Loop, tree: Tree): Boolean }\n"
        "input Loop { next: Loop! }\ninput Tree { children: [Tree!]!, parent: Tree }\n"
    )
    catalog = load_catalog(sdl)
    (warning,) = catalog.warnings
    assert warning.message.startswith('input object "Loop" has no finite value')
    assert (warning.line, warning.hint) == (2, "Make one field on the cycle nullable or a list.")
