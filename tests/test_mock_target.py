"""`MockTarget` answers exactly as the mock handler does over HTTP, without HTTP (what `serve --mock` calls)."""

from __future__ import annotations

import dataclasses

from conftest import FIXTURES

from action_contract import MockHandler, MockTarget, app_target, conforming_requests, load_catalog
from action_contract._generate._sampling import draw_examples

ENV = {"SHOP_ACTIONS_URL": "http://shop.test", "SHOP_WEBHOOK_SECRET": "s"}
CATALOG = load_catalog(FIXTURES / "projects" / "shop", env=ENV)


def test_replies_are_the_mocks_own() -> None:
    handler = MockHandler(CATALOG, seed=4, env=ENV)
    requests = [
        request
        for action in CATALOG
        for request in draw_examples(conforming_requests(action, catalog=CATALOG, env=ENV), 5, seed_value=1)
    ]
    direct = MockTarget(handler)
    with app_target(handler, kind="asgi") as over_asgi:
        for request in requests:
            mine, theirs = direct.send(request), over_asgi.send(request)
            assert (mine.status, mine.body) == (theirs.status, theirs.body), request.action
            assert mine.header("content-type") == theirs.header("content-type")


def test_the_timeout_scenario_and_latency_keep_their_meaning() -> None:
    request = draw_examples(conforming_requests("quote", catalog=CATALOG, env=ENV), 1, seed_value=2)[0]
    quick = dataclasses.replace(request, timeout=0.05)
    late = MockTarget(MockHandler(CATALOG, scenario="timeout", env=ENV)).send(quick)
    assert late.failure is not None and late.failure.kind == "timeout"
    assert late.elapsed >= 0.05
    slow = MockTarget(MockHandler(CATALOG, latency=30, env=ENV)).send(request)
    assert slow.status == 200 and slow.elapsed >= 0.03
    past = MockTarget(MockHandler(CATALOG, latency=100, env=ENV)).send(quick)
    assert past.failure is not None and past.failure.kind == "timeout"
