"""Rendering real failures: the text report, JSON, JUnit XML, progress, and reproductions that really reproduce.

The failures come from real runs of the faulty shop handlers. The curl lines run in a real shell against
the same handler served over loopback; the pytest snippets run in a pytester project.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shlex
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from conftest import FIXTURES
from servers import serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from action_contract import (
    ActionResponse,
    Failure,
    GroupResult,
    Progress,
    Report,
    Settings,
    app_target,
    edge_requests,
    judge,
    load_catalog,
    render_failure,
    render_json,
    render_junit,
    render_text,
    run_contract,
)
from action_contract._render._reproduce import curl_command, pytest_snippet, secret_sources
from action_contract._run._case import Case
from action_contract._run._checks import hasura_accepts
from action_contract._send._app_loader import load_app

SHOP_DIR = FIXTURES / "projects" / "shop"
FAULTY = FIXTURES / "handlers" / "faulty.py"
CORRECT = FIXTURES / "handlers" / "shop.py"
CATALOG = load_catalog(SHOP_DIR)
SETTINGS = Settings(examples=10, adversarial_examples=10, database=None, seed=1)
SECRET = "change-me"  # SHOP_WEBHOOK_SECRET in fixtures/projects/shop/.env
CHECKS = ["hasura_accepts", "output_conforms", "error_object", "rejects_invalid", "enforces_secret", "accepts_valid"]
WITHOUT_SECRET = ("importCatalog", "quote", "recommendations")
ENVELOPE_TARGET = f"app_target({f'{FAULTY}:envelope_app'!r})"

needs_curl = pytest.mark.skipif(
    shutil.which("curl") is None, reason="curl is not installed, so the curl reproduction lines cannot be run"
)


@dataclasses.dataclass
class Run:
    report: Report
    progress: str


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    """Real runs of three faulty handlers: conforming, adversarial and secret failures between them."""
    done = {}
    for app in ("envelope_app", "detail_422_app", "ignores_secret_app"):
        stream = io.StringIO()
        with app_target(f"{FAULTY}:{app}") as target:
            report = run_contract(CATALOG, target, SETTINGS, progress=Progress(stream, live=False))
        done[app] = Run(report, stream.getvalue())
    # As `action-contract check --app` records it, so the pytest snippet rebuilds the same target.
    done["envelope_app"].report.target = ENVELOPE_TARGET
    return done


@pytest.fixture(scope="module")
def envelope(runs) -> Report:
    return runs["envelope_app"].report


def sources_of(failure: Failure) -> dict[str, str]:
    return secret_sources(CATALOG, failure.request)


# -- the text report ---------------------------------------------------------------------------


def test_the_envelope_handler_fails_hasura_accepts_on_every_action(envelope):
    assert [(f.action, f.check, f.group) for f in envelope.failures] == [
        (action, "hasura_accepts", "conforming") for action in CATALOG.actions
    ]


def test_the_text_report_shows_everything_about_each_failure(envelope):
    text = render_text(envelope, catalog=CATALOG)
    for failure in envelope.failures:
        finding, request, response = failure.finding, failure.request, failure.response
        block = render_failure(
            failure,
            catalog=CATALOG,
            metadata=envelope.source or "",
            target=envelope.target,
            hasura_version=envelope.hasura_version,
        )
        assert block in text
        lines = block.splitlines()
        assert lines[0] == f"FAIL {failure.action} · hasura_accepts · {finding.kind}"
        assert f"  expected: {finding.expected}" in lines
        assert f"  found:    {finding.found}" in lines
        assert f"  at:       {finding.path}" in lines
        # What Hasura tells the client, as the JSON it is.
        assert failure.hasura_error is not None and failure.hasura_error["message"] in finding.title
        assert textwrap.indent(json.dumps(failure.hasura_error, indent=2, ensure_ascii=False), "    ") in block
        # The request, as sent (secrets aside).
        assert f"    {request.method} {request.url}" in lines
        assert textwrap.indent(json.dumps(json.loads(request.body), indent=2, ensure_ascii=False), "    ") in block
        # The reply, status and body.
        assert any(line.startswith(f"  reply: {response.status} in ") for line in lines)
        assert textwrap.indent(json.dumps(json.loads(response.body), indent=2, ensure_ascii=False), "    ") in block
        # Both reproductions.
        curl = curl_command(request, sources_of(failure))
        assert lines[lines.index("  reproduce with curl:") + 1] == "    " + curl
        snippet = pytest_snippet(
            request, sources_of(failure), check="hasura_accepts", metadata=envelope.source or "", target=envelope.target
        )
        assert block.endswith("  reproduce with pytest:\n" + textwrap.indent(snippet, "    ").rstrip("\n"))


def test_the_summary_lists_actions_by_checks(envelope):
    text = render_text(envelope, catalog=CATALOG)
    summary = text.split("\n\n")[-2:]
    lines = summary[0].splitlines()
    table = [line.split() for line in lines if not line.startswith("not run: ")]
    assert table[0] == ["action", *CHECKS]
    rows = {row[0]: row[1:] for row in table[1:]}
    assert list(rows) == list(CATALOG.actions)
    for action, cells in rows.items():
        # A check that judged no reply says so, and why, under the table.
        secret = ["not", "run"] if action in WITHOUT_SECRET else ["ok"]
        assert cells == ["FAIL", "1", "ok", "ok", "ok", *secret, "ok"], action
    assert {line.split(":")[1].strip() for line in lines if line.startswith("not run: ")} == set(WITHOUT_SECRET)
    assert all(line.endswith("so there is no secret to enforce") for line in lines if line.startswith("not run: "))
    assert summary[1].startswith(f"5 failures; {envelope.cases} cases in ")
    assert summary[1].endswith(", 3 groups skipped (seed 1, Hasura v2.45.0)\n")


def test_the_summary_adds_up_a_check_over_its_groups(envelope):
    # error_object reads all three groups; its failures there must add up, and a fatal one
    # must not hide behind a warning found earlier.
    base = envelope.failures[0]

    def failure(group: Any, kind: str, *, fatal: bool = True) -> Failure:
        finding = dataclasses.replace(base.finding, check="error_object", kind=kind)
        return dataclasses.replace(base, group=group, finding=finding, severity="error" if fatal else "warning")

    def report(*failures: Failure) -> Report:
        results = [
            GroupResult(action="placeOrder", group=f.group, cases=1, failures=[f], checks=("error_object",))
            for f in failures
        ]
        return Report(results=results, seed=1)

    def cell(report: Report) -> str:
        line = render_text(report).split("\n\n")[-2].splitlines()[1]
        return line.removeprefix("placeOrder").strip()

    assert cell(report(failure("adversarial", "a"), failure("secret", "b"))) == "FAIL 2"
    assert cell(report(failure("conforming", "a", fatal=False), failure("secret", "b"))) == "FAIL 1"
    assert cell(report(failure("conforming", "a", fatal=False))) == "warn 1"


REDACTED = [
    pytest.param("envelope_app", True, id="conforming-failures"),
    pytest.param("detail_422_app", True, id="adversarial-failures"),
    # Its failures are the requests sent without the secret, or with a wrong one.
    pytest.param("ignores_secret_app", False, id="secret-failures"),
]


@pytest.mark.parametrize(("app", "sent_the_secret"), REDACTED)
def test_no_rendering_shows_the_secret(runs, app, sent_the_secret):
    report = runs[app].report
    assert report.failures
    # The requests keep the secret (it was sent); only what is rendered hides it.
    assert any(f.request.header("X-Shop-Secret") == SECRET for f in report.failures) is sent_the_secret
    outputs = {
        "text": render_text(report, catalog=CATALOG),
        "json": json.dumps(render_json(report, catalog=CATALOG), ensure_ascii=False),
        "junit": render_junit(report, catalog=CATALOG),
    }
    for kind, output in outputs.items():
        assert SECRET not in output, kind
        assert ("$SHOP_WEBHOOK_SECRET" in output) is sent_the_secret, kind


def test_a_wrong_secret_is_shown_as_sent(runs):
    wrong = next(f for f in runs["ignores_secret_app"].report.failures if f.request.violation == "wrong_secret_header")
    assert sources_of(wrong) == {}  # the wrong value is what the failure is about, and it is no secret
    block = render_failure(wrong, catalog=CATALOG, metadata="m", target="HttpTarget()")
    assert f"    X-Shop-Secret: {wrong.request.header('X-Shop-Secret')}" in block.splitlines()


# -- the curl line reproduces ------------------------------------------------------------------


def run_curl(line: str, *, secret: str = SECRET, shell: str = "bash") -> tuple[int, bytes]:
    env = {**os.environ, "SHOP_WEBHOOK_SECRET": secret}
    done = subprocess.run([shell, "-c", line], capture_output=True, env=env, timeout=30, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@needs_curl
def test_the_curl_line_reproduces_each_failure(envelope, monkeypatch):
    monkeypatch.setenv("SHOP_WEBHOOK_SECRET", SECRET)  # what the served handler expects
    text = render_text(envelope, catalog=CATALOG)
    with serving(load_app(f"{FAULTY}:envelope_app")) as base:
        for failure in envelope.failures:
            request = failure.request
            url = base + urlsplit(request.url).path
            line = curl_command(request, sources_of(failure), url=url)
            # The report's line, pointed at the served handler.
            assert line.replace(shlex.quote(url), shlex.quote(request.url)) in text
            status, body = run_curl(line)
            assert (status, json.loads(body)) == (failure.response.status, json.loads(failure.response.body))
        # The secret really comes from the shell's environment: a wrong one is refused.
        secret_failure = next(f for f in envelope.failures if f.action == "placeOrder")
        line = curl_command(secret_failure.request, sources_of(secret_failure), url=base + "/place-order")
        status, body = run_curl(line, secret="not-the-secret")
        assert status == 401 and json.loads(body)["extensions"]["code"] == "unauthorized"


async def _echo(request: Request) -> JSONResponse:
    body = await request.body()
    headers = [[name.decode("latin-1"), value.decode("latin-1")] for name, value in request.headers.raw]
    return JSONResponse({"headers": headers, "body": body.hex()})


ECHO = Starlette(routes=[Route("/{path:path}", _echo, methods=["POST"])])
PLACE_ORDER = edge_requests("placeOrder", catalog=CATALOG)[0]
ECHOED = [
    pytest.param(PLACE_ORDER, id="json-with-secret-from-env"),
    pytest.param(
        dataclasses.replace(
            PLACE_ORDER,
            payload={**PLACE_ORDER.payload, "input": {"items": [], "coupon": 'it\'s "50%" off\n\\ ünïcödé ✓ $HOME'}},
        ),
        id="quotes-newline-unicode-dollar",
    ),
    pytest.param(
        dataclasses.replace(
            PLACE_ORDER,
            payload=None,
            raw_body='{"input": {"coupon": "café 100% \'off\' \\\\n"}, "x": "%s"}'.encode("latin-1"),
            violation="not_json",
            violation_path="$",
        ),
        id="body-not-utf8",
    ),
    pytest.param(
        dataclasses.replace(PLACE_ORDER, payload=None, raw_body=b"\x00\xff\x7f\n", violation="not_json"),
        id="binary-body",
    ),
    pytest.param(
        dataclasses.replace(
            PLACE_ORDER,
            headers=tuple((n, "" if n == "X-Shop-Secret" else v) for n, v in PLACE_ORDER.headers),
            violation="wrong_secret_header",
            violation_path="X-Shop-Secret",
        ),
        id="empty-header-value",
    ),
]


@pytest.fixture(scope="module")
def echo_url():
    with serving(ECHO) as base:
        yield base + "/place-order"


@needs_curl
@pytest.mark.parametrize("shell", ["bash", "sh"])
@pytest.mark.parametrize("request_", ECHOED)
def test_the_curl_line_sends_exactly_the_request(request_, shell, echo_url):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    sources = secret_sources(CATALOG, request_)
    line = curl_command(request_, sources, url=echo_url)
    status, body = run_curl(line, shell=shell)
    assert status == 200
    if request_.body.decode("utf-8", errors="replace").encode() != request_.body:
        assert line.startswith("printf '%b' ") and line.endswith(" --data-binary @-")
    echoed = json.loads(body)
    assert bytes.fromhex(echoed["body"]) == request_.body
    received = [(name.lower(), value) for name, value in echoed["headers"]]
    for name, value in request_.headers:
        assert (name.lower(), SECRET if name.lower() in sources else value) in received, name


# -- the pytest snippet reproduces -------------------------------------------------------------


def test_the_pytest_snippet_reproduces_the_failure_and_passes_once_fixed(envelope, pytester, monkeypatch):
    failure = next(f for f in envelope.failures if f.action == "placeOrder")
    snippet = pytest_snippet(
        failure.request,
        sources_of(failure),
        check=failure.check,
        metadata=envelope.source or "",
        target=envelope.target,
    )
    assert textwrap.indent(snippet, "    ") in render_text(envelope, catalog=CATALOG)
    assert "from action_contract import ActionRequest, app_target, check_request, load_catalog" in snippet
    assert SECRET not in snippet and "os.environ['SHOP_WEBHOOK_SECRET']" in snippet
    # The snippet names the metadata as the run did: run it from the same place.
    metadata = Path(envelope.source or "")
    if not metadata.is_absolute():
        (pytester.path / metadata).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / metadata).symlink_to(SHOP_DIR, target_is_directory=True)
    monkeypatch.setenv("SHOP_WEBHOOK_SECRET", SECRET)

    pytester.makepyfile(test_reproduces=snippet)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "test_reproduces.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*check='hasura_accepts'*kind='missing_field'*"])

    fixed = snippet.replace(f"{FAULTY}:envelope_app", f"{CORRECT}:app")
    assert fixed != snippet
    pytester.makepyfile(test_fixed=fixed)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "test_fixed.py")
    result.assert_outcomes(passed=1)


def test_the_pytest_snippet_defaults_to_http(runs):
    report = runs["detail_422_app"].report
    assert report.target == "HttpTarget()"
    failure = report.failures[0]
    text = render_failure(failure, catalog=CATALOG, metadata="fixtures/projects/shop", target=report.target)
    assert "    from action_contract import ActionRequest, HttpTarget, check_request, load_catalog" in text
    assert "        with HttpTarget() as target:" in text
    assert f"            violation={failure.request.violation!r}," in text


# -- JSON --------------------------------------------------------------------------------------


def test_render_json_is_the_report_as_data(envelope):
    data = render_json(envelope, catalog=CATALOG)
    text = json.dumps(data)
    assert json.dumps(json.loads(text)) == text  # plain JSON all the way down
    assert (data["passed"], data["seed"], data["cases"]) == (False, 1, envelope.cases)
    assert [(r["action"], r["group"], r["skipped"] is not None) for r in data["results"]] == [
        (r.action, r.group, r.skipped is not None) for r in envelope.results
    ]
    ran = next(r for r in data["results"] if r["action"] == "placeOrder" and r["group"] == "conforming")
    assert not ran["passed"] and ran["checks"] and set(ran["latency"]) == {"p50", "p95", "max"}
    skipped = next(r for r in data["results"] if r["action"] == "quote" and r["group"] == "secret")
    assert "no value_from_env header" in skipped["skipped"] and skipped["latency"] is None
    assert len(data["failures"]) == len(envelope.failures)
    for item, failure in zip(data["failures"], envelope.failures, strict=True):
        sources = sources_of(failure)
        assert (item["action"], item["check"], item["kind"], item["path"]) == (
            failure.action,
            failure.check,
            failure.finding.kind,
            failure.finding.path,
        )
        assert item["hasura_error"] == failure.hasura_error
        assert item["request"]["payload"] == failure.request.payload
        assert item["request"]["method"] == "POST"
        secret = item["request"]["headers"].get("X-Shop-Secret")
        assert secret == ("$SHOP_WEBHOOK_SECRET" if failure.action not in WITHOUT_SECRET else None)
        assert item["response"]["status"] == failure.response.status
        assert item["response"]["body"].encode() == failure.response.body
        assert item["response"]["body_truncated"] is False
        assert item["reproduce"] == {
            "curl": curl_command(failure.request, sources),
            "pytest": pytest_snippet(
                failure.request, sources, check=failure.check, metadata=envelope.source or "", target=envelope.target
            ),
        }


# -- JUnit XML ---------------------------------------------------------------------------------


def test_render_junit_has_one_testcase_per_action_and_check(envelope):
    root = ElementTree.fromstring(render_junit(envelope, catalog=CATALOG))
    (suite,) = root.findall("testsuite")
    cases = {(c.get("classname"), c.get("name")): c for c in suite.findall("testcase")}
    assert len(cases) == len(suite.findall("testcase")) == int(suite.get("tests", "")) == 5 * len(CHECKS)
    assert set(cases) == {(action, check) for action in CATALOG.actions for check in CHECKS}
    assert (suite.get("failures"), suite.get("skipped"), suite.get("errors")) == ("5", "3", "0")
    for failure in envelope.failures:
        (node,) = cases[(failure.action, "hasura_accepts")].findall("failure")
        assert (node.get("message"), node.get("type")) == (failure.finding.title, failure.finding.kind)
        expected = render_failure(
            failure,
            catalog=CATALOG,
            metadata=envelope.source or "",
            target=envelope.target,
            hasura_version=envelope.hasura_version,
        )
        assert node.text == expected
    for action in WITHOUT_SECRET:
        (skipped,) = cases[(action, "enforces_secret")].findall("skipped")
        assert "no value_from_env header" in skipped.get("message", "")
    passing = cases[("placeOrder", "enforces_secret")]
    assert not passing.findall("failure") and not passing.findall("skipped")


def test_render_junit_survives_control_characters_in_a_reply():
    # A crash page with ANSI colours and a NUL: XML 1.0 cannot hold these, even escaped.
    request = edge_requests("quote", catalog=CATALOG)[0]
    response = ActionResponse(status=500, headers=(("content-type", "text/plain"),), body=b"\x1b[31mBoom\x00\x1b[0m")
    action = CATALOG.action("quote")
    verdict = judge(action, response, catalog=CATALOG, request=request)
    case = Case(catalog=CATALOG, action=action, group="conforming", request=request, response=response, verdict=verdict)
    finding = hasura_accepts(case)
    assert finding is not None
    failure = Failure(action="quote", group="conforming", finding=finding, request=request, response=response)
    report = Report(results=[GroupResult(action="quote", group="conforming", cases=1, failures=[failure])], seed=1)
    report.results[0].checks = ("hasura_accepts",)
    (node,) = ElementTree.fromstring(render_junit(report, catalog=CATALOG)).iter("failure")
    assert "\\u001b[31mBoom\\u0000\\u001b[0m" in (node.text or "")


# -- progress ----------------------------------------------------------------------------------


def group(action: str = "placeOrder", name: Any = "conforming", **fields: Any) -> GroupResult:
    return GroupResult(action=action, group=name, **fields)


def test_progress_in_ci_prints_one_line_per_finished_group(runs):
    report, output = runs["envelope_app"].report, runs["envelope_app"].progress
    ran = [r for r in report.results if r.skipped is None]
    lines = output.splitlines()
    assert len(lines) == len(ran) and "\r" not in output
    for result in ran:  # groups run concurrently: a line as each finishes
        (line,) = [line for line in lines if line.startswith(f"{result.action} · {result.group} · ")]
        assert line.startswith(f"{result.action} · {result.group} · {result.cases} cases · ")
        assert line.endswith("FAILED (1 failure)" if result.failures else " · ok")


PROGRESS_LINES = [
    pytest.param(group(cases=1), False, "", id="unfinished"),
    pytest.param(group(cases=6, elapsed=0.5), True, "placeOrder · conforming · 6 cases · 0.50s · ok\n", id="ok"),
    pytest.param(group(name="secret", skipped="no secret"), True, "", id="skipped-secret"),
    pytest.param(group(skipped="a transform"), True, "placeOrder · skipped: a transform\n", id="skipped-action"),
]


@pytest.mark.parametrize(("result", "done", "expected"), PROGRESS_LINES)
def test_progress_in_ci(result, done, expected):
    stream = io.StringIO()
    Progress(stream)(result, done)  # a StringIO is no terminal: plain lines
    assert stream.getvalue() == expected


def test_progress_counts_failures_and_warnings(envelope):
    fatal, warning = envelope.failures[0], dataclasses.replace(envelope.failures[1], severity="warning")
    stream = io.StringIO()
    Progress(stream, live=False)(group(cases=3, failures=[fatal, fatal, warning]), True)
    assert stream.getvalue().endswith(" · FAILED (2 failures), 1 warning\n")


def test_progress_on_a_terminal_redraws_one_line():
    stream = io.StringIO()
    progress = Progress(stream, live=True)
    for cases in range(1, 8):
        progress(group(cases=cases), False)
    assert stream.getvalue() == "\r  placeOrder · conforming · 1 cases\r  placeOrder · conforming · 6 cases"
    progress(group(cases=7), True)
    final = "placeOrder · conforming · 7 cases · 0.00s · ok"
    assert stream.getvalue().endswith("\r" + final + "\n")
    progress(group(name="adversarial", cases=1), False)
    assert stream.getvalue().endswith("\n\r  placeOrder · adversarial · 1 cases")


def test_the_pytest_snippet_replays_as_the_run_judged(envelope):
    failure = envelope.failures[0]
    sources = secret_sources(CATALOG, failure.request)
    older = pytest_snippet(
        failure.request,
        sources,
        check=failure.check,
        metadata="m",
        hasura_version="v2.15.0",
        exclude_checks=("output_conforms",),
    )
    expected = "check_request(catalog, request, target, hasura_version='v2.15.0', exclude_checks=('output_conforms',))"
    assert expected in older
    newest = pytest_snippet(failure.request, sources, check=failure.check, metadata="m", hasura_version="v2.45.0")
    assert "check_request(catalog, request, target) == []" in newest
    # accepts_valid judges a whole run: for one request the snippet asks for a 2xx.
    whole_run = pytest_snippet(failure.request, sources, check="accepts_valid", metadata="m")
    assert "200 <= response.status < 300" in whole_run and "check_request(catalog" not in whole_run
