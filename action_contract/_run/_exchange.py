"""`Exchange`: one group's requests sent, judged and checked, with the group's tallies."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from .._catalog._model import Action, Catalog
from .._executor._via_graphql import GraphQLRoute
from .._generate._action_request import ActionRequest
from .._hasura._judge import judge
from .._send._response import ActionResponse, TransportFailure
from .._send._targets import Target
from ._case import Case, Group
from ._checks import Check, example_case
from ._liveness import watch
from ._report import Failure, GroupResult
from ._settings import Settings
from ._severity import severity_of

__all__ = ["Exchange", "Found", "Progress"]

#: Transport failures that mean nothing listens at the URL: every further request would fail the same way.
_UNREACHABLE = frozenset({"refused", "dns", "invalid_url"})

Progress = Callable[[GroupResult, bool], None]

Found = dict[tuple[str, str, str], Failure]


class Exchange:
    """Sends requests of one group, judges and checks each reply, and keeps the group's tallies."""

    def __init__(
        self,
        catalog: Catalog,
        action: Action,
        group: Group,
        target: Target,
        settings: Settings,
        checks: list[Check],
        progress: Progress | None,
        route: GraphQLRoute | None = None,
    ) -> None:
        self.catalog, self.action, self.group = catalog, action, group
        # Every group sent through one target shares whether its handler is still up.
        self.target: Target = watch(target, group, settings.wait_for_restart)
        self.route = route
        self.profile = settings.profile
        self.strict = settings.strict
        self.settings = settings
        self.timeout = settings.timeout
        self.checks = [c for c in checks if group in c.groups]
        self._case_checks = [c for c in self.checks if c.scope == "case"]
        self.progress = progress
        self.result = GroupResult(action=action.name, group=group, checks=tuple(c.name for c in self.checks))
        self.cases: list[Case] = []
        #: Called with every case and its failures (steering toward the success path listens here).
        self.observers: list[Callable[[Case, list[Failure]], None]] = []
        # A handler nobody listens for fails every request the same way; one failure says it all.
        self._answered = False
        self._unreachable: TransportFailure | None = None

    @property
    def unreachable(self) -> TransportFailure | None:
        """The failure of the first call when no call of this group has got a reply since."""
        return None if self._answered else self._unreachable

    def execute(self, request: ActionRequest) -> list[Failure]:
        graphql = None
        if self.route is not None and request.violation is None:
            made, graphql = self.route.exchange(request)
            request, response, verdict = made.request, made.response, made.verdict
        else:
            if self.timeout is not None:
                request = dataclasses.replace(request, timeout=self.timeout)
            # A failed request transform means Hasura calls no handler (facts §2.6).
            response = ActionResponse() if request.transform_errors else self.target.send(request)
            verdict = judge(self.action, response, self.profile, catalog=self.catalog, request=request)
        if response.failure is None:
            self._answered = True
        elif self._unreachable is None and self.result.cases == 0 and response.failure.kind in _UNREACHABLE:
            self._unreachable = response.failure
        case = Case(
            catalog=self.catalog,
            action=self.action,
            group=self.group,
            request=request,
            response=response,
            verdict=verdict,
            graphql=graphql,
        )
        result = self.result
        result.cases += 1
        result.statuses[case.status_class if response.status is None else str(response.status)] += 1
        result.latencies.append(response.elapsed)
        if request.violation is not None:
            result.violations[request.violation] += 1
        if self.group == "conforming":
            self.cases.append(case)
        failures = []
        for check in self._case_checks:
            finding = check.function(case)
            if finding is not None:
                failures.append(self._failure(check, finding, case))
        if failures:
            result.failing_cases += 1
        for observe in self.observers:
            observe(case, failures)
        if self.progress is not None:
            self.progress(result, False)
        return failures

    def action_failures(self, checks: Sequence[Check]) -> list[Failure]:
        failures = []
        for check in checks:
            finding = check.function(self.action, self.cases)
            if finding is not None:
                failures.append(self._failure(check, finding, example_case(finding, self.cases)))
        return failures

    def _failure(self, check: Check, finding: Any, case: Case) -> Failure:
        return Failure(
            action=self.action.name,
            group=self.group,
            finding=finding,
            request=case.request,
            response=case.response,
            hasura_error=case.verdict.error,
            explanation=case.verdict.explanation,
            graphql=case.graphql,
            severity=severity_of(
                check, finding, case, strict=self.strict, adversarial_strict=self.settings.adversarial_strict
            ),
        )
