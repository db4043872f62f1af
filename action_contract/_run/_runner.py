"""`run_contract`: the one place the pipeline is assembled (generate, send, judge, check, shrink).

Per action there are three groups of requests: `conforming` (the fixed edge cases, then generated
ones), `adversarial` (one broken rule each) and `secret` (without or with a wrong secret header).
Hypothesis drives each group (`_explore`), one `Exchange` sends, judges and checks its requests,
and `Settings` says how the run behaves.
"""

from __future__ import annotations

import random
import time
import zlib
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .._catalog._inputs import checked_inputs
from .._catalog._model import Action, Catalog
from .._errors import InvalidArgument
from .._executor._via_graphql import GraphQLRoute
from .._generate._action_request import ActionRequest, handler_url
from .._generate._adversarial import adversarial_requests, applicable_violations
from .._generate._profiles import HasuraProfile
from .._generate._requests import edge_requests, prepare_generation
from .._generate._sampling import draw_examples
from .._generate._seeds import Seeds, known_requests, seeded_requests
from .._generate._violations import VIOLATIONS
from .._send._targets import DEFAULT_APP_BASE_URL, Target
from ._case import GROUPS, Group
from ._checks import Check, checks_for
from ._confirm import confirm, known_bases
from ._coverage import coverage_of
from ._exchange import Exchange, Found, Progress
from ._explore import _database, explore, send_all
from ._liveness import begin_run
from ._replay import store_inputs, stored_inputs
from ._report import Failure, GroupResult, Report
from ._settings import DEFAULT_DATABASE, Settings
from ._steer import steering

__all__ = ["DEFAULT_DATABASE", "Settings", "check_request", "planned_groups", "run_contract", "run_group"]

_SECRET_RULES = ("missing_secret_header", "wrong_secret_header")

_ADVERSARIAL_RULES = tuple(v for v in VIOLATIONS if v not in _SECRET_RULES)

_BEHIND_TRANSFORM = (
    "the request_transform stands between Hasura and the handler: what a third party can send to the endpoint "
    "behind it is the handler's own contract, not Hasura's (--adversarial-raw sends Hasura's payload broken, "
    "untransformed)"
)


def planned_groups(action: Action, settings: Settings) -> list[tuple[Group, str | None]]:
    """The groups a run sends to `action`, each with the reason it is skipped (None when it runs)."""
    plan: list[tuple[Group, str | None]] = [("conforming", None)]
    no_adversarial = "adversarial requests are off (--no-adversarial)" if not settings.adversarial else None
    if no_adversarial is None and action.request_transform is not None and not settings.adversarial_raw:
        plan.append(("adversarial", _BEHIND_TRANSFORM))
    else:
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
    checked_inputs(catalog, settings.inputs)  # a wrong action name or input stops the run before it starts
    seed = _run_seed(settings)
    started = time.perf_counter()
    actions = [catalog.action(name) for name in settings.actions] if settings.actions else list(catalog)
    profile = settings.profile
    report = Report(seed=seed, hasura_version=profile.label, options=settings.report_options(), source=catalog.source)
    checks = checks_for(settings.exclude_checks)
    begin_run(target)
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
    exchange = Exchange(catalog, action, group, target, settings, checks_for(settings.exclude_checks), None)
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
    exchange = Exchange(catalog, action, group, target, settings, checks, progress, route)
    try:
        return _run_exchange(exchange, catalog, action, group, settings, seed, progress, base_url, started)
    finally:
        if route is not None:
            route.close()


def _run_exchange(
    exchange: Exchange,
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
    # Broken requests are built on conforming ones that passed in this run: the rule is then all that is wrong.
    bases = known_bases(exchange, accepted=group == "secret")
    if group == "conforming":
        generation = prepare_generation(action, **options)
        seeds = Seeds(checked_inputs(catalog, settings.inputs).get(action.name, ()))
        database = None if settings.derandomize else _database(settings.database)
        replayed = stored_inputs(database, catalog, action)
        first = known_requests(generation, seeds.known) + known_requests(generation, replayed, known_good=False)
        send_all(exchange, first + edge_requests(action, **options), found)
        strategy = seeded_requests(generation, seeds)
        exchange.observers.append(steering(seeds, exchange.cases))
        count = settings.examples
    elif group == "adversarial":
        rules = [rule for rule in applicable_violations(action, **options) if rule in _ADVERSARIAL_RULES]
        # Every rule once first: drawn at random, 50 requests would miss a few of 20 rules.
        send_all(exchange, _one_per_rule(action, rules, {**options, "bases": bases}, seed), found)
        strategy = adversarial_requests(action, violations=rules, bases=bases, **options)
        count = settings.adversarial_examples
    else:
        strategy = adversarial_requests(action, violations=_SECRET_RULES, bases=bases, **options)
        count = settings.secret_examples
    if count > 0 and exchange.unreachable is None:
        explore(exchange, strategy, count, settings, seed, found, catalog)
    if group == "conforming" and exchange.unreachable is None:
        for failure in exchange.action_failures([c for c in exchange.checks if c.scope == "action"]):
            found.setdefault(failure.key, failure)
        exchange.result.coverage = coverage_of(catalog, action, exchange.cases)
        store_inputs(database, catalog, action, found.values(), replayed)
    result = exchange.result
    result.seed = seed
    if exchange.unreachable is not None:
        result.unreachable = exchange.unreachable.detail
    result.failures = confirm(list(found.values()), exchange)
    result.elapsed = time.perf_counter() - started
    if progress is not None:
        progress(result, True)
    return result


def _one_per_rule(
    action: Action, rules: Sequence[str], options: dict[str, Any], seed: int | None
) -> list[ActionRequest]:
    if not rules:
        return []
    strategies = [adversarial_requests(action, violations=(rule,), **options) for rule in rules]
    drawn = draw_examples(st.tuples(*strategies), 1, seed_value=zlib.crc32(f"{seed}:{action.name}".encode()))
    return list(drawn[0]) if drawn else []
