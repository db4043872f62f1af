"""The checks: plain registered functions that turn one exchange with a handler into a `Finding`.

Each check looks at a `Case` (the request, the reply and Hasura's verdict on it) and returns None
when the contract holds, or a `Finding` saying what was expected and what was found. Checks never
swallow exceptions: a check that hides its own bug is worse than none. `accepts_valid` is the one
check that looks at a whole action's run instead of one case; it is registered with `scope="action"`.

Turn any check off with `--exclude-check NAME` (CLI), `--action-contract-exclude-check NAME`
(pytest) or `Settings(exclude_checks=...)`; add your own with `register_check`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar, overload

from .._catalog._model import Action
from .._errors import InvalidArgument
from .._hasura._strict import strict_findings
from .._suggest import did_you_mean
from ._case import GROUPS, Case, Finding, Group

__all__ = [
    "Check",
    "checks_for",
    "example_case",
    "register_check",
    "registered_checks",
]

F = TypeVar("F", bound=Callable[..., "Finding | None"])


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """A registered check: its name, the groups of requests it reads, and whether it is strict."""

    name: str
    function: Callable[..., Finding | None] = field(repr=False)
    groups: tuple[Group, ...]
    #: Strict checks report what Hasura lets through; `--no-strict` turns their failures into warnings.
    strict: bool = False
    #: "case" checks see one exchange; "action" checks see all the conforming cases of one action.
    scope: Literal["case", "action"] = "case"

    @property
    def doc(self) -> str:
        """The first line of the check's docstring."""
        return (self.function.__doc__ or "").strip().splitlines()[0] if self.function.__doc__ else ""


_REGISTRY: dict[str, Check] = {}


@overload
def register_check(
    function: F,
    *,
    name: str | None = None,
    groups: Iterable[Group] = ("conforming",),
    strict: bool = False,
    scope: Literal["case", "action"] = "case",
) -> F: ...


@overload
def register_check(
    function: None = None,
    *,
    name: str | None = None,
    groups: Iterable[Group] = ("conforming",),
    strict: bool = False,
    scope: Literal["case", "action"] = "case",
) -> Callable[[F], F]: ...


def register_check(
    function: F | None = None,
    *,
    name: str | None = None,
    groups: Iterable[Group] = ("conforming",),
    strict: bool = False,
    scope: Literal["case", "action"] = "case",
) -> F | Callable[[F], F]:
    """Register a check (also usable as a decorator); it runs on every case of the named groups."""

    def decorate(func: F) -> F:
        check_name = name or func.__name__
        chosen = tuple(groups)
        unknown = [g for g in chosen if g not in GROUPS]
        if unknown:
            raise InvalidArgument(f"unknown check group {unknown[0]!r} for {check_name}; expected one of {GROUPS}")
        _REGISTRY[check_name] = Check(name=check_name, function=func, groups=chosen, strict=strict, scope=scope)
        return func

    return decorate(function) if function is not None else decorate


def registered_checks() -> dict[str, Check]:
    """Every registered check by name, built-in ones first."""
    return dict(_REGISTRY)


def checks_for(exclude: Iterable[str] = ()) -> list[Check]:
    """The registered checks minus `exclude`; an unknown name is an `InvalidArgument` with suggestions."""
    excluded = set(exclude)
    unknown = sorted(excluded - _REGISTRY.keys())
    if unknown:
        raise InvalidArgument(
            f"no check named {unknown[0]!r}."
            + did_you_mean(unknown[0], list(_REGISTRY))
            + f" Checks: {', '.join(_REGISTRY)}"
        )
    return [check for name, check in _REGISTRY.items() if name not in excluded]


def _cut(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reply(case: Case) -> str:
    response = case.response
    if response.failure is not None:
        return f"no reply: {response.failure.detail}"
    body = response.body.decode("utf-8", errors="replace")
    return f"{response.status} {_cut(body, 120)!r}" if body else f"{response.status} with an empty body"


def _output(case: Case) -> str:
    return str(case.action.output_type)


def _unread(case: Case, check: str) -> Finding | None:
    # A reply over our size cap was not read: that is our limit, not Hasura's verdict (a warning).
    failure = case.response.failure
    if failure is None or failure.kind != "too_large":
        return None
    return Finding(
        check=check,
        kind="too_large",
        title=failure.detail.split(" (", 1)[0],
        expected="a reply this run can read (Hasura itself reads any size)",
        found=failure.detail,
    )


@register_check(groups=("conforming",))
def hasura_accepts(case: Case) -> Finding | None:
    """Hasura must not turn the reply to a request it could send into an error for the client.

    Fails on a transport failure or the action's `timeout`, a non-JSON body, a status that is neither
    2xx nor 4xx, a 2xx body Hasura rejects for the output type (contract §3), and a request transform
    that fails for the request, so that Hasura calls no handler at all. A well-formed 4xx
    error object is a legitimate business error and passes; a malformed one is `error_object`'s.
    Severity: error (the client gets an error instead of data), except a reply over our own size cap
    (`--max-reply-mb`), a warning: Hasura has no cap, so there is no verdict to give.
    Turn off with `--exclude-check hasura_accepts`.
    """
    verdict = case.verdict
    if verdict.accepted or verdict.reason in ("handler_error", "invalid_error_object"):
        return None
    errors = case.request.transform_errors
    if errors:
        # The metadata's fault, not the handler's: Hasura fails the call before any handler is reached.
        return Finding(
            check="hasura_accepts",
            kind=f"request_transform:{errors[0].get('error_code')}",
            title=f"Request Transformation Failed: {errors[0].get('error_code')}: {errors[0].get('message')}",
            expected="a request_transform that evaluates for every input Hasura can send",
            found=json.dumps(list(errors), sort_keys=True),
        )
    if verdict.reason == "unread:too_large":
        return _unread(case, "hasura_accepts")
    message = verdict.error["message"] if verdict.error else verdict.reason
    return Finding(
        check="hasura_accepts",
        kind=verdict.reason,
        title=f"Hasura rejects the reply: {message}",
        expected=f"a 2xx reply Hasura accepts as {_output(case)}, or a 4xx error object",
        found=_reply(case),
        path=verdict.path,
    )


@register_check(groups=("conforming",), strict=True)
def output_conforms(case: Case) -> Finding | None:
    """A 2xx reply must fit the declared output type all the way down, not only where Hasura looks.

    Hasura checks only the top level (contract §3.2) and passes the rest to the client: nested
    non-null fields, scalar kinds, 32-bit `Int`, enum values, list elements. Typed clients then break.
    Severity: error, because typed clients break on it; `--no-strict` makes it a warning;
    `--exclude-check output_conforms` turns it off.
    """
    if not case.verdict.accepted or case.response.status is None or not 200 <= case.response.status < 300:
        return None
    findings = strict_findings(case.catalog, case.action.output_type, case.body_json())
    if not findings:
        return None
    first = findings[0]
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return Finding(
        check="output_conforms",
        kind=first.rule,
        title=f"the reply breaks {_output(case)} at {first.path}{more}",
        expected=first.expected,
        found=first.found,
        path=first.path,
    )


@register_check(groups=("conforming", "adversarial", "secret"))
def error_object(case: Case) -> Finding | None:
    """A 4xx reply must be an error object Hasura can read: `{"message": string, "code"?: string}`.

    Otherwise the client gets a parse error instead of the handler's message (contract §4.1-§4.2).
    Severity: error, on every group. Turn off with `--exclude-check error_object`.
    """
    verdict = case.verdict
    if verdict.reason != "invalid_error_object":
        return None
    message = verdict.error["message"] if verdict.error else "invalid error object"
    return Finding(
        check="error_object",
        kind="invalid_error_object",
        title=f"Hasura cannot read the 4xx error object: {message}",
        expected='a JSON object {"message": string, "code"?: string, "extensions"?: object}',
        found=_reply(case),
        path=verdict.path,
    )


@register_check(groups=("adversarial",))
def rejects_invalid(case: Case) -> Finding | None:
    """A request Hasura would never send must get a 4xx: a 2xx accepted invalid input, a 5xx crashed.

    Each adversarial request breaks one named rule (`violation`); the failure names it and where.
    A 4xx whose body is not an error object is reported by `error_object`.

    Severity, per rule: a 5xx or no reply is an error for every rule (a crash anyone can trigger). A
    2xx is an error for a rule on the input's values (`missing_required_argument`, `null_for_non_null`,
    `wrong_type`, `int_out_of_range`, `non_integral_int`, `malformed_scalar`, `unknown_enum_value`,
    `missing_required_field`, `object_for_list`, `list_for_object`, `missing_input`, `malformed_input`,
    `not_json`, `empty_body`): the handler then works with values its own contract rules out. A 2xx is
    a warning for a rule whose only defect is extra or in the envelope (`unknown_argument`,
    `unknown_field`, `wrong_action_name`, `missing_action_name`, `missing_session_variables`,
    `malformed_session_variables`): Hasura never sends such a request, and a caller gains nothing from
    the leniency (`--adversarial-strict` makes these errors). Before it is reported, each failure is
    replayed on its base, the same request with the rule unbroken: if the base fails the same way, the
    failure is the base's (`hasura_accepts` on a request Hasura could send) and the rule is not blamed.
    Turn off with
    `--no-adversarial` (no adversarial requests at all) or `--exclude-check rejects_invalid`.
    """
    status = case.response.status
    if status is not None and 400 <= status < 500:
        return None
    if case.verdict.reason == "unread:too_large":
        return _unread(case, "rejects_invalid")
    violation = case.request.violation or "invalid"
    outcome = {"2xx": "accepted it", "5xx": "crashed on it", "no reply": "gave no reply"}.get(
        case.status_class, f"answered {status}"
    )
    return Finding(
        check="rejects_invalid",
        kind=f"{violation}:{case.status_class}",
        title=f"the handler {outcome} ({violation})",
        expected=f"a 4xx error object for a request with {case.request.violation_detail or violation}",
        found=_reply(case),
        path=case.request.violation_path,
    )


@register_check(groups=("secret",))
def enforces_secret(case: Case) -> Finding | None:
    """A request without the configured secret header (or with a wrong value) must get a 4xx.

    The secret headers are the action's `value_from_env` headers: Hasura always sends them, so a
    handler that answers without them can be called by anyone. The check holds only when a request
    the handler accepts with the secret is refused without it: each request is replayed with the secret,
    and a refusal of both proves nothing (a warning, `unconfirmed`). Severity: error. Turn off with
    `--exclude-check enforces_secret`.
    """
    status = case.response.status
    if status is not None and 400 <= status < 500:
        return None
    if case.verdict.reason == "unread:too_large":
        return _unread(case, "enforces_secret")
    header = case.request.violation_path or "the secret header"
    what = "without" if case.request.violation == "missing_secret_header" else "with a wrong"
    return Finding(
        check="enforces_secret",
        kind=f"{case.request.violation}:{case.status_class}",
        title=f"the handler answered a request {what} {header} with {case.status_class}",
        expected="a 4xx (401 or 403) error object",
        found=_reply(case),
        path=header,
    )


@register_check(groups=("conforming",), scope="action")
def accepts_valid(action: Action, cases: Sequence[Case]) -> Finding | None:
    """At least one request Hasura could send must get a 2xx, and every known-good input must.

    Runs once per action over all its conforming cases. A handler that refuses an input given as known
    good (`inputs:` in the examples file) fails with that input as the example. Severity: error. Turn off
    with `--exclude-check accepts_valid` (e.g. for an action whose every call needs state your test cannot
    set up).
    """
    rejected = _rejected_known(cases)
    if rejected is not None:
        return Finding(
            check="accepts_valid",
            kind="known_good_rejected",
            title=f"the handler refused a known-good input ({rejected.status_class})",
            expected="a 2xx reply Hasura accepts to an input listed as known good (`inputs:` in the examples file)",
            found=_reply(rejected),
            path="$.input",
        )
    if not cases or any(_succeeded(c) for c in cases):
        return None
    statuses = sorted({c.status_class for c in cases})
    return Finding(
        check="accepts_valid",
        kind="never_2xx",
        title=f"no conforming request got a 2xx ({len(cases)} tried)",
        expected=(
            f"a 2xx reply to at least one of {len(cases)} requests Hasura could send. If every valid call needs "
            "real data (an existing coupon, a known id), give known-good inputs: an `inputs:` list under "
            f"{action.name} in an examples file, passed with --examples-file FILE (pytest: "
            "action_contract_examples_file; API: Settings(inputs=...)); or turn the check off with "
            "--exclude-check accepts_valid"
        ),
        found="only " + ", ".join(statuses) + f"; the first: {_reply(cases[0])}",
    )


def example_case(finding: Finding, cases: Sequence[Case]) -> Case:
    """The case an action-wide finding shows: the refused known-good input, else the first case."""
    if finding.kind == "known_good_rejected":
        rejected = _rejected_known(cases)
        if rejected is not None:
            return rejected
    return cases[0]


def _succeeded(case: Case) -> bool:
    return case.response.status is not None and 200 <= case.response.status < 300


def _rejected_known(cases: Sequence[Case]) -> Case | None:
    return next((c for c in cases if c.request.known_good and not _succeeded(c)), None)
