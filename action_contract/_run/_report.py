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
from ._checks import Finding, Group

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
    #: False for strict findings under `--no-strict`: reported, but the run still passes.
    fatal: bool = True
    #: With `--via-graphql`: the client's operation and the GraphQL reply Hasura gives it.
    graphql: Mapping[str, Any] | None = field(default=None, hash=False)
    #: What to know about how the failure was found, e.g. that shrinking was cut short by its time budget.
    notes: tuple[str, ...] = ()

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
    #: Why the group's exploration ended before its budget of examples (the handler hangs...), or None.
    stopped: str | None = None
    #: True when the run was interrupted (Ctrl-C, SIGTERM) before this group had run in full.
    interrupted: bool = False

    @property
    def passed(self) -> bool:
        """True when no fatal failure was found (warnings allowed)."""
        return not any(f.fatal for f in self.failures)


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
