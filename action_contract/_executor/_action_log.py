"""The asynchronous action log: Hasura's `hdb_catalog.hdb_action_log` for our in-process Hasura (contract §2.3).

An asynchronous mutation only records its call and returns the id; a worker later takes up to N `created`
rows, marks them `processing`, calls the handler and stores `completed` + response_payload or `error` +
errors. There are no retries; rows still `processing` at a graceful shutdown go back to `created` and are
called again after the restart. The log lives in memory, or in a SQLite file so a restart loses nothing.
In memory it keeps every pending entry and the `MAX_FINISHED` most recently finished ones (a long session of
`serve` must not grow without bound); the file keeps everything, as Hasura's table does.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Literal, cast

from .._errors import InvalidArgument

__all__ = ["MAX_FINISHED", "ActionLog", "ActionLogEntry", "open_action_log"]

#: Finished (`completed` or `error`) entries the in-memory log keeps; older ones are dropped, oldest first.
MAX_FINISHED = 10_000

Status = Literal["created", "processing", "completed", "error"]

_VERSION = 1  # PRAGMA user_version of files we write; bump with a migration when the table changes
_COLUMNS = [
    "seq",
    "id",
    "action_name",
    "input_payload",
    "request_headers",
    "session_variables",
    "response_payload",
    "errors",
    "created_at",
    "response_received_at",
    "status",
]
_SCHEMA = """
CREATE TABLE hdb_action_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- insertion order: equal timestamps keep their order
    id TEXT NOT NULL UNIQUE,
    action_name TEXT NOT NULL,
    input_payload TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    session_variables TEXT NOT NULL,
    response_payload TEXT,
    errors TEXT,
    created_at TEXT NOT NULL,
    response_received_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('created', 'processing', 'completed', 'error'))
);
CREATE INDEX hdb_action_log_status ON hdb_action_log (status, seq);
"""
_FIX = "pass --state with a new file name, or delete it"


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionLogEntry:
    """One asynchronous action call as Hasura records it (`hdb_catalog.hdb_action_log`, contract §2.3)."""

    id: str
    action_name: str
    input_payload: Mapping[str, Any] = field(hash=False)
    #: The client's request headers in order; duplicates kept.
    request_headers: tuple[tuple[str, str], ...]
    session_variables: Mapping[str, str] = field(hash=False)
    #: timestamptz as Postgres renders it to Hasura's JSON: "2026-11-21T10:15:30.123456+00:00".
    created_at: str
    status: Status = "created"
    response_payload: Any = field(default=None, hash=False)
    errors: Any = field(default=None, hash=False)
    response_received_at: str | None = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class ActionLog:
    """Where asynchronous action calls are kept: in memory, or in a SQLite file that survives a restart."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, max_finished: int = MAX_FINISHED) -> None:
        """Open the log in memory (None or ":memory:") or in the SQLite file `path`, created when missing."""
        if max_finished < 0:
            raise InvalidArgument(f"expected max_finished of 0 or more, found {max_finished!r}")
        # One lock around every operation: the worker thread and request threads share the log.
        self._lock = threading.Lock()
        # In memory: every entry in insertion order, and the ids by status (dicts keep their order), so that
        # claiming, counting what is pending and dropping the oldest finished entry never scan the log.
        self._entries: dict[str, ActionLogEntry] = {}
        self._created: dict[str, None] = {}
        self._processing: set[str] = set()
        self._finished: dict[str, None] = {}
        self.max_finished = max_finished
        name = None if path is None else os.fspath(path)
        self._db = None if name is None or name == ":memory:" else _open_sqlite(name)
        #: The SQLite file, or None in memory.
        self.path = name if self._db is not None else None
        self._closed = False

    def record(
        self,
        action_name: str,
        input_payload: Mapping[str, Any],
        session_variables: Mapping[str, str],
        request_headers: Sequence[tuple[str, str]],
    ) -> ActionLogEntry:
        """Insert a `created` entry with a new id and created_at = now (UTC); return it."""
        # Both variants keep what the JSON round trip gives, so memory and file runs see the same values.
        payload_json, sessions_json = _dumps(dict(input_payload)), _dumps(dict(session_variables))
        headers = tuple((str(name), str(value)) for name, value in request_headers)
        entry = ActionLogEntry(
            id=str(uuid.uuid4()),
            action_name=action_name,
            input_payload=json.loads(payload_json),
            request_headers=headers,
            session_variables=json.loads(sessions_json),
            created_at=_now(),
        )
        with self._lock:
            if self._db is None:
                self._entries[entry.id] = entry
                self._created[entry.id] = None
            else:
                with _transaction(self._db):
                    self._db.execute(
                        "INSERT INTO hdb_action_log (id, action_name, input_payload, request_headers,"
                        " session_variables, created_at, status) VALUES (?, ?, ?, ?, ?, ?, 'created')",
                        (entry.id, action_name, payload_json, _dumps(headers), sessions_json, entry.created_at),
                    )
        return entry

    def claim(self, limit: int = 10) -> list[ActionLogEntry]:
        """Up to `limit` `created` entries, oldest first, marked `processing` (each is handed out once)."""
        if limit < 0:
            raise InvalidArgument(f"expected a claim limit of 0 or more, found {limit!r}")
        with self._lock:
            if self._db is not None:
                # BEGIN IMMEDIATE: another process sharing the file cannot claim the same rows in between.
                with _transaction(self._db):
                    rows = self._db.execute(
                        "SELECT * FROM hdb_action_log WHERE status = 'created' ORDER BY seq LIMIT ?", (limit,)
                    ).fetchall()
                    self._db.executemany(
                        "UPDATE hdb_action_log SET status = 'processing' WHERE seq = ?", [(r[0],) for r in rows]
                    )
                return [replace(_entry(row), status="processing") for row in rows]
            claimed: list[ActionLogEntry] = []
            for id in list(itertools.islice(self._created, limit)):
                del self._created[id]
                self._processing.add(id)
                entry = self._entries[id] = replace(self._entries[id], status="processing")
                claimed.append(entry)
            return claimed

    def complete(self, id: str, response_payload: Any) -> None:
        """Mark entry `id` completed with the handler's reply; response_received_at = now."""
        self._finish(id, "completed", response_payload=response_payload)

    def fail(self, id: str, errors: Any) -> None:
        """Mark entry `id` error with the stored error JSON; response_received_at = now."""
        self._finish(id, "error", errors=errors)

    def _finish(self, id: str, status: Status, *, response_payload: Any = None, errors: Any = None) -> None:
        # Like Hasura's UPDATE by id, any status may be overwritten: a row released at shutdown whose
        # handler still answered ends up completed rather than being called a second time.
        payload_json = None if status == "error" else _dumps(response_payload)
        errors_json = None if status == "completed" else _dumps(errors)
        with self._lock:
            at = _now()
            if self._db is None:
                if id not in self._entries:
                    raise KeyError(id)
                self._entries[id] = replace(
                    self._entries[id],
                    status=status,
                    response_payload=_loads(payload_json),
                    errors=_loads(errors_json),
                    response_received_at=at,
                )
                self._created.pop(id, None)
                self._processing.discard(id)
                self._finished.pop(id, None)
                self._finished[id] = None
                while len(self._finished) > self.max_finished:
                    oldest = next(iter(self._finished))
                    del self._finished[oldest], self._entries[oldest]
                return
            with _transaction(self._db):
                cursor = self._db.execute(
                    "UPDATE hdb_action_log SET status = ?, response_payload = ?, errors = ?,"
                    " response_received_at = ? WHERE id = ?",
                    (status, payload_json, errors_json, at, id),
                )
            if cursor.rowcount == 0:
                raise KeyError(id)

    def get(self, id: str) -> ActionLogEntry | None:
        """The entry `id`, or None."""
        with self._lock:
            if self._db is None:
                return self._entries.get(id)
            row = self._db.execute("SELECT * FROM hdb_action_log WHERE id = ?", (id,)).fetchone()
            return None if row is None else _entry(row)

    def entries(self, action_name: str | None = None) -> list[ActionLogEntry]:
        """All entries (of one action), oldest first."""
        with self._lock:
            if self._db is None:
                found = self._entries.values()
                return [e for e in found if action_name is None or e.action_name == action_name]
            if action_name is None:
                rows = self._db.execute("SELECT * FROM hdb_action_log ORDER BY seq")
            else:
                rows = self._db.execute(
                    "SELECT * FROM hdb_action_log WHERE action_name = ? ORDER BY seq", (action_name,)
                )
            return [_entry(row) for row in rows]

    def pending(self) -> int:
        """How many entries are `created` or `processing`."""
        with self._lock:
            if self._db is None:
                return len(self._created) + len(self._processing)
            sql = "SELECT count(*) FROM hdb_action_log WHERE status IN ('created', 'processing')"
            return int(self._db.execute(sql).fetchone()[0])

    def release(self) -> None:
        """Put entries still `processing` back to `created` (Hasura's graceful shutdown)."""
        with self._lock:
            self._release()

    def _release(self) -> None:
        if self._db is not None:
            with _transaction(self._db):
                self._db.execute("UPDATE hdb_action_log SET status = 'created' WHERE status = 'processing'")
            return
        for id in self._processing:
            self._entries[id] = replace(self._entries[id], status="created")
        self._processing.clear()
        # Claimed oldest first again: back in insertion order among the entries still waiting.
        self._created = {id: None for id, entry in self._entries.items() if entry.status == "created"}

    def close(self) -> None:
        """Release, then close the SQLite connection (no-op in memory); closing twice is harmless."""
        with self._lock:
            # The closed connection stays in place: later calls fail loudly instead of using an empty memory log.
            if self._db is not None and not self._closed:
                self._release()
                self._db.close()
                self._closed = True

    def __enter__(self) -> ActionLog:
        """The log itself."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the log."""
        self.close()


def open_action_log(path: str | os.PathLike[str] | None = None, *, max_finished: int = MAX_FINISHED) -> ActionLog:
    """An ActionLog; raises InvalidArgument with the file and the fix when the SQLite file cannot be used."""
    return ActionLog(path, max_finished=max_finished)


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    # The connection is in autocommit mode; each write is its own committed transaction, so a crash loses
    # nothing already acknowledged.
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # SQLite may have rolled back already; a failed COMMIT leaves it open
            db.execute("ROLLBACK")
        raise


def _entry(row: Sequence[Any]) -> ActionLogEntry:
    _, id, action, payload, headers, sessions, response, errors, created, received, status = row
    return ActionLogEntry(
        id=id,
        action_name=action,
        input_payload=json.loads(payload),
        request_headers=tuple((name, value) for name, value in json.loads(headers)),
        session_variables=json.loads(sessions),
        created_at=created,
        status=cast(Status, status),
        response_payload=_loads(response),
        errors=_loads(errors),
        response_received_at=received,
    )


def _open_sqlite(path: str) -> sqlite3.Connection:
    if not path:
        raise InvalidArgument(f"expected a file name for the action log, found {path!r}; pass --state with one")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InvalidArgument(f"cannot use {path} as the action log: it is a directory; {_FIX}")
    if not os.path.isdir(folder):
        raise InvalidArgument(f"cannot use {path} as the action log: the folder {folder} does not exist; create it")
    try:
        # check_same_thread=False: request threads and the worker share it, always under ActionLog._lock.
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:  # typically a folder we may not write to
        fix = _FIX if os.path.exists(path) else "pass --state with a file in a folder you can write to"
        raise InvalidArgument(f"cannot use {path} as the action log: {exc}; {fix}") from exc
    try:
        _prepare(db, path)
    except sqlite3.Error as exc:
        db.close()
        raise InvalidArgument(f"cannot use {path} as the action log: {exc}; {_FIX}") from exc
    except BaseException:
        db.close()
        raise
    return db


def _prepare(db: sqlite3.Connection, path: str) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]  # a file that is not SQLite fails here
    if version not in (0, _VERSION):
        raise InvalidArgument(
            f"cannot use {path} as the action log: its schema version is {version}, this action-contract"
            f" reads version {_VERSION} only; {_FIX}"
        )
    _has_log_table(db, path)  # refuse a foreign table before anything is written to the file
    # WAL (with the default synchronous=FULL): readers do not block the writer and a committed write survives
    # a crash. The mode cannot be changed inside a transaction.
    db.execute("PRAGMA journal_mode=WAL")
    with _transaction(db):
        if not _has_log_table(db, path):  # asked again: another process may have created it meanwhile
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
        db.execute(f"PRAGMA user_version = {_VERSION}")
        # Hasura resets `processing` rows at a graceful shutdown; doing it on open also covers a crash.
        db.execute("UPDATE hdb_action_log SET status = 'created' WHERE status = 'processing'")


def _has_log_table(db: sqlite3.Connection, path: str) -> bool:
    columns = [row[1] for row in db.execute("PRAGMA table_info(hdb_action_log)")]
    if columns and columns != _COLUMNS:
        raise InvalidArgument(
            f"cannot use {path} as the action log: it has a table hdb_action_log with the columns"
            f" {', '.join(columns)}, not the action log's {', '.join(_COLUMNS)}; {_FIX}"
        )
    return bool(columns)
