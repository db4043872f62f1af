"""Hasura's request transform applied to a built request: what the handler behind it receives.

The untransformed call stays on the request (`untransformed`, and `payload` keeps Hasura's payload), so
reports can show both "Hasura's payload" and "sent to the handler". A transform that fails leaves the
request unsent: Hasura answers `Request Transformation Failed` without calling the handler (facts §2.6).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._catalog._transform_apply import TransformFailure, decode_json, transform_request
from .._catalog._transforms import RequestTransform

if TYPE_CHECKING:
    from ._action_request import ActionRequest

__all__ = ["apply_request_transform", "request_session", "transformed_json"]


def request_session(request: ActionRequest) -> Mapping[str, str] | None:
    """The session variables of Hasura's payload, or None."""
    payload = request.payload
    session = payload.get("session_variables") if isinstance(payload, Mapping) else None
    return session if isinstance(session, Mapping) else None


def apply_request_transform(
    request: ActionRequest,
    transform: RequestTransform,
    base_url: str,
    session: Mapping[str, str] | None = None,
) -> ActionRequest:
    """`request` as the handler receives it after `transform` (`base_url`: Hasura's `$base_url`;
    `session`: the session variables when they are not in the payload, as for `test_webhook_transform`)."""
    try:
        call = transform_request(
            transform,
            url=request.url,
            headers=request.headers,
            payload=request.payload,
            session=session if session is not None else request_session(request),
            base_url=base_url,
            method=request.method,
            # The untransformed bytes are only sent when the transform leaves the body alone.
            body=request.body if transform.body is None else None,
        )
    except TransformFailure as failure:
        return dataclasses.replace(request, untransformed=request, transform_errors=tuple(failure.errors))
    return dataclasses.replace(
        request, url=call.url, method=call.method, headers=call.headers, raw_body=call.body, untransformed=request
    )


def transformed_json(request: ActionRequest, data: dict[str, Any]) -> dict[str, Any]:
    """`to_json` of a transformed request: the call the handler receives, then Hasura's payload."""
    out: dict[str, Any] = {"method": request.method, "url": request.url, "headers": dict(request.headers)}
    if request.transform_errors:
        out["transform_errors"] = list(request.transform_errors)
    else:
        body = request.body
        decoded = decode_json(body)
        out["body"] = decoded if decoded is not None or body == b"null" else body.decode("utf-8", "replace")
    out["hasura_payload"] = request.payload
    out.update((key, value) for key, value in data.items() if key.startswith("violation"))
    return out
