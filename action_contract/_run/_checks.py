"""The checks: plain registered functions that turn one exchange with a handler into a `Finding`.

Each check looks at a `Case` (the request, the reply and Hasura's verdict on it) and returns None
when the contract holds, or a `Finding` saying what was expected and what was found. Checks never
swallow exceptions: a check that hides its own bug is worse than none. `accepts_valid` is the one
check that looks at a whole action's run instead of one case; it is registered with `scope="action"`.

Turn any check off with `--exclude-check NAME` (CLI), `--action-contract-exclude-check NAME`
(pytest) or `Settings(exclude_checks=...)`; add your own with `register_check`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, overload

from .._catalog._model import Action, Catalog
from .._errors import InvalidArgument
from .._generate._action_request import ActionRequest
from .._hasura._judge import Verdict
from .._hasura._strict import strict_findings
from .._send._response import ActionResponse
from .._suggest import did_you_mean

__all__ = [
    "Case",
    "Check",
    "Finding",
    "Group",
    "checks_for",
    "example_case",
    "register_check",
    "registered_checks",
]

#: The three kinds of requests a run sends to each action.
Group = Literal["conforming", "adversarial", "secret"]
GROUPS: tuple[Group, ...] = ("conforming", "adversarial", "secret")


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One exchange with a handler: the request, the reply and Hasura's verdict; what a check reads."""

    catalog: Catalog = field(repr=False)
    action: Action = field(repr=False)
    group: Group
    request: ActionRequest
    response: ActionResponse
    verdict: Verdict
    #: With `--via-graphql`: the client's operation (`query`, `variables`, `headers`) and Hasura's reply
    #: to it (`response`); None when the request went to the handler directly.
    graphql: Mapping[str, Any] | None = field(default=None, hash=False)

    @property
    def status_class(self) -> str:
        """`2xx`, `4xx`, `5xx`... of the reply, or `no reply` after a transport failure."""
        if self.response.status is None:
            return "no reply"
        return f"{self.response.status // 100}xx"

    def body_json(self) -> Any:
        """The reply body as JSON, decoded once by the judge (None when it is not JSON)."""
        return self.verdict.reply


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """What a check found wrong: expected vs found, where, and a key for de-duplication."""

    check: str
    #: The kind of failure; failures of one action and check are de-duplicated on it.
    kind: str
    title: str
    expected: str
    found: str
    #: JSON path into the reply (`$.lines[0].price`), the request (`$.input.items`), or None.
    path: str | None = None


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


@register_check(groups=("conforming",))
def hasura_accepts(case: Case) -> Finding | None:
    """Hasura must not turn the reply to a request it could send into an error for the client.

    Fails on a transport failure or the action's `timeout`, a non-JSON body, a status that is neither
    2xx nor 4xx, and a 2xx body Hasura rejects for the output type (contract §3). A well-formed 4xx
    error object is a legitimate business error and passes; a malformed one is `error_object`'s.
    Turn off with `--exclude-check hasura_accepts`.
    """
    verdict = case.verdict
    if verdict.accepted or verdict.reason in ("handler_error", "invalid_error_object"):
        return None
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
    Strict: `--no-strict` reports it as a warning; `--exclude-check output_conforms` turns it off.
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
    Turn off with `--exclude-check error_object`.
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
    A 4xx whose body is not an error object is reported by `error_object`. Turn off with
    `--no-adversarial` (no adversarial requests at all) or `--exclude-check rejects_invalid`.
    """
    status = case.response.status
    if status is not None and 400 <= status < 500:
        return None
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
    handler that answers without them can be called by anyone. Turn off with
    `--exclude-check enforces_secret`.
    """
    status = case.response.status
    if status is not None and 400 <= status < 500:
        return None
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
    good (`inputs:` in the examples file) fails with that input as the example. Turn off with
    `--exclude-check accepts_valid` (e.g. for an action whose every call needs state your test cannot set up).
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
