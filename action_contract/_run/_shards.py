"""`GroupRun`: one group of one action cut into units of work that run concurrently, and its result once all ran.

Design. A group's budget of generated examples is split into a FIXED number of shards (`shard_sizes`: up to
`SHARDS`, at least `MIN_SHARD` examples each, so the split depends on the budget alone, never on `--workers`);
each shard is a Hypothesis run of its own (thread-safe since Hypothesis 6.136) with a seed derived from (seed,
action, group, shard). The fixed requests (edge cases, one request per adversarial rule) go in chunks of
`CHUNK`. The units of every group of a run share one thread pool whose concurrency is the worker count, so with
`--workers 1` they run one after the other and with 16 they overlap; either way each unit sends the same
requests, and the group's findings are merged in unit order (the lowest unit wins a key), so the same seed gives
the same requests and the same findings whatever the number of workers.

The other design, drawing N requests ahead inside one Hypothesis run and sending them concurrently, cannot work
with Hypothesis driving: its test function sees one example at a time and must return that example's outcome
before the next is drawn, and shrinking needs the same. Shards keep shrinking and the example database (one
database key per shard) as they were.

What small shards cost. Each Hypothesis run starts from simple examples (the all-zero choice sequence, then
small ones), so every shard repeats a few of the same simple requests. Measured on the shop project with the
default budgets (865 requests, seed 1, no shrinking), distinct request bodies out of all sent: 1 shard 82 %
(707), 2 shards 82 %, 4 shards 83 %, 8 shards 82 %, 16 shards 79 % (684). Up to 8 shards cost nothing
measurable; 4 give a run of 5 actions about 45 units of work, enough to keep 16 requests in flight, with
chains of at most 25 requests (1 s at 40 ms a reply) and few shards to repeat the simplest requests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

from .._catalog._model import Action, Catalog
from .._executor._via_graphql import GraphQLRoute
from .._generate._action_request import ActionRequest
from .._generate._sampling import draw_examples
from .._send._targets import Target
from ._case import Group
from ._checks import Check
from ._confirm import confirm
from ._exchange import Exchange, Found
from ._explore import Key, explore, send_all, shrink
from ._gate import Aborted, ActionGate, GatedTarget
from ._report import GroupResult
from ._settings import Settings
from ._workers import Workers

__all__ = ["CHUNK", "INTERRUPTED", "MIN_SHARD", "SHARDS", "GroupPlan", "GroupRun", "shard_sizes", "warm"]

SHARDS = 4
MIN_SHARD = 10
CHUNK = 8
INTERRUPTED = "interrupted: the run was stopped (Ctrl-C or SIGTERM) before this group ran"


def warm(strategy: st.SearchStrategy[ActionRequest], kind: str) -> st.SearchStrategy[ActionRequest]:
    """`strategy`, with a couple of examples drawn in this thread first, once per process and `kind` of group.

    Drawing builds the strategy's lazy parts (deferred and lazily defined strategies) in one thread, before
    shards share it from several; one group of each kind is enough to load what every later one reuses.
    """
    if kind not in _WARMED:
        draw_examples(strategy, 2)
        _WARMED.add(kind)
    return strategy


_WARMED: set[str] = set()


def shard_sizes(count: int) -> list[int]:
    """How a budget of `count` examples is split into shards (independent of the number of workers)."""
    shards = max(1, min(SHARDS, count // MIN_SHARD))
    return [count // shards + (1 if i < count % shards else 0) for i in range(shards) if count > 0]


@dataclass(slots=True)
class _Outcome:
    exchange: Exchange
    found: Found
    started: float
    ended: float
    #: Why the unit ended early: "interrupted", or the reason the action's gate closed.
    aborted: str | None = None
    #: For a shrinking unit: the failures it shrank (its minimal requests replace those found first).
    owned: frozenset[Key] = frozenset()


@dataclass(slots=True)
class GroupPlan:
    """What a group sends: fixed requests first, then examples drawn from a strategy."""

    fixed: Sequence[ActionRequest]
    #: Built and warmed in the calling thread (see `warm`), then shared by the group's shards.
    strategy: st.SearchStrategy[ActionRequest]
    count: int
    #: A strategy of a shard's own, built with the shard's exchange (conforming: steered by the successes that
    #: shard met); each shard keeps its own, so what it draws never depends on the timing of another.
    per_shard: Callable[[Exchange], st.SearchStrategy[ActionRequest]] | None = None
    #: Called with the group's merged exchange and findings once every unit has run (coverage, stored inputs).
    after: Callable[[Exchange, Found], None] | None = None


class GroupRun:
    """One group of one action: its units of work (callables for a thread pool) and the merged result."""

    def __init__(
        self,
        catalog: Catalog,
        action: Action,
        group: Group,
        target: Target,
        settings: Settings,
        checks: list[Check],
        seed: int | None,
        *,
        plan: GroupPlan,
        workers: Workers,
        gate: ActionGate,
        base_url: str | None,
    ) -> None:
        self.catalog, self.action, self.group, self.target = catalog, action, group, target
        self.settings, self.checks, self.seed = settings, checks, seed
        self.workers, self.gate, self.base_url = workers, gate, base_url
        self.plan = plan
        chunks = [plan.fixed[i : i + CHUNK] for i in range(0, len(plan.fixed), CHUNK)]
        self.units: list[Callable[[], None]] = [self._fixed_unit(i, chunk) for i, chunk in enumerate(chunks)]
        offset = len(self.units)
        #: The unit index and in-memory example database of each shard (what `shrink` starts from).
        self.shards: list[tuple[int, InMemoryExampleDatabase]] = []
        for shard, size in enumerate(shard_sizes(plan.count)):
            self.shards.append((offset + shard, InMemoryExampleDatabase()))
            self.units.append(self._shard_unit(offset + shard, shard, size))
        self.outcomes: list[_Outcome | None] = [None] * len(self.units)
        #: The strategy each shard unit explored with (by unit index), for its shrinking unit.
        self._strategies: dict[int, st.SearchStrategy[ActionRequest]] = {}
        #: Units that shrink, once every unit above has run (see `shrink_units`).
        self.shrinks: list[_Outcome | None] = []
        self._shrinking = False

    def shrink_units(self) -> list[Callable[[], None]]:
        """The second step, once the first units have all run: each shard shrinks the failures it found first."""
        if self._shrinking or not self.settings.shrink or self.gate.reason is not None or self.workers.stop.is_set():
            return []
        self._shrinking = True
        # The first shard that met a failure shrinks it (also one the fixed requests met before: their
        # requests were drawn at random, and a shard that saved the failure can make it minimal).
        owner: dict[Key, int] = {}
        for index, _ in self.shards:
            outcome = self.outcomes[index]
            for key, failure in (outcome.found if outcome is not None else {}).items():
                if failure.fatal:
                    owner.setdefault(key, index)
        units: list[Callable[[], None]] = []
        for index, memory in self.shards:
            owned = {key for key, first in owner.items() if first == index}
            if owned:
                self.shrinks.append(None)
                units.append(self._shrink_unit(len(self.shrinks) - 1, frozenset(owned), memory, index))
        return units

    def _exchange(self) -> tuple[Exchange, GraphQLRoute | None]:
        gated = GatedTarget(self.target, self.workers, self.gate)
        route = None
        if self.settings.via_graphql and self.group == "conforming":
            route = GraphQLRoute(
                self.catalog,
                self.action,
                gated,
                self.settings.profile,
                base_url=self.base_url,
                env=self.settings.env,
                timeout=self.settings.timeout,
            )
        return Exchange(self.catalog, self.action, self.group, gated, self.settings, self.checks, None, route), route

    def _run_unit(
        self,
        index: int,
        work: Callable[[Exchange, Found], None],
        into: list[_Outcome | None] | None = None,
        owned: frozenset[Key] = frozenset(),
    ) -> None:
        started = time.perf_counter()
        for attempt in (1, 2):
            exchange, route = self._exchange()
            outcome = _Outcome(exchange=exchange, found={}, started=started, ended=started, owned=owned)
            try:
                if self.workers.stop.is_set():
                    outcome.aborted = "interrupted"
                elif self.gate.reason is not None:
                    outcome.aborted = self.gate.reason
                else:
                    work(exchange, outcome.found)
            except Aborted as stopped:
                outcome.aborted = str(stopped)
            except SystemError as error:
                # CPython before 3.12 can fail `ast.parse` run in two threads at once (gh-106905), and Hypothesis
                # parses source to describe lambdas when it prints an example. `_explore._Drawn` keeps it out of
                # our requests; should another path parse, a second attempt redoes the unit.
                if attempt == 2 or "AST constructor recursion depth" not in str(error):
                    raise
                continue
            finally:
                if route is not None:
                    route.close()
            outcome.ended = time.perf_counter()
            (self.outcomes if into is None else into)[index] = outcome
            return

    def _fixed_unit(self, index: int, requests: Sequence[ActionRequest]) -> Callable[[], None]:
        return lambda: self._run_unit(index, lambda exchange, found: send_all(exchange, requests, found))

    def _shard_unit(self, index: int, shard: int, size: int) -> Callable[[], None]:
        memory = self.shards[shard][1]

        def work(exchange: Exchange, found: Found) -> None:
            strategy = self.plan.strategy if self.plan.per_shard is None else self.plan.per_shard(exchange)
            self._strategies[index] = strategy
            explore(exchange, strategy, size, self.settings, self.seed, found, self.catalog, shard, memory)

        return lambda: self._run_unit(index, work)

    def _shrink_unit(
        self, index: int, owned: frozenset[Key], memory: InMemoryExampleDatabase, shard: int
    ) -> Callable[[], None]:
        def work(exchange: Exchange, found: Found) -> None:
            strategy = self._strategies.get(shard, self.plan.strategy)  # the one the shard explored with
            shrink(exchange, strategy, self.settings, set(owned), found, self.catalog, memory, self.seed)

        return lambda: self._run_unit(index, work, self.shrinks, owned)

    def found_so_far(self) -> int:
        """Distinct fatal failures in the units done so far (for progress lines)."""
        keys = {key for o in self.outcomes if o is not None for key, f in o.found.items() if f.fatal}
        return len(keys)

    def result(self) -> GroupResult:
        """The group's result, merged from its units in order (call once every unit has run)."""
        summary = Exchange(self.catalog, self.action, self.group, self.target, self.settings, self.checks, None)
        result = summary.result
        result.seed = self.seed
        outcomes = [o for o in self.outcomes if o is not None]
        shrinks = [o for o in self.shrinks if o is not None]
        found: Found = {}
        for outcome in outcomes + shrinks:
            part = outcome.exchange.result
            result.cases += part.cases
            result.failing_cases += part.failing_cases
            result.statuses.update(part.statuses)
            result.latencies.extend(part.latencies)
            result.violations.update(part.violations)
            summary.cases.extend(outcome.exchange.cases)
        for outcome in outcomes:
            for key, failure in outcome.found.items():
                found.setdefault(key, failure)
        for outcome in shrinks:
            for key, failure in outcome.found.items():
                if key in outcome.owned:
                    found[key] = failure  # the minimal request replaces the one found first
                else:
                    found.setdefault(key, failure)
        for outcome in outcomes:
            unreachable = outcome.exchange.unreachable
            if result.unreachable is None and unreachable is not None:
                result.unreachable = unreachable.detail
        aborted = [o.aborted for o in outcomes + shrinks if o.aborted is not None]
        result.interrupted = "interrupted" in aborted or len(outcomes) < len(self.units)
        result.stopped = next((reason for reason in aborted if reason != "interrupted"), None)
        complete = not aborted and result.unreachable is None and self.gate.reason is None
        if self.group == "conforming" and complete and summary.cases:
            for failure in summary.action_failures([c for c in summary.checks if c.scope == "action"]):
                found.setdefault(failure.key, failure)
        if self.plan.after is not None and complete:
            self.plan.after(summary, found)
        # Confirmed: attributed to the base when the base fails the same way, replayed once for flakiness.
        interrupted = self.workers.stop.is_set()
        result.failures = list(found.values()) if interrupted else confirm(list(found.values()), summary)
        if outcomes:
            result.elapsed = max(o.ended for o in outcomes + shrinks) - min(o.started for o in outcomes)
        if result.cases == 0 and result.interrupted:
            result.skipped = INTERRUPTED
        return result
