"""`settle`: an action's group results once its gate closed, and `worst_case`: how long a run can take at most.

When a handler hangs or is not there, every group of the action finds it at once (they run concurrently). The
action then reports it once: the first group in plan order that holds such a failure keeps it; later groups
drop theirs, and a later group left with nothing else to say becomes skipped with the gate's reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._catalog._model import Action
from ._gate import TIMEOUTS_IN_A_ROW, ActionGate
from ._report import Failure, GroupResult
from ._settings import Settings

__all__ = ["settle", "worst_case"]

_KINDS = {
    "timeout": frozenset({"timeout", "connect_timeout"}),
    "unreachable": frozenset({"refused", "dns", "invalid_url"}),
}


def settle(results: Sequence[GroupResult], gate: ActionGate) -> list[GroupResult]:
    """`results` of one action (plan order) with the failure that closed its gate reported once."""
    kind, reason = gate.kind, gate.reason
    if kind is None or reason is None:
        return list(results)
    kinds = _KINDS[kind]

    def closing(failure: Failure) -> bool:
        return failure.response.failure is not None and failure.response.failure.kind in kinds

    settled: list[GroupResult] = []
    held = False
    for result in results:
        if result.skipped is not None:
            settled.append(result)
            continue
        if held:
            result.failures = [f for f in result.failures if not closing(f)]
            if not result.failures:
                result = GroupResult(action=result.action, group=result.group, skipped=reason, seed=result.seed)
        elif any(closing(f) for f in result.failures):
            held = True
        settled.append(result)
    return settled


def worst_case(actions: Sequence[Action], settings: Settings) -> str:
    """The bound on a run's wall time against a handler that hangs, in words."""
    shrink = settings.shrink_time if settings.shrink and settings.shrink_time is not None else 0.0
    total = sum(TIMEOUTS_IN_A_ROW * (settings.timeout or a.timeout) + shrink for a in actions)
    return (
        f"the handler is slow: this run takes at most about {total:.0f} s "
        f"(per action: {TIMEOUTS_IN_A_ROW} timeouts in a row end its exploration, plus up to "
        f"{shrink:g} s of shrinking per failure; --timeout and --shrink-time lower it)"
    )
