"""What the executor answers: `GraphQLReply` (Hasura's HTTP reply) and the `HandlerCall`s behind it.

Also how Hasura reads a request body (`GQLReq`: an object with a string `query`, optional
`variables` object and `operationName`), and how a refused request becomes its reply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._generate._action_request import ActionRequest
from .._hasura._judge import Verdict
from .._send._response import ActionResponse, Headers
from ._input import GraphQLFailure

__all__ = ["GraphQLReply", "HandlerCall", "Headers", "header_pairs", "refused", "unreadable"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HandlerCall:
    """One webhook call the executor made: what it sent, what came back, and Hasura's verdict."""

    action: str
    request: ActionRequest
    response: ActionResponse
    verdict: Verdict


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphQLReply:
    """Hasura's HTTP reply to a GraphQL request: status, JSON body, headers, and the handler calls made."""

    status: int = 200
    #: `{"data": ...}` or `{"errors": [...]}`; a list of those for a batched request.
    body: Any = field(hash=False)
    #: Headers Hasura adds: the handler's `Set-Cookie` on success (contract §2.2).
    headers: Headers = ()
    calls: tuple[HandlerCall, ...] = ()

    @property
    def data(self) -> Any:
        """The `data` of a single request's reply (None when it failed)."""
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def errors(self) -> list[Mapping[str, Any]]:
        """The `errors` of a single request's reply (empty when it succeeded)."""
        return list(self.body.get("errors", [])) if isinstance(self.body, dict) else []

    def encoded(self) -> bytes:
        """The body as Hasura writes it: compact JSON."""
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()


def unreadable(request: Any, path: str) -> GraphQLFailure | None:
    """Why Hasura cannot decode a request object (`GQLReq`), or None (400 `parse-failed`)."""
    problem = None
    if not isinstance(request, dict):
        problem = f"Error in {path}: expected an object with a query"
    elif not isinstance(request.get("query"), str):
        problem = (
            f'Error in {path}: key "query" not found'
            if "query" not in request
            else f"Error in {path}.query: expected a string"
        )
    elif request.get("variables") is not None and not isinstance(request["variables"], dict):
        problem = f"Error in {path}.variables: expected an object"
    elif request.get("operationName") is not None and not isinstance(request["operationName"], str):
        problem = f"Error in {path}.operationName: expected a string"
    return None if problem is None else GraphQLFailure(problem, code="parse-failed", status=400)


def refused(failure: GraphQLFailure, calls: tuple[HandlerCall, ...] = ()) -> GraphQLReply:
    """The reply to a request Hasura refuses before running it: the status and `{"errors": [...]}`."""
    return GraphQLReply(status=failure.status, body={"errors": [failure.error()]}, calls=calls)


def header_pairs(headers: Mapping[str, str] | Sequence[tuple[str, str]] | None) -> Headers:
    """Headers given as a mapping or as pairs, as pairs of strings."""
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        return tuple((str(k), str(v)) for k, v in headers.items())
    return tuple((str(k), str(v)) for k, v in headers)
