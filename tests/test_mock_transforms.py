"""The mock standing in for a REST endpoint behind transforms, and `check` through both transforms."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from action_contract import (
    MockHandler,
    ReferenceExecutor,
    Settings,
    app_target,
    edge_requests,
    load_catalog,
    mock_router,
    run_contract,
)
from action_contract._cli._main import main
from action_contract._hasura._judge import judge
from action_contract._mock._target import MockTarget
from action_contract._mock._transformed import hasura_side

TYPES = {
    "objects": [
        {"name": "User", "fields": [{"name": "id", "type": "Int!"}, {"name": "name", "type": "String"}]},
        {"name": "Link", "fields": [{"name": "uri", "type": "String!"}]},
    ]
}
GET_USER = {
    "kind": "synchronous",
    "type": "query",
    "arguments": [{"name": "id", "type": "Int!"}, {"name": "expand", "type": "Boolean"}],
    "output_type": "User!",
    "handler": "http://users.test/api",
    "request_transform": {
        "version": 2,
        "method": "GET",
        "url": "{{$base_url}}/users/{{$body.input.id}}",
        "query_params": {"expand": "{{$body.input?.expand}}"},
        "body": {"action": "remove"},
        "request_headers": {"remove_headers": ["content-type"]},
    },
    "response_transform": {
        "version": 2,
        "body": {"action": "transform", "template": '{"id": {{$body.user_id}}, "name": {{$body?.profile.name}}}'},
    },
}
PIN = {
    "kind": "synchronous",
    "arguments": [{"name": "text", "type": "String!"}],
    "output_type": "Link!",
    "handler": "http://users.test/pin",
    "response_transform": {
        "version": 2,
        "body": {"action": "transform", "template": '{"uri": "ipfs://{{$body.IpfsHash}}"}'},
    },
}
LISTED = {
    "kind": "synchronous",
    "arguments": [],
    "output_type": "[User!]!",
    "handler": "http://users.test/list",
    "response_transform": {
        "version": 2,
        "body": {"action": "transform", "template": '{{ range _, u := $body.rows }} {"id": {{u.n}}} {{ end }}'},
    },
}


def _catalog(tmp_path: Path, **actions: dict[str, Any]) -> Any:
    calls: list[dict[str, Any]] = [{"type": "set_custom_types", "args": TYPES}]
    calls += [{"type": "create_action", "args": {"name": n, "definition": d}} for n, d in actions.items()]
    path = tmp_path / "calls.json"
    path.write_text(json.dumps(calls))
    return load_catalog(path)


def test_the_mock_routes_the_transformed_call_and_answers_through_the_response_transform(tmp_path):
    catalog = _catalog(tmp_path, getUser=GET_USER, pin=PIN)
    mock = MockHandler(catalog, cors=False)
    target = MockTarget(mock)
    for name in ("getUser", "pin"):
        for request in edge_requests(name, catalog=catalog):
            response = target.send(request)
            assert response.status == 200, response.body
            verdict = judge(catalog.action(name), response, catalog=catalog, request=request)
            assert verdict.accepted, verdict.explanation
    # The REST call itself: GET /api/users/<id>, no body; the reply is what the endpoint answers.
    reply = mock.responder.answer("/api/users/42", {}, b"", method="GET", query="expand=true")
    body = json.loads(reply.body)
    assert reply.action == "getUser" and set(body) == {"user_id", "profile"}
    assert mock.responder.answer("/api/users/42", {}, b"", method="DELETE").status == 400


def test_check_through_both_transforms_against_the_mock_holds(tmp_path):
    catalog = _catalog(tmp_path, getUser=GET_USER, pin=PIN)
    settings = Settings(examples=6, adversarial_examples=4, database=None, seed=3, in_process=True)
    with app_target(MockHandler(catalog, cors=False), kind="asgi") as target:
        report = run_contract(catalog, target, settings)
    assert report.passed, [f.finding.title for f in report.failures]
    plan = {(r.action, r.group): r.skipped for r in report.results}
    assert plan[("getUser", "conforming")] is None and plan[("pin", "adversarial")] is None
    assert "request_transform" in (plan[("getUser", "adversarial")] or "")


def test_the_banner_names_routes_and_the_actions_that_need_an_example(tmp_path):
    catalog = _catalog(tmp_path, getUser=GET_USER, listed=LISTED)
    responder = MockHandler(catalog, cors=False).responder
    rng = random.Random(0)
    lines = responder.transformed.banner(lambda a: responder.faker.value(a.output_type, rng, name=a.name))
    assert lines[0] == "  GET /api/users/{…}  getUser (behind its request_transform)"
    assert "listed" in lines[1] and "getUser" not in lines[1]


@pytest.mark.parametrize("adversarial_raw", [False, True])
def test_adversarial_requests_behind_a_request_transform_only_with_adversarial_raw(tmp_path, adversarial_raw):
    catalog = _catalog(tmp_path, getUser=GET_USER)
    settings = Settings(examples=2, adversarial_examples=3, database=None, seed=1, adversarial_raw=adversarial_raw)
    with app_target(MockHandler(catalog, cors=False), kind="asgi") as target:
        report = run_contract(catalog, target, settings)
    adversarial = next(r for r in report.results if r.group == "adversarial")
    if adversarial_raw:
        # Hasura's payload, broken and untransformed: the mock checks it as Hasura's own call.
        assert adversarial.skipped is None and adversarial.cases >= 3
        assert not [f for f in report.failures if f.group == "adversarial"]
    else:
        assert adversarial.skipped is not None and "--adversarial-raw" in adversarial.skipped


def test_mock_router_answers_the_transformed_call_in_python_tests(tmp_path):
    catalog = _catalog(tmp_path, getUser=GET_USER)
    with mock_router(catalog) as router:
        reply = httpx.get("http://users.test/api/users/7?expand=false")
    assert reply.status_code == 200 and set(reply.json()) == {"user_id", "profile"}
    assert [entry["method"] for entry in router.journal] == ["GET"]


def test_serve_mock_answers_at_hasuras_side_of_the_transforms(tmp_path):
    catalog = hasura_side(_catalog(tmp_path, getUser=GET_USER, listed=LISTED))
    assert all(a.request_transform is None and a.response_transform is None for a in catalog)
    executor = ReferenceExecutor(catalog, MockTarget(MockHandler(catalog, cors=False)))
    user = executor.execute("{ getUser(id: 7) { id name } }").body
    listed = executor.execute("mutation { listed { id } }").body
    assert isinstance(user["data"]["getUser"]["id"], int), user
    assert isinstance(listed["data"]["listed"], list), listed


def test_example_prints_the_transformed_call_and_hasuras_payload(tmp_path):
    _catalog(tmp_path, getUser=GET_USER)
    result = CliRunner().invoke(
        main, ["example", str(tmp_path / "calls.json"), "--action", "getUser", "--count", "3", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 3
    for line in lines:
        assert line["method"] == "GET" and line["body"] == "" and "content-type" not in map(str.lower, line["headers"])
        assert line["url"] == f"http://users.test/api/users/{line['hasura_payload']['input']['id']}" + (
            ""
            if line["hasura_payload"]["input"].get("expand") is None
            else f"?expand={str(line['hasura_payload']['input']['expand']).lower()}"
        )
