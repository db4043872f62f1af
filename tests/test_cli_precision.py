"""The command line says exactly what happened: each test is a step a new user took."""

from __future__ import annotations

import json
import shutil
import socket
import xml.etree.ElementTree as ElementTree

import httpx
from click.testing import CliRunner
from conftest import FIXTURES
from servers import Command, running_command, serving

from action_contract import MockHandler, edge_requests, load_catalog
from action_contract._cli._main import main
from action_contract._generate._variables import _places
from action_contract._send._app_loader import load_app

SHOP = str(FIXTURES / "projects" / "shop")
UUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
QUICK = ["--examples", "3", "--adversarial-examples", "2", "--no-database", "--seed", "1", "-q"]


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def test_judge_says_whole_number_without_the_rule_name():
    body = {"orderId": UUID, "status": "PAID", "total": 9.5, "lines": [{"sku": "A1", "quantity": 100.5}]}
    result = _run("judge", SHOP, "--action", "placeOrder", "--status", "200", "--body", json.dumps(body))
    assert "expected Int, a whole number, found 100.5\n" in result.output
    assert "(integral)" not in result.output


def test_an_old_hasura_version_names_the_release_that_supports_the_output_type():
    result = _run("check", SHOP, "--mock", "--hasura-version", "2.0", *QUICK)
    assert result.exit_code == 2
    assert "Hasura v2.0.0 refuses action 'placeOrder'" in result.output
    assert "Hasura v2.2.0 is the first release that supports output type OrderResult!" in result.output
    assert "pass --hasura-version 2.3 or newer for every action here" in result.output
    assert _run("check", SHOP, "--mock", "--hasura-version", "2.3", *QUICK).exit_code == 0


def test_an_env_name_with_a_stray_comma_is_refused():
    result = _run("check", SHOP, "--mock", "--env", "EVENT_SECRET,=x", *QUICK)
    assert result.exit_code == 2
    assert "expected NAME=VALUE with NAME made of letters, digits and _, got 'EVENT_SECRET,=x'" in result.output


def test_the_mock_refuses_a_form_body_for_a_json_webhook():
    catalog = load_catalog(SHOP)
    handler = MockHandler(catalog, cors=False)
    body = json.dumps(edge_requests("quote", catalog=catalog)[0].payload)
    with serving(handler) as url, httpx.Client(base_url=url) as client:
        # What `curl -d '{...}' http://localhost:3000/quote` sends: no -H, so a form's Content-Type.
        form = client.post("/quote", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        json_reply = client.post("/quote", content=body, headers={"Content-Type": "application/json"})
    assert form.status_code == 415
    assert "expected Content-Type: application/json" in form.json()["message"]
    assert "'application/x-www-form-urlencoded'" in form.json()["message"]
    assert json_reply.status_code == 200


def test_example_prints_its_seed_only_after_the_requests_are_built():
    failed = _run("example", SHOP, "--action", "nope")
    assert failed.exit_code == 2 and "seed:" not in failed.output
    built = _run("example", SHOP, "--action", "quote", "--count", "1")
    assert built.exit_code == 0 and "seed: " in built.output


def test_a_project_without_actions_says_so(tmp_path):
    (tmp_path / "metadata").mkdir()
    (tmp_path / "config.yaml").write_text("version: 3\n")
    (tmp_path / "metadata" / "actions.yaml").write_text("actions: []\ncustom_types: {}\n")
    result = _run("check", str(tmp_path), "--mock")
    assert result.exit_code == 2
    assert f"no actions in {tmp_path}: nothing to check" in result.output
    assert "the contract holds" not in result.output


def _shop_without_env(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    (project / ".env").unlink()
    return str(project)


def test_every_missing_variable_is_named_at_once_before_anything_is_sent(tmp_path, monkeypatch):
    monkeypatch.delenv("SHOP_ACTIONS_URL", raising=False)
    monkeypatch.delenv("SHOP_WEBHOOK_SECRET", raising=False)
    project = _shop_without_env(tmp_path)
    result = _run("check", project, *QUICK)
    assert result.exit_code == 2
    assert "the calls need 2 environment variables that are not set: SHOP_ACTIONS_URL (the handler URL of" in (
        result.output
    )
    assert "SHOP_WEBHOOK_SECRET (header X-Shop-Secret of placeOrder, header X-Shop-Secret of cancelOrder)" in (
        result.output
    )
    assert "--env SHOP_ACTIONS_URL=... --env SHOP_WEBHOOK_SECRET=..." in result.output
    handler = MockHandler(load_catalog(SHOP), cors=False)
    with serving(handler) as url:
        refused = _run("check", project, "--url", url, *QUICK)
    assert refused.exit_code == 2 and "1 environment variable that is not set: SHOP_WEBHOOK_SECRET" in refused.output
    assert handler.journal.total == 0


def test_serve_mock_refuses_to_start_without_the_secret_variables(tmp_path, monkeypatch):
    monkeypatch.delenv("SHOP_WEBHOOK_SECRET", raising=False)
    result = _run("serve", _shop_without_env(tmp_path), "--mock", "--port", "0")
    assert result.exit_code == 2
    assert "SHOP_WEBHOOK_SECRET (header X-Shop-Secret of placeOrder" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_says_nothing_listens_and_checks_that_never_ran_say_not_run(tmp_path):
    port = _free_port()
    reports = ["--report-json", str(tmp_path / "r.json"), "--junit-xml", str(tmp_path / "j.xml")]
    html = ["--report-html", str(tmp_path / "r.html")]
    result = _run("check", SHOP, "--url", f"http://127.0.0.1:{port}", "--action", "quote", *QUICK, *reports, *html)
    assert result.exit_code == 1
    assert f"found:    no reply: nothing listens at 127.0.0.1:{port} (connection refused)" in result.output
    assert "Start the handler, or send to where it runs with --url" in result.output
    assert "make the handler answer within" not in result.output
    table = result.output.split("action  hasura_accepts")[1]
    row = next(line for line in table.splitlines() if line.startswith("quote"))
    assert row.split()[1:3] == ["FAIL", "1"] and "ok" not in row and row.count("not run") == 5
    never = f"the handler never answered (nothing listens at 127.0.0.1:{port} (connection refused))"
    assert f"not run: quote: output_conforms, error_object, accepts_valid: {never}" in result.output
    conforming = json.loads((tmp_path / "r.json").read_text())["results"][0]
    assert conforming["not_run"] == dict.fromkeys(["output_conforms", "error_object", "accepts_valid"], never)
    suite = ElementTree.parse(tmp_path / "j.xml").getroot()
    skipped = {c.get("name"): c.find("skipped") for c in suite.iter("testcase")}
    assert skipped["output_conforms"] is not None and skipped["output_conforms"].get("message") == f"not run: {never}"
    assert skipped["hasura_accepts"] is None
    page = (tmp_path / "r.html").read_text()
    assert "not run<br><small>the handler never answered" in page


def test_a_name_that_does_not_resolve_says_so():
    result = _run("check", SHOP, "--url", "http://handler.invalid:3000", "--action", "quote", *QUICK)
    assert result.exit_code == 1
    assert "no reply: the host name 'handler.invalid' does not resolve" in result.output
    assert "Start the handler, or send to where it runs with --url" in result.output


CRASHING_APP = """
from starlette.applications import Starlette
from starlette.routing import Route


async def quote(request):
    order = None
    return order.total  # AttributeError: the handler's bug


app = Starlette(routes=[Route("/quote", quote, methods=["POST"])])
"""


def test_an_exception_in_process_is_the_500_a_server_gives_with_the_exception_explained(tmp_path, monkeypatch):
    (tmp_path / "crashing.py").write_text(CRASHING_APP)
    monkeypatch.syspath_prepend(str(tmp_path))
    options = ["--action", "quote", "--no-adversarial", *QUICK]
    in_process = _run(
        "check", SHOP, "--app", f"{tmp_path / 'crashing.py'}:app", *options, "--report-json", str(tmp_path / "a.json")
    )
    from crashing import app  # the same app behind uvicorn

    with serving(app) as url:
        served = _run("check", SHOP, "--url", url, *options, "--report-json", str(tmp_path / "u.json"))
    assert in_process.exit_code == served.exit_code == 1
    found = [json.loads((tmp_path / name).read_text())["failures"] for name in ("a.json", "u.json")]
    same = [[(f["check"], f["kind"], f["found"]) for f in failures] for failures in found]
    assert same[0] == same[1]
    assert "no reply" not in in_process.output
    explanation = found[0][0]["explanation"]
    assert "Called in-process, the app raised AttributeError: 'NoneType' object has no attribute 'total' (at " in (
        explanation
    )
    assert "crashing.py:8 in quote)." in explanation


def test_a_handler_that_answers_500_and_closes_gives_the_same_findings_on_every_run(tmp_path, monkeypatch):
    # Under uvicorn an app's exception is Starlette's 500 and then a closed connection; reusing that connection
    # must not turn later calls into "no reply" (Hasura's http-client retries them once on a new connection).
    (tmp_path / "crashing.py").write_text(CRASHING_APP)
    monkeypatch.syspath_prepend(str(tmp_path))
    from crashing import app

    runs = []
    with serving(app) as url:
        for number in range(3):
            report = tmp_path / f"run{number}.json"
            result = _run(
                "check", SHOP, "--url", url, "--action", "quote", "--derandomize", "--examples", "5",
                "--adversarial-examples", "10",
                "-q", "--report-json", str(report),
            )  # fmt: skip
            assert result.exit_code == 1, result.output
            runs.append([(f["action"], f["check"], f["kind"]) for f in json.loads(report.read_text())["failures"]])
    assert runs[0] == runs[1] == runs[2]
    assert not [kind for _, _, kind in runs[0] if "no reply" in kind or "transport" in kind]
    # One failure per rule: not `wrong_type:5xx` and `wrong_type:no reply` for the same rule.
    rules = [(action, check, kind.split(":")[0]) for action, check, kind in runs[0]]
    assert len(rules) == len(set(rules)), runs[0]


def test_one_syntax_error_in_actions_graphql_is_one_problem(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    sdl = project / "metadata" / "actions.graphql"
    sdl.write_text(sdl.read_text().replace("type Quote {", "type Quote {{"))
    result = _run("validate", str(project))
    assert result.exit_code == 2
    assert f"cannot load Hasura metadata in {project}: 1 error\n" in result.output
    assert "actions.graphql:66:13: error: malformed GraphQL: Syntax Error: Expected Name, found '{'." in result.output
    assert "not present in actions.graphql" not in result.output and "warning" not in result.output


def test_a_url_with_a_path_is_a_prefix_and_all_404_replies_are_called_out():
    handler = load_app(f"{FIXTURES / 'handlers' / 'shop.py'}:app")  # routes by path, as real handlers do
    with serving(handler) as url:
        # The README's handler path is /quote; the user pasted the handler's full URL as --url.
        result = _run("check", SHOP, "--url", f"{url}/quote", "--action", "quote", *QUICK)
        right = _run("check", SHOP, "--url", url, "--action", "quote", *QUICK)
    assert result.exit_code == 1 and right.exit_code == 0
    assert f"warning: every reply of quote was 404 Not Found from {url}/quote/quote" in result.output
    assert "A path in --url goes before each handler's own path" in result.output
    assert "404 Not Found" not in right.output
    help_text = _run("check", "--help").output
    assert "a path in URL goes before it" in " ".join(help_text.split())


def test_serve_says_a_relationship_field_is_a_table_relationship_it_does_not_serve():
    query = f'{{ recommendations(customerId: "{UUID}") {{ id customer {{ id }} }} }}'
    with running_command(
        Command, ["serve", SHOP, "--mock"], r"Listening on (http://\S+)/v1/graphql \(Ctrl-C to stop\)"
    ) as serve:
        reply = httpx.post(serve.url + "/v1/graphql", json={"query": query}, headers={"x-hasura-role": "customer"})
        # The client gets Hasura's own error text; the console says why.
        assert reply.json()["errors"][0]["message"] == "field 'customer' not found in type: 'Product'"
        serve.wait_for("field 'customer' not found in type: 'Product'")
        note = serve.wait_for(r"note: customer is a relationship of Product to a database table")
    assert "table relationships are not served" in note.string


def test_a_header_many_actions_share_is_named_once_in_the_missing_variable_message():
    many = [("header X-Key", f"action{i}") for i in range(5)]
    assert _places([*many, ("the handler URL", "other")]) == (
        "header X-Key of 5 actions: action0, action1, action2 and 2 more, the handler URL of other"
    )
    assert _places(many[:3]) == "header X-Key of action0, header X-Key of action1, header X-Key of action2"
