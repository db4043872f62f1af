"""Hasura's own transform tests (tests-py), replayed: `test_webhook_transform` answers, and GraphQL
actions with request and response transforms through `transform` and the reference executor (`serve`).

The cases come from the shared kriti-tests folder (hasura/*.json, format `hasura-transform-cases/1`);
without the folder these tests are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from servers import Command, running_command, serving
from test_kriti import KRITI_TESTS

from action_contract import CallableTarget, ReferenceExecutor, load_catalog
from action_contract._catalog._kriti import KritiError, parse_template
from action_contract._catalog._transforms import RequestTransform, parse_transform
from action_contract._cli._main import main
from action_contract._cli._transform import webhook_transform_result
from action_contract._generate._action_request import ActionRequest
from action_contract._generate._transformed import apply_request_transform

HASURA_CASES = KRITI_TESTS / "hasura"


def _cases(api: str) -> list[Any]:
    if not HASURA_CASES.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no Hasura transform cases at {HASURA_CASES}"))]
    found = []
    for path in sorted(HASURA_CASES.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if case["api"] == api:
                found.append(pytest.param(case, id=case["id"]))
    return found


def _normalised(answer: dict[str, Any]) -> dict[str, Any]:
    """Headers as a multiset and a form body as a set of pairs: their order is Hasura's hash-map order."""
    out = dict(answer)
    if "headers" in out:
        out["headers"] = sorted(map(tuple, out["headers"]))
    if isinstance(out.get("body"), str) and "=" in out["body"]:
        out["body"] = sorted(out["body"].split("&"))
    return out


@pytest.mark.parametrize("case", _cases("test_webhook_transform"))
def test_webhook_transform_answers_as_hasura(case: dict[str, Any]) -> None:
    args = {**case["input"]["args"], **case["transform"]}
    expected = case["expected"]
    url = args["webhook_url"]
    if isinstance(url, dict):
        url = args["env"][url["from_env"]]
    # Hasura parses every template first: a parse error is the 400 answer of that side.
    for side in ("request", "response"):
        raw = args.get(f"{side}_transform")
        templates = [] if raw is None else [raw.get("url"), raw.get("body")]
        errors = []
        for template in templates:
            text = template.get("template") if isinstance(template, dict) else template
            if isinstance(text, str):
                try:
                    parse_template(text, string=template is raw.get("url"))
                except KritiError as error:
                    errors.append(error.as_json())
        if errors:
            assert expected["status"] == 400
            assert expected["body"] == {
                "code": "validation-failed",
                "error": f"{side} transform validation failed",
                "path": "$.args",
                "internal": errors,
            }
            return
    transform = parse_transform(args["request_transform"])
    assert isinstance(transform, RequestTransform)
    # test_webhook_transform's request: GET, no headers, the sample body as JSON.
    request = ActionRequest(action="test", url=url, headers=(), payload=args["body"], method="GET")
    transformed = apply_request_transform(request, transform, url, session=args.get("session_variables"))
    answer = webhook_transform_result(transformed)
    assert expected["status"] == (400 if transformed.transform_errors else 200)
    assert _normalised(answer) == _normalised(expected["body"])


# -- GraphQL actions -----------------------------------------------------------------------------------

# The custom types of tests-py's actions schema_setup.yaml that these actions use.
CUSTOM_TYPES = {
    "input_objects": [
        {
            "name": "InObject",
            "fields": [{"name": n, "type": t} for n, t in [("id", "ID"), ("name", "String"), ("age", "Int")]],
        }
    ],
    "objects": [
        {"name": "UserId", "fields": [{"name": "id", "type": "Int!"}]},
        {"name": "OutObject", "fields": [{"name": "id", "type": "ID!"}, {"name": "name", "type": "String"}]},
        {"name": "OutObjectTransformed", "fields": [{"name": "foo", "type": "ID!"}, {"name": "bar", "type": "String"}]},
        {"name": "OutObjectScalarTransformed", "fields": [{"name": "foo", "type": "String!"}]},
        {"name": "Address", "fields": [{"name": "city", "type": "String"}, {"name": "country", "type": "String"}]},
        {
            "name": "NestedOutObjectTransformed",
            "fields": [
                {"name": "uid", "type": "ID!"},
                {"name": "city0", "type": "String"},
                {"name": "country0", "type": "String"},
                {"name": "other_addresses", "type": "[Address]"},
            ],
        },
        {"name": "Result", "fields": [{"name": "id", "type": "Int!"}]},
    ],
}
HANDLER = "http://127.0.0.1:5593"


def _metadata(case: dict[str, Any], folder: Path) -> Path:
    action = dict(case["input"]["action"])
    name = action.pop("name")
    definition = {**action, **case["transform"]}
    definition["handler"] = definition["handler"].replace("{{ACTION_WEBHOOK_HANDLER}}", HANDLER)
    calls = [
        {"type": "set_custom_types", "args": CUSTOM_TYPES},
        {"type": "create_action", "args": {"name": name, "definition": definition}},
    ]
    path = folder / "calls.json"
    path.write_text(json.dumps(calls))
    return path


def _handler(case: dict[str, Any], received: list[Any]) -> Any:
    reply = case["input"].get("webhook_response") or case["expected"].get("webhook_response")

    def handle(payload: Any, headers: dict[str, str]) -> Any:
        received.append(payload)
        if "mirror-action" in case["input"]["action"]["handler"]:
            return 200, payload["input"]["arg"]
        # As JSON text: a bare string reply ("some-string") must reach Hasura as a JSON string.
        return reply["status"], json.dumps(reply["body"]).encode()

    return handle


@pytest.mark.parametrize("case", _cases("graphql_action"))
def test_graphql_actions_through_the_reference_executor(case: dict[str, Any], tmp_path: Path) -> None:
    catalog = load_catalog(_metadata(case, tmp_path))
    received: list[Any] = []
    expected = case["expected"]
    graphql = case["input"]["graphql"]
    with CallableTarget(_handler(case, received)) as target:
        executor = ReferenceExecutor(catalog, target)
        reply = executor.execute(graphql["query"], graphql["variables"], headers={"X-Hasura-Role": "admin"})
    assert len(received) == 1
    if "webhook_request_body" in expected:
        assert received[0] == expected["webhook_request_body"]
    else:  # no request transform: the handler gets Hasura's payload itself
        assert received[0] == case["input"]["webhook_payload"]
    [call] = reply.calls
    assert call.verdict.accepted
    if "transformed_response_body" in expected:
        assert call.verdict.reply == expected["transformed_response_body"]
    if "graphql_response" in expected:
        assert reply.body == expected["graphql_response"]
    else:  # asynchronous: the mutation answers with the action's id
        assert set(reply.body["data"]) == {case["input"]["action"]["name"]}


@pytest.mark.parametrize("case", _cases("graphql_action"))
def test_graphql_actions_through_the_transform_command(case: dict[str, Any], tmp_path: Path) -> None:
    path = _metadata(case, tmp_path)
    webhook = case["input"]["webhook_payload"]
    expected = case["expected"]
    reply = case["input"].get("webhook_response") or expected.get("webhook_response")
    result = CliRunner().invoke(
        main,
        [
            "transform",
            str(path),
            "--action",
            webhook["action"]["name"],
            "--input",
            json.dumps(webhook["input"]),
            "--reply",
            json.dumps(reply["body"]),
            "--status",
            str(reply["status"]),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["hasura_payload"]["input"] == webhook["input"]
    assert document["body"] == expected.get("webhook_request_body", document["hasura_payload"])
    assert document["method"] == "POST" and document["webhook_url"].startswith(HANDLER)
    assert document["response"]["accepted"] is True
    if "transformed_response_body" in expected:
        assert document["response"]["body"] == expected["transformed_response_body"]


# -- serve, as a process on a port ---------------------------------------------------------------------


def _handler_app(case: dict[str, Any], received: list[Any]) -> Any:
    reply = _handler(case, received)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, content = reply(json.loads(body), {})
        content = content if isinstance(content, bytes) else json.dumps(content).encode()
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await send({"type": "http.response.body", "body": content})

    return app


@pytest.mark.parametrize(
    "case",
    [c for c in _cases("graphql_action") if c.values[0] is None or "graphql_response" in c.values[0]["expected"]],
)
def test_graphql_actions_through_serve_over_http(case: dict[str, Any], tmp_path: Path) -> None:
    received: list[Any] = []
    path = _metadata(case, tmp_path)
    graphql = case["input"]["graphql"]
    with serving(_handler_app(case, received)) as handler:
        args = ["serve", str(path), "--url", handler]
        ready = r"Listening on (http://\S+)/v1/graphql \(Ctrl-C to stop\)"
        with running_command(Command, args, ready) as serve:
            reply = httpx.post(
                f"{serve.url}/v1/graphql", json={"query": graphql["query"], "variables": graphql["variables"]}
            )
    assert reply.status_code == 200
    assert reply.json() == case["expected"]["graphql_response"]
    assert received == [case["expected"].get("webhook_request_body", case["input"]["webhook_payload"])]
