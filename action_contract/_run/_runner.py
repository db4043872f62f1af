"""`run_contract`: the one place the pipeline is assembled (generate, send, judge, check, shrink).

Per action there are three groups of requests: `conforming` (the fixed edge cases, then generated
ones), `adversarial` (one broken rule each) and `secret` (without or with a wrong secret header).
Hypothesis drives each group (`_explore`), one `Exchange` sends, judges and checks its requests,
and `Settings` says how the run behaves.
"""

from __future__ import annotations

import random
import threading
import time
import zlib
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .._catalog._inputs import checked_inputs
from .._catalog._model import Action, Catalog
from .._errors import InvalidArgument
from .._generate._action_request import ActionRequest, handler_url
from .._generate._adversarial import adversarial_requests, applicable_violations
from .._generate._profiles import HasuraProfile
from .._generate._requests import edge_requests, prepare_generation
from .._generate._sampling import draw_examples
from .._generate._seeds import Seeds, known_requests, seeded_requests
from .._generate._violations import VIOLATIONS
from .._hasura._judge import check_supported
from .._send._in_process import in_process
from .._send._targets import DEFAULT_APP_BASE_URL, Target
from ._case import GROUPS, Group
from ._checks import Check, checks_for
from ._confirm import known_bases
from ._coverage import coverage_of
from ._exchange import Exchange, Found, Progress
from ._explore import database_of
from ._gate import ActionGate
from ._liveness import begin_run
from ._pool import Heartbeat, run_units
from ._replay import store_inputs, stored_inputs
from ._report import Failure, GroupResult, Report
from ._settings import DEFAULT_DATABASE, Settings
from ._settle import settle, worst_case
from ._shards import GroupPlan, GroupRun, warm
from ._steer import steering
from ._workers import Workers

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
    catalog: Catalog,
    target: Target,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    heartbeat: Heartbeat | None = None,
    stop: threading.Event | None = None,
) -> Report:
    """Run every check against every selected action of `catalog` through `target`.

    Groups and their shards run concurrently (`Settings.workers`). `heartbeat` gets the run's status about
    twice a second; setting `stop` (on Ctrl-C) ends the run early with the groups not run marked interrupted.
    """
    settings = settings or Settings()
    checked_inputs(catalog, settings.inputs)  # a wrong action name or input stops the run before it starts
    seed = _run_seed(settings)
    started = time.perf_counter()
    actions = [catalog.action(name) for name in settings.actions] if settings.actions else list(catalog)
    profile = settings.profile
    for action in actions:  # before any request, in catalog order: the same error whatever the timing
        check_supported(catalog, action, profile)
    report = Report(seed=seed, hasura_version=profile.label, options=settings.report_options(), source=catalog.source)
    checks = checks_for(settings.exclude_checks)
    begin_run(target)
    workers = Workers(settings.workers, stop, in_process=in_process(target))
    # An action's conforming group first, then its others: adversarial and secret requests are built on conforming
    # ones that passed (so the broken rule is all that is wrong), and which passed must not depend on timing.
    planned: list[tuple[Action, ActionGate, dict[Group, GroupResult | GroupRun | None]]] = []
    for action in actions:
        gate = ActionGate()
        entries: dict[Group, GroupResult | GroupRun | None] = {}
        for group, skipped in planned_groups(action, settings):
            if skipped is not None:
                result = GroupResult(action=action.name, group=group, skipped=skipped)
                entries[group] = result
                if progress is not None:
                    progress(result, True)
            elif group == "conforming":
                entries[group] = _group_run(catalog, action, group, target, settings, checks, seed, workers, gate)
            else:
                entries[group] = None  # built once the action's conforming group has run
        planned.append((action, gate, entries))
    slow = lambda: worst_case(actions, settings)  # noqa: E731
    # An action's adversarial and secret groups start as soon as its own conforming group is done (which of its
    # requests passed is known then, whatever the timing), while other actions' groups still run.
    later = {entries["conforming"]: (action, gate, entries) for action, gate, entries in planned}

    def then(done: GroupRun) -> list[GroupRun]:
        if done not in later:
            return []
        action, gate, entries = later.pop(done)
        for group, entry in entries.items():
            if entry is None:
                entries[group] = _group_run(catalog, action, group, target, settings, checks, seed, workers, gate)
        return [entry for entry in entries.values() if isinstance(entry, GroupRun) and entry is not done]

    conforming = [run for run in later if isinstance(run, GroupRun)]
    results = run_units(conforming, workers, progress, heartbeat, slow, then=then)
    finished = {(result.action, result.group): result for result in results}
    reported: set[tuple[str, str, str]] = set()
    for action, gate, entries in planned:
        ordered = [
            entry if isinstance(entry, GroupResult) else finished[(action.name, group)]
            for group, entry in entries.items()
        ]
        for result in settle(ordered, gate):
            # One failure per (action, check, kind) across groups too: error_object reads them all.
            result.failures = [f for f in result.failures if f.key not in reported]
            reported.update(f.key for f in result.failures)
            report.results.append(result)
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
    check_supported(catalog, action, settings.profile)
    workers, gate = Workers(settings.workers, in_process=in_process(target)), ActionGate()
    checks = checks_for(settings.exclude_checks)
    run = _group_run(catalog, action, group, target, settings, checks, _run_seed(settings), workers, gate)
    return settle(run_units([run], workers, progress, None), gate)[0]


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


def _group_run(
    catalog: Catalog,
    action: Action,
    group: Group,
    target: Target,
    settings: Settings,
    checks: list[Check],
    seed: int | None,
    workers: Workers,
    gate: ActionGate,
) -> GroupRun:
    base_url = _base_url(catalog, action, settings)
    options: dict[str, Any] = {
        "catalog": catalog,
        "hasura_version": settings.profile,
        "base_url": base_url,
        "env": settings.env,
        "session": settings.session,
        "client_headers": settings.client_headers,
    }
    fixed: list[ActionRequest]
    # Broken requests are built on conforming ones that passed in this run: the rule is then all that is wrong.
    bases = known_bases(Exchange(catalog, action, group, target, settings, checks, None), accepted=group == "secret")
    if group == "conforming":
        generation = prepare_generation(action, **options)
        known = checked_inputs(catalog, settings.inputs).get(action.name, ())
        database = None if settings.derandomize else database_of(settings.database)
        replayed = stored_inputs(database, catalog, action)
        first = known_requests(generation, Seeds(known).known) + known_requests(generation, replayed, known_good=False)
        fixed = first + edge_requests(action, **options)

        def per_shard(exchange: Exchange) -> st.SearchStrategy[ActionRequest]:
            # Each shard steers by the successes it met itself: what it draws never hangs on another's timing.
            seeds = Seeds(known)
            exchange.observers.append(steering(seeds, exchange.cases))
            return seeded_requests(generation, seeds)

        def after(summary: Exchange, found: Found) -> None:
            summary.result.coverage = coverage_of(catalog, action, summary.cases)
            store_inputs(database, catalog, action, found.values(), replayed)

        strategy = warm(seeded_requests(generation, Seeds(known)), group)
        plan = GroupPlan(fixed, strategy, settings.examples, per_shard=per_shard, after=after)
    elif group == "adversarial":
        rules = [rule for rule in applicable_violations(action, **options) if rule in _ADVERSARIAL_RULES]
        # Every rule once first: drawn at random, 50 requests would miss a few of 20 rules.
        fixed = _one_per_rule(action, rules, {**options, "bases": bases}, seed)
        strategy = warm(adversarial_requests(action, violations=rules, bases=bases, **options), group)
        plan = GroupPlan(fixed, strategy, settings.adversarial_examples)
    else:
        strategy = warm(adversarial_requests(action, violations=_SECRET_RULES, bases=bases, **options), group)
        plan = GroupPlan([], strategy, settings.secret_examples)
    return GroupRun(
        catalog, action, group, target, settings, checks, seed, plan=plan, workers=workers, gate=gate, base_url=base_url
    )


def _one_per_rule(
    action: Action, rules: Sequence[str], options: dict[str, Any], seed: int | None
) -> list[ActionRequest]:
    if not rules:
        return []
    strategies = [adversarial_requests(action, violations=(rule,), **options) for rule in rules]
    drawn = draw_examples(st.tuples(*strategies), 1, seed_value=zlib.crc32(f"{seed}:{action.name}".encode()))
    return list(drawn[0]) if drawn else []
