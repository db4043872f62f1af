"""run_contract end to end against the bundled handlers: the correct one passes, each faulty one fails its check."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES
from servers import serving

from action_contract import (
    CallableTarget,
    HttpTarget,
    Settings,
    app_target,
    check_request,
    load_catalog,
    run_contract,
    run_group,
)
from action_contract._send._app_loader import load_app

SHOP = FIXTURES / "projects" / "shop"
HANDLERS = FIXTURES / "handlers"
QUICK = Settings(examples=25, adversarial_examples=25, database=None, seed=7)


@pytest.fixture(scope="module")
def shop():
    return load_catalog(SHOP)


def _app(name: str):
    return app_target(f"{HANDLERS / ('shop.py' if name == 'app' else 'faulty.py')}:{name}")


def _failed(report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for failure in report.failures:
        if failure.fatal:
            found.setdefault(failure.check, set()).add(failure.action)
    return found


def test_the_correct_handler_keeps_every_contract(shop):
    with _app("app") as target:
        report = run_contract(shop, target, QUICK)
    assert report.passed, [f.finding for f in report.failures]
    ran = {(r.action, r.group) for r in report.results if r.skipped is None}
    assert ("placeOrder", "secret") in ran and ("quote", "adversarial") in ran
    assert ("quote", "secret") not in ran  # quote declares no secret header
    conforming = next(r for r in report.results if r.action == "placeOrder" and r.group == "conforming")
    # The fixed edge cases run first, then the generated ones.
    assert conforming.cases >= QUICK.examples
    assert sum(count for status, count in conforming.statuses.items() if status.startswith("2")) > 0
    adversarial = next(r for r in report.results if r.action == "placeOrder" and r.group == "adversarial")
    assert len(adversarial.violations) >= 5
    assert "missing_secret_header" not in adversarial.violations


FAULTS = [
    pytest.param("envelope_app", "hasura_accepts", id="envelope"),
    pytest.param("string_error_app", "hasura_accepts", id="string-error-200"),
    pytest.param("html_crash_app", "hasura_accepts", id="html-500"),
    pytest.param("not_json_app", "hasura_accepts", id="204-empty"),
    pytest.param("loose_types_app", "output_conforms", id="loose-types"),
    pytest.param("detail_422_app", "error_object", id="422-detail"),
    pytest.param("empty_error_app", "error_object", id="empty-error"),
    pytest.param("rejects_everything_app", "accepts_valid", id="rejects-everything"),
    pytest.param("accepts_anything_app", "rejects_invalid", id="accepts-anything"),
    pytest.param("crashes_on_invalid_app", "rejects_invalid", id="crashes-on-invalid"),
    pytest.param("ignores_secret_app", "enforces_secret", id="ignores-secret"),
]


@pytest.mark.parametrize(("app", "check"), FAULTS)
def test_each_faulty_handler_fails_its_check(shop, app, check):
    with _app(app) as target:
        report = run_contract(shop, target, QUICK)
    assert not report.passed
    assert check in _failed(report), sorted(_failed(report))
    # De-duplicated: one failure per (action, check, kind).
    keys = [f.key for f in report.failures]
    assert len(keys) == len(set(keys))


def test_failures_are_shrunk_to_a_minimal_request(shop):
    with _app("envelope_app") as target:
        report = run_contract(shop, target, Settings(examples=30, adversarial=False, database=None, seed=3))
    failure = next(f for f in report.failures if f.action == "placeOrder" and f.check == "hasura_accepts")
    payload = failure.request.payload
    assert payload is not None
    # Minimal: no order line (an empty list is valid for [OrderItemInput!]!) and the optionals absent.
    assert payload["input"] == {"items": []}
    assert failure.hasura_error is not None and "expected in webhook response" in failure.hasura_error["message"]


def test_no_strict_turns_output_findings_into_warnings(shop):
    with _app("loose_types_app") as target:
        report = run_contract(
            shop, target, Settings(examples=25, adversarial=False, database=None, seed=1, strict=False)
        )
    assert report.passed
    assert any(f.check == "output_conforms" and not f.fatal for f in report.failures)


def test_excluded_checks_do_not_run(shop):
    with _app("ignores_secret_app") as target:
        report = run_contract(
            shop,
            target,
            Settings(examples=5, adversarial_examples=5, database=None, exclude_checks=("enforces_secret",)),
        )
    assert report.passed


def _recording_target(log: list[bytes]):
    def handler(payload, headers):
        log.append(json.dumps(payload, sort_keys=True).encode())
        return 400, {"message": "no"}

    return CallableTarget(handler)


def test_the_same_seed_sends_the_same_requests(shop):
    runs = []
    for _ in range(2):
        log: list[bytes] = []
        with _recording_target(log) as target:
            run_group(
                shop, "placeOrder", "conforming", target, Settings(examples=15, database=None, seed=11, shrink=False)
            )
        runs.append(log)
    # Units of work run concurrently, so the order may differ; the requests may not.
    assert sorted(runs[0]) == sorted(runs[1]) and len(runs[0]) >= 15
    other: list[bytes] = []
    with _recording_target(other) as target:
        run_group(shop, "placeOrder", "conforming", target, Settings(examples=15, database=None, seed=12, shrink=False))
    assert other != runs[0]


def test_derandomized_runs_repeat_without_a_database(shop, tmp_path):
    runs = []
    for _ in range(2):
        log: list[bytes] = []
        with _recording_target(log) as target:
            run_group(
                shop,
                "quote",
                "adversarial",
                target,
                Settings(adversarial_examples=10, derandomize=True, database=str(tmp_path)),
            )
        runs.append(log)
    assert sorted(runs[0]) == sorted(runs[1])
    assert not any(tmp_path.iterdir())  # derandomized runs keep no examples


def test_the_example_database_replays_an_earlier_failure_first(shop, tmp_path):
    # A handler that breaks only on some inputs: a coupon of 7 characters or more.
    coupons: list[str] = []

    def handler(payload, headers):
        coupon = (payload["input"] or {}).get("coupon") or ""
        if len(coupon) >= 7:
            coupons.append(coupon)
            return 200, {"wrong": True}
        return 400, {"message": "out of stock", "code": "out-of-stock"}

    settings = Settings(
        examples=200, adversarial=False, database=str(tmp_path / "db"), exclude_checks=("accepts_valid",), seed=3
    )
    with CallableTarget(handler) as target:
        first = run_group(shop, "placeOrder", "conforming", target, settings)
    assert not first.passed
    minimal = first.failures[0].request.payload["input"]["coupon"]
    coupons.clear()
    replay = Settings(examples=1, adversarial=False, database=str(tmp_path / "db"), exclude_checks=("accepts_valid",))
    with CallableTarget(handler) as target:
        second = run_group(shop, "placeOrder", "conforming", target, replay)
    # The earlier minimal failure is sent again whatever the second run's seed (its budget is one example), and
    # fails again.
    assert not second.passed and minimal in coupons, coupons


def test_a_slow_handler_fails_at_the_deadline_and_the_run_goes_on(shop, monkeypatch):
    monkeypatch.setenv("SLOW_HANDLER_SECONDS", "2")
    with _app("slow_app") as target:
        report = run_contract(
            shop,
            target,
            Settings(actions=("placeOrder",), examples=3, adversarial=False, database=None, timeout=0.2, shrink=False),
        )
    kinds = {f.finding.kind for f in report.failures if f.check == "hasura_accepts"}
    assert "transport:timeout" in kinds
    assert report.elapsed < 30


def test_actions_with_transforms_are_checked_through_them(tmp_path):
    path = tmp_path / "calls.json"
    path.write_text(
        json.dumps(
            [
                {
                    "type": "set_custom_types",
                    "args": {"objects": [{"name": "Out", "fields": [{"name": "id", "type": "Int!"}]}]},
                },
                {
                    "type": "create_action",
                    "args": {
                        "name": "shaped",
                        "definition": {
                            "kind": "synchronous",
                            "type": "mutation",
                            "arguments": [],
                            "output_type": "Out",
                            "handler": "http://localhost:3000/shaped",
                            "response_transform": {
                                "version": 2,
                                "template_engine": "Kriti",
                                "body": {"action": "transform", "template": "{}"},
                            },
                        },
                    },
                },
            ]
        )
    )
    catalog = load_catalog(path)
    with CallableTarget(lambda payload, headers: (200, {"id": 1})) as target:
        report = run_contract(catalog, target, QUICK)
    conforming = next(r for r in report.results if r.group == "conforming")
    assert not conforming.skipped and conforming.cases > 0
    # The template drops the non-null `id` the handler sent: Hasura refuses what the transform made.
    assert ("hasura_accepts", "missing_field") in {(f.check, f.finding.kind) for f in report.failures}


def test_check_request_reproduces_a_failure(shop):
    with _app("envelope_app") as target:
        report = run_contract(
            shop, target, Settings(actions=("cancelOrder",), examples=5, adversarial=False, database=None)
        )
        failure = next(f for f in report.failures if f.check == "hasura_accepts")
        again = check_request(shop, failure.request, target)
    assert [f.key for f in again] == [failure.key]
    with _app("app") as target:
        assert check_request(shop, failure.request, target) == []


def test_over_real_http_on_loopback(shop, monkeypatch):
    app = load_app(f"{HANDLERS / 'shop.py'}:app")
    with serving(app) as base_url, HttpTarget() as target:
        report = run_contract(
            shop, target, Settings(examples=20, adversarial_examples=20, database=None, seed=2, base_url=base_url)
        )
    assert report.passed, [f.finding for f in report.failures]
    first = next(f for f in report.results if f.cases)
    assert all(latency < 5 for latency in first.latencies)


def test_an_unreachable_handler_fails_once_per_action_not_once_per_request(shop):
    with HttpTarget() as target:
        report = run_contract(
            shop, target, Settings(actions=("placeOrder",), base_url="http://127.0.0.1:9", database=None)
        )
    assert [(f.check, f.finding.kind) for f in report.failures] == [("hasura_accepts", "transport:refused")]
    conforming, adversarial, secret = report.results
    # Requests already in flight when the first refusal comes back are refused too; no more are sent.
    assert 1 <= conforming.cases <= 16 and conforming.unreachable is not None
    assert adversarial.skipped is not None and "never answered" in adversarial.skipped
    assert secret.skipped == adversarial.skipped
