"""Transforms read at load: every template parsed once, a malformed one refused where it is written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from action_contract import MetadataError, load_catalog
from action_contract._catalog._transforms import BodyTransform, request_transform_of, response_transform_of

METADATA = """\
version: 3
actions:
  - name: findUser
    definition:
      kind: synchronous
      type: query
      handler: http://users:3000/api
      output_type: User
      arguments:
        - name: id
          type: Int!
      request_transform:
{request}
      response_transform:
{response}
custom_types:
  objects:
    - name: User
      fields:
        - name: id
          type: Int!
"""

GOOD_REQUEST = """\
        version: 2
        template_engine: Kriti
        method: GET
        url: '{{$base_url}}/users/{{$body.input.id}}'
        query_params: {expand: '{{ $body.input?.expand }}', flag: null}
        request_headers:
          add_headers: {X-User: '{{$session_variables["x-hasura-user-id"]}}'}
          remove_headers: [content-type]
        body: {action: remove}"""
GOOD_RESPONSE = """\
        version: 1
        body: '{"id": {{ $body.user_id }}}'"""


def _write(tmp_path: Path, request: str = GOOD_REQUEST, response: str = GOOD_RESPONSE) -> Path:
    path = tmp_path / "metadata.yaml"
    path.write_text(METADATA.format(request=request, response=response))
    return path


def test_transforms_are_parsed_once_at_load(tmp_path):
    action = load_catalog(_write(tmp_path)).action("findUser")
    request = request_transform_of(action)
    assert request is not None
    assert (request.version, request.method, request.remove_headers) == (2, "GET", ("content-type",))
    assert (
        request.url is not None and request.url.string and request.url.text == "{{$base_url}}/users/{{$body.input.id}}"
    )
    assert request.body == BodyTransform("remove")
    assert isinstance(request.query_params, tuple)
    assert [(key.text, value and value.text) for key, value in request.query_params] == [
        ("expand", "{{ $body.input?.expand }}"),
        ("flag", None),
    ]
    assert [name for name, _ in request.add_headers] == ["X-User"]
    response = response_transform_of(action)
    assert response is not None and response.body is not None
    assert response.version == 1 and response.body.action == "transform"
    # The same parsed object every time: templates are parsed when the catalog loads, not per request.
    assert request_transform_of(action) is request


@pytest.mark.parametrize(
    ("request_text", "response_text", "line", "message"),
    [
        (
            "        url: '{{$base_url}}/{{ $body.input.id }'",
            GOOD_RESPONSE,
            13,
            "request transform validation failed: 1:35: Parse Error: Unexpected token '}'.",
        ),
        (
            GOOD_REQUEST,
            "        body: '{{ $body.hello }} }}'",
            23,
            "response transform validation failed: 1:20: Parse Error: Unexpected token '}'.",
        ),
        (
            "        version: 2\n        body: {action: transform, template: '{{ 1 < 2 && true }}'}",
            GOOD_RESPONSE,
            14,
            "request transform validation failed: 1:18: Parse Error: Unexpected token '&&'.",
        ),
        ("        version: 3", GOOD_RESPONSE, 13, "expected 1 or 2, encountered 3"),
        (
            "        version: 2\n        body: {action: rename}",
            GOOD_RESPONSE,
            14,
            "invalid transform action",
        ),
        ("        query_params: 7", GOOD_RESPONSE, 13, "Invalid query parameter"),
        ("        url: 5", GOOD_RESPONSE, 13, "parsing Template failed, expected String, but encountered Number"),
    ],
)
def test_a_malformed_transform_is_a_located_metadata_error(tmp_path, request_text, response_text, line, message):
    path = _write(tmp_path, request_text, response_text)
    with pytest.raises(MetadataError) as raised:
        load_catalog(path)
    [problem] = raised.value.errors
    assert problem.message == message
    assert problem.file == str(path) and problem.line == line
    assert problem.subject == 'action "findUser"' and problem.code == "validation-failed"


def test_a_hand_made_action_with_a_broken_transform_raises_when_used(tmp_path):
    action = load_catalog(_write(tmp_path)).action("findUser")
    broken = dataclasses.replace(
        action, response_transform={"version": 2, "body": {"action": "transform", "template": "[1,]"}}
    )
    with pytest.raises(
        MetadataError, match=r"response transform validation failed: 1:4: Parse Error: Unexpected token '\]'"
    ):
        response_transform_of(broken)
