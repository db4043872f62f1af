"""`run_contract`: the one place the pipeline is assembled (generate, send, judge, check, shrink).

Per action there are three groups of requests: `conforming` (the fixed edge cases, then generated
ones), `adversarial` (one broken rule each) and `secret` (without or with a wrong secret header).
Hypothesis drives each group: a failing case raises a signal whose type is unique to its
(action, check, kind of failure), so Hypothesis shrinks each distinct failure on its own and
reports them all; the example database replays earlier failures first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from hypothesis.errors import Unsatisfiable

from ._action_request import ActionRequest, handler_url
from ._adversarial import VIOLATIONS, adversarial_requests, applicable_violations
from ._checks import GROUPS, Case, Check, Group, checks_for
from ._errors import InvalidArgument
from ._hasura import judge
from ._model import Action, Catalog
from ._profiles import HasuraProfile
from ._report import Failure, GroupResult, Report
from ._requests import ClientHeadersOption, SessionOption, conforming_requests, edge_requests
from ._response import TransportFailure
from ._sampling import draw_examples
from ._targets import DEFAULT_APP_BASE_URL, Target
from ._via_graphql import GraphQLRoute

__all__ = ["DEFAULT_DATABASE", "Settings", "check_request", "planned_groups", "run_contract", "run_group"]

#: Where failing examples are kept between runs, beside Hypothesis's own (`.hypothesis/examples`).
DEFAULT_DATABASE = ".hypothesis/action-contract"

#: Transport failures that mean nothing listens at the URL: every further request would fail the same way.
_UNREACHABLE = frozenset({"refused", "dns", "invalid_url"})
_SECRET_RULES = ("missing_secret_header", "wrong_secret_header")
_ADVERSARIAL_RULES = tuple(v for v in VIOLATIONS if v not in _SECRET_RULES)

Progress = Callable[[GroupResult, bool], None]
Found = dict[tuple[str, str, str], Failure]


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """How a contract run behaves; every field has the CLI's default."""

    #: Generated conforming requests per action (after the fixed edge cases).
    examples: int = 100
    #: Generated adversarial requests per action.
    adversarial_examples: int = 50
    #: Requests per action without or with a wrong secret header.
    secret_examples: int = 6
    #: False skips the adversarial and secret groups (`--no-adversarial`).
    adversarial: bool = True
    #: False reports strict findings (`output_conforms`) as warnings (`--no-strict`).
    strict: bool = True
    #: Same seed, same requests. None picks one at random and records it in the report.
    seed: int | None = None
    #: Same requests on every run, no example database: for CI.
    derandomize: bool = False
    #: A directory, a Hypothesis `ExampleDatabase`, or None for no database.
    database: str | ExampleDatabase | None = DEFAULT_DATABASE
    #: False keeps the first failing request as found instead of shrinking it.
    shrink: bool = True
    hasura_version: str | HasuraProfile | None = None
    #: Only these actions (all when empty).
    actions: tuple[str, ...] = ()
    exclude_checks: tuple[str, ...] = ()
    #: Replaces scheme://host:port of every handler URL.
    base_url: str | None = None
    env: Mapping[str, str] | None = field(default=None, hash=False)
    session: SessionOption = field(default=None, hash=False)
    client_headers: ClientHeadersOption = field(default=None, hash=False)
    #: Seconds to wait for each reply instead of each action's own `timeout`.
    timeout: float | None = None
    #: True when the target ignores the host (`--app`): an action whose handler URL the metadata cannot
    #: give (an unset template variable, an SDL-only action) is then sent to a stand-in host.
    in_process: bool = False
    #: Send conforming requests as GraphQL operations through the reference executor (`--via-graphql`).
    via_graphql: bool = False

    @property
    def profile(self) -> HasuraProfile:
        """The Hasura version profile the run judges by."""
        if isinstance(self.hasura_version, HasuraProfile):
            return self.hasura_version
        return HasuraProfile.for_version(self.hasura_version)

    def report_options(self) -> dict[str, Any]:
        """The options a report records: those that change what was sent or how it was judged."""
        keep = (
            "examples",
            "adversarial_examples",
            "adversarial",
            "strict",
            "derandomize",
            "exclude_checks",
            "timeout",
            "via_graphql",
        )
        return {name: getattr(self, name) for name in keep}


def planned_groups(action: Action, settings: Settings) -> list[tuple[Group, str | None]]:
    """The groups a run sends to `action`, each with the reason it is skipped (None when it runs)."""
    transforms = [name for name in ("request_transform", "response_transform") if getattr(action, name)]
    if transforms:
        reason = (
            f"{' and '.join(transforms)} (Kriti) cannot be evaluated here, so the handler would get or give "
            "something else than what Hasura sees; test the handler behind the transform with --url instead"
        )
        return [(group, reason) for group in GROUPS]
    plan: list[tuple[Group, str | None]] = [("conforming", None)]
    no_adversarial = "adversarial requests are off (--no-adversarial)" if not settings.adversarial else None
    plan.append(("adversarial", no_adversarial))
    if not any(header.value_from_env for header in action.headers):
        plan.append(("secret", "the action has no value_from_env header, so there is no secret to enforce"))
    else:
        plan.append(("secret", no_adversarial))
    return plan


def run_contract(
    catalog: Catalog, target: Target, settings: Settings | None = None, *, progress: Progress | None = None
) -> Report:
    """Run every check against every selected action of `catalog` through `target`."""
    settings = settings or Settings()
    seed = _run_seed(settings)
    started = time.perf_counter()
    actions = [catalog.action(name) for name in settings.actions] if settings.actions else list(catalog)
    profile = settings.profile
    report = Report(seed=seed, hasura_version=profile.label, options=settings.report_options(), source=catalog.source)
    checks = checks_for(settings.exclude_checks)
    reported: set[tuple[str, str, str]] = set()
    for action in actions:
        unreachable: str | None = None
        for group, skipped in planned_groups(action, settings):
            if skipped is None and unreachable is not None:
                skipped = f"not sent: the handler never answered ({unreachable})"
            if skipped is not None:
                result = GroupResult(action=action.name, group=group, skipped=skipped)
                report.results.append(result)
                if progress is not None:
                    progress(result, True)
                continue
            result = _run(catalog, action, group, target, settings, checks, seed, progress)
            # One failure per (action, check, kind) across groups too: error_object reads them all.
            result.failures = [f for f in result.failures if f.key not in reported]
            reported.update(f.key for f in result.failures)
            report.results.append(result)
            unreachable = unreachable or result.unreachable
    report.elapsed = time.perf_counter() - started
    return report


def run_group(
    catalog: Catalog,
    action: Action | str,
    group: Group | str,
    target: Target,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
) -> GroupResult:
    """Run one group of one action (what a pytest item does); skipped groups come back with a reason."""
    settings = settings or Settings()
    action = catalog.action(action) if isinstance(action, str) else action
    plan = dict(planned_groups(action, settings))
    if group not in plan:
        raise InvalidArgument(f"expected a group among {', '.join(GROUPS)}, found {group!r}")
    skipped = plan[group]
    if skipped is not None:
        return GroupResult(action=action.name, group=group, skipped=skipped)
    return _run(
        catalog, action, group, target, settings, checks_for(settings.exclude_checks), _run_seed(settings), progress
    )


def check_request(
    catalog: Catalog,
    request: ActionRequest,
    target: Target,
    *,
    hasura_version: str | HasuraProfile | None = None,
    exclude_checks: Sequence[str] = (),
) -> list[Failure]:
    """Send one request and run its group's checks on the reply (not `accepts_valid`, which needs a whole run)."""
    settings = Settings(hasura_version=hasura_version, exclude_checks=tuple(exclude_checks))
    action = catalog.action(request.action)
    group: Group = "conforming"
    if request.violation in _SECRET_RULES:
        group = "secret"
    elif request.violation is not None:
        group = "adversarial"
    exchange = _Exchange(catalog, action, group, target, settings, checks_for(settings.exclude_checks), None)
    # Checks of a whole run (accepts_valid) say nothing about one request; only the case checks run.
    return exchange.execute(request)


def _base_url(catalog: Catalog, action: Action, settings: Settings) -> str | None:
    if settings.base_url is not None or not settings.in_process:
        return settings.base_url
    try:
        handler_url(catalog, action, {**catalog.variables, **(settings.env or {})}, None)
    except InvalidArgument:
        return DEFAULT_APP_BASE_URL
    return None


def _run_seed(settings: Settings) -> int | None:
    if settings.seed is not None:
        return settings.seed
    return None if settings.derandomize else random.getrandbits(32)


class _Exchange:
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
        self.catalog, self.action, self.group, self.target = catalog, action, group, target
        self.route = route
        self.profile = settings.profile
        self.strict = settings.strict
        self.timeout = settings.timeout
        self.checks = [c for c in checks if group in c.groups]
        self._case_checks = [c for c in self.checks if c.scope == "case"]
        self.progress = progress
        self.result = GroupResult(action=action.name, group=group, checks=tuple(c.name for c in self.checks))
        self.cases: list[Case] = []
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
            response = self.target.send(request)
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
        if self.progress is not None:
            self.progress(result, False)
        return failures

    def action_failures(self, checks: Sequence[Check]) -> list[Failure]:
        failures = []
        for check in checks:
            finding = check.function(self.action, self.cases)
            if finding is not None:
                failures.append(self._failure(check, finding, self.cases[0]))
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
            fatal=self.strict or not check.strict,
        )


class _Found(Exception):
    """Raised inside the Hypothesis test for a failing case; one subclass per distinct failure."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(f"{failure.check}: {failure.finding.title}")
        self.failure = failure


_SIGNALS: dict[tuple[str, str, str], type[_Found]] = {}


def _signal(key: tuple[str, str, str]) -> type[_Found]:
    # Hypothesis tells failures apart by exception type and raise site: a type per key makes each
    # (action, check, kind) its own failure, shrunk on its own.
    signal = _SIGNALS.get(key)
    if signal is None:
        signal = _SIGNALS[key] = type(f"Found{len(_SIGNALS)}", (_Found,), {})
    return signal


def _run(
    catalog: Catalog,
    action: Action,
    group: Group,
    target: Target,
    settings: Settings,
    checks: list[Check],
    seed: int | None,
    progress: Progress | None,
) -> GroupResult:
    started = time.perf_counter()
    base_url = _base_url(catalog, action, settings)
    route = None
    if settings.via_graphql and group == "conforming":
        route = GraphQLRoute(
            catalog, action, target, settings.profile, base_url=base_url, env=settings.env, timeout=settings.timeout
        )
    exchange = _Exchange(catalog, action, group, target, settings, checks, progress, route)
    try:
        return _run_exchange(exchange, catalog, action, group, settings, seed, progress, base_url, started)
    finally:
        if route is not None:
            route.close()


def _run_exchange(
    exchange: _Exchange,
    catalog: Catalog,
    action: Action,
    group: Group,
    settings: Settings,
    seed: int | None,
    progress: Progress | None,
    base_url: str | None,
    started: float,
) -> GroupResult:
    options: dict[str, Any] = {
        "catalog": catalog,
        "hasura_version": exchange.profile,
        "base_url": base_url,
        "env": settings.env,
        "session": settings.session,
        "client_headers": settings.client_headers,
    }
    found: Found = {}
    if group == "conforming":
        _send_all(exchange, edge_requests(action, **options), found)
        strategy = conforming_requests(action, **options)
        count = settings.examples
    elif group == "adversarial":
        rules = [rule for rule in applicable_violations(action, **options) if rule in _ADVERSARIAL_RULES]
        # Every rule once first: drawn at random, 50 requests would miss a few of 20 rules.
        _send_all(exchange, _one_per_rule(action, rules, options, seed), found)
        strategy = adversarial_requests(action, violations=rules, **options)
        count = settings.adversarial_examples
    else:
        strategy = adversarial_requests(action, violations=_SECRET_RULES, **options)
        count = settings.secret_examples
    if count > 0 and exchange.unreachable is None:
        _explore(exchange, strategy, count, settings, seed, found, catalog)
    if group == "conforming" and exchange.unreachable is None:
        for failure in exchange.action_failures([c for c in exchange.checks if c.scope == "action"]):
            found.setdefault(failure.key, failure)
    result = exchange.result
    result.seed = seed
    if exchange.unreachable is not None:
        result.unreachable = exchange.unreachable.detail
    result.failures = list(found.values())
    result.elapsed = time.perf_counter() - started
    if progress is not None:
        progress(result, True)
    return result


def _send_all(exchange: _Exchange, requests: Sequence[ActionRequest], found: Found) -> None:
    for request in requests:
        for failure in exchange.execute(request):
            found.setdefault(failure.key, failure)
        if exchange.unreachable is not None:
            return


def _one_per_rule(
    action: Action, rules: Sequence[str], options: dict[str, Any], seed: int | None
) -> list[ActionRequest]:
    if not rules:
        return []
    strategies = [adversarial_requests(action, violations=(rule,), **options) for rule in rules]
    drawn = draw_examples(st.tuples(*strategies), 1, seed_value=zlib.crc32(f"{seed}:{action.name}".encode()))
    return list(drawn[0]) if drawn else []


def _explore(
    exchange: _Exchange,
    strategy: st.SearchStrategy[ActionRequest],
    count: int,
    settings: Settings,
    seed: int | None,
    found: Found,
    catalog: Catalog,
) -> None:
    raised: dict[tuple[str, str, str], int] = {}

    def case(request: ActionRequest) -> None:
        failures = exchange.execute(request)
        for failure in failures:
            found.setdefault(failure.key, failure)
        fatal = [f for f in failures if f.fatal]
        if fatal:
            # Raise the failure Hypothesis has seen least, so failures that tend to come together
            # still each get a minimal example of their own.
            pick = min(fatal, key=lambda f: raised.get(f.key, 0))
            raised[pick.key] = raised.get(pick.key, 0) + 1
            raise _signal(pick.key)(pick)

    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if settings.shrink else [])
    database = None if settings.derandomize else _database(settings.database)
    test: Any = given(strategy)(case)
    if seed is not None:
        test = hypothesis_seed(zlib.crc32(f"{seed}:{exchange.action.name}:{exchange.group}".encode()))(test)
    elif settings.derandomize:
        test = hypothesis_seed(zlib.crc32(f"{exchange.action.name}:{exchange.group}".encode()))(test)
    # Settings go on last: `seed` turns the example database off, and we want it on (replays first).
    test = hypothesis_settings(
        max_examples=count,
        database=database,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=True,
        print_blob=False,
    )(test)
    source = f"{catalog.source}:{exchange.action.name}:{exchange.group}"
    test._hypothesis_internal_database_key = hashlib.sha256(source.encode()).digest()
    try:
        test()
    except _Found as error:
        found[error.failure.key] = error.failure
    except Unsatisfiable:
        pass  # no request of this group could be built; the edge cases (if any) still ran
    except Exception as error:
        signals = _unpack(error)
        if not signals:
            raise
        for signal in signals:
            found[signal.failure.key] = signal.failure


def _unpack(error: BaseException) -> list[_Found]:
    # Several distinct failures come back as an exception group (also when Hypothesis calls them flaky).
    inner = getattr(error, "exceptions", None)
    if inner is None:
        return [error] if isinstance(error, _Found) else []
    signals = [signal for exc in inner for signal in _unpack(exc)]
    others = [exc for exc in inner if not isinstance(exc, _Found) and getattr(exc, "exceptions", None) is None]
    if others:
        raise others[0]
    return signals


_DATABASES: dict[str, ExampleDatabase] = {}


def _database(database: str | ExampleDatabase | None) -> ExampleDatabase | None:
    if database is None or isinstance(database, ExampleDatabase):
        return database
    if database not in _DATABASES:
        _DATABASES[database] = DirectoryBasedExampleDatabase(database)
    return _DATABASES[database]
