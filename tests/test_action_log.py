"""The asynchronous action log (contract §2.3): lifecycle, claiming once, restarts, threads and bad files."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from action_contract import InvalidArgument
from action_contract._executor._action_log import ActionLog, ActionLogEntry, open_action_log

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")
HEADERS = [("x-hasura-role", "user"), ("Cookie", "a=1"), ("cookie", "b=2"), ("x-note", "grüße")]
SESSION = {"x-hasura-role": "user", "x-hasura-user-id": "42"}


@pytest.fixture(params=["memory", "file"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ActionLog]:
    """An empty log, in memory or in a SQLite file."""
    with ActionLog(None if request.param == "memory" else tmp_path / "state.db") as opened:
        yield opened


def record(log: ActionLog, name: str = "createUser", n: int = 0) -> ActionLogEntry:
    return log.record(name, {"input": {"n": n, "tags": ["a", "ü"]}}, SESSION, HEADERS)


def sqlite_file(path: Path, *statements: str) -> Path:
    with closing(sqlite3.connect(path)) as db:
        for statement in statements:
            db.execute(statement)
        db.commit()
    return path


def test_record_stores_a_created_entry(log: ActionLog) -> None:
    entry = record(log)
    assert str(uuid.UUID(entry.id)) == entry.id and uuid.UUID(entry.id).version == 4
    assert TIMESTAMP.match(entry.created_at), entry.created_at
    assert entry.status == "created" and entry.response_payload is None and entry.errors is None
    assert entry.response_received_at is None
    assert entry.request_headers == tuple(HEADERS) and entry.session_variables == SESSION
    assert log.get(entry.id) == entry and log.pending() == 1
    assert hash(entry) == hash(log.get(entry.id))  # usable in sets despite its JSON fields


def test_lifecycle_complete_and_fail(log: ActionLog) -> None:
    first, second, third = (record(log, n=n) for n in range(3))
    claimed = log.claim()
    assert [e.id for e in claimed] == [first.id, second.id, third.id]
    assert all(e.status == "processing" for e in claimed) and log.get(first.id).status == "processing"  # type: ignore[union-attr]
    log.complete(first.id, {"id": 7, "name": "Ann"})
    log.fail(second.id, {"error": "not a valid json response from webhook", "path": "$", "code": "unexpected"})
    done, failed = log.get(first.id), log.get(second.id)
    assert done is not None and failed is not None
    assert done.status == "completed" and done.response_payload == {"id": 7, "name": "Ann"} and done.errors is None
    assert failed.status == "error" and failed.errors["code"] == "unexpected" and failed.response_payload is None
    assert TIMESTAMP.match(done.response_received_at or "") and done.response_received_at >= done.created_at  # type: ignore[operator]
    assert log.pending() == 1 and log.claim() == []
    assert [e.status for e in log.entries()] == ["completed", "error", "processing"]


def test_claim_respects_limit_and_order_and_hands_out_once(log: ActionLog) -> None:
    ids = [record(log, n=n).id for n in range(5)]
    assert [e.id for e in log.claim(2)] == ids[:2]
    assert [e.id for e in log.claim(2)] == ids[2:4]
    assert log.claim(0) == []
    assert [e.id for e in log.claim(10)] == ids[4:]
    assert log.claim() == [] and log.pending() == 5
    with pytest.raises(InvalidArgument, match="-1"):
        log.claim(-1)


def test_entries_are_oldest_first_and_filter_by_action(log: ActionLog) -> None:
    a = record(log, "a")
    b = record(log, "b")
    a2 = record(log, "a", n=1)
    assert [e.id for e in log.entries()] == [a.id, b.id, a2.id]
    assert [e.id for e in log.entries("a")] == [a.id, a2.id]
    assert log.entries("missing") == []


def test_release_puts_processing_back_in_order(log: ActionLog) -> None:
    first, second, third = (record(log, n=n) for n in range(3))
    log.claim(2)
    log.complete(second.id, None)
    log.release()
    assert [e.status for e in log.entries()] == ["created", "completed", "created"]
    assert [e.id for e in log.claim()] == [first.id, third.id]
    completed = log.get(second.id)
    assert completed is not None and completed.status == "completed" and completed.response_payload is None


def test_completing_a_released_entry_is_not_handed_out_again(log: ActionLog) -> None:
    entry = record(log)
    log.claim()
    log.release()  # shutdown began while the handler was running; its answer still arrives
    log.complete(entry.id, {"ok": True})
    assert log.claim() == [] and log.pending() == 0


def test_unknown_id(log: ActionLog) -> None:
    record(log)
    with pytest.raises(KeyError) as raised:
        log.complete("00000000-0000-4000-8000-000000000000", {})
    assert raised.value.args == ("00000000-0000-4000-8000-000000000000",)
    with pytest.raises(KeyError):
        log.fail("nope", {"error": "x"})
    assert log.get("nope") is None


def test_record_keeps_a_copy_of_what_it_was_given(log: ActionLog) -> None:
    payload = {"input": {"list": [1, 2]}}
    sessions = {"x-hasura-role": "admin"}
    entry = log.record("a", payload, sessions, HEADERS)
    payload["input"]["list"].append(3)
    sessions["x-hasura-role"] = "user"
    stored = log.get(entry.id)
    assert stored is not None and stored.input_payload == {"input": {"list": [1, 2]}}
    assert stored.session_variables == {"x-hasura-role": "admin"}


def test_concurrent_record_and_claim_never_hand_out_twice(log: ActionLog) -> None:
    per_thread = 40
    claimed: list[list[str]] = [[] for _ in range(8)]
    start = threading.Barrier(8)

    def work(i: int) -> None:
        start.wait()
        for n in range(per_thread):
            record(log, f"action{i}", n)
            claimed[i].extend(e.id for e in log.claim(3))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handed = [id for ids in claimed for id in ids] + [e.id for e in log.claim(1000)]
    assert len(handed) == len(set(handed)) == 8 * per_thread
    assert {e.id for e in log.entries()} == set(handed)
    assert all(e.status == "processing" for e in log.entries())


def test_memory_log_names(tmp_path: Path) -> None:
    log = open_action_log(":memory:")
    record(log)
    log.close()
    log.close()
    assert len(log.entries()) == 1  # closing a memory log changes nothing
    assert not list(tmp_path.iterdir())


def test_data_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with open_action_log(path) as log:
        done, failed, waiting = record(log, n=1), record(log, n=2), record(log, "other", n=3)
        log.claim(2)
        log.complete(done.id, {"user": {"id": "ü", "tags": [1, None, 2.5]}})
        log.fail(failed.id, {"error": "Given email address is not valid", "path": "$", "code": "invalid-email"})
        before = log.entries()
    with open_action_log(str(path)) as log:
        assert log.entries() == before
        reopened = {e.id: e for e in log.entries()}
        assert reopened[done.id].request_headers == tuple(HEADERS)
        assert reopened[waiting.id].status == "created" and reopened[waiting.id].input_payload["input"]["n"] == 3
        later = record(log)
        assert [e.id for e in log.entries()] == [done.id, failed.id, waiting.id, later.id]
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def test_processing_entries_come_back_after_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with open_action_log(path) as log:
        ids = [record(log, n=n).id for n in range(3)]
        assert len(log.claim(2)) == 2
    with open_action_log(path) as log:
        assert [e.status for e in log.entries()] == ["created"] * 3
        assert [e.id for e in log.claim()] == ids


def test_processing_entries_come_back_after_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    crashed = open_action_log(path)
    ids = [record(crashed, n=n).id for n in range(2)]
    crashed.claim()  # the process dies here: no release, no close
    restarted = open_action_log(path)
    try:
        assert [e.status for e in restarted.entries()] == ["created", "created"]
        assert [e.id for e in restarted.claim()] == ids
    finally:
        restarted.close()
        crashed.close()


def test_a_closed_file_log_is_not_used_again(tmp_path: Path) -> None:
    log = open_action_log(tmp_path / "state.db")
    log.close()
    log.close()
    with pytest.raises(sqlite3.ProgrammingError):
        log.entries()


def test_a_sqlite_file_with_other_tables_gets_the_log_table(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "app.db", "CREATE TABLE users (id INTEGER)")
    with open_action_log(path) as log:
        record(log)
    with open_action_log(path) as log:
        assert len(log.entries()) == 1


def bad_text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("this is not a database\n" * 200)
    return path


def bad_directory(tmp_path: Path) -> Path:
    path = tmp_path / "folder"
    path.mkdir()
    return path


def bad_foreign_table(tmp_path: Path) -> Path:
    return sqlite_file(tmp_path / "other.db", "CREATE TABLE hdb_action_log (id TEXT, payload TEXT)")


def bad_version(tmp_path: Path) -> Path:
    return sqlite_file(tmp_path / "future.db", "PRAGMA user_version = 7")


def bad_folder(tmp_path: Path) -> Path:
    return tmp_path / "missing" / "state.db"


@pytest.mark.parametrize(
    ("make", "found"),
    [
        (bad_text_file, "file is not a database"),
        (bad_directory, "it is a directory"),
        (bad_foreign_table, "it has a table hdb_action_log with the columns id, payload, not"),
        (bad_version, "its schema version is 7, this action-contract reads version 1 only"),
        (bad_folder, "does not exist; create it"),
    ],
)
def test_unusable_files_are_refused_with_the_path_and_a_fix(
    make: Callable[[Path], Path], found: str, tmp_path: Path
) -> None:
    path = make(tmp_path)
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(InvalidArgument) as raised:
        open_action_log(path)
    message = str(raised.value)
    assert str(path) in message and found in message
    assert "--state" in message or "create it" in message
    assert (path.read_bytes() if path.is_file() else None) == before  # nothing written to what is not ours


def test_an_empty_path_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="file name"):
        ActionLog("")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="needs a user that permissions apply to")
def test_unwritable_places_are_refused(tmp_path: Path) -> None:
    read_only = sqlite_file(tmp_path / "ro.db", "CREATE TABLE users (id INTEGER)")
    read_only.chmod(0o444)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(InvalidArgument, match="attempt to write a readonly database; pass --state"):
        open_action_log(read_only)
    with pytest.raises(InvalidArgument, match="unable to open database file; pass --state with a file in a folder"):
        open_action_log(locked / "state.db")


def test_the_memory_log_keeps_every_pending_entry_and_the_newest_finished_ones() -> None:
    with ActionLog(max_finished=3) as log:
        entries = [record(log, n=n) for n in range(8)]
        for entry in log.claim(5):
            log.complete(entry.id, {"n": entry.input_payload["input"]["n"]})
        # 5 finished, 3 kept (the newest); the 3 still `created` are never dropped.
        assert [e.id for e in log.entries()] == [e.id for e in entries[2:]]
        assert log.get(entries[0].id) is None and log.get(entries[4].id).status == "completed"  # type: ignore[union-attr]
        assert log.pending() == 3
        claimed = log.claim(10)
        assert [e.id for e in claimed] == [e.id for e in entries[5:]] and log.pending() == 3
        log.release()
        assert [e.id for e in log.claim(2)] == [e.id for e in entries[5:7]]
        for entry in claimed:
            log.fail(entry.id, {"error": "x"})
        assert log.pending() == 0 and len(log.entries()) == 3


def test_a_negative_bound_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="max_finished of 0 or more"):
        ActionLog(max_finished=-1)
