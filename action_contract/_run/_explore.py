"""`explore` and `shrink`: Hypothesis drives one shard of a group, then each distinct failure is shrunk once.

A failing case raises a signal whose type is unique to its (action, check, kind of failure), so Hypothesis
tells distinct failures apart. Exploring and shrinking are two steps:
- `explore` generates without shrinking. Hypothesis stops generating at the first failure, so one frequent
  crash would hide everything else in the group: a shard runs in rounds, each a Hypothesis run with a seed of
  its own and the rest of the shard's budget, where the failures of earlier rounds are muted (recorded, never
  raised again), until the budget is spent. Every failing example is saved in the shard's in-memory database
  (and the example database, replayed first by the next run).
- `shrink` runs once the group's shards have all explored: each distinct failure belongs to the first unit
  that found it, and only that shard shrinks it, replaying what it saved (shrinking the same failure in every
  shard that met it would multiply the work by the number of shards). Shrinking has a time budget
  (`Settings.shrink_time` per failure): past it, the smallest failing request seen is reported with a note.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase, MultiplexedDatabase
from hypothesis.errors import Unsatisfiable

from .._catalog._model import Catalog
from .._generate._action_request import ActionRequest
from ._confirm import fails_again
from ._exchange import Exchange, Found
from ._report import Failure
from ._settings import Settings

__all__ = ["ROUNDS", "Key", "database_of", "explore", "send_all", "shrink"]

#: Hypothesis runs per shard at most: one, and one more after each round that found something new (each
#: round takes at least one example from the budget, so the budget ends the rounds first unless it is large).
ROUNDS = 1000

Key = tuple[str, str, str]


class _Found(Exception):
    """Raised inside the Hypothesis test for a failing case; one subclass per distinct failure."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(f"{failure.check}: {failure.finding.title}")
        self.failure = failure


class _OutOfTime(BaseException):
    """Ends a round whose shrinking has used its time budget (a BaseException, so Hypothesis lets it through)."""


_SIGNALS: dict[Key, type[_Found]] = {}
_SIGNALS_LOCK = threading.Lock()


def _signal(key: Key) -> type[_Found]:
    # Hypothesis tells failures apart by exception type and raise site: a type per key makes each
    # (action, check, kind) its own failure, shrunk on its own.
    with _SIGNALS_LOCK:
        signal = _SIGNALS.get(key)
        if signal is None:
            signal = _SIGNALS[key] = type(f"Found{len(_SIGNALS)}", (_Found,), {})
        return signal


class _Drawn:
    """A drawn request as Hypothesis holds it: printed as one short word, never walked into.

    Hypothesis prints the failing example before its final replay and describes each `.map` lambda met on the
    way by parsing its source with `ast.parse`, which on CPython 3.11 fails with "AST constructor recursion
    depth mismatch" when threads parse at once (python/cpython#106905). Our reports print the request
    themselves, so Hypothesis need not look inside; `_repr_pretty_` comes before its own printers.
    """

    __slots__ = ("request",)

    def __init__(self, request: ActionRequest) -> None:
        self.request = request

    def __repr__(self) -> str:
        return "request"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("request")


def send_all(exchange: Exchange, requests: Sequence[ActionRequest], found: Found) -> None:
    for request in requests:
        for failure in exchange.execute(request):
            found.setdefault(failure.key, failure)
        if exchange.unreachable is not None:
            return


class _Round:
    """One Hypothesis run of a shard: the test function, and what it raised."""

    def __init__(self, exchange: Exchange, found: Found, raise_for: Callable[[Key], bool]) -> None:
        self.exchange, self.found, self.raise_for = exchange, found, raise_for
        self.calls = 0
        #: Calls made up to the first failure raised: the examples this round took from the budget.
        self.spent: int | None = None
        self.raised: dict[Key, int] = {}
        #: The smallest failing request seen per key: reported if shrinking ends before Hypothesis is done.
        self.smallest: dict[Key, Failure] = {}
        #: When shrinking must end (a `time.perf_counter()` value), or None.
        self.until: float | None = None

    def case(self, request: ActionRequest) -> None:
        if self.until is not None and time.perf_counter() > self.until:
            raise _OutOfTime
        self.calls += 1
        failures = self.exchange.execute(request)
        for failure in failures:
            self.found.setdefault(failure.key, failure)
        fatal = [f for f in failures if f.fatal and self.raise_for(f.key)]
        if not fatal:
            return
        # Raise the failure Hypothesis has seen least, so failures that tend to come together
        # still each get a minimal example of their own.
        pick = min(fatal, key=lambda f: self.raised.get(f.key, 0))
        if not fails_again(self.exchange, request, pick):
            return  # a failure that does not come again is no candidate (confirming reports it as flaky)
        self.raised[pick.key] = self.raised.get(pick.key, 0) + 1
        if self.spent is None:
            self.spent = self.calls
        known = self.smallest.get(pick.key)
        if known is None or len(pick.request.body) <= len(known.request.body):
            self.smallest[pick.key] = pick
        raise _signal(pick.key)(pick)

    def play(self, drawn: _Drawn) -> None:
        self.case(drawn.request)

    def run(self, test: Any) -> None:
        try:
            test()
        except _Found as error:
            self.found[error.failure.key] = error.failure
        except Unsatisfiable:
            pass  # no request of this group could be built; the edge cases (if any) still ran
        except Exception as error:
            signals = _unpack(error)
            if not signals:
                raise
            for signal in signals:
                self.found[signal.failure.key] = signal.failure

    def cut_short(self, why: str) -> None:
        for key, failure in self.smallest.items():
            self.found[key] = dataclasses.replace(failure, notes=(*failure.notes, why))


def explore(
    exchange: Exchange,
    strategy: st.SearchStrategy[ActionRequest],
    count: int,
    settings: Settings,
    seed: int | None,
    found: Found,
    catalog: Catalog,
    shard: int = 0,
    memory: ExampleDatabase | None = None,
) -> None:
    """Up to `count` examples of `strategy` through `exchange`, in rounds, without shrinking; failures into `found`.

    Each failing example is saved in `memory` (and the example database), for `shrink` to start from.
    """
    muted: set[Key] = set()
    left = count
    for number in range(ROUNDS):
        game = _Round(exchange, found, lambda key: key not in muted)
        phases = [Phase.explicit, Phase.generate]
        # Only the first round replays the example database: a later one would find its failures muted, take
        # them for fixed and delete them from the database.
        if number == 0:
            phases.insert(1, Phase.reuse)
        database = _databases(memory, None if settings.derandomize else database_of(settings.database))
        where = (
            f"{exchange.action.name}:{exchange.group}"
            + (f":{shard}" if shard else "")
            + (f"#{number}" if number else "")
        )
        game.run(_prepare(game, strategy, left, phases, database, settings, seed, where, exchange, catalog))
        if game.spent is None:
            return  # the round ran through its budget without a new failure
        muted.update(game.raised)
        left -= game.spent
        if left <= 0:
            return


def shrink(
    exchange: Exchange,
    strategy: st.SearchStrategy[ActionRequest],
    settings: Settings,
    owned: set[Key],
    found: Found,
    catalog: Catalog,
    memory: ExampleDatabase,
    seed: int | None = None,
) -> None:
    """Shrink the failures of `owned` from the examples `explore` saved in `memory`; the minimal ones into `found`.

    Every example saved is replayed; only the failures of `owned` are raised (another shard shrinks the others).
    Failures met on the way that no shard had found come back too, as first seen.
    """
    seen: Found = {}
    game = _Round(exchange, seen, lambda key: key in owned)
    if settings.shrink_time is not None:
        game.until = time.perf_counter() + settings.shrink_time * len(owned)
    # Hypothesis takes an example replayed from the primary key for one it shrank already and skips shrinking
    # it; from the secondary key it shrinks, and replays all when max_examples is at least their number.
    key = _key(exchange, catalog)
    saved = list(memory.fetch(key))
    for choices in saved:
        memory.move(key, key + b".secondary", choices)
    where = f"{exchange.action.name}:{exchange.group}:shrink"
    phases = [Phase.reuse, Phase.shrink]
    # Seeded like the exploring: the shrinker makes random choices too, and the same seed must find the same.
    test = _prepare(game, strategy, len(saved) + 2, phases, memory, settings, seed, where, exchange, catalog)
    try:
        game.run(test)
    except _OutOfTime:
        game.cut_short(f"shrinking was cut short after {settings.shrink_time:g} s per failure (--shrink-time)")
    except BaseException:
        # Aborted (the handler hangs, the run was interrupted): keep the smallest requests seen so far.
        game.cut_short("shrinking was cut short: the exploration stopped")
        raise
    finally:
        found.update(seen)


def _prepare(
    game: _Round,
    strategy: st.SearchStrategy[ActionRequest],
    count: int,
    phases: list[Phase],
    database: ExampleDatabase | None,
    settings: Settings,
    seed: int | None,
    where: str,
    exchange: Exchange,
    catalog: Catalog,
) -> Any:
    test: Any = given(strategy.map(_Drawn))(game.play)
    if seed is not None:
        test = hypothesis_seed(zlib.crc32(f"{seed}:{where}".encode()))(test)
    elif settings.derandomize:
        test = hypothesis_seed(zlib.crc32(where.encode()))(test)
    # Settings go on last: `seed` turns the example database off, and we want it on (replays first).
    test = hypothesis_settings(
        max_examples=max(count, 1),
        database=database,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=True,
        print_blob=False,
    )(test)
    test._hypothesis_internal_database_key = _key(exchange, catalog)
    return test


def _key(exchange: Exchange, catalog: Catalog) -> bytes:
    # One database key for all the shards of a group: a failure one shard found is replayed by every shard next
    # time, also when the next run's budget has fewer shards.
    return hashlib.sha256(f"{catalog.source}:{exchange.action.name}:{exchange.group}".encode()).digest()


def _databases(*databases: ExampleDatabase | None) -> ExampleDatabase | None:
    present = [database for database in databases if database is not None]
    if len(present) > 1:
        return MultiplexedDatabase(*present)
    return present[0] if present else None


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
_DATABASES_LOCK = threading.Lock()


def database_of(database: str | ExampleDatabase | None) -> ExampleDatabase | None:
    """The example database a setting names (a folder, shared per process), the database given, or None."""
    if database is None or isinstance(database, ExampleDatabase):
        return database
    with _DATABASES_LOCK:
        if database not in _DATABASES:
            _DATABASES[database] = DirectoryBasedExampleDatabase(database)
        return _DATABASES[database]
