"""`confirm`: each failure of a group checked once more before it is reported, so the handler author can trust it.

- Attribution: an adversarial or secret failure is replayed on its base (the same request with the
  rule unbroken, the secret in place). When the base fails the same way, the failure is the base's: a
  conforming-path failure (`hasura_accepts`...) with the base as its request, and the rule is not blamed.
- A dead handler: the failures of requests that got no reply once it stopped answering are dropped,
  and one "the handler stopped answering after this request" is reported instead (see `_liveness`).
- Flaky: the minimal request is replayed; when it now passes, the failure is a `flaky` warning with
  both replies. When the same input passed earlier in the run, the text says state may be the cause.
- Secrets: `enforces_secret` holds only when a request the handler accepts with the secret is refused
  without it; when no such pair can be shown, a warning says the refusals prove nothing.

`known_bases` hands the adversarial and secret groups the conforming requests of this run that
passed, so that each broken request has exactly one thing wrong.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Sequence

from .._generate._action_request import ActionRequest
from .._hasura._judge import judge
from .._send._targets import Target
from ._case import Case, Finding, Group
from ._checks import Check, checks_for
from ._exchange import Exchange
from ._liveness import GONE, Death, WatchedTarget
from ._report import Failure
from ._severity import severity_of

__all__ = ["confirm", "fails_again", "known_bases"]

_KEEP = 20  # passing conforming requests kept per action as bases
# Per run (its target's `Liveness`, new with each run): bases of one run are not carried into the next.
_PASSING: weakref.WeakKeyDictionary[object, dict[str, list[tuple[ActionRequest, bool]]]] = weakref.WeakKeyDictionary()
_BY_GROUP = {"conforming": "hasura_accepts", "adversarial": "rejects_invalid", "secret": "enforces_secret"}


def known_bases(exchange: Exchange, *, accepted: bool = False) -> list[ActionRequest]:
    """Conforming requests of this run that got a 2xx (or, unless `accepted`, a well-formed 4xx) for the action.

    Known-good inputs given by the user, when there are any, belong first in this list.
    """
    kept = _PASSING.get(_run_of(exchange.target), {}).get(exchange.action.name, [])
    ordered = [request for request, ok in kept if ok] + ([] if accepted else [r for r, ok in kept if not ok])
    return ordered


def fails_again(exchange: Exchange, request: ActionRequest, failure: Failure) -> bool:
    """True when `request` sent once more fails `failure`'s check the same way (shrinking keeps only those).

    A request that got no reply from a handler that has died is not shrunk at all: its process is gone.
    """
    if _death(exchange) is not None and _no_reply(failure):
        return False
    _, findings = _once(exchange, request, failure.group)
    return any(f.check == failure.check and f.kind == failure.finding.kind for _, f in findings) or _down(exchange)


def confirm(failures: Sequence[Failure], exchange: Exchange) -> list[Failure]:
    """`failures` of one group, attributed, replayed and de-duplicated; called once per group after it ran."""
    if exchange.group == "conforming":
        _remember(exchange)
    death = _death(exchange)
    kept: dict[tuple[str, str, str], Failure] = {}
    for failure in failures:
        if death is not None and _no_reply(failure):
            continue  # the dead handler's, reported once below
        confirmed = _attributed(failure, exchange)
        if death is None or not _no_reply(confirmed):
            confirmed = _replayed(confirmed, exchange)
        kept.setdefault(confirmed.key, confirmed)
    death = _death(exchange)
    if death is not None:
        kept = {key: f for key, f in kept.items() if not _no_reply(f)}
        if not death.reported:
            death.reported = True
            stopped = _stopped(death, exchange)
            kept[stopped.key] = stopped
    if exchange.group == "secret" and death is None and "enforces_secret" in {c.name for c in exchange.checks}:
        secret = _secret_confirmed(exchange, kept)
        if secret is not None:
            kept.setdefault(secret.key, secret)
    return list(kept.values())


# -- attribution -----------------------------------------------------------------------------------


def _attributed(failure: Failure, exchange: Exchange) -> Failure:
    base = failure.request.base
    if failure.group == "conforming" or base is None or failure.check == "accepts_valid":
        return failure
    case, findings = _once(exchange, base, "conforming")
    found = _status_class(failure)
    for check, finding in findings:
        if check.name == "output_conforms":
            continue
        same = finding.kind == failure.finding.kind if failure.check == "error_object" else case.status_class == found
        if same and found != "2xx":
            rule = failure.request.violation or "the rule"
            note = (
                f"the same request with {rule} unbroken (its base, below) fails the same way, so the fault is "
                f"there and not in {rule}"
            )
            return _failure(exchange, check, finding, case, note=note)
    return failure


def _status_class(failure: Failure) -> str:
    status = failure.response.status
    return "no reply" if status is None else f"{status // 100}xx"


# -- flaky and stateful ----------------------------------------------------------------------------


def _replayed(failure: Failure, exchange: Exchange) -> Failure:
    if failure.check == "accepts_valid" or failure.finding.kind in ("too_large", "handler_stopped"):
        return failure
    case, findings = _once(exchange, failure.request, failure.group)
    if _down(exchange):
        return failure
    if any(f.check == failure.check and f.kind == failure.finding.kind for _, f in findings):
        earlier = _passed_earlier(failure, exchange)
        if earlier is None:
            return failure
        note = (
            f"the same input passed earlier in this run (reply {earlier}): what earlier requests did (the "
            "handler's state) may be the cause, so the reproduction may pass on a fresh handler"
        )
        return dataclasses.replace(failure, note=_joined(failure.note, note))
    reply = "no reply" if case.response.status is None else str(case.response.status)
    note = (
        f"flaky: the same request passed when replayed (reply {reply}); the handler's state (what earlier "
        "requests did) or its timing may be the cause"
    )
    return dataclasses.replace(
        failure, severity="warning", flaky=True, replay=case.response, note=_joined(failure.note, note)
    )


def _passed_earlier(failure: Failure, exchange: Exchange) -> str | None:
    if failure.group != "conforming" or failure.request.payload is None:
        return None
    wanted = _what_counts(failure.request)
    for case in exchange.cases:
        if _what_counts(case.request) != wanted:
            continue
        check = next((c for c in exchange.checks if c.name == failure.check and c.scope == "case"), None)
        if check is not None and check.function(case) is None:
            return case.status_class if case.response.status is None else str(case.response.status)
    return None


def _what_counts(request: ActionRequest) -> tuple[object, object] | None:
    # What a handler reads: the input and the session (request_query and ids of the call aside).
    payload = request.payload
    return None if payload is None else (payload.get("input"), payload.get("session_variables"))


def _joined(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


# -- secrets ---------------------------------------------------------------------------------------


def _secret_confirmed(exchange: Exchange, kept: dict[tuple[str, str, str], Failure]) -> Failure | None:
    if any(f.check == "enforces_secret" and f.finding.kind != "unconfirmed" for f in kept.values()):
        return None
    # The bases got a 2xx with the secret earlier in this run; sent again, a stateful handler could
    # refuse them for their state, so only the request without the secret is sent.
    accepted = known_bases(exchange, accepted=True)
    if accepted:
        case, findings = _once(exchange, _without_secret(accepted[0]), "secret")
        if case.status_class == "4xx" or _down(exchange):
            return None  # accepted with the secret, refused without it: enforced
        for check, finding in findings:
            if check.name == "enforces_secret":
                return _failure(exchange, check, finding, case, note="the same request with the secret got a 2xx")
        return None  # neither 2xx nor 4xx: a crash, which the other checks report
    check = next(c for c in exchange.checks if c.name == "enforces_secret")
    fallback = known_bases(exchange)
    if not fallback:
        return None  # nothing conforming got a well-formed reply: other failures say so
    case = _once(exchange, _without_secret(fallback[0]), "secret")[0]
    finding = Finding(
        check="enforces_secret",
        kind="unconfirmed",
        title="no request the handler accepts with the secret was refused without it",
        expected="a request that gets a 2xx with the secret header and a 4xx without it",
        found=(
            "no conforming request got a 2xx to build on, so a 4xx without the secret may be the input's refusal "
            f"(this one got {case.status_class} without the secret)"
        ),
        path=case.request.violation_path,
    )
    failure = _failure(exchange, check, finding, case, note="")
    return dataclasses.replace(failure, severity="warning")


def _without_secret(request: ActionRequest) -> ActionRequest:
    secrets = {name.lower() for name in request.secret_headers}
    headers = tuple((n, v) for n, v in request.headers if n.lower() not in secrets)
    return dataclasses.replace(
        request,
        headers=headers,
        violation="missing_secret_header",
        violation_path=", ".join(request.secret_headers),
        violation_detail="without " + ", ".join(request.secret_headers),
        base=request,
    )


# -- a dead handler --------------------------------------------------------------------------------


def _death(exchange: Exchange) -> Death | None:
    target = exchange.target
    return target.liveness.death if isinstance(target, WatchedTarget) else None


def _down(exchange: Exchange) -> bool:
    target = exchange.target
    return isinstance(target, WatchedTarget) and target.liveness.down


def _no_reply(failure: Failure) -> bool:
    return failure.response.failure is not None and failure.response.failure.kind in GONE


def _stopped(death: Death, exchange: Exchange) -> Failure:
    reply = death.response.failure.detail if death.response.failure is not None else str(death.response.status)
    back = (
        f"; it answered again {death.back_after:.1f} s later and the run went on"
        if death.back_after is not None
        else "; no request was sent to it after that"
    )
    finding = Finding(
        check=_BY_GROUP[death.group],
        kind="handler_stopped",
        title="the handler stopped answering after this request",
        expected="a reply, and a handler still listening for the next request",
        found=f"{reply}; then {death.probe}{back}",
    )
    return Failure(
        action=death.action,
        group=death.group,
        finding=finding,
        request=death.request,
        response=death.response,
        explanation=(
            "After this request the handler's port refused connections: the process is gone, most likely "
            "killed by this input. Every later request would be refused, so none is blamed on a rule."
        ),
    )


# -- sending once ----------------------------------------------------------------------------------


def _once(exchange: Exchange, request: ActionRequest, group: Group) -> tuple[Case, list[tuple[Check, Finding]]]:
    # Sent outside the group's tallies: a confirmation is not one of the group's cases.
    if exchange.timeout is not None:
        request = dataclasses.replace(request, timeout=exchange.timeout)
    response = exchange.target.send(request)
    verdict = judge(exchange.action, response, exchange.profile, catalog=exchange.catalog, request=request)
    case = Case(
        catalog=exchange.catalog,
        action=exchange.action,
        group=group,
        request=request,
        response=response,
        verdict=verdict,
    )
    checks = [c for c in checks_for(exchange.settings.exclude_checks) if group in c.groups and c.scope == "case"]
    findings = [(check, finding) for check in checks if (finding := check.function(case)) is not None]
    return case, findings


def _failure(exchange: Exchange, check: Check, finding: Finding, case: Case, *, note: str) -> Failure:
    settings = exchange.settings
    return Failure(
        action=exchange.action.name,
        group=case.group,
        finding=finding,
        request=case.request,
        response=case.response,
        hasura_error=case.verdict.error,
        explanation=case.verdict.explanation,
        severity=severity_of(
            check, finding, case, strict=settings.strict, adversarial_strict=settings.adversarial_strict
        ),
        note=note,
    )


def _remember(exchange: Exchange) -> None:
    kept = _PASSING.setdefault(_run_of(exchange.target), {}).setdefault(exchange.action.name, [])
    checks = [c for c in exchange.checks if c.scope == "case"]
    for case in exchange.cases:
        if len(kept) >= _KEEP:
            break
        if case.status_class not in ("2xx", "4xx") or case.request.payload is None:
            continue
        if any(check.function(case) is not None for check in checks):
            continue
        kept.append((case.request, case.status_class == "2xx"))


def _run_of(target: Target) -> object:
    return target.liveness if isinstance(target, WatchedTarget) else target
