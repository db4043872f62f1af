"""Slow, hanging and dripping handlers on real loopback sockets: the action's timeout bounds every call.

The timeout is a total deadline from the moment a request is sent (connect, headers and body together, as
Hasura's http-client applies it, contract §5), so no handler can hold a run past it however it trickles.
"""

from __future__ import annotations

import time

import pytest
from slow_servers import REPLY, dripping

from action_contract import ActionRequest
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
