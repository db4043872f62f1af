"""`ExecutorCore`: what one GraphQL request runs against, and the webhook call of each action.

The catalog, the Hasura profile, the role schemas, the argument reader and the action log are set by
`ReferenceExecutor`; here each action's webhook call is prepared once (URL and configured headers
resolved, as Hasura resolves them), sent through the `Target` and judged.
"""

from __future__ import annotations

from dataclasses import replace

from .._catalog._model import Action, Catalog
from .._errors import InvalidArgument
from .._generate._action_request import ActionRequest, Call, prepare_call
from .._generate._profiles import HasuraProfile
from .._hasura._judge import judge
from .._send._response import ActionResponse
from .._send._targets import Target
from ._action_log import ActionLog
from ._input import ArgumentReader, GraphQLFailure
from ._plan import Planner
from ._reply import HandlerCall
from ._schema import ExecutorSchema

__all__ = ["ExecutorCore"]


class ExecutorCore:
    """The state a request reads (set by `ReferenceExecutor`), and the handler calls it makes."""

    catalog: Catalog
    target: Target
    profile: HasuraProfile
    admin_secret: str | None
    base_url: str | None
    env: dict[str, str]
    timeout: float | None
    schemas: ExecutorSchema
    log: ActionLog
    _planner: Planner
    _reader: ArgumentReader
    _calls: dict[str, Call]

    def call(self, action: Action) -> Call:
        """The prepared webhook call of `action` (URL and configured headers resolved once)."""
        found = self._calls.get(action.name)
        if found is None:
            variables = {**self.catalog.variables, **self.env}
            for header in action.headers:
                if header.value_from_env is not None and header.value_from_env not in variables:
                    # Hasura answers with this error and never calls the handler (contract §1.2).
                    raise GraphQLFailure(f"environment variable '{header.value_from_env}' not set", code="not-found")
            try:
                found = prepare_call(self.catalog, action, profile=self.profile, base_url=self.base_url, env=self.env)
            except InvalidArgument as error:
                raise GraphQLFailure(str(error), code="not-found") from None
            self._calls[action.name] = found
        return found

    def send(self, action: Action, request: ActionRequest) -> HandlerCall:
        """Send `request` through the target and judge the reply."""
        if self.timeout is not None:
            request = replace(request, timeout=self.timeout)
        # A failed request transform means Hasura calls no handler (facts §2.6).
        response = ActionResponse() if request.transform_errors else self.target.send(request)
        verdict = judge(action, response, self.profile, catalog=self.catalog, request=request)
        return HandlerCall(action=action.name, request=request, response=response, verdict=verdict)
