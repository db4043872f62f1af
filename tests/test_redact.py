"""A handler that echoes its secret header never puts the secret in a report: text, JSON, JUnit, HTML, pytest.

The shop's `X-Shop-Secret` comes from SHOP_WEBHOOK_SECRET (`value_from_env`); this handler answers
every call with a 500 whose body and headers repeat it, so every failure carries it in its reply.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from conftest import FIXTURES
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from action_contract import (
    Settings,
    app_target,
    load_catalog,
    render_failure,
    render_json,
    render_junit,
    render_text,
    run_contract,
)
from action_contract._render._html import render_html
from action_contract._render._redact import redact_data, redact_text

SECRET = 's3cr3t-Value/with"quote'
CATALOG = load_catalog(FIXTURES / "projects" / "shop", env={"SHOP_WEBHOOK_SECRET": SECRET})


async def _echo(request: Request) -> JSONResponse:
    secret = request.headers.get("x-shop-secret", "")
    return JSONResponse(
        {"message": f"bad secret {secret}", "echo": {"x-shop-secret": secret}},
        status_code=500,
        headers={"x-echo": secret},
    )


ECHO = Starlette(routes=[Route("/{path:path}", _echo, methods=["POST"])])


@pytest.fixture(scope="module")
def report():
    settings = Settings(
        examples=3, adversarial_examples=3, database=None, seed=1, shrink=False, actions=("placeOrder",)
    )
    with app_target(ECHO) as target:
        return run_contract(CATALOG, target, settings)


def test_the_echo_really_carries_the_secret(report) -> None:
    bodies = [f.response.body.decode() for f in report.failures]
    assert any("s3cr3t-Value" in body for body in bodies)  # else the test below proves nothing


def test_no_report_shows_the_secret(report) -> None:
    renderings = {
        "text": render_text(report, catalog=CATALOG),
        "json": json.dumps(render_json(report, catalog=CATALOG)),
        "junit": render_junit(report, catalog=CATALOG),
        "html": render_html(report, catalog=CATALOG),
        "failure": "\n".join(render_failure(f, catalog=CATALOG, metadata="m", target="t") for f in report.failures),
    }
    for name, text in renderings.items():
        assert "s3cr3t-Value" not in text, name
        assert "***" in text, name


def test_the_requests_sent_keep_the_secret(report) -> None:
    sent = [f.request.header("X-Shop-Secret") for f in report.failures if f.request.header("X-Shop-Secret")]
    assert SECRET in sent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("token abcd1234 here", "token *** here"),
        ("abc", "***"),  # a short secret only when it is the whole string
        ("xabcx", "xabcx"),
        ('{"t": "a\\"b12"}', '{"t": "***"}'),  # the JSON-escaped form too
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    secrets = ("abcd1234", "abc", 'a"b12', 'a\\"b12')
    assert redact_text(text, tuple(sorted(secrets, key=len, reverse=True))) == expected


def test_redact_data_walks_keys_and_values() -> None:
    data = {"h": [["x-echo", "key-1234"]], "key-1234": {"n": 1}}
    assert redact_data(data, ("key-1234",)) == {"h": [["x-echo", "***"]], "***": {"n": 1}}


def test_pytest_output_does_not_show_the_secret(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        textwrap.dedent(
            """
            from starlette.applications import Starlette
            from starlette.responses import JSONResponse
            from starlette.routing import Route

            async def echo(request):
                secret = request.headers.get("x-shop-secret", "")
                return JSONResponse({"message": "bad " + secret}, status_code=500)

            app = Starlette(routes=[Route("/{path:path}", echo, methods=["POST"])])
            """
        )
    )
    pytester.makepyfile(test_nothing="def test_x():\n    pass\n")
    # In a subprocess: the installed plugin module is already imported here, and pytest would warn it cannot rewrite it.
    result = pytester.runpytest_subprocess(
        "--action-contract",
        "--action-contract-path",
        str(FIXTURES / "projects" / "shop"),
        "--action-contract-app",
        "conftest:app",
        "--action-contract-examples",
        "3",
        "--action-contract-adversarial-examples",
        "3",
        "--action-contract-database",
        "none",
        "-k",
        "placeOrder",
        "--action-contract-env",
        f"SHOP_WEBHOOK_SECRET={SECRET}",
        "-p",
        "no:cacheprovider",
    )
    output = result.stdout.str()
    assert "failed" in output, result.stderr.str()
    assert "s3cr3t-Value" not in output
    assert "***" in output
