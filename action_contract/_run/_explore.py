"""`explore`: Hypothesis drives one group, shrinks each distinct failure, and replays the example database first.

A failing case raises a signal whose type is unique to its (action, check, kind of failure), so
Hypothesis shrinks each distinct failure on its own and reports them all.
"""

from __future__ import annotations

import hashlib
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
from ._confirm import fails_again
from ._exchange import Exchange, Found
from ._report import Failure
from ._settings import Settings

__all__ = ["explore", "send_all"]


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


def send_all(exchange: Exchange, requests: Sequence[ActionRequest], found: Found) -> None:
    for request in requests:
        for failure in exchange.execute(request):
            found.setdefault(failure.key, failure)
        if exchange.unreachable is not None:
            return


def explore(
    exchange: Exchange,
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
            if not fails_again(exchange, request, pick):
                return  # shrinking keeps only candidates that fail again
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
