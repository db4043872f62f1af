"""Failures confirmed before they are reported: attribution on the base, flaky replays, state, secrets, our cap.

Each handler of fixtures/handlers/misleading.py has one real bug; a run must report that bug once per
action it touches, under the right check, with the right severity, and nothing a rule did not cause.
"""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import FIXTURES
from servers import serving

from action_contract import CallableTarget, HttpTarget, Settings, app_target, load_catalog, run_contract, run_group
from action_contract._render._html import render_html
from action_contract._render._text import render_json, render_text
from action_contract._send._app_loader import load_app

SHOP = FIXTURES / "projects" / "shop"
MISLEADING = FIXTURES / "handlers" / "misleading.py"
QUICK = Settings(examples=25, adversarial_examples=25, database=None, seed=7)


@pytest.fixture(scope="module")
def shop():
    return load_catalog(SHOP)


def _run(shop, app: str, settings: Settings = QUICK):
    with app_target(f"{MISLEADING}:{app}") as target:
        return run_contract(shop, target, settings)


def _errors(report) -> list[tuple[str, str, str]]:
    return sorted((f.action, f.check, f.finding.kind) for f in report.failures if f.severity == "error")


def _warnings(report) -> list[tuple[str, str, str]]:
    return sorted((f.action, f.check, f.finding.kind) for f in report.failures if f.severity == "warning")


def test_a_crash_on_percent_is_the_conforming_path_s_and_no_rule_is_blamed(shop):
    report = _run(shop, "percent_crash_app")
    errors = _errors(report)
    # One finding per action (each crashes on a `%` in a session claim), all hasura_accepts, no rule blamed.
    assert errors and {check for _, check, _ in errors} == {"hasura_accepts"}
    assert len({action for action, _, _ in errors}) == len(errors)
    for failure in report.failures:
        assert "%" in failure.request.body.decode(), failure.finding
    assert not _warnings(report)


def test_without_known_bases_the_base_takes_the_blame(shop):
    # An adversarial group run on its own (a pytest item) builds on generated requests, some with a `%`:
    # the crash is replayed on the base, which crashes too, so the failure is the base's.
    with app_target(f"{MISLEADING}:percent_crash_app") as target:
        settings = Settings(adversarial_examples=60, database=None, seed=5, session={"x-hasura-user-id": "50% off"})
        result = run_group(shop, "quote", "adversarial", target, settings)
    assert [(f.group, f.check, f.finding.kind) for f in result.failures] == [
        ("conforming", "hasura_accepts", "unexpected_status")
    ]
    failure = result.failures[0]
    assert failure.request.violation is None and "fails the same way" in failure.note
    assert failure.severity == "error"


def test_leniency_with_unknown_keys_is_a_warning_only(shop):
    report = _run(shop, "lenient_app")
    assert not _errors(report) and report.passed
    warnings = _warnings(report)
    assert warnings and {kind for _, _, kind in warnings} <= {"unknown_argument:2xx", "unknown_field:2xx"}
    assert {check for _, check, _ in warnings} == {"rejects_invalid"}


def test_adversarial_strict_makes_leniency_an_error(shop):
    report = _run(
        shop,
        "lenient_app",
        Settings(examples=10, adversarial_examples=25, database=None, seed=7, adversarial_strict=True),
    )
    assert not report.passed
    assert {kind for _, _, kind in _errors(report)} <= {"unknown_argument:2xx", "unknown_field:2xx"}


def test_an_unchecked_secret_is_found_although_most_inputs_are_refused(shop):
    report = _run(shop, "secret_unchecked_app")
    errors = _errors(report)
    assert {(action, check) for action, check, _ in errors} == {
        ("placeOrder", "enforces_secret"),
        ("cancelOrder", "enforces_secret"),
    }
    # Each request without the secret was built on an input the handler accepted with it.
    for failure in report.failures:
        assert failure.request.base is None or failure.request.base.header("X-Shop-Secret") is not None
        assert failure.response.status == 200


def test_refusals_on_inputs_refused_anyway_do_not_count_as_an_enforced_secret(shop):
    # Nothing conforming gets a 2xx: a 4xx without the secret proves nothing, and the run says so.
    def refuses_everything(payload, headers):
        return 400, {"message": "no such order"}

    with CallableTarget(refuses_everything) as target:
        result = run_group(shop, "cancelOrder", "conforming", target, QUICK)
        secret = run_group(shop, "cancelOrder", "secret", target, QUICK)
    assert [f.check for f in result.failures] == ["accepts_valid"]
    assert [(f.check, f.finding.kind, f.severity) for f in secret.failures] == [
        ("enforces_secret", "unconfirmed", "warning")
    ]


def test_a_duplicate_that_crashes_is_one_error_that_names_state(shop):
    report = _run(shop, "duplicate_order_app", Settings(examples=25, adversarial=False, database=None, seed=7))
    assert _errors(report) == [("placeOrder", "hasura_accepts", "unexpected_status")]
    failure = report.failures[0]
    assert "passed earlier in this run" in failure.note and "state" in failure.note


def test_a_failure_that_passes_when_replayed_is_a_flaky_warning(shop):
    calls = itertools.count()

    def one_blip(payload, headers):
        # The fourth call finds the database connection gone; it is back for the next one.
        if next(calls) == 3:
            return 500, {"message": "database connection lost"}
        return 200, []

    with CallableTarget(one_blip) as target:
        result = run_group(shop, "recommendations", "conforming", target, Settings(examples=12, database=None, seed=1))
    flaky = [f for f in result.failures if f.flaky]
    assert flaky and all(f.severity == "warning" for f in flaky)
    failure = flaky[0]
    assert failure.response.status == 500 and failure.replay is not None and failure.replay.status == 200
    assert "state" in failure.note and result.passed


@pytest.mark.parametrize(
    ("cap_mb", "expected"), [(100, []), (10, [("recommendations", "hasura_accepts", "too_large")])]
)
def test_a_12_mb_reply_is_ours_to_read_never_hasura_s_error(shop, cap_mb, expected):
    settings = Settings(examples=5, adversarial=False, database=None, seed=7, actions=("recommendations",))
    with serving(load_app(f"{MISLEADING}:big_reply_app")) as url, HttpTarget(max_body=cap_mb * 2**20) as target:
        report = run_contract(shop, target, Settings(**{**_fields(settings), "base_url": url}))
    assert not _errors(report) and report.passed
    assert _warnings(report) == expected
    for failure in report.failures:
        assert re.fullmatch(r"reply of 12\.\d MB not read past 10 MB", failure.finding.title)
        assert failure.hasura_error is None  # not Hasura's verdict


def _fields(settings: Settings) -> dict:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


def test_a_flaky_failure_shows_both_replies_in_every_report(shop):
    calls = itertools.count()

    def one_blip(payload, headers):
        return (500, {"message": "database connection lost"}) if next(calls) == 3 else (200, [])

    with CallableTarget(one_blip) as target:
        report = run_contract(
            shop, target, Settings(examples=12, adversarial=False, database=None, seed=1, actions=("recommendations",))
        )
    assert report.passed
    text = render_text(report, catalog=shop)
    assert "WARN recommendations · hasura_accepts" in text and "reply when replayed: 200" in text
    data = render_json(report, catalog=shop)
    (failure,) = data["failures"]
    assert (failure["severity"], failure["flaky"]) == ("warning", True)
    assert failure["response"]["status"] == 500 and failure["replay"]["status"] == 200
    page = render_html(report, catalog=shop)
    assert "Reply when replayed" in page and "the contract holds, 1 warning(s)" in page
