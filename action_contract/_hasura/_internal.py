"""`extensions.internal`: the debug block Hasura adds to an action error, shaped per release (contract §4.3, §5).

`{"error", "request", "response"}`: `error` says what went wrong (a text, or the HTTP exception object
of a transport failure), `request` what Hasura sent, `response` what came back (null when nothing did).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .._catalog._model import Action, Catalog
from .._catalog._templates import render_handler
from .._errors import TemplateError
from .._generate._action_request import ActionRequest
from .._generate._profiles import HasuraProfile
from .._send._response import ActionResponse, TransportFailure
from ._transform_reply import transformed_request_info

__all__ = ["aeson_decode_error", "http_exception", "internal_block", "request_role", "resolved_url"]

_DEFAULT_HEADERS = {"content-type", "user-agent"}


def request_role(request: ActionRequest | None) -> str | None:
    """`x-hasura-role` of the call (None without a request or role: Hasura's admin)."""
    payload = request.payload if request is not None else None
    session = payload.get("session_variables") if isinstance(payload, Mapping) else None
    role = session.get("x-hasura-role") if isinstance(session, Mapping) else None
    return role if isinstance(role, str) else None


def internal_block(
    error: Any,
    *,
    action: Action,
    catalog: Catalog,
    profile: HasuraProfile,
    request: ActionRequest | None,
    response: ActionResponse | None,
    body: Any = None,
) -> dict[str, Any]:
    """`{"error", "request", "response"}` as `profile`'s release builds it; `body` is the decoded reply."""
    response_info = None
    if response is not None and response.failure is None:
        response_info = {
            "status": response.status,
            "body": body,
            "headers": [{"name": name, "value": value} for name, value in response.headers],
        }
    return {"error": error, "request": _request_info(action, catalog, profile, request), "response": response_info}


def _request_info(
    action: Action, catalog: Catalog, profile: HasuraProfile, request: ActionRequest | None
) -> dict[str, Any]:
    payload = _payload(action, profile, request)
    info: dict[str, Any] = {
        "url": action.handler if profile.internal_url_is_template else resolved_url(action, catalog, request)
    }
    keys = profile.internal_request_keys
    if "action" in keys:
        info["action"] = payload.get("action", {"name": action.name})
        info["input"] = payload.get("input", {})
        info["request_query"] = payload.get("request_query")
    else:
        info["body"] = payload
        info["headers"] = _headers(action, request)
    if "transformed_request" in keys:
        info["transformed_request"] = transformed_request_info(request)
    return info


def _payload(action: Action, profile: HasuraProfile, request: ActionRequest | None) -> Mapping[str, Any]:
    if request is not None and request.payload is not None:
        return request.payload
    # No request given (or raw bytes Hasura would never send): the payload of an admin call without
    # arguments stands in, so the block keeps the shape Hasura gives it.
    stand_in: dict[str, Any] = {
        "action": {"name": action.name},
        "input": {},
        "session_variables": {"x-hasura-role": "admin"},
    }
    if profile.sends_request_query:
        stand_in["request_query"] = None
    return stand_in


def resolved_url(action: Action, catalog: Catalog, request: ActionRequest | None) -> str:
    """The URL Hasura called: the request's, else the handler filled from the catalog's variables."""
    if request is not None:
        return request.url
    try:
        return render_handler(action.handler, catalog.variables)
    except (TemplateError, ValueError):
        return action.handler


def _headers(action: Action, request: ActionRequest | None) -> list[dict[str, str]]:
    # Configured headers as metadata has them (`HeaderConf`), then the forwarded client headers.
    configured: list[dict[str, str]] = [
        {"name": h.name, "value_from_env": h.value_from_env}
        if h.value_from_env is not None
        else {"name": h.name, "value": h.value or ""}
        for h in action.headers
    ]
    if request is None or not action.forward_client_headers:
        return configured
    # The request holds the merged headers; what is neither a default nor configured was forwarded.
    own = _DEFAULT_HEADERS | {h.name.lower() for h in action.headers}
    configured.extend({"name": name, "value": value} for name, value in request.headers if name.lower() not in own)
    return configured


def http_exception(failure: TransportFailure, url: str, timeout: float, profile: HasuraProfile) -> dict[str, Any]:
    """`internal.error` for a transport failure, per release (`getHttpExceptionJson`, contract §5)."""
    short, _, detail = failure.hasura_text.partition(": ")
    style = profile.http_exception_style
    if style == "show":
        # v1.x: Haskell `show` of the http-client exception, e.g. "ResponseTimeout"; the text for
        # anything but a timeout is UNVERIFIED.
        shown = "".join(word[:1].upper() + word[1:] for word in short.split())
        return {"type": "http_exception", "message": f"{shown} {detail}".strip()}
    message = failure.hasura_text if style == "detailed" else short
    if failure.kind == "invalid_url":
        # `InvalidUrlException` carries no request (UNVERIFIED for the ≈v2.25+ texts).
        return {"type": "invalid_url", "message": message}
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    try:
        port = parts.port or (443 if secure else 80)
    except ValueError:
        port = 443 if secure else 80
    request = {
        "host": parts.hostname or "",
        "port": port,
        "secure": secure,
        "path": parts.path or "/",
        "queryString": f"?{parts.query}" if parts.query else "",
        "method": "POST",
        # http-client's `show` of the timeout (`responseTimeoutMicro`, contract §5).
        "responseTimeout": f"ResponseTimeoutMicro {round(timeout * 1_000_000)}",
    }
    return {"type": "http_exception", "message": message, "request": request}


def aeson_decode_error(body: bytes) -> str:
    """aeson's `eitherDecode` text for a body that is not JSON (UNVERIFIED beyond the empty body)."""
    try:
        text = body.decode("utf-8")
        json.loads(text, parse_constant=float)
    except UnicodeDecodeError:
        return "Error in $: Failed reading: not a valid json value"
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            return "Error in $: endOfInput"
        if error.pos >= len(text.rstrip()):
            return "Error in $: not enough input"
    except (ValueError, RecursionError):
        pass
    return "Error in $: Failed reading: not a valid json value"
