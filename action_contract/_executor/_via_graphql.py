"""`check --via-graphql`: conforming requests sent as GraphQL operations through the reference executor.

Each generated request becomes the operation a client would send: its `request_query` document (or,
for an asynchronous action, a mutation written with variables), the variables the document
declares, the session as `x-hasura-*` headers and the client's headers. The executor then does
Hasura's part, parsing, validating and encoding the input itself, so the handler gets the call
Hasura would build from that operation, and a failure shows the GraphQL reply the client would get.
Adversarial and secret requests break rules no GraphQL operation can, so they still go direct.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from .._catalog._model import Action, Catalog
from .._errors import ActionContractError
from .._generate._action_request import ActionRequest
from .._generate._profiles import HasuraProfile
from .._generate._request_query import QueryPrinter
from .._send._targets import Target
from ._executor import ReferenceExecutor
from ._reply import HandlerCall
from ._schema import ADMIN, visible

__all__ = ["GraphQLRoute"]

_DECLARED = re.compile(r"\$([_A-Za-z][_0-9A-Za-z]*)\s*:")
# Headers Hasura sets itself or that come from the metadata, never from the client.
_NOT_CLIENT = frozenset(
    {"content-type", "user-agent", "x-forwarded-host", "x-forwarded-user-agent", "x-forwarded-origin"}
)


class GraphQLRoute:
    """Sends one action's conforming requests through a `ReferenceExecutor` as GraphQL operations."""

    def __init__(
        self,
        catalog: Catalog,
        action: Action,
        target: Target,
        profile: HasuraProfile,
        *,
        base_url: str | None,
        env: Mapping[str, str] | None,
        timeout: float | None,
    ) -> None:
        self.action = action
        # The executor checks every handler URL it may call, so it gets this action alone.
        alone = dataclasses.replace(catalog, actions={action.name: action})
        self.executor = ReferenceExecutor(alone, target, profile, base_url=base_url, env=env, timeout=timeout)
        self.printer = QueryPrinter(catalog, action)
        self._configured = frozenset(header.name.lower() for header in action.headers)

    def exchange(self, request: ActionRequest) -> tuple[HandlerCall, dict[str, Any]]:
        """The handler call the executor made for `request`'s operation, and the client's side of it."""
        payload = request.payload or {}
        arguments = payload.get("input") or {}
        document = payload.get("request_query") if not self.action.is_async else None
        if not isinstance(document, str):
            document = self._document(arguments)
        head = document.split("{", 1)[0]
        variables = {name: arguments[name] for name in _DECLARED.findall(head) if name in arguments}
        headers = self._headers(request, payload.get("session_variables") or {})
        reply = self.executor.execute(document, variables, headers=headers)
        client: dict[str, Any] = {"query": document, "variables": variables, "headers": headers}
        if self.action.is_async and reply.data is not None:
            # What the client reads back once the worker has called the handler.
            (action_id,) = reply.data.values()
            result = f"query ($id: uuid!) {{ {self.action.name}(id: $id) {{ id output errors }} }}"
            fetched = self.executor.execute(result, {"id": action_id}, headers=headers)
            client["result_query"] = result
            client["response"] = {"mutation": reply.body, "result": fetched.body}
        else:
            client["response"] = reply.body
        if not reply.calls:
            raise ActionContractError(
                f"action-contract refused its own conforming request for {self.action.name} as GraphQL "
                f"(a bug: please report it with this operation): {document} with variables {variables!r} "
                f"got {reply.body!r}"
            )
        return reply.calls[-1], client

    def close(self) -> None:
        """Close the executor's action log."""
        self.executor.close()

    def _document(self, arguments: Mapping[str, Any]) -> str:
        if not self.action.is_async:
            # Every argument as a variable: any value can travel that way (choices: all bits set).
            return self.printer.print(dict(arguments), (1 << self.printer.bits) - 1)
        declared = [f"${a.name}: {a.type}" for a in self.action.arguments if a.name in arguments]
        passed = [f"{a.name}: ${a.name}" for a in self.action.arguments if a.name in arguments]
        head = f"mutation ({', '.join(declared)})" if declared else "mutation"
        call = f"{self.action.name}({', '.join(passed)})" if passed else self.action.name
        return f"{head} {{ {call} }}"

    def _headers(self, request: ActionRequest, session: Mapping[str, Any]) -> dict[str, str]:
        headers = {
            name: value
            for name, value in request.headers
            if name.lower() not in _NOT_CLIENT and name.lower() not in self._configured
        }
        role = session.get("x-hasura-role")
        for name, value in session.items():
            headers[name] = str(value)
        if not isinstance(role, str) or not visible(self.action, role):
            # A generated role without a permission would not see the field; admin sees everything.
            headers["x-hasura-role"] = ADMIN
        return headers
