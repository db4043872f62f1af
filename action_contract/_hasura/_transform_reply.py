"""The response transform as Hasura runs it before judging a reply (facts §3.2-§3.3).

`$body` is the reply parsed as JSON (null when it is not JSON), `$response` its status, `$request` the
transformed request's context (null without a request transform), `$session_variables` the caller's.
The transformed value is what Hasura then validates, by the original status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._catalog._transform_apply import decode_json, query_pairs, transform_response
from .._catalog._transforms import ResponseTransform
from .._generate._action_request import ActionRequest
from .._generate._transformed import request_session
from .._send._response import ActionResponse

__all__ = ["request_binding", "transformed_reply", "transformed_request_info"]

_REQUEST_FIELDS = ("method", "url", "body", "query_params", "request_headers")


def request_binding(request: ActionRequest | None) -> Mapping[str, Any] | None:
    """`$request`: null without a request transform; else, under each of the five request fields, the
    context computed from the transformed request (body as JSON, query pairs, base URL, session)."""
    if request is None or request.untransformed is None:
        return None
    session = request_session(request)
    context = {
        "body": decode_json(request.body),
        "session_variables": None if session is None else dict(session),
        "base_url": request.untransformed.url,
        "query_params": [[key, value] for key, value in query_pairs(request.url)],
    }
    return {name: context for name in _REQUEST_FIELDS}


def transformed_reply(transform: ResponseTransform, response: ActionResponse, request: ActionRequest | None) -> Any:
    """The reply body after `transform`, as a JSON value; raises TransformFailure with Kriti's errors."""
    assert response.status is not None
    return transform_response(
        transform,
        body=response.body,
        status=response.status,
        request=request_binding(request),
        session=request_session(request) if request is not None else None,
    )


def transformed_request_info(request: ActionRequest | None) -> dict[str, Any] | None:
    """`internal.request.transformed_request`: null without a request transform, else
    `{url, method, headers, body, query_string, response_timeout}` of the call the handler received."""
    if request is None or request.untransformed is None or request.transform_errors:
        return None
    url, _, query = request.url.partition("?")
    body = request.body
    decoded = decode_json(body)
    return {
        "url": url,
        "method": request.method,
        "headers": [[name, value] for name, value in request.headers],
        "body": decoded if decoded is not None or body == b"null" else body.decode("utf-8", "replace"),
        "query_string": f"?{query}" if query else "",
        "response_timeout": request.timeout,
    }
