"""The checks on hand-built cases: each passes and fails where it should, with the right kind and path.

Every case is a real request (from the request generators), a reply chosen by the test, and Hasura's
verdict from the real `judge`, so the checks meet exactly what the runner gives them.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from conftest import FIXTURES

from action_contract import (
    ActionRequest,
    ActionResponse,
    CallableTarget,
    Case,
    Finding,
    InvalidArgument,
    Settings,
    TransportFailure,
    adversarial_requests,
    edge_requests,
    judge,
    load_catalog,
    register_check,
    registered_checks,
    render_text,
    run_contract,
)
from action_contract._generate._sampling import draw_examples
from action_contract._run import _checks
from action_contract._run._checks import (
    accepts_valid,
    checks_for,
    enforces_secret,
    error_object,
    hasura_accepts,
    output_conforms,
    rejects_invalid,
)

SHOP = load_catalog(FIXTURES / "projects" / "shop")
UUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
LINE = {"sku": "A", "quantity": 1, "price": 2.5}
ORDER = {"orderId": UUID, "status": "PAID", "total": 9.5, "lines": [LINE], "placedAt": "2024-02-29T12:00:00Z"}
BUSINESS_ERROR = {"message": "SOLD-OUT is out of stock", "extensions": {"code": "out-of-stock"}}
HTML_PAGE = b"<!DOCTYPE html><html><body><pre>Internal Server Error</pre></body></html>"


def order(**changes: Any) -> dict[str, Any]:
    """ORDER with fields replaced; `...` removes one."""
    value = {**ORDER, **changes}
    return {key: item for key, item in value.items() if item is not ...}


def reply(status: int, body: Any) -> ActionResponse:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return ActionResponse(status=status, headers=(("content-type", "application/json"),), body=data, elapsed=0.002)


def no_reply(kind: Any = "refused") -> ActionResponse:
    texts = {"refused": "Connection failure: Connection refused", "timeout": "Response timeout"}
    failure = TransportFailure(kind=kind, detail=f"{kind} at localhost:3000", hasura_text=texts[kind])
    return ActionResponse(failure=failure, elapsed=0.001)


def conforming(action: str) -> ActionRequest:
    return edge_requests(action, catalog=SHOP)[0]


def adversarial(action: str, violation: str) -> ActionRequest:
    (request,) = draw_examples(adversarial_requests(action, catalog=SHOP, violations=[violation]), 1, seed_value=3)
    assert request.violation == violation
    return request


def case(action: str, response: ActionResponse, request: ActionRequest | None = None) -> Case:
    request = request or conforming(action)
    group: Any = "conforming"
    if request.violation in ("missing_secret_header", "wrong_secret_header"):
        group = "secret"
    elif request.violation is not None:
        group = "adversarial"
    verdict = judge(SHOP.action(action), response, catalog=SHOP, request=request)
    return Case(
        catalog=SHOP, action=SHOP.action(action), group=group, request=request, response=response, verdict=verdict
    )


def assert_finding(finding: Finding | None, check: str, kind: str | None, path: str | None) -> None:
    if kind is None:
        assert finding is None, finding
        return
    assert finding is not None
    assert (finding.check, finding.kind, finding.path) == (check, kind, path)
    assert finding.title and finding.expected and finding.found


# -- the registry ------------------------------------------------------------------------------


BUILT_IN = [
    pytest.param("hasura_accepts", ("conforming",), False, "case", id="hasura_accepts"),
    pytest.param("output_conforms", ("conforming",), True, "case", id="output_conforms"),
    pytest.param("error_object", ("conforming", "adversarial", "secret"), False, "case", id="error_object"),
    pytest.param("rejects_invalid", ("adversarial",), False, "case", id="rejects_invalid"),
    pytest.param("enforces_secret", ("secret",), False, "case", id="enforces_secret"),
    pytest.param("accepts_valid", ("conforming",), False, "action", id="accepts_valid"),
]


@pytest.mark.parametrize(("name", "groups", "strict", "scope"), BUILT_IN)
def test_each_built_in_check_reads_its_groups(name, groups, strict, scope):
    check = registered_checks()[name]
    assert (check.groups, check.strict, check.scope) == (groups, strict, scope)
    assert check.doc  # the first docstring line is what `--help` and the docs list


def test_the_built_in_checks_come_first_in_the_design_order():
    assert list(registered_checks())[:6] == [p.values[0] for p in BUILT_IN]


# -- hasura_accepts ----------------------------------------------------------------------------

HASURA_ACCEPTS = [
    pytest.param("placeOrder", reply(200, ORDER), None, None, id="valid-2xx"),
    pytest.param("quote", reply(200, None), None, None, id="null-for-nullable-output"),
    pytest.param("placeOrder", reply(400, BUSINESS_ERROR), None, None, id="valid-4xx-business-error"),
    pytest.param("placeOrder", reply(400, {}), None, None, id="invalid-4xx-is-error_object's"),
    pytest.param("placeOrder", reply(422, {"detail": "bad"}), None, None, id="detail-4xx-is-error_object's"),
    pytest.param("placeOrder", no_reply("refused"), "transport:refused", "$", id="connection-refused"),
    pytest.param("placeOrder", no_reply("timeout"), "transport:timeout", "$", id="timeout"),
    pytest.param("quote", reply(500, HTML_PAGE), "not_json", "$", id="html-500"),
    pytest.param("placeOrder", reply(200, b"OK"), "not_json", "$", id="text-200"),
    pytest.param("recommendations", reply(204, b""), "not_json", "$", id="204-empty-body"),
    pytest.param("placeOrder", reply(400, b"Bad Request"), "not_json", "$", id="text-400"),
    pytest.param("placeOrder", reply(500, {"message": "boom"}), "unexpected_status", "$", id="json-500"),
    pytest.param("placeOrder", reply(302, {}), "unexpected_status", "$", id="redirect"),
    pytest.param("placeOrder", reply(200, order(orderId=...)), "missing_field", "$.orderId", id="2xx-missing-field"),
    pytest.param("placeOrder", reply(200, {"data": ORDER}), "missing_field", "$.orderId", id="2xx-envelope"),
    pytest.param("cancelOrder", reply(200, {"data": True}), "shape", "$", id="object-for-boolean"),
    pytest.param("placeOrder", reply(200, "invalid coupon"), "shape", "$", id="string-for-object"),
]


@pytest.mark.parametrize(("action", "response", "kind", "path"), HASURA_ACCEPTS)
def test_hasura_accepts(action, response, kind, path):
    found = hasura_accepts(case(action, response))
    assert_finding(found, "hasura_accepts", kind, path)
    if found is not None:
        # The title is what Hasura tells the client; `found` shows the reply.
        assert found.title.startswith("Hasura rejects the reply: ")
        assert str(SHOP.action(action).output_type) in found.expected
        assert found.found.startswith("no reply: " if response.failure else str(response.status))


# -- output_conforms ---------------------------------------------------------------------------

OUTPUT_CONFORMS = [
    pytest.param("placeOrder", reply(200, ORDER), None, None, id="valid"),
    pytest.param("placeOrder", reply(200, order(placedAt=None)), None, None, id="null-for-nullable-field"),
    pytest.param("placeOrder", reply(200, order(extra="ignored")), None, None, id="undeclared-key"),
    pytest.param(
        "placeOrder",
        reply(200, order(lines=[LINE, {**LINE, "price": None}])),
        "non_null",
        "$.lines[1].price",
        id="nested-null",
    ),
    pytest.param(
        "recommendations", reply(200, [{"id": 7, "name": "Lamp"}]), "scalar_kind", "$[0].id", id="ID-as-number"
    ),
    pytest.param(
        "importCatalog", reply(200, {"imported": 2**40, "failed": []}), "int_range", "$.imported", id="2^40-Int"
    ),
    pytest.param("placeOrder", reply(200, order(status="paid")), "enum", "$.status", id="lowercase-enum"),
    pytest.param("placeOrder", reply(200, order(total="9.50")), "scalar_kind", "$.total", id="Float-as-string"),
    # Rejected replies are hasura_accepts' (or error_object's), never output_conforms'.
    pytest.param("placeOrder", reply(200, order(orderId=..., status="paid")), None, None, id="rejected-2xx"),
    pytest.param("placeOrder", reply(400, {"message": "no", "status": "paid"}), None, None, id="4xx"),
    pytest.param("placeOrder", reply(500, order(status="paid")), None, None, id="5xx"),
    pytest.param("placeOrder", no_reply(), None, None, id="no-reply"),
]


@pytest.mark.parametrize(("action", "response", "kind", "path"), OUTPUT_CONFORMS)
def test_output_conforms(action, response, kind, path):
    found = output_conforms(case(action, response))
    assert_finding(found, "output_conforms", kind, path)
    if found is not None:
        assert found.title == f"the reply breaks {SHOP.action(action).output_type} at {path}"


def test_output_conforms_names_the_first_finding_and_counts_the_rest():
    body = order(status="paid", lines=[{**LINE, "price": None}, {**LINE, "quantity": 2**31}])
    found = output_conforms(case("placeOrder", reply(200, body)))
    assert found is not None
    assert (found.kind, found.path) == ("enum", "$.status")
    assert found.title.endswith("(and 2 more)")
    assert found.expected == "OrderStatus, one of PENDING, PAID, SHIPPED" and found.found == '"paid"'


# -- error_object ------------------------------------------------------------------------------

ERROR_OBJECT = [
    pytest.param(reply(400, BUSINESS_ERROR), None, None, id="valid"),
    pytest.param(reply(400, {"message": "no", "code": "nope"}), None, None, id="with-string-code"),
    pytest.param(reply(200, ORDER), None, None, id="2xx"),
    pytest.param(reply(400, b"Bad Request"), None, None, id="not-json-is-hasura_accepts'"),
    pytest.param(reply(400, {}), "invalid_error_object", "$", id="empty-object"),
    pytest.param(reply(422, {"detail": [{"loc": ["body"], "msg": "bad"}]}), "invalid_error_object", "$", id="detail"),
    pytest.param(reply(400, {"message": 5}), "invalid_error_object", "$.message", id="message-not-a-string"),
    pytest.param(reply(400, {"message": None}), "invalid_error_object", "$.message", id="message-null"),
    pytest.param(reply(400, {"message": "no", "code": 5}), "invalid_error_object", "$.code", id="code-not-a-string"),
    pytest.param(reply(401, ["unauthorized"]), "invalid_error_object", "$", id="not-an-object"),
    pytest.param(reply(400, "unauthorized"), "invalid_error_object", "$", id="bare-string"),
]


@pytest.mark.parametrize(("response", "kind", "path"), ERROR_OBJECT)
def test_error_object(response, kind, path):
    found = error_object(case("placeOrder", response))
    assert_finding(found, "error_object", kind, path)
    if found is not None:
        assert found.title.startswith("Hasura cannot read the 4xx error object: ")
        assert found.found.startswith(str(response.status))


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(adversarial("placeOrder", "wrong_type"), id="adversarial"),
        pytest.param(adversarial("placeOrder", "missing_secret_header"), id="secret"),
    ],
)
def test_error_object_reads_every_group(request_):
    found = error_object(case("placeOrder", reply(401, {}), request_))
    assert_finding(found, "error_object", "invalid_error_object", "$")


# -- rejects_invalid ---------------------------------------------------------------------------

REJECTS_INVALID = [
    pytest.param("wrong_type", reply(400, {"message": "bad input"}), None, "", id="4xx"),
    pytest.param("wrong_type", reply(422, {"detail": "bad"}), None, "", id="invalid-4xx-is-error_object's"),
    pytest.param("wrong_type", reply(200, ORDER), "wrong_type:2xx", "accepted it", id="2xx"),
    pytest.param("null_for_non_null", reply(201, ORDER), "null_for_non_null:2xx", "accepted it", id="201"),
    pytest.param("not_json", reply(500, {"message": "oops"}), "not_json:5xx", "crashed on it", id="5xx"),
    pytest.param("empty_body", reply(502, HTML_PAGE), "empty_body:5xx", "crashed on it", id="502-html"),
    pytest.param("unknown_argument", no_reply(), "unknown_argument:no reply", "gave no reply", id="no-reply"),
    pytest.param("missing_input", reply(302, {}), "missing_input:3xx", "answered 302", id="redirect"),
]


@pytest.mark.parametrize(("violation", "response", "kind", "outcome"), REJECTS_INVALID)
def test_rejects_invalid(violation, response, kind, outcome):
    request = adversarial("placeOrder", violation)
    found = rejects_invalid(case("placeOrder", response, request))
    assert_finding(found, "rejects_invalid", kind, request.violation_path if kind else None)
    if found is not None:
        assert found.title == f"the handler {outcome} ({violation})"
        assert request.violation_detail and request.violation_detail in found.expected


# -- enforces_secret ---------------------------------------------------------------------------

ENFORCES_SECRET = [
    pytest.param("missing_secret_header", reply(401, {"message": "unauthorized"}), None, id="missing-401"),
    pytest.param("wrong_secret_header", reply(403, {"message": "forbidden"}), None, id="wrong-403"),
    pytest.param("wrong_secret_header", reply(401, {}), None, id="invalid-4xx-is-error_object's"),
    pytest.param("missing_secret_header", reply(200, ORDER), "missing_secret_header:2xx", id="missing-200"),
    pytest.param("wrong_secret_header", reply(200, ORDER), "wrong_secret_header:2xx", id="wrong-200"),
    pytest.param("missing_secret_header", reply(500, {"message": "x"}), "missing_secret_header:5xx", id="missing-500"),
    pytest.param("wrong_secret_header", no_reply("timeout"), "wrong_secret_header:no reply", id="wrong-no-reply"),
]


@pytest.mark.parametrize(("violation", "response", "kind"), ENFORCES_SECRET)
def test_enforces_secret(violation, response, kind):
    request = adversarial("placeOrder", violation)
    found = enforces_secret(case("placeOrder", response, request))
    assert_finding(found, "enforces_secret", kind, "X-Shop-Secret" if kind else None)
    if found is not None:
        what = "without" if violation == "missing_secret_header" else "with a wrong"
        assert found.title.startswith(f"the handler answered a request {what} X-Shop-Secret with ")


# -- accepts_valid -----------------------------------------------------------------------------

REFUSAL = reply(400, {"message": "unauthorized", "extensions": {"code": "unauthorized"}})
ACCEPTS_VALID = [
    pytest.param([], None, id="no-cases"),
    pytest.param([reply(200, True)], None, id="one-2xx"),
    pytest.param([REFUSAL, REFUSAL, reply(200, True)], None, id="4xx-then-one-2xx"),
    pytest.param([reply(200, {"data": True}), REFUSAL], None, id="2xx-Hasura-rejects-still-counts"),
    pytest.param([REFUSAL, REFUSAL, REFUSAL], "only 4xx", id="all-4xx"),
    pytest.param([REFUSAL, reply(500, {"message": "x"})], "only 4xx, 5xx", id="4xx-and-5xx"),
    pytest.param([no_reply(), no_reply()], "only no reply", id="no-reply-at-all"),
]


@pytest.mark.parametrize(("responses", "found_starts"), ACCEPTS_VALID)
def test_accepts_valid(responses, found_starts):
    cases = [case("cancelOrder", response) for response in responses]
    found = accepts_valid(SHOP.action("cancelOrder"), cases)
    assert_finding(found, "accepts_valid", "never_2xx" if found_starts else None, None)
    if found is not None:
        assert found.title == f"no conforming request got a 2xx ({len(cases)} tried)"
        assert found.found.startswith(found_starts + "; the first: ")


# -- Case --------------------------------------------------------------------------------------

CASE_READINGS = [
    pytest.param(reply(200, {"a": 1}), "2xx", {"a": 1}, id="json"),
    pytest.param(reply(418, b"teapot"), "4xx", None, id="not-json"),
    pytest.param(reply(200, b'{"a": "\xff"}'), "2xx", None, id="not-utf8"),
    pytest.param(no_reply(), "no reply", None, id="no-reply"),
]


@pytest.mark.parametrize(("response", "status_class", "body"), CASE_READINGS)
def test_a_case_reads_its_reply(response, status_class, body):
    exchange = case("quote", response)
    assert exchange.status_class == status_class
    assert exchange.body_json() == body


# -- register_check and checks_for -------------------------------------------------------------


@pytest.fixture
def registry():
    """The module-global registry as it was before the test, restored in place afterwards."""
    before = dict(_checks._REGISTRY)
    yield
    _checks._REGISTRY.clear()
    _checks._REGISTRY.update(before)


SHORT = Settings(actions=("cancelOrder",), examples=3, adversarial=False, database=None, seed=1)


def test_a_registered_check_runs_on_its_groups_and_can_be_excluded(registry):
    seen: list[str | None] = []

    @register_check(name="has_request_id", groups=("conforming",))
    def request_id(case: Case) -> Finding | None:
        """Every reply echoes X-Request-Id, so logs can be joined."""
        seen.append(case.request.violation)
        if case.response.header("x-request-id") is not None:
            return None
        return Finding(
            check="has_request_id",
            kind="missing",
            title="the reply has no X-Request-Id",
            expected="an X-Request-Id header",
            found="none",
        )

    assert registered_checks()["has_request_id"].function is request_id
    with CallableTarget(lambda payload, headers: (200, True)) as target:
        report = run_contract(SHOP, target, SHORT)
    assert seen and set(seen) == {None}  # conforming requests only
    (failure,) = report.failures
    assert (failure.action, failure.check, failure.finding.kind, failure.fatal) == (
        "cancelOrder",
        "has_request_id",
        "missing",
        True,
    )
    assert "has_request_id" in report.results[0].checks
    assert "FAIL cancelOrder · has_request_id · missing" in render_text(report, catalog=SHOP)

    seen.clear()
    with CallableTarget(lambda payload, headers: (200, True)) as target:
        report = run_contract(SHOP, target, dataclasses.replace(SHORT, exclude_checks=("has_request_id",)))
    assert report.passed and seen == []
    assert "has_request_id" not in report.results[0].checks


def test_a_strict_user_check_is_a_warning_under_no_strict(registry):
    @register_check(groups=("conforming",), strict=True)
    def always_warns(case: Case) -> Finding | None:
        """Fails on every reply."""
        return Finding(check="always_warns", kind="always", title="t", expected="e", found="f")

    with CallableTarget(lambda payload, headers: (200, True)) as target:
        report = run_contract(SHOP, target, dataclasses.replace(SHORT, strict=False))
    (failure,) = report.failures
    assert failure.check == "always_warns" and not failure.fatal
    assert report.passed


def test_an_action_scoped_user_check_sees_all_conforming_cases(registry):
    counted: list[int] = []

    @register_check(name="counts", scope="action")
    def counts(action, cases):
        """Sees the whole run of one action."""
        counted.append(len(cases))
        return None

    with CallableTarget(lambda payload, headers: (200, True)) as target:
        report = run_contract(SHOP, target, SHORT)
    assert counted == [report.results[0].cases]


def test_register_check_refuses_an_unknown_group(registry):
    with pytest.raises(InvalidArgument, match=r"unknown check group 'conformng' for typo.*'conforming'"):
        register_check(lambda case: None, name="typo", groups=("conformng",))  # type: ignore[arg-type]
    assert "typo" not in registered_checks()


def test_checks_for_excludes_by_name():
    names = [check.name for check in checks_for(["output_conforms", "accepts_valid"])]
    assert "output_conforms" not in names and "accepts_valid" not in names
    assert "hasura_accepts" in names and "error_object" in names


def test_checks_for_an_unknown_name_suggests_the_close_one():
    with pytest.raises(InvalidArgument) as raised:
        checks_for(["hasura_accept"])
    message = str(raised.value)
    assert message.startswith("no check named 'hasura_accept'.")
    assert 'Did you mean "hasura_accepts"?' in message
    assert "Checks: hasura_accepts, output_conforms, error_object" in message
    assert isinstance(raised.value, TypeError)  # InvalidArgument is also a TypeError
