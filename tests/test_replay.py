"""Failing inputs kept in the example database and sent first next time, whatever seeds they came from."""

from __future__ import annotations

from conftest import FIXTURES
from hypothesis.database import InMemoryExampleDatabase

from action_contract import Settings, app_target, load_catalog, run_group
from action_contract._run._replay import _key, stored_inputs

ORDERS = load_catalog(FIXTURES / "projects" / "orders")
HANDLERS = FIXTURES / "handlers" / "orders.py"


def _run(app: str, database, **options):
    with app_target(f"{HANDLERS}:{app}") as target:
        return run_group(ORDERS, "createOrder", "conforming", target, Settings(database=database, **options))


def test_a_failing_input_is_sent_first_next_time_and_dropped_once_fixed():
    database = InMemoryExampleDatabase()
    first = _run("faulty_app", database, seed=2)
    (failure,) = first.failures
    action = ORDERS.action("createOrder")
    assert stored_inputs(database, ORDERS, action) == [failure.request.payload["input"]]
    # No generated request at all: the stored input alone finds the failure again.
    again = _run("faulty_app", database, examples=0)
    assert [f.request.payload["input"] for f in again.failures] == [failure.request.payload["input"]]
    fixed = _run("app", database, examples=0)
    assert fixed.passed and stored_inputs(database, ORDERS, action) == []


def test_stored_inputs_that_no_longer_fit_the_metadata_are_not_sent():
    database = InMemoryExampleDatabase()
    action = ORDERS.action("createOrder")
    database.save(_key(ORDERS, action), b'{"order": {"items": [{"sku": "A", "quantity": "2"}]}}')
    database.save(_key(ORDERS, action), b"not json")
    assert stored_inputs(database, ORDERS, action) == []
