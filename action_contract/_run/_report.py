"""What a contract run found: `Failure`, `GroupResult` per action and group, and the whole `Report`.

These are plain data, filled by the runner and read by the renderers (text, JSON, JUnit XML) and
the pytest plugin. Secrets stay in the requests (they were sent); renderers redact them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._generate._action_request import ActionRequest
from .._send._response import ActionResponse
from ._case import Finding, Group
from ._checks import registered_checks
from ._coverage import Coverage
from ._severity import Severity

__all__ = ["Failure", "GroupResult", "Report"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """One distinct way a handler breaks its contract, with the minimal request that shows it."""

    action: str
    group: Group
    finding: Finding
    request: ActionRequest
    response: ActionResponse
    #: What Hasura tells the client about this reply (None when Hasura accepts it).
    hasura_error: Mapping[str, Any] | None = field(default=None, hash=False)
    #: Hasura's reasoning in a sentence or two.
    explanation: str = ""
    #: With `--via-graphql`: the client's operation and the GraphQL reply Hasura gives it.
    graphql: Mapping[str, Any] | None = field(default=None, hash=False)
    #: `error` fails the run; `warning` (lenient adversarial rules, strict findings under `--no-strict`,
    #: flaky failures) is reported and counted apart.
    severity: Severity = "error"
    #: True when the minimal request passed on a replay: the handler's state or timing decides it.
    flaky: bool = False
    #: The reply to the replay of a flaky failure (the first reply is `response`).
    replay: ActionResponse | None = None
    #: What confirming the failure showed (a flaky replay, a request that passed earlier in the run...).
    note: str = ""
    #: What to know about how the failure was found, e.g. that shrinking was cut short by its time budget.
    notes: tuple[str, ...] = ()

    @property
    def fatal(self) -> bool:
        """True for an `error` (the run fails), False for a `warning`."""
        return self.severity == "error"

    @property
    def check(self) -> str:
        """The name of the check that failed."""
        return self.finding.check

    @property
    def key(self) -> tuple[str, str, str]:
        """(action, check, kind): failures with the same key are one failure."""
        return (self.action, self.finding.check, self.finding.kind)


@dataclass(slots=True, kw_only=True)
class GroupResult:
    """How one group of requests (conforming, adversarial or secret) went for one action."""

    action: str
    group: Group
    cases: int = 0
    #: Cases that failed a check, shrinking attempts included (for live progress).
    failing_cases: int = 0
    failures: list[Failure] = field(default_factory=list)
    #: Why the group did not run (no secret headers, a transform we cannot apply...), or None.
    skipped: str | None = None
    statuses: Counter[str] = field(default_factory=Counter)
    #: Handler response times in seconds, in the order the cases ran.
    latencies: list[float] = field(default_factory=list)
    #: Adversarial rules tried, with how many requests each.
    violations: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    #: Why no request of the group got a reply (nothing listens at the URL), when that was so.
    unreachable: str | None = None
    #: The seed the group ran with (None when derandomized), to rerun it exactly.
    seed: int | None = None
    #: Checks that ran on this group (for the actions x checks summary).
    checks: tuple[str, ...] = ()
    #: How deep the conforming requests got (share past the handler's rules, reply shapes, enum values).
    coverage: Coverage | None = None
    #: Why the group's exploration ended before its budget of examples (the handler hangs...), or None.
    stopped: str | None = None
    #: True when the run was interrupted (Ctrl-C, SIGTERM) before this group had run in full.
    interrupted: bool = False

    @property
    def passed(self) -> bool:
        """True when no fatal failure was found (warnings allowed)."""
        return not any(f.fatal for f in self.failures)

    def not_run(self) -> dict[str, str]:
        """`{check: why}` for the checks of this group that judged no reply (skipped, or nothing answered)."""
        if self.skipped is not None:
            return {c.name: self.skipped for c in registered_checks().values() if self.group in c.groups}
        if self.unreachable is None:
            return {}
        failed = {f.check for f in self.failures}
        why = f"the handler never answered ({self.unreachable})"
        return {check: why for check in self.checks if check not in failed}


@dataclass(slots=True, kw_only=True)
class Report:
    """Every group of every action of one run, with what is needed to reproduce it."""

    results: list[GroupResult] = field(default_factory=list)
    seed: int | None = None
    hasura_version: str = ""
    elapsed: float = 0.0
    options: dict[str, Any] = field(default_factory=dict)
    #: The metadata the run read (a path), for reproductions.
    source: str | None = None
    #: Python code that rebuilds the target, for the pytest reproduction (`HttpTarget()`, `app_target("m:app")`).
    target: str = "HttpTarget()"

    @property
    def interrupted(self) -> bool:
        """True when the run was stopped (Ctrl-C, SIGTERM) before every group had run."""
        return any(result.interrupted for result in self.results)

    @property
    def failures(self) -> list[Failure]:
        """Every failure (warnings included), in the order found."""
        return [f for result in self.results for f in result.failures]

    @property
    def passed(self) -> bool:
        """True when the contract holds: no fatal failure anywhere."""
        return all(result.passed for result in self.results)

    @property
    def cases(self) -> int:
        """How many requests were sent."""
        return sum(result.cases for result in self.results)

    def only_404(self) -> list[str]:
        """The actions every reply of which was 404 Not Found: the calls went to a URL with no handler."""
        statuses: dict[str, Counter[str]] = {}
        for result in self.results:
            statuses.setdefault(result.action, Counter()).update(result.statuses)
        return [action for action, counts in statuses.items() if counts and set(counts) == {"404"}]

    def not_run(self) -> dict[tuple[str, str], str]:
        """`{(action, check): why}` for the checks that judged no reply of the action in any group."""
        ran = {(r.action, c) for r in self.results for c in r.checks if c not in r.not_run()}
        found: dict[tuple[str, str], str] = {}
        for result in self.results:
            for check, why in result.not_run().items():
                if (result.action, check) not in ran:
                    found.setdefault((result.action, check), why)  # the first group's reason
        return found
