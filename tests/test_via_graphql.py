"""`--via-graphql`: generated requests, sent as GraphQL operations through the executor, reach the handler unchanged.

The generators and the executor were written from the same facts (contract §1.3-§1.5) but separately:
one draws the payload Hasura could send, the other builds it from a GraphQL operation. For every
conforming request the operation printed from it must come back out of the executor as the same
`input` (and, for synchronous actions, the same `request_query`), edge cases included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from action_contract import (
    Catalog,
    MockHandler,
    Settings,
    Target,
    app_target,
    conforming_requests,
    edge_requests,
    load_catalog,
    render_json,
    run_contract,
)
from action_contract._cli._main import main
from action_contract._executor._via_graphql import GraphQLRoute
from action_contract._generate._profiles import HasuraProfile
from action_contract._generate._sampling import draw_examples

# The faulty handlers expect the secret of the project's .env when SHOP_WEBHOOK_SECRET is unset.
SHOP_ENV = {"SHOP_ACTIONS_URL": "http://shop.test", "SHOP_WEBHOOK_SECRET": "change-me"}
SOURCES = {
    "shop": (FIXTURES / "projects" / "shop", SHOP_ENV),
    "all_inputs": (FIXTURES / "metadata" / "all_inputs.graphql", {}),
    "bulk": (FIXTURES / "metadata" / "bulk.json", {}),
}
BASE = "http://handler.test"


@pytest.fixture(scope="module", params=list(SOURCES))
def source(request: pytest.FixtureRequest) -> Iterator[tuple[Catalog, Target, dict[str, str]]]:
    path, env = SOURCES[request.param]
    catalog = load_catalog(path, env=env)
    with app_target(MockHandler(catalog, env=env), kind="asgi") as target:
        yield catalog, target, env


def test_every_conforming_request_survives_the_trip_through_graphql(
    source: tuple[Catalog, Target, dict[str, str]],
) -> None:
    catalog, target, env = source
    profile = HasuraProfile()
    checked = 0
    for action in catalog:
        if action.request_transform or action.response_transform:
            continue
        options = {"catalog": catalog, "base_url": BASE, "env": env}
        requests = edge_requests(action, **options) + draw_examples(
            conforming_requests(action, **options), 25, seed_value=3
        )
        route = GraphQLRoute(catalog, action, target, profile, base_url=BASE, env=env, timeout=None)
        try:
            for request in requests:
                call, client = route.exchange(request)
                sent = call.request.payload or {}
                generated = request.payload or {}
                assert sent["input"] == generated["input"], (action.name, client["query"], client["variables"])
                if not action.is_async:
                    assert sent["request_query"] == generated["request_query"] == client["query"]
                else:
                    assert sent["request_query"] is None
                checked += 1
        finally:
            route.close()
    assert checked > 0


def test_a_run_via_graphql_holds_against_the_mock() -> None:
    catalog = load_catalog(FIXTURES / "projects" / "shop", env=SHOP_ENV)
    settings = Settings(examples=10, adversarial_examples=4, database=None, seed=5, env=SHOP_ENV, via_graphql=True)
    with app_target(MockHandler(catalog, require_secret=True, env=SHOP_ENV), kind="asgi") as target:
        report = run_contract(catalog, target, settings)
    assert report.passed, [(f.action, f.check, f.finding.title) for f in report.failures]
    assert report.options["via_graphql"] is True


def test_failures_via_graphql_show_the_clients_operation_and_reply() -> None:
    catalog = load_catalog(FIXTURES / "projects" / "shop", env=SHOP_ENV)
    settings = Settings(
        examples=5, adversarial=False, database=None, seed=1, env=SHOP_ENV, via_graphql=True, actions=("placeOrder",)
    )
    with app_target("fixtures/handlers/faulty.py:html_crash_app") as target:
        report = run_contract(catalog, target, settings)
    failure = next(f for f in report.failures if f.check == "hasura_accepts")
    assert failure.graphql is not None
    assert failure.graphql["query"].startswith("mutation")
    error = failure.graphql["response"]["errors"][0]
    assert error["message"] == "not a valid json response from webhook"
    data = render_json(report, catalog=catalog)
    shown = next(f for f in data["failures"] if f["check"] == "hasura_accepts")
    assert shown["graphql"]["response"] == failure.graphql["response"]
    assert shown["graphql"]["headers"]["x-hasura-role"]


def test_check_via_graphql_on_the_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "check",
            str(FIXTURES / "projects" / "shop"),
            "--app",
            "fixtures/handlers/faulty.py:html_crash_app",
            "--via-graphql",
            "--action",
            "placeOrder",
            "--examples",
            "5",
            "--no-adversarial",
            "--no-database",
            "--seed",
            "1",
            "-q",
            "--report-json",
            str(tmp_path / "report.json"),
        ],
        env=SHOP_ENV,
    )
    assert result.exit_code == 1, result.output
    assert "the client's GraphQL operation:" in result.output
    assert "the client gets:" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["options"]["via_graphql"] is True
