"""`pytest --action-contract`, run for real with pytester."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
from conftest import FIXTURES

# Imported by this process, so pytester's in-process runs share one copy: PyYAML's C extension holds on to
# the node classes of the first import, and a second import after pytester unloads modules breaks it.
import action_contract  # noqa: F401

SHOP = FIXTURES / "projects" / "shop"
GOOD = f"{FIXTURES / 'handlers' / 'shop.py'}:app"
FAULTY = FIXTURES / "handlers" / "faulty.py"
QUICK = ["--action-contract-examples=8", "--action-contract-adversarial-examples=8", "--action-contract-database=none"]


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_nothing_changes_without_the_flag(pytester: pytest.Pytester):
    pytester.makepyfile("def test_one():\n    assert True\n")
    result = _run(pytester, f"--action-contract-path={SHOP}")
    result.assert_outcomes(passed=1)
    assert "placeOrder" not in result.stdout.str()


def test_one_item_per_action_and_group(pytester: pytest.Pytester):
    result = _run(
        pytester,
        "--action-contract",
        f"--action-contract-path={SHOP}",
        f"--action-contract-app={GOOD}",
        "--collect-only",
        "-q",
    )
    out = result.stdout.str()
    for action in ("placeOrder", "cancelOrder", "importCatalog", "quote", "recommendations"):
        for group in ("conforming", "adversarial", "secret"):
            assert f"{action}[{group}]" in out


def test_the_correct_handler_passes_and_groups_without_secrets_skip(pytester: pytest.Pytester):
    result = _run(
        pytester, "--action-contract", f"--action-contract-path={SHOP}", f"--action-contract-app={GOOD}", *QUICK
    )
    # placeOrder and cancelOrder declare the secret header; the other three have nothing to enforce.
    result.assert_outcomes(passed=12, skipped=3)


def test_failures_carry_the_report_and_k_selects(pytester: pytest.Pytester):
    result = _run(
        pytester,
        "--action-contract",
        f"--action-contract-path={SHOP}",
        f"--action-contract-app={FAULTY}:envelope_app",
        "-k",
        "cancelOrder and conforming",
        *QUICK,
    )
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "hasura_accepts" in out and "Hasura tells the client" in out
    assert "reproduce with curl" in out and "$SHOP_WEBHOOK_SECRET" in out
    assert "change-me" not in out.split("reproduce with pytest")[0]


def test_ini_keys_and_junitxml(pytester: pytest.Pytester):
    pytester.makeini(
        f"""
        [pytest]
        action_contract = true
        action_contract_path = {SHOP}
        action_contract_app = {FAULTY}:ignores_secret_app
        action_contract_examples = 5
        action_contract_adversarial_examples = 5
        action_contract_database = none
        """
    )
    junit = pytester.path / "junit.xml"
    result = _run(pytester, "-k", "secret", f"--junitxml={junit}")
    result.assert_outcomes(failed=2, skipped=3)
    cases = ElementTree.parse(junit).getroot().iter("testcase")
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {"placeOrder[secret]", "cancelOrder[secret]"}


def test_a_bad_path_is_a_usage_error(pytester: pytest.Pytester):
    result = _run(pytester, "--action-contract", f"--action-contract-path={FIXTURES / 'nope'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "nope" in result.stderr.str()


def test_fixtures_for_users_own_hypothesis_tests(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        from hypothesis import given, settings

        from action_contract import check_request, conforming_requests, load_catalog

        def test_quote_with_our_strategy(action_catalog, action_target):
            @settings(max_examples=10, database=None)
            @given(conforming_requests("quote", catalog=action_catalog))
            def inner(request):
                assert check_request(action_catalog, request, action_target) == []

            inner()
        """
    )
    result = _run(pytester, f"--action-contract-path={SHOP}", f"--action-contract-app={GOOD}")
    result.assert_outcomes(passed=1)


def test_report_html_collects_every_item_of_the_run(pytester: pytest.Pytester):
    out = pytester.path / "contract.html"
    result = _run(
        pytester,
        "--action-contract",
        f"--action-contract-path={SHOP}",
        f"--action-contract-app={FAULTY}:envelope_app",
        f"--action-contract-report-html={out}",
        "--action-contract-timeout=7.5",
        *QUICK,
    )
    assert result.ret == 1
    text = out.read_text(encoding="utf-8")
    # The run's options, as `check` records them; the timeout override is drawn on every chart.
    assert "&quot;timeout&quot;: 7.5" in text and "&quot;adversarial&quot;: true" in text
    for action in ("placeOrder", "cancelOrder", "importCatalog", "quote", "recommendations"):
        assert f'<tr data-action="{action}">' in text
    assert 'class="cell failed"' in text and "hasura_accepts" in text
    assert '<button class="copy"' in text


def test_runs_under_xdist(pytester: pytest.Pytester):
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-n",
        "2",
        "--action-contract",
        f"--action-contract-path={SHOP}",
        f"--action-contract-app={GOOD}",
        "--action-contract-report-html=run.html",
        *QUICK,
    )
    result.assert_outcomes(passed=12, skipped=3)
    # Each worker writes the groups it ran to a page of its own.
    pages = sorted(p.name for p in pytester.path.glob("run-gw*.html"))
    assert pages == ["run-gw0.html", "run-gw1.html"]


def test_the_action_mock_fixture_answers_httpx_calls_with_marker_options(pytester: pytest.Pytester):
    pytester.makefile(".yaml", examples="quote:\n  reply: {total: 9.5, currency: EUR}\n")
    pytester.makepyfile(
        """
        import httpx
        import pytest

        QUOTE = {
            "action": {"name": "quote"},
            "input": {"items": []},
            "session_variables": {"x-hasura-role": "anonymous"},
        }

        def test_default(action_mock):
            # A backend-for-frontend's own code would make this call.
            reply = httpx.post("http://localhost:3000/quote", json=QUOTE)
            assert reply.status_code == 200 and set(reply.json()) >= {"total", "currency"}
            assert [entry["action"] for entry in action_mock.journal] == ["quote"]

        @pytest.mark.action_mock(examples="examples.yaml")
        def test_examples(action_mock):
            assert httpx.post("http://localhost:3000/quote", json=QUOTE).json()["currency"] == "EUR"

        @pytest.mark.action_mock(scenario="server-error")
        def test_scenario(action_mock):
            assert httpx.post("http://localhost:3000/quote", json=QUOTE).status_code == 500

        @pytest.mark.action_mock(seed=1)
        def test_seed(action_mock):
            first = httpx.post("http://localhost:3000/quote", json=QUOTE).json()
            assert httpx.post("http://localhost:3000/quote", json=QUOTE).json() == first

        @pytest.mark.action_mock(sead=1)
        def test_typo(action_mock):
            pass
        """
    )
    result = _run(pytester, f"--action-contract-path={SHOP}")
    result.assert_outcomes(passed=4, errors=1)
    assert "unknown option 'sead'" in result.stdout.str()


def test_the_hasura_executor_fixture_runs_graphql_against_the_configured_handlers(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        PLACE = "mutation ($items: [OrderItemInput!]!) { placeOrder(items: $items) { orderId total } }"
        ITEMS = {"items": [{"sku": "A1", "quantity": 2}]}

        def test_the_handler(hasura_executor):
            # The app given with --action-contract-app answers: the README's example.
            reply = hasura_executor.execute(
                PLACE, ITEMS, headers={"x-hasura-role": "customer", "x-hasura-user-id": "7"}
            )
            assert reply.errors == [], reply.body
            assert set(reply.data["placeOrder"]) == {"orderId", "total"}
            assert reply.calls[0].request.payload["session_variables"]["x-hasura-user-id"] == "7"

        @pytest.mark.hasura_executor(mock=True, admin_secret="s3cret")
        def test_the_mock_behind_a_secret(hasura_executor):
            refused = hasura_executor.execute("{ __typename }")
            assert refused.status == 401
            ok = hasura_executor.execute("mutation { importCatalog(url: \\"https://x.test/c.csv\\") }",
                                         headers={"x-hasura-admin-secret": "s3cret"})
            action_id = ok.data["importCatalog"]
            result = hasura_executor.execute(
                "query ($id: uuid!) { importCatalog(id: $id) { output { imported } errors } }",
                {"id": action_id}, headers={"x-hasura-admin-secret": "s3cret"},
            )
            assert result.data["importCatalog"]["errors"] is None
            assert isinstance(result.data["importCatalog"]["output"]["imported"], int)

        @pytest.mark.hasura_executor(admin_secrets="x")
        def test_typo(hasura_executor):
            pass
        """
    )
    result = _run(pytester, f"--action-contract-path={SHOP}", f"--action-contract-app={GOOD}")
    result.assert_outcomes(passed=2, errors=1)
    assert "unknown option 'admin_secrets'" in result.stdout.str()
