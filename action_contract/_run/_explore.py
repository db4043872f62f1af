"""`explore`: Hypothesis drives one shard of a group, shrinks each distinct failure, replays the example database.

A failing case raises a signal whose type is unique to its (action, check, kind of failure), so Hypothesis
shrinks each distinct failure on its own and reports them all. Hypothesis stops generating soon after the
first failure, so one frequent crash would hide everything else in the group: a shard therefore runs in
rounds, each a Hypothesis run with a seed of its own and the rest of the shard's example budget, in which
the failures found in earlier rounds are muted (still recorded, never raised again), until the budget is
spent. Shrinking a failure has a time budget (`Settings.shrink_time`, per distinct failure of the round): past
it the round ends at once and the smallest failing request seen so far is reported with a note.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import zlib
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from hypothesis.errors import Unsatisfiable

from .._catalog._model import Catalog
from .._generate._action_request import ActionRequest
from ._exchange import Exchange, Found
from ._report import Failure
from ._settings import Settings

__all__ = ["ROUNDS", "explore", "send_all"]

#: Hypothesis runs per shard at most: one, and one more after each round that found something new.
ROUNDS = 4

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


def send_all(exchange: Exchange, requests: Sequence[ActionRequest], found: Found) -> None:
    for request in requests:
        for failure in exchange.execute(request):
            found.setdefault(failure.key, failure)
        if exchange.unreachable is not None:
            return


class _Round:
    """One Hypothesis run of a shard: the test function, and what it raised."""

    def __init__(self, exchange: Exchange, found: Found, muted: set[Key], shrink_time: float | None) -> None:
        self.exchange, self.found, self.muted, self.shrink_time = exchange, found, muted, shrink_time
        self.calls = 0
        #: Calls made up to the first failure raised: the examples this round took from the budget.
        self.spent: int | None = None
        self.first_raised: float | None = None
        self.raised: dict[Key, int] = {}
        #: The smallest failing request seen per key: reported if the round ends before shrinking does.
        self.smallest: dict[Key, Failure] = {}

    def case(self, request: ActionRequest) -> None:
        budget = None if self.shrink_time is None else self.shrink_time * len(self.raised)
        if self.first_raised is not None and budget is not None and time.perf_counter() - self.first_raised > budget:
            raise _OutOfTime
        self.calls += 1
        failures = self.exchange.execute(request)
        for failure in failures:
            self.found.setdefault(failure.key, failure)
        fatal = [f for f in failures if f.fatal and f.key not in self.muted]
        if not fatal:
            return
        # Raise the failure Hypothesis has seen least, so failures that tend to come together
        # still each get a minimal example of their own.
        pick = min(fatal, key=lambda f: self.raised.get(f.key, 0))
        self.raised[pick.key] = self.raised.get(pick.key, 0) + 1
        if self.first_raised is None:
            self.first_raised, self.spent = time.perf_counter(), self.calls
        known = self.smallest.get(pick.key)
        if known is None or len(pick.request.body) <= len(known.request.body):
            self.smallest[pick.key] = pick
        raise _signal(pick.key)(pick)

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
) -> None:
    """Up to `count` examples of `strategy` through `exchange`, in rounds; every distinct failure into `found`."""
    muted: set[Key] = set()
    left = count
    for number in range(ROUNDS):
        game = _Round(exchange, found, muted, settings.shrink_time if settings.shrink else None)
        test = _prepare(game, strategy, left, settings, seed, exchange, catalog, shard, number)
        try:
            test()
        except _Found as error:
            found[error.failure.key] = error.failure
        except _OutOfTime:
            game.cut_short(f"shrinking was cut short after {settings.shrink_time:g} s (--shrink-time)")
        except Unsatisfiable:
            pass  # no request of this group could be built; the edge cases (if any) still ran
        except Exception as error:
            signals = _unpack(error)
            if not signals:
                raise
            for signal in signals:
                found[signal.failure.key] = signal.failure
        except BaseException:
            # Aborted (the handler hangs, the run was interrupted): keep what this round found, smallest first.
            game.cut_short("shrinking was cut short: the exploration stopped")
            raise
        if game.spent is None:
            return  # the round ran through its budget without a new failure
        muted.update(game.raised)
        left -= game.spent
        if left <= 0:
            return


def _prepare(
    game: _Round,
    strategy: st.SearchStrategy[ActionRequest],
    count: int,
    settings: Settings,
    seed: int | None,
    exchange: Exchange,
    catalog: Catalog,
    shard: int,
    number: int,
) -> Any:
    first = number == 0
    # Only the first round replays the example database: a later one would find its failures muted, take
    # them for fixed and delete them from the database.
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if settings.shrink else [])
    if first:
        phases.insert(1, Phase.reuse)
    database = None if settings.derandomize else _database(settings.database)
    test: Any = given(strategy)(game.case)
    where = (
        f"{exchange.action.name}:{exchange.group}" + (f":{shard}" if shard else "") + (f"#{number}" if number else "")
    )
    if seed is not None:
        test = hypothesis_seed(zlib.crc32(f"{seed}:{where}".encode()))(test)
    elif settings.derandomize:
        test = hypothesis_seed(zlib.crc32(where.encode()))(test)
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
    # One database key for all the shards of a group: a failure one shard found is replayed by every shard next
    # time, also when the next run's budget has fewer shards.
    source = f"{catalog.source}:{exchange.action.name}:{exchange.group}"
    test._hypothesis_internal_database_key = hashlib.sha256(source.encode()).digest()
    return test


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


def _database(database: str | ExampleDatabase | None) -> ExampleDatabase | None:
    if database is None or isinstance(database, ExampleDatabase):
        return database
    with _DATABASES_LOCK:
        if database not in _DATABASES:
            _DATABASES[database] = DirectoryBasedExampleDatabase(database)
        return _DATABASES[database]
