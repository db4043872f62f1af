"""Conforming requests: the parts agree (JSON Schema, graphql-core, request_query) and the awkward cases come up."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from conftest import FIXTURES
from graphql import GraphQLList, GraphQLNonNull, coerce_input_value, parse, validate, value_from_ast
from hasura_schema import hasura_schema
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from action_contract import (
    InvalidArgument,
    conforming_requests,
    edge_requests,
    load_catalog,
    register_scalar,
)
from action_contract._catalog import _scalars as scalars_module
from action_contract._catalog._json_schema import action_schemas
from action_contract._generate._sampling import draw_examples

SHOP = load_catalog(FIXTURES / "projects" / "shop")
ALL = load_catalog(FIXTURES / "metadata" / "all_inputs.graphql")
SCHEMAS = {id(c): hasura_schema(c) for c in (SHOP, ALL)}
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
CATALOGS = {"shop": SHOP, "all_inputs": ALL}
CASES = [(key, name) for key, catalog in CATALOGS.items() for name in catalog.actions]


def _root_field(document, catalog, action):
    operation = document.definitions[0]
    assert operation.operation.value == action.type
    (field,) = operation.selection_set.selections
    assert field.name.value == action.name
    return field


def assert_agrees(catalog, request):
    """The payload fits the JSON Schema; graphql-core accepts the input and the request_query says the same."""
    action = catalog.action(request.action)
    schema = action_schemas(catalog, action)["request"]
    errors = sorted(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(request.payload), key=str)
    assert not errors, errors[0]
    arguments = request.payload["input"]
    graphql_schema = SCHEMAS[id(catalog)]
    root = graphql_schema.mutation_type if action.type == "mutation" else graphql_schema.query_type
    field_def = root.fields[action.name]
    for name, value in arguments.items():
        coerce_input_value(value, field_def.args[name].type)  # raises GraphQLError when graphql-core disagrees
    if action.is_async:
        assert request.payload["request_query"] is None
        return
    document = parse(request.payload["request_query"])
    assert validate(graphql_schema, document) == []
    field = _root_field(document, catalog, action)
    written = {argument.name.value: argument.value for argument in field.arguments}
    # Present arguments appear, absent ones do not (an unbound variable would arrive as null).
    assert set(written) == set(arguments)
    for name, node in written.items():
        arg_type = field_def.args[name].type
        from_text = value_from_ast(node, arg_type, arguments)
        assert _same(from_text, coerce_input_value(arguments[name], arg_type)), name


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.mark.parametrize(("key", "name"), CASES)
@settings(max_examples=25)
@given(data=st.data())
def test_conforming_requests_agree_with_schema_and_graphql(key, name, data):
    catalog = CATALOGS[key]
    request = data.draw(conforming_requests(name, catalog=catalog))
    assert request.violation is None
    assert_agrees(catalog, request)


@pytest.mark.parametrize(("key", "name"), CASES)
def test_edge_requests_agree_and_cover_every_mode(key, name):
    catalog = CATALOGS[key]
    requests = edge_requests(name, catalog=catalog)
    for request in requests:
        assert_agrees(catalog, request)
    assert requests == edge_requests(name, catalog=catalog)  # no randomness at all
    assert len({r.body for r in requests}) == len(requests)


def test_edge_requests_start_absent_then_null_then_present_then_bounds():
    absent, null, present, low, high = edge_requests("everything", catalog=ALL)
    action = ALL.action("everything")
    required = {a.name for a in action.arguments if a.type.non_null}
    assert set(absent.payload["input"]) == required
    assert "x-hasura-user-id" not in absent.payload["session_variables"]
    assert {k for k, v in null.payload["input"].items() if v is None} == {a.name for a in action.arguments} - required
    assert set(present.payload["input"]) == {a.name for a in action.arguments}
    assert present.payload["input"]["ints"] == [42]
    assert (low.payload["input"]["int"], high.payload["input"]["int"]) == (INT_MIN, INT_MAX)
    assert low.payload["input"]["float"] < -1e300 < 1e300 < high.payload["input"]["float"]
    assert len(high.payload["input"]["text"]) > 1024
    assert high.payload["input"]["maybeInts"] == [INT_MAX, None, INT_MAX]
    assert "$int" in high.payload["request_query"]  # high bounds travel as variables, the rest as literals
    assert "$" not in present.payload["request_query"]


def _walk(value, found):
    found.append(value)
    if isinstance(value, dict):
        for item in value.values():
            _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)


@pytest.fixture(scope="module")
def everything():
    return draw_examples(conforming_requests("everything", catalog=ALL), 300, seed_value=7)


def test_optional_arguments_are_absent_null_and_present(everything):
    for name in ("optInt", "optText", "optColor", "filter", "tree", "maybeInts"):
        states = Counter(
            "absent" if name not in r.payload["input"] else "null" if r.payload["input"][name] is None else "value"
            for r in everything
        )
        assert min(states["absent"], states["null"], states["value"]) >= 10, (name, states)


def test_lists_are_empty_single_and_many(everything):
    sizes = Counter(min(len(r.payload["input"]["ints"]), 2) for r in everything)
    assert min(sizes[0], sizes[1], sizes[2]) >= 10, sizes


def test_scalars_hit_bounds_and_awkward_values(everything):
    values = []
    for request in everything:
        _walk(request.payload["input"], values)
    ints = {v for v in values if type(v) is int}
    floats = [v for v in values if type(v) is float]
    strings = [v for v in values if isinstance(v, str)]
    assert {INT_MIN, INT_MAX, 0} <= ints
    assert any(v == 0 and math.copysign(1, v) < 0 for v in floats)  # negative zero
    assert any(abs(v) > 1e300 for v in floats)
    assert any(type(r.payload["input"]["float"]) is int for r in everything)  # integral Float values
    assert "" in strings
    assert any(any(ord(c) > 127 for c in s) for s in strings)
    assert any(any(ord(c) > 0xFFFF for c in s) for s in strings)  # astral plane
    assert sum(len(s) > 1024 for s in strings) >= 10
    depths = Counter(_tree_depth(r.payload["input"].get("tree")) for r in everything)
    assert depths[2] + depths[3] > 0, depths


def _tree_depth(tree) -> int:
    if not isinstance(tree, dict):
        return 0
    return 1 + max((_tree_depth(child) for child in tree["children"]), default=0)


def test_sessions_vary_and_roles_come_from_permissions():
    requests = draw_examples(conforming_requests("quote", catalog=SHOP), 200, seed_value=3)
    sessions = [r.payload["session_variables"] for r in requests]
    with_user = sum("x-hasura-user-id" in s for s in sessions)
    assert 20 <= with_user <= 190
    assert sum(len(s) > 2 for s in sessions) >= 5  # extra claims now and then
    assert {s["x-hasura-role"] for s in sessions} == {"customer", "anonymous", "admin"}
    assert all(
        k == k.lower() and k.startswith("x-hasura-") and isinstance(v, str) for s in sessions for k, v in s.items()
    )


def test_same_seed_same_requests_and_another_seed_others():
    strategy = conforming_requests("placeOrder", catalog=SHOP)
    first = [r.body for r in draw_examples(strategy, 20, seed_value=11)]
    assert first == [r.body for r in draw_examples(strategy, 20, seed_value=11)]
    assert first != [r.body for r in draw_examples(strategy, 20, seed_value=12)]


def test_session_overrides_fix_remove_and_generate():
    strategy = conforming_requests(
        "quote",
        catalog=SHOP,
        session={"X-Hasura-Role": "customer", "x-hasura-user-id": None, "x-hasura-org-id": st.sampled_from(["a", "b"])},
    )
    for request in draw_examples(strategy, 30, seed_value=1):
        session = request.payload["session_variables"]
        assert session["x-hasura-role"] == "customer"
        assert "x-hasura-user-id" not in session
        assert session["x-hasura-org-id"] in {"a", "b"}


def test_a_session_strategy_replaces_the_generated_sessions():
    strategy = conforming_requests("quote", catalog=SHOP, session=st.just({"X-Hasura-Role": "robot"}))
    assert {r.payload["session_variables"]["x-hasura-role"] for r in draw_examples(strategy, 5)} == {"robot"}


@pytest.mark.parametrize(
    ("session", "message"),
    [
        ({"role": "user"}, "session variables are x-hasura-\\* names"),
        ({"x-hasura-user-id": 7}, "Hasura sends every session variable as a string"),
    ],
)
def test_bad_session_overrides_are_refused(session, message):
    with pytest.raises(InvalidArgument, match=message):
        conforming_requests("quote", catalog=SHOP, session=session)


def test_fixed_client_headers_are_forwarded_by_the_rules():
    strategy = conforming_requests(
        "recommendations", catalog=SHOP, client_headers={"Authorization": "Bearer t", "X-Hasura-Role": "user"}
    )
    (request,) = draw_examples(strategy, 1)
    assert request.header("Authorization") == "Bearer t"
    assert request.header("X-Hasura-Role") is None


def test_older_versions_shape_the_payload():
    (request,) = draw_examples(conforming_requests("quote", catalog=SHOP, hasura_version="2.0"), 1)
    assert set(request.payload) == {"action", "input", "session_variables"}
    assert request.header("User-Agent") == "hasura-graphql-engine/v2.0.0"


def test_base_url_points_requests_elsewhere_and_keeps_the_path():
    (request,) = draw_examples(conforming_requests("quote", catalog=SHOP, base_url="http://127.0.0.1:9000"), 1)
    assert request.url == "http://127.0.0.1:9000/quote"


def test_secrets_come_from_env_and_are_marked():
    (request,) = draw_examples(conforming_requests("cancelOrder", catalog=SHOP, env={"SHOP_WEBHOOK_SECRET": "xyz"}), 1)
    assert request.header("X-Shop-Secret") == "xyz"
    assert request.secret_headers == ("X-Shop-Secret",)


def test_an_input_type_without_finite_values_is_only_absent_or_null():
    for request in draw_examples(conforming_requests("loop", catalog=ALL), 30):
        assert request.payload["input"].get("node") is None


def test_a_required_argument_without_finite_values_is_refused(tmp_path):
    sdl = tmp_path / "loop.graphql"
    sdl.write_text("type Mutation { spin(node: Loop!): Boolean }\ninput Loop { next: Loop! }\n")
    catalog = load_catalog(sdl)
    with pytest.raises(InvalidArgument, match="every value of Loop must contain itself through non-null fields"):
        conforming_requests("spin", catalog=catalog)


@pytest.fixture
def registry():
    yield
    scalars_module._REGISTERED.clear()
    scalars_module._GENERATION[0] += 1


def test_registered_scalars_replace_generation_and_schema(registry):
    money = st.fixed_dictionaries({"amount": st.integers(0, 10**6), "currency": st.sampled_from(["EUR", "USD"])})
    schema = {"type": "object", "required": ["amount", "currency"], "properties": {"amount": {"type": "integer"}}}
    register_scalar("Money", money, schema)
    requests = draw_examples(conforming_requests("everything", catalog=ALL), 60, seed_value=2)
    values = [r.payload["input"]["money"] for r in requests if r.payload["input"].get("money") is not None]
    assert values and all(set(v) == {"amount", "currency"} for v in values)
    money_schema = action_schemas(ALL, ALL.action("everything"))["input"]["properties"]["money"]
    assert money_schema == {**schema, "type": ["object", "null"]}
    for request in requests + edge_requests("everything", catalog=ALL):
        assert_agrees(ALL, request)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Not A Name", st.none()), "expected a GraphQL type name"),
        (("Money", 5), "expected a Hypothesis strategy for scalar 'Money'"),
        (("Money", st.none(), "object"), "expected a JSON Schema object"),
    ],
)
def test_register_scalar_checks_its_arguments(args, message, registry):
    with pytest.raises(InvalidArgument, match=message):
        register_scalar(*args)


def test_unknown_action_names_get_suggestions():
    with pytest.raises(InvalidArgument, match='Did you mean "placeOrder"'):
        conforming_requests("placeorder", catalog=SHOP)


def test_catalog_is_required_to_be_a_catalog():
    with pytest.raises(InvalidArgument, match="expected catalog= to be a Catalog"):
        conforming_requests("quote", catalog={"quote": 1})  # type: ignore[arg-type]


def test_list_types_unwrap_for_graphql_core():
    # A guard on the helper itself: [[Float!]!] really is a list of non-null lists in the schema.
    arg = SCHEMAS[id(ALL)].mutation_type.fields["everything"].args["matrix"].type
    assert isinstance(arg, GraphQLList) and isinstance(arg.of_type, GraphQLNonNull)
