"""Steering toward the success path: successes with a new reply become seeds that generation mutates.

The runner lets the conforming group's `Exchange` report every case to `steering(seeds)`: a 2xx that
Hasura accepts, with a status, reply shape or input enum values not seen before, joins the action's
`Seeds`, so later requests start from it and change it in one place. A fatal failure freezes the
seeds, so Hypothesis replays and shrinks against the same pool (see `_generate._seeds`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .._generate._seeds import Seeds
from ._case import Case
from ._coverage import signature
from ._report import Failure

__all__ = ["steering"]


def steering(seeds: Seeds, sent: Sequence[Case] = ()) -> Callable[[Case, Sequence[Failure]], None]:
    """An observer of an `Exchange` that feeds its successes to `seeds`, after those among the cases `sent`."""

    def observe(case: Case, failures: Sequence[Failure]) -> None:
        if any(failure.fatal for failure in failures):
            seeds.freeze()
            return
        status, payload = case.response.status, case.request.payload
        if status is None or not 200 <= status < 300 or not case.verdict.accepted or payload is None:
            return
        arguments = payload.get("input")
        if isinstance(arguments, dict) and arguments not in seeds.known:
            seeds.add(arguments, signature(case))

    for case in sent:
        observe(case, ())  # sent before Hypothesis started: nothing of theirs needs replaying
    return observe
