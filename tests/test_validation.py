"""Webhook calls are checked the way the contract demands, with one precise message per problem.

Three sources must agree: nothing `conforming_requests` generates has a problem, every rule
`adversarial_requests` breaks is found where its `violation_path` says, and a table of hand-written
payloads pins the messages a frontend developer reads.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import given
from test_corpus import CORPUS, hasura_rejects
from test_corpus import _ids as corpus_sources
from test_corpus import _stand_ins as stand_ins

from action_contract import (
    InvalidArgument,
    adversarial_requests,
    applicable_violations,
    conforming_requests,
    edge_requests,
    load_catalog,
)
from action_contract._generate._sampling import draw_examples
from action_contract._mock._problems import MAX_PROBLEMS, CallProblem
from action_contract._mock._validation import CallValidator, call_problems, input_problems

SHOP_ENV = {"SHOP_ACTIONS_URL": "http://127.0.0.1:3000", "SHOP_WEBHOOK_SECRET": "s3cret"}
SHOP = load_catalog(FIXTURES / "projects" / "shop", env=SHOP_ENV)
ALL = load_catalog(FIXTURES / "metadata" / "all_inputs.graphql")
CATALOGS = {"shop": SHOP, "all_inputs": ALL}
CASES = [pytest.param(key, name, id=f"{key}-{name}") for key, catalog in CATALOGS.items() for name in catalog.actions]
BASE_URL = "http://127.0.0.1:3000"
# Rules of the transport, not the JSON body: a body check cannot see them.
NOT_IN_THE_BODY = {"not_json", "empty_body", "missing_secret_header", "wrong_secret_header"}
VALIDATION, PAYLOAD = "validation-failed", "unexpected-payload"
UUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def related(path: str, violation_path: str) -> bool:
    """True when one path is the other, or lies inside it (`$.a` and `$.a[0].b`, not `$.a` and `$.ab`)."""
    short, long = sorted((path, violation_path), key=len)
    return long == short or long.startswith((short + ".", short + "["))


def assert_caught(catalog: Any, request: Any) -> None:
    problems = call_problems(catalog, catalog.action(request.action), request.payload)
    assert problems, f"{request.violation} at {request.violation_path} not caught: {request.payload}"
    where = [p.path for p in problems]
    assert any(related(p, request.violation_path) for p in where), (request.violation, request.violation_path, where)


def body_violations(catalog: Any, name: str) -> list[str]:
    options = {"catalog": catalog, "base_url": BASE_URL, "env": SHOP_ENV}
    return [v for v in applicable_violations(name, **options) if v not in NOT_IN_THE_BODY]


# -- properties: conforming requests pass, adversarial ones are caught where they break ----------


@pytest.mark.parametrize(("key", "name"), CASES)
def test_what_hasura_sends_has_no_problems(key: str, name: str) -> None:
    catalog = CATALOGS[key]
    action = catalog.action(name)
    # Hasura before v2.1 sends no `request_query` (contract §1.3): that is no problem either.
    for version in (None, "1.3.3"):
        for request in edge_requests(name, catalog=catalog, base_url=BASE_URL, env=SHOP_ENV, hasura_version=version):
            assert call_problems(catalog, action, request.payload) == []

    @given(conforming_requests(name, catalog=catalog, base_url=BASE_URL, env=SHOP_ENV))
    def check(request: Any) -> None:
        assert call_problems(catalog, action, request.payload) == []
        assert input_problems(catalog, action, request.payload["input"]) == []

    check()


@pytest.mark.parametrize(("key", "name"), CASES)
def test_every_broken_rule_is_caught_where_it_is_broken(key: str, name: str) -> None:
    catalog = CATALOGS[key]
    violations = body_violations(catalog, name)
    # Each rule at least twice, then Hypothesis' own mix of them.
    for violation in violations:
        strategy = adversarial_requests(name, catalog=catalog, base_url=BASE_URL, env=SHOP_ENV, violations=[violation])
        for request in draw_examples(strategy, 2, seed_value=3):
            assert_caught(catalog, request)

    @given(adversarial_requests(name, catalog=catalog, base_url=BASE_URL, env=SHOP_ENV, violations=violations))
    def check(request: Any) -> None:
        assert_caught(catalog, request)

    check()


# -- the rules, one hand-written payload each ------------------------------------------------------

ITEM = {"sku": "A-1", "quantity": 2}
PLACE_ORDER: dict[str, Any] = {
    "action": {"name": "placeOrder"},
    "input": {"items": [ITEM], "coupon": None},
    "session_variables": {"x-hasura-role": "customer", "x-hasura-user-id": "42"},
    "request_query": 'mutation { placeOrder(items: [{sku: "A-1", quantity: 2}], coupon: null) { orderId } }',
}
EVERYTHING = {"int": 1, "float": 1.5, "text": "t", "id": "7", "color": "RED", "ints": [1]}
EVERYTHING |= {"filters": [{"field": "f", "op": "EQ"}]}
KEEP: Any = object()
POSTGRES = {"small": 1, "big": "9007199254740993", "day": "2024-02-29", "tstz": "2024-02-29T12:00:00Z"}
POSTGRES |= {"doc": {"any": ["json"]}, "key": UUID}


def call(name: str = "placeOrder", input: Any = KEEP, **envelope: Any) -> dict[str, Any]:
    """A call of action `name` shaped like PLACE_ORDER, with `input` and top-level keys replaced (`...` removes)."""
    payload = copy.deepcopy(PLACE_ORDER)
    payload["action"] = {"name": name}
    if input is not KEEP:
        payload["input"] = input
    payload.update(envelope)
    return {key: value for key, value in payload.items() if value is not ...}


def order(**arguments: Any) -> dict[str, Any]:
    """A placeOrder call with some arguments replaced (`...` removes one)."""
    return call(input={k: v for k, v in {**PLACE_ORDER["input"], **arguments}.items() if v is not ...})


def item(**fields: Any) -> dict[str, Any]:
    """A placeOrder call whose one item has some fields replaced (`...` removes one)."""
    return order(items=[{k: v for k, v in {**ITEM, **fields}.items() if v is not ...}])


def session(**changes: Any) -> dict[str, Any]:
    variables = {k: v for k, v in {**PLACE_ORDER["session_variables"], **changes}.items() if v is not ...}
    return call(session_variables=variables)


RULES = [
    # (id, catalog, action, payload, [(path, code, message fragment), ...]) - every problem, in order.
    ("conforms", SHOP, "placeOrder", call(), []),
    ("optional-argument-absent", SHOP, "placeOrder", order(coupon=...), []),
    ("no-request-query-before-v2.1", SHOP, "placeOrder", call(request_query=...), []),
    ("null-request-query-of-async", SHOP, "placeOrder", call(request_query=None), []),
    ("unknown-top-level-key-tolerated", SHOP, "placeOrder", call(trace_id="abc"), []),
    ("whole-float-is-an-int", SHOP, "placeOrder", item(quantity=2.0), []),
    (
        "custom-scalar-any-json",
        SHOP,
        "importCatalog",
        call("importCatalog", {"url": "u", "options": [1, {"a": None}]}),
        [],
    ),
    ("bigint-as-number-or-text", ALL, "postgres", call("postgres", {**POSTGRES, "big": 12}), []),
    ("float-takes-an-integer", ALL, "everything", call("everything", {**EVERYTHING, "float": 5}), []),
    ("not-an-object", SHOP, "placeOrder", [PLACE_ORDER], [("$", PAYLOAD, "expected a JSON object with action, input")]),
    (
        "action-as-bare-name",
        SHOP,
        "placeOrder",
        call(action="placeOrder"),
        [("$.action", PAYLOAD, 'expected {"name": "placeOrder"}, found "placeOrder"; early Hasura docs showed')],
    ),
    ("action-missing", SHOP, "placeOrder", call(action=...), [("$.action", PAYLOAD, "found nothing")]),
    ("action-name-missing", SHOP, "placeOrder", call(action={}), [("$.action.name", PAYLOAD, "found nothing")]),
    (
        "action-name-of-another-action",
        SHOP,
        "placeOrder",
        call("cancelOrder"),
        [("$.action.name", PAYLOAD, 'expected "placeOrder", found "cancelOrder"')],
    ),
    (
        "action-name-case",
        SHOP,
        "placeOrder",
        call("placeorder"),
        [("$.action.name", PAYLOAD, 'found "placeorder"; action names are case-sensitive')],
    ),
    ("action-name-not-text", SHOP, "placeOrder", call(action={"name": 1}), [("$.action.name", PAYLOAD, "found 1")]),
    ("input-missing", SHOP, "placeOrder", call(input=...), [("$.input", PAYLOAD, "arguments, found nothing")]),
    ("input-null", SHOP, "placeOrder", call(input=None), [("$.input", PAYLOAD, "found null; Hasura sends {} when")]),
    ("input-list", SHOP, "placeOrder", call(input=[{}]), [("$.input", PAYLOAD, "found [{}]")]),
    (
        "unknown-argument-near-miss",
        SHOP,
        "placeOrder",
        order(coupn="X"),
        [("$.input.coupn", VALIDATION, "unknown argument 'coupn' of placeOrder. Did you mean \"coupon\"?")],
    ),
    (
        "unknown-argument-lists-the-arguments",
        SHOP,
        "placeOrder",
        order(extra=1),
        [("$.input.extra", VALIDATION, "its arguments are items, coupon, deliverAt")],
    ),
    (
        "unknown-argument-odd-name",
        SHOP,
        "placeOrder",
        order(**{"the coupon": 1}),
        [("$.input['the coupon']", VALIDATION, "unknown argument 'the coupon'")],
    ),
    (
        "missing-required-argument",
        SHOP,
        "placeOrder",
        order(items=...),
        [("$.input.items", VALIDATION, "expected a non-null [OrderItemInput!], found nothing; placeOrder requires it")],
    ),
    (
        "null-for-non-null-argument",
        SHOP,
        "placeOrder",
        order(items=None),
        [("$.input.items", VALIDATION, "expected a non-null [OrderItemInput!], found null")],
    ),
    (
        "object-for-list",
        SHOP,
        "placeOrder",
        order(items=ITEM),
        [("$.input.items", VALIDATION, "Hasura wraps a single value in a list")],
    ),
    (
        "list-for-object",
        SHOP,
        "placeOrder",
        order(items=[[ITEM]]),
        [("$.input.items[0]", VALIDATION, "expected an object OrderItemInput, found [{")],
    ),
    ("null-item", SHOP, "placeOrder", order(items=[ITEM, None]), [("$.input.items[1]", VALIDATION, "found null")]),
    (
        "unknown-field",
        SHOP,
        "placeOrder",
        item(qantity=1),
        [
            (
                "$.input.items[0].qantity",
                VALIDATION,
                "unknown field 'qantity' of OrderItemInput. Did you mean \"quantity\"?",
            )
        ],
    ),
    (
        "missing-required-field",
        SHOP,
        "placeOrder",
        item(quantity=...),
        [("$.input.items[0].quantity", VALIDATION, "found nothing; OrderItemInput requires it")],
    ),
    (
        "int-non-integral",
        SHOP,
        "placeOrder",
        item(quantity=1.5),
        [("$.input.items[0].quantity", VALIDATION, "expected Int, a 32-bit whole number, found 1.5")],
    ),
    (
        "int-out-of-range",
        SHOP,
        "placeOrder",
        item(quantity=2**31),
        [("$.input.items[0].quantity", VALIDATION, "found 2147483648; Int ranges from -2147483648 to 2147483647")],
    ),
    ("int-as-text", SHOP, "placeOrder", item(quantity="2"), [("$.input.items[0].quantity", VALIDATION, 'found "2"')]),
    ("bool-is-no-int", SHOP, "placeOrder", item(quantity=True), [("$.input.items[0].quantity", VALIDATION, "true")]),
    (
        "boolean-as-text",
        SHOP,
        "placeOrder",
        item(giftWrap="yes"),
        [("$.input.items[0].giftWrap", VALIDATION, 'expected Boolean, true or false, found "yes"')],
    ),
    ("string-as-number", SHOP, "placeOrder", item(sku=5), [("$.input.items[0].sku", VALIDATION, "String, found 5")]),
    (
        "timestamptz-malformed",
        SHOP,
        "placeOrder",
        order(deliverAt="tomorrow"),
        [("$.input.deliverAt", VALIDATION, 'expected timestamptz, a date and time such as "2024-02-29T12:00:00Z"')],
    ),
    (
        "uuid-malformed",
        SHOP,
        "cancelOrder",
        call("cancelOrder", {"orderId": UUID[:-1]}),
        [("$.input.orderId", VALIDATION, "expected uuid, a UUID such as")],
    ),
    (
        "enum-case",
        SHOP,
        "cancelOrder",
        call("cancelOrder", {"orderId": UUID, "reason": "other"}),
        [
            (
                "$.input.reason",
                VALIDATION,
                'one of "CHANGED_MIND", "TOO_SLOW", "OTHER", found "other". Did you mean "OTHER"?',
            )
        ],
    ),
    (
        "enum-not-text",
        SHOP,
        "cancelOrder",
        call("cancelOrder", {"orderId": UUID, "reason": 1}),
        [("$.input.reason", VALIDATION, "found 1")],
    ),
    (
        "id-as-number",
        ALL,
        "lookup",
        call("lookup", {"id": 7, "deep": {"a": {}}}),
        [("$.input.id", VALIDATION, "expected ID, a string, found 7; Hasura sends every ID as a string")],
    ),
    (
        "nested-required-field",
        ALL,
        "lookup",
        call("lookup", {"id": "7", "deep": {"a": {"b": {}}}}),
        [("$.input.deep.a.b.c", VALIDATION, "expected a non-null Int, found nothing; DeepB requires it")],
    ),
    (
        "float-as-bool",
        ALL,
        "everything",
        call("everything", {**EVERYTHING, "float": False}),
        [("$.input.float", VALIDATION, "expected Float, a number, found false")],
    ),
    (
        "list-of-lists",
        ALL,
        "everything",
        call("everything", {**EVERYTHING, "matrix": [[1.5], 2.5]}),
        [("$.input.matrix[1]", VALIDATION, "expected a list [Float!], found 2.5")],
    ),
    (
        "bigint-malformed",
        ALL,
        "postgres",
        call("postgres", {**POSTGRES, "big": "12abc"}),
        [("$.input.big", VALIDATION, "expected bigint, a whole number or a string of digits")],
    ),
    (
        "smallint-range",
        ALL,
        "postgres",
        call("postgres", {**POSTGRES, "small": 40000}),
        [("$.input.small", VALIDATION, "expected smallint, an integer from -32768 to 32767, found 40000")],
    ),
    (
        "date-malformed",
        ALL,
        "postgres",
        call("postgres", {**POSTGRES, "day": "2024-02-30"}),
        [("$.input.day", VALIDATION, "date")],
    ),
    ("session-missing", SHOP, "placeOrder", call(session_variables=...), [("$.session_variables", PAYLOAD, "nothing")]),
    (
        "session-null",
        SHOP,
        "placeOrder",
        call(session_variables=None),
        [("$.session_variables", PAYLOAD, "found null")],
    ),
    (
        "session-name-case",
        SHOP,
        "placeOrder",
        session(**{"X-Hasura-Org-Id": "7"}),
        [("$.session_variables['X-Hasura-Org-Id']", PAYLOAD, "Hasura lower-cases session variable names")],
    ),
    (
        "session-name-not-hasura",
        SHOP,
        "placeOrder",
        session(user="7"),
        [("$.session_variables.user", PAYLOAD, 'expected an x-hasura-* name, found "user"')],
    ),
    (
        "session-value-not-text",
        SHOP,
        "placeOrder",
        session(**{"x-hasura-user-id": 42}),
        [("$.session_variables['x-hasura-user-id']", PAYLOAD, "expected a string, found 42")],
    ),
    (
        "session-without-role",
        SHOP,
        "placeOrder",
        session(**{"x-hasura-role": ...}),
        [("$.session_variables['x-hasura-role']", PAYLOAD, "Hasura always sends at least x-hasura-role")],
    ),
    (
        "request-query-not-text",
        SHOP,
        "placeOrder",
        call(request_query={"query": "{}"}),
        [("$.request_query", PAYLOAD, 'or null, found {"query": "{}"}')],
    ),
    (
        "long-values-are-cut",
        SHOP,
        "placeOrder",
        item(sku=["x" * 100]),
        [
            (
                "$.input.items[0].sku",
                VALIDATION,
                'found ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…; a list where one String belongs',
            )
        ],
    ),
    (
        "every-problem-in-document-order",
        SHOP,
        "placeOrder",
        call(action={"name": "quote"}, input={"coupon": 1, "items": [{"sku": None, "extra": 1}]}, request_query=1),
        [
            ("$.action.name", PAYLOAD, 'found "quote"'),
            ("$.input.coupon", VALIDATION, "expected String, found 1"),
            ("$.input.items[0].sku", VALIDATION, "expected a non-null String, found null"),
            ("$.input.items[0].extra", VALIDATION, "unknown field 'extra'"),
            ("$.input.items[0].quantity", VALIDATION, "found nothing"),
            ("$.request_query", PAYLOAD, "found 1"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("catalog", "action", "payload", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_rules(catalog: Any, action: str, payload: Any, expected: list[tuple[str, str, str]]) -> None:
    problems = call_problems(catalog, catalog.action(action), payload)
    assert [(p.path, p.code) for p in problems] == [(path, code) for path, code, _ in expected]
    for problem, (_, _, fragment) in zip(problems, expected, strict=True):
        assert fragment in problem.message
        assert not problem.message.startswith("$"), "messages do not repeat the path"


def test_the_message_reads_as_the_example_says() -> None:
    [problem] = call_problems(SHOP, SHOP.action("placeOrder"), item(quantity=1.5))
    assert problem == CallProblem(
        path="$.input.items[0].quantity", message="expected Int, a 32-bit whole number, found 1.5", code=VALIDATION
    )
    assert str(problem) == "$.input.items[0].quantity: expected Int, a 32-bit whole number, found 1.5"


def test_problems_stop_at_the_cap() -> None:
    payload = order(**{f"extra{n}": n for n in range(MAX_PROBLEMS + 10)})
    problems = call_problems(SHOP, SHOP.action("placeOrder"), payload)
    assert [p.path for p in problems] == [f"$.input.extra{n}" for n in range(MAX_PROBLEMS)]


def test_input_problems_check_the_arguments_alone() -> None:
    action = SHOP.action("placeOrder")
    assert input_problems(SHOP, action, {"items": []}) == []
    assert [p.path for p in input_problems(SHOP, action, {"coupon": 5})] == ["$.input.coupon", "$.input.items"]
    assert [(p.path, p.code) for p in input_problems(SHOP, action, "x")] == [("$.input", PAYLOAD)]


def test_a_validator_compiles_once_and_serves_every_action() -> None:
    validator = CallValidator(ALL)
    for action in ALL:
        assert validator.problems(action, call(action.name, {})) == validator.problems(action, call(action.name, {}))
    # A recursive input type compiles and is checked all the way down.
    tree = {"children": [{"children": [{"label": 1, "children": []}]}]}
    problems = validator.input_problems(ALL.action("everything"), {**EVERYTHING, "tree": tree})
    assert [p.path for p in problems] == ["$.input.tree.children[0].children[0].label"]


def test_wrong_arguments_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="expected a Catalog"):
        CallValidator({})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="expected an Action"):
        call_problems(SHOP, "placeOrder", call())  # type: ignore[arg-type]


# -- the corpus: real projects' actions ------------------------------------------------------------


@pytest.mark.skipif(not CORPUS, reason="set ACTION_CONTRACT_CORPUS to the corpus folder")
@pytest.mark.parametrize("source", corpus_sources())
def test_corpus_calls_are_judged_like_generated_ones(source: Path) -> None:
    if hasura_rejects(source):
        pytest.skip("Hasura rejects this metadata")
    catalog = load_catalog(source)
    options: dict[str, Any] = {"catalog": catalog, "base_url": BASE_URL, "env": stand_ins(catalog)}
    for action in catalog:
        requests = edge_requests(action.name, **options)
        requests += draw_examples(conforming_requests(action.name, **options), 3, seed_value=1)
        for request in requests:
            assert call_problems(catalog, action, request.payload) == [], request.payload
        violations = [v for v in applicable_violations(action.name, **options) if v not in NOT_IN_THE_BODY]
        strategy = adversarial_requests(action.name, violations=violations, **options)
        for request in draw_examples(strategy, 6, seed_value=1):
            assert_caught(catalog, request)
