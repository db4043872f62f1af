"""Slow, hanging and dripping handlers on real loopback sockets: the action's timeout bounds every call.

The timeout is a total deadline from the moment a request is sent (connect, headers and body together, as
Hasura's http-client applies it, contract §5), so no handler can hold a run past it however it trickles.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from servers import serving
from slow_servers import REPLY, InFlight, a_third_late, delayed, dripping

from action_contract import ActionRequest, Settings, load_catalog, run_contract
from action_contract._send._app_loader import load_app
from action_contract._send._targets import HttpTarget

SHORT = 0.3


def _request(url: str, timeout: float = SHORT) -> ActionRequest:
    return ActionRequest(
        action="quote",
        url=url + "/quote",
        headers=(("Content-Type", "application/json"),),
        payload={"action": {"name": "quote"}, "input": {}},
        timeout=timeout,
    )


@pytest.mark.parametrize("behaviour", ["hang", "header-drip", "body-drip"])
def test_the_timeout_bounds_the_whole_call(behaviour):
    with dripping(behaviour) as url, HttpTarget() as target:
        started = time.perf_counter()
        response = target.send(_request(url))
        elapsed = time.perf_counter() - started
    assert response.failure is not None and response.failure.kind == "timeout", response
    assert response.failure.hasura_text == "Response timeout"
    assert SHORT <= elapsed < SHORT + 0.2, elapsed


@pytest.mark.parametrize("behaviour", ["header-drip", "body-drip"])
def test_a_drip_that_ends_in_time_is_a_reply(behaviour):
    with dripping(behaviour) as url, HttpTarget() as target:
        response = target.send(_request(url, timeout=10))
    assert response.status == 200 and response.body == REPLY, response


def test_the_deadline_is_per_call_on_a_kept_alive_connection():
    with dripping("ok") as url, HttpTarget() as target:
        for _ in range(3):
            assert target.send(_request(url)).status == 200
        with dripping("header-drip") as slow:
            assert target.send(_request(slow)).failure is not None
        assert target.send(_request(url)).status == 200


# -- whole runs against real servers on loopback ----------------------------------------------------------

SHOP = Path(__file__).parent.parent / "fixtures" / "projects" / "shop"
SHOP_APP = Path(__file__).parent.parent / "fixtures" / "handlers" / "shop.py"


@pytest.fixture(scope="module")
def shop():
    return load_catalog(SHOP)


def _settings(url: str, **fields) -> Settings:
    base = {"actions": ("quote",), "examples": 20, "adversarial_examples": 10, "database": None, "seed": 3}
    return Settings(**{**base, "base_url": url, **fields})


@pytest.mark.parametrize("workers", [1, "auto"])
def test_a_slow_handler_gets_requests_in_flight_at_once(shop, workers):
    counted = InFlight(delayed(load_app(f"{SHOP_APP}:app"), lambda body: 0.03))
    with serving(counted) as url, HttpTarget() as target:
        report = run_contract(shop, target, _settings(url, workers=workers))
    assert report.passed, [f.finding for f in report.failures]
    assert report.cases >= 30
    assert (counted.peak == 1) if workers == 1 else (counted.peak >= 4), counted.peak


@pytest.mark.parametrize("behaviour", ["hang", "header-drip", "body-drip"])
def test_a_handler_that_never_answers_in_time_is_reported_once(shop, behaviour):
    with dripping(behaviour) as url, HttpTarget() as target:
        started = time.perf_counter()
        report = run_contract(shop, target, _settings(url, timeout=SHORT))
        elapsed = time.perf_counter() - started
    (failure,) = report.failures
    assert failure.finding.kind == "transport:timeout" and failure.check == "hasura_accepts"
    adversarial = next(r for r in report.results if r.group == "adversarial")
    assert adversarial.skipped is not None and "timed out 3 times in a row" in adversarial.skipped
    conforming = next(r for r in report.results if r.group == "conforming")
    assert conforming.stopped is not None and "timed out 3 times in a row" in conforming.stopped
    # 3 timeouts in a row end the action, whatever the budget of examples (30 here): the count of requests
    # sent is the firm test; the wall time, about 3 x 0.3 s, gets room for a loaded machine.
    assert report.cases <= 6, report.cases
    assert elapsed < 3 * SHORT + 5, elapsed


def test_a_handler_that_sometimes_times_out_is_bounded_by_the_shrink_budget(shop):
    app = delayed(load_app(f"{SHOP_APP}:app"), a_third_late(1.0))
    with serving(app) as url, HttpTarget() as target:
        started = time.perf_counter()
        report = run_contract(shop, target, _settings(url, timeout=SHORT, shrink_time=1.0, adversarial=False))
        elapsed = time.perf_counter() - started
    timeouts = [f for f in report.failures if f.finding.kind == "transport:timeout"]
    assert len(timeouts) == 1, [f.finding for f in report.failures]
    # Exploring ends at 3 timeouts in a row or at the budget; shrinking at 1 s per failure.
    assert elapsed < 12, elapsed
