"""Failing inputs kept in the example database and sent first on the next run.

Hypothesis replays a failure from the choices it made; a request built from a seed (a success earlier in
the same run) cannot be rebuilt from those choices in a later run, whose seeds start empty. So the `input`
of each conforming failure is also kept, as JSON, in the same example database under a key of its own,
and sent again before anything else next time; one that no longer fails is dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from hypothesis.database import ExampleDatabase

from .._catalog._inputs import input_problems
from .._catalog._model import Action, Catalog
from ._report import Failure

__all__ = ["store_inputs", "stored_inputs"]

#: Failing inputs kept per action at most.
_KEEP = 8


def _key(catalog: Catalog, action: Action) -> bytes:
    return hashlib.sha256(f"{catalog.source}:{action.name}:failing-inputs".encode()).digest()


def stored_inputs(database: ExampleDatabase | None, catalog: Catalog, action: Action) -> list[dict[str, Any]]:
    """The inputs that failed in earlier runs (what cannot be read is dropped)."""
    if database is None:
        return []
    found = []
    for value in sorted(database.fetch(_key(catalog, action)))[:_KEEP]:
        try:
            arguments = json.loads(value)
        except ValueError:
            arguments = None
        # The metadata may have changed since: an input that no longer fits is not one Hasura could send.
        if isinstance(arguments, dict) and not input_problems(catalog, action, arguments):
            found.append(arguments)
        else:
            database.delete(_key(catalog, action), value)
    return found


def store_inputs(
    database: ExampleDatabase | None,
    catalog: Catalog,
    action: Action,
    failures: Iterable[Failure],
    replayed: Iterable[dict[str, Any]],
) -> None:
    """Keep the inputs of this run's fatal conforming failures; drop replayed ones that no longer fail."""
    if database is None:
        return
    key = _key(catalog, action)
    failing = set()
    for failure in failures:
        payload = failure.request.payload
        if failure.fatal and failure.group == "conforming" and payload is not None and "input" in payload:
            failing.add(_encode(payload["input"]))
    for value in list(failing)[:_KEEP]:
        database.save(key, value)
    for arguments in replayed:
        if _encode(arguments) not in failing:
            database.delete(key, _encode(arguments))


def _encode(arguments: Any) -> bytes:
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
