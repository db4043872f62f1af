"""The CI recipes in fixtures/ci and the manual's CI guide: their shape, their command lines, and real runs.

Every `action-contract ...` line of the GitHub Actions workflow, of pre-deploy.sh and of docs/how-to/ci.md
must parse against the real click command line, so the recipes cannot drift from it. The real runs build a
user's repository in a temporary directory (hasura/ = the sample shop project, handler/ = its handler, a
commit on `main`, a feature branch) and run the workflow's `run:` steps in order with bash, as a runner
would, and pre-deploy.sh likewise: a safe metadata change passes both gates, a breaking one fails the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from conftest import FIXTURES

from action_contract._cli._main import main

ROOT = FIXTURES.parent
WORKFLOW_FILE = FIXTURES / "ci" / "github-actions.yml"
SCRIPT = FIXTURES / "ci" / "pre-deploy.sh"
CI_GUIDE = ROOT / "docs" / "how-to" / "ci.md"
BIN = Path(sys.executable).parent  # the venv's bin: action-contract, python with uvicorn and starlette
DIFF_STEP = "Metadata diff against the base branch"
# The recipes keep check's defaults (100 conforming and 50 invalid requests per action) and pass CHECK_ARGS
# through; the real runs set it to a few requests, which exercises the same code paths in a fraction of the
# time (the sample handler's correctness is tested at length elsewhere).
QUICK_CHECK_ARGS = "--examples 5 --adversarial-examples 5"


def _workflow() -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load(WORKFLOW_FILE.read_text())
    return workflow


def _steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _workflow()["jobs"]["action-contract"]["steps"]
    return steps


def _step(name: str) -> dict[str, Any]:
    return next(step for step in _steps() if step.get("name") == name)


def _in_ci_section() -> str:
    return CI_GUIDE.read_text()


def _script_defaults() -> dict[str, str]:
    """pre-deploy.sh's settings and their defaults, from its `NAME="${NAME:-default}"` lines."""
    return dict(re.findall(r'^(\w+)="\$\{\1:-(.*)\}"$', SCRIPT.read_text(), flags=re.MULTILINE))


# --- command lines against the real CLI -------------------------------------------------------------------

CONTROL = {"then", "do", "else", "if", "!", "time"}


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _is_operator(token: str) -> bool:
    return bool(token) and set(token) <= set("();<>|&")


def _command_starts(tokens: list[str]) -> list[int]:
    """Where `action-contract` stands as a command: first, or after an operator or a keyword such as `then`."""
    return [
        i
        for i, token in enumerate(tokens)
        if token == "action-contract" and (i == 0 or _is_operator(tokens[i - 1]) or tokens[i - 1] in CONTROL)
    ]


def action_contract_commands(script: str, values: Mapping[str, str]) -> list[list[str]]:
    """The arguments of each `action-contract` command in a shell snippet, with `$NAME`/`${NAME}` replaced.

    Continuation lines are joined; a command ends at a control operator or a redirection. Words inside
    quotes (messages) are not commands. An unknown variable in a command line is an error, not a guess.
    """
    joined = re.sub(r"\\\n\s*", " ", script)
    joined = re.sub(r"(\|\||&&|\|)[ \t]*\n\s*", r"\1 ", joined)
    commands = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "action-contract" not in line:
            continue
        if not _command_starts(_tokens(line)):
            continue
        tokens = _tokens(re.sub(r"\$\{?([A-Za-z_]\w*)\}?", lambda m: values[m[1]], line))
        for start in _command_starts(tokens):
            args = []
            for token in tokens[start + 1 :]:
                if _is_operator(token):
                    break
                args.append(token)
            commands.append(args)
    return commands


def parse(args: list[str]) -> click.Context:
    """Parse `action-contract ARGS` as the real CLI does, without running it; click's error if it does not parse."""
    assert args, "a bare `action-contract`"
    group = main.make_context("action-contract", list(args))
    name = args[0]
    command = main.get_command(group, name)
    if command is None:
        raise click.UsageError(f"no such command {name!r}", group)
    return command.make_context(name, list(args[1:]), parent=group)


def _workflow_values(**overrides: str) -> dict[str, str]:
    values = {str(k): str(v) for k, v in _workflow()["env"].items()}
    values.update(GITHUB_BASE_REF="main", GITHUB_STEP_SUMMARY="/tmp/summary.md")
    values.update(overrides)
    return values


def _guide_commands() -> list[list[str]]:
    section = _in_ci_section()
    commands = []
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL):
        if language != "yaml":  # the workflow itself, checked as a file
            commands += action_contract_commands(body, {})
    prose = re.sub(r"^```.*?^```$", "", section, flags=re.MULTILINE | re.DOTALL)
    commands += [_tokens(span)[1:] for span in re.findall(r"`(action-contract [^`]*)`", prose)]
    return commands


def test_the_helper_catches_drift():
    assert parse(["check", "hasura", "--url", "http://x", "--derandomize"]).params["derandomize"] is True
    with pytest.raises(click.UsageError):
        parse(["check", "hasura", "--no-such-option"])
    with pytest.raises(click.UsageError):
        parse(["no-such-command", "hasura"])
    found = action_contract_commands(
        'echo "action-contract check fails"\nX=1 || action-contract check "$D" \\\n  --url u ||\n  s=$?\n', {"D": "a b"}
    )
    assert found == [["check", "a b", "--url", "u"]]


@pytest.mark.parametrize("check_args", ["", QUICK_CHECK_ARGS])
def test_the_workflow_commands_parse(check_args):
    values = _workflow_values(CHECK_ARGS=check_args)
    commands = [cmd for step in _steps() if "run" in step for cmd in action_contract_commands(step["run"], values)]
    assert sorted(cmd[0] for cmd in commands) == ["check", "diff"]
    for args in commands:
        parse(args)
    check = next(cmd for cmd in commands if cmd[0] == "check")
    assert check[:4] == ["check", "hasura", "--url", "http://127.0.0.1:3000"] and "--derandomize" in check
    diff = next(cmd for cmd in commands if cmd[0] == "diff")
    assert diff[1:3] == ["git:origin/main:hasura", "hasura"]


@pytest.mark.parametrize("check_args", ["", QUICK_CHECK_ARGS])
def test_the_script_commands_parse(check_args):
    values = {**_script_defaults(), "CHECK_ARGS": check_args}
    assert {"METADATA_DIR", "HANDLER_URL", "BASE_REF", "FAIL_ON"} <= values.keys()
    assert values["BASE_REF"] == "origin/main" and values["FAIL_ON"] == "both"
    commands = action_contract_commands(SCRIPT.read_text(), values)
    assert sorted(cmd[0] for cmd in commands) == ["check", "diff"]
    for args in commands:
        parse(args)
    for fail_on in ("handler", "client", "both", "none"):
        diff = next(
            cmd
            for cmd in action_contract_commands(SCRIPT.read_text(), {**values, "FAIL_ON": fail_on})
            if cmd[0] == "diff"
        )
        assert parse(diff).params["fail_on"] == fail_on


def test_the_guide_commands_parse():
    commands = _guide_commands()
    assert {"check", "diff"} <= {cmd[0] for cmd in commands}
    for args in commands:
        parse(args)


# --- the workflow's structure --------------------------------------------------------------------------------


def test_the_workflow_structure():
    workflow = _workflow()
    triggers = workflow[True]  # PyYAML reads the key `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    assert workflow["defaults"]["run"]["shell"] == "bash"
    assert {"METADATA_DIR", "HANDLER_START", "HANDLER_URL", "HANDLER_REQUIREMENTS", "FAIL_ON"} <= workflow["env"].keys()
    steps = _steps()
    uses = [step.get("uses") for step in steps]
    checkout = steps[uses.index("actions/checkout@v4")]
    assert checkout["with"]["fetch-depth"] == 0
    setup = steps[uses.index("actions/setup-python@v5")]
    assert setup["with"]["python-version"] == "3.11"
    install = next(step for step in steps if step.get("id") == "install")
    assert "pip install action-contract" in install["run"]

    start = _step("Start the handler")
    assert '"$HANDLER_START"' in start["run"] and "&\n" in start["run"]
    assert re.search(r"for \w+ in \$\(seq \d+\)", start["run"]) and "curl" in start["run"]

    check = _step("Contract check")
    assert "action-contract check" in check["run"]
    assert "--derandomize" in check["run"] and "--junit-xml" in check["run"] and "--report-json" in check["run"]

    upload = steps[uses.index("actions/upload-artifact@v4")]
    assert upload["if"] == "always()"
    assert steps.index(upload) > steps.index(check)
    paths = upload["with"]["path"].split()
    assert {"action-contract-junit.xml", "action-contract-report.json"} <= set(paths)
    assert all(f" {path} " in f" {check['run']} " for path in paths if path.startswith("action-contract-"))

    diff = _step(DIFF_STEP)
    assert "github.event_name == 'pull_request'" in diff["if"]
    assert step_runs(diff["if"], event="pull_request", failed=True, outcomes={"install": "success"})
    assert not step_runs(diff["if"], event="push", failed=False, outcomes={"install": "success"})
    assert "set -o pipefail" in diff["run"]
    assert 'action-contract diff "git:origin/$GITHUB_BASE_REF:$METADATA_DIR" "$METADATA_DIR"' in diff["run"]
    assert "--format markdown" in diff["run"] and '| tee -a "$GITHUB_STEP_SUMMARY"' in diff["run"]


def test_run_steps_use_shell_variables_only():
    allowed = set(_workflow()["env"]) | {"GITHUB_BASE_REF", "GITHUB_STEP_SUMMARY"}
    for step in _steps():
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            used = set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", step["run"]))
            assert used <= allowed, (step["name"], used - allowed)


def test_the_guide_shows_the_workflow_verbatim():
    section = _in_ci_section()
    blocks = re.findall(r"^```yaml\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert blocks == [WORKFLOW_FILE.read_text()]
    assert "fixtures/ci/pre-deploy.sh" in section and "fixtures/ci/github-actions.yml" in section
    assert "fetch-depth: 0" in section.split("```yaml")[-1].split("```")[-1]
    assert "--fail-on" in section and "--junit-xml" in section


# --- real runs -----------------------------------------------------------------------------------------------


def step_runs(condition: Any, *, event: str, failed: bool, outcomes: Mapping[str, str]) -> bool:
    """GitHub's `if:` for what these recipes use: status functions, `github.event_name`, step outcomes."""
    expression = str(condition or "success()").strip().removeprefix("${{").removesuffix("}}")
    if not re.search(r"\b(?:success|failure|always|cancelled)\(\)", expression):
        expression = f"success() && ({expression})"  # as GitHub does
    python = re.sub(r"steps\.([\w-]+)\.outcome", lambda m: repr(outcomes.get(m[1], "")), expression)
    python = python.replace("github.event_name", repr(event))
    for call, value in {"success()": not failed, "failure()": failed, "always()": True, "cancelled()": False}.items():
        python = python.replace(call, f" {value} ")
    python = re.sub(r"!(?!=)", " not ", python.replace("&&", " and ").replace("||", " or "))
    return bool(eval(python, {"__builtins__": {}}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def ci_env(**extra: str) -> dict[str, str]:
    """The machine's environment as a CI job sees it: the venv's tools first, no stray GITHUB_/SHOP_ values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SHOP_", "RUNNER_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A user's repository laid out as the recipes expect, on a feature branch off `main` (fetched as origin/main)."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "projects" / "shop", repo / "hasura")
    (repo / "handler").mkdir()
    shutil.copy(FIXTURES / "handlers" / "shop.py", repo / "handler" / "main.py")
    (repo / "handler" / "requirements.txt").write_text("starlette\nuvicorn\n")
    _git(repo.parent, "init", "-q", "-b", "main", str(repo))
    _git(repo, "config", "user.email", "ci@example.com")
    _git(repo, "config", "user.name", "CI")
    _git(repo, "config", "commit.gpgsign", "false")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the shop")
    # What actions/checkout with fetch-depth: 0 leaves: the base branch as origin/BRANCH.
    _git(repo, "remote", "add", "origin", str(repo))
    _git(repo, "fetch", "-q", "origin")
    _git(repo, "switch", "-q", "-c", "feature")
    return repo


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def safe_change(repo: Path) -> None:
    """A new nullable output field and a changed comment: safe for the handler and for clients."""
    metadata = repo / "hasura" / "metadata"
    _edit(
        metadata / "actions.graphql",
        "  placedAt: timestamptz\n}",
        '  placedAt: timestamptz\n  """ For the customer """\n  note: String\n}',
    )
    _edit(metadata / "actions.yaml", "comment: Places an order for the signed-in customer", "comment: Places an order")
    _git(repo, "commit", "-q", "-am", "a note on orders")


def breaking_change(repo: Path) -> None:
    """placeOrder loses its nullable `coupon` argument: safe for the handler, breaking for clients that send it."""
    _edit(repo / "hasura" / "metadata" / "actions.graphql", "    coupon: String\n", "")
    _git(repo, "commit", "-q", "-am", "no more coupons")


@dataclass
class StepResult:
    outcome: str  # success, failure or skipped
    returncode: int | None  # None when bash did not run it
    output: str  # stdout and stderr


def _running(group: int) -> bool:
    """Whether a process of `group` still runs; zombies waiting for their reaper (here pid 1) do not count."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    if not Path("/proc/self/stat").is_file():
        return True
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            state, _parent, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(process_group) == group and state != "Z":
                return True
    return False


def _stop(groups: list[int]) -> None:
    """End each process group the steps started (the handler runs on in the start step's group)."""
    for group in groups:
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for group in groups:
        while _running(group) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _running(group):
            os.killpg(group, signal.SIGKILL)


def run_workflow(repo: Path, env: Mapping[str, str], *, event: str = "pull_request") -> dict[str, StepResult]:
    """Run the job's steps in order as a runner would: `run:` steps with `bash --noprofile --norc -eo pipefail`
    (the workflow's default shell), `if:` honoured, each step's processes in a group of its own, all stopped at
    the end. `uses:` steps are the test's own set-up (checkout: the repo; setup-python: the venv); the install
    step needs the network and is skipped: the package is already installed in the test's venv."""
    results: dict[str, StepResult] = {}
    outcomes: dict[str, str] = {}
    failed = False
    groups: list[int] = []
    try:
        for number, step in enumerate(_steps()):
            name = step.get("name") or step["uses"]
            returncode = None
            if not step_runs(step.get("if"), event=event, failed=failed, outcomes=outcomes):
                outcome, output = "skipped", ""
            elif "run" not in step or step.get("id") == "install":
                outcome, output = "success", ""
            else:
                script = repo.parent / f"step-{number}.sh"
                script.write_text(step["run"])
                process = subprocess.Popen(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                    cwd=repo,
                    env=dict(env),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    start_new_session=True,
                )
                groups.append(process.pid)
                output, _ = process.communicate(timeout=180)
                returncode = process.returncode
                outcome = "success" if returncode == 0 else "failure"
            failed = failed or outcome == "failure"
            results[name] = StepResult(outcome, returncode, output)
            if "id" in step:
                outcomes[step["id"]] = outcome
    finally:
        _stop(groups)
    return results


def _workflow_settings(port: int) -> dict[str, str]:
    """The workflow's env block with the handler on `port` instead of 3000, and quick check options."""
    values = {str(k): str(v) for k, v in _workflow()["env"].items()}
    assert values["HANDLER_URL"].endswith(":3000") and values["HANDLER_START"].endswith("--port 3000")
    values["HANDLER_URL"] = values["HANDLER_URL"].replace(":3000", f":{port}")
    values["HANDLER_START"] = values["HANDLER_START"].replace("--port 3000", f"--port {port}")
    values["CHECK_ARGS"] = QUICK_CHECK_ARGS
    return values


def workflow_env(repo: Path, port: int) -> dict[str, str]:
    """What the workflow's steps see in `repo`: the env block (handler on `port`) and a runner's variables."""
    return ci_env(**_workflow_settings(port), **github_env(repo))


def github_env(repo: Path) -> dict[str, str]:
    """What a runner sets for a pull request from `feature` into `main`."""
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "feature",
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(repo.parent / "step_summary.md"),
    }


def _report(results: Mapping[str, StepResult]) -> str:
    return "\n".join(f"--- {name}: {result.outcome}\n{result.output}" for name, result in results.items())


def _assert_reports(repo: Path) -> None:
    """The files the upload step keeps exist, and the JUnit report shows no failure."""
    upload = next(step for step in _steps() if step.get("uses") == "actions/upload-artifact@v4")
    for path in upload["with"]["path"].split():
        assert (repo / path).is_file(), path
    suite = ElementTree.parse(repo / "action-contract-junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"


# The workflow's start step waits for the handler with curl, as GitHub's runners have it.
needs_curl = pytest.mark.skipif(
    shutil.which("curl") is None, reason="the workflow waits for the handler with curl, which this machine lacks"
)


@needs_curl
def test_workflow_passes_a_safe_change(repo):
    safe_change(repo)
    env = workflow_env(repo, _free_port())
    results = run_workflow(repo, env)
    assert {name: r.outcome for name, r in results.items()} == dict.fromkeys(results, "success"), _report(results)
    assert "the handler answers at" in results["Start the handler"].output
    assert "the contract holds" in results["Contract check"].output
    _assert_reports(repo)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.strip() and summary in results[DIFF_STEP].output
    assert "note" in summary and "OrderResult" in summary and "placeOrder" in summary


@needs_curl
def test_workflow_fails_a_breaking_change_in_the_diff_step(repo):
    breaking_change(repo)
    env = workflow_env(repo, _free_port())
    results = run_workflow(repo, env)
    outcomes = {name: r.outcome for name, r in results.items()}
    assert outcomes == {**dict.fromkeys(results, "success"), DIFF_STEP: "failure"}, _report(results)
    assert results[DIFF_STEP].returncode == 1, _report(results)  # breaking, not an error: through tee
    _assert_reports(repo)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "coupon" in summary and "breaking" in summary.lower()
    # Removing a nullable argument breaks clients only: FAIL_ON=handler lets it through.
    lenient = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step(DIFF_STEP)["run"]],
        cwd=repo,
        env={**env, "FAIL_ON": "handler"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr


@contextmanager
def serving_handler(repo: Path, port: int, env: Mapping[str, str]) -> Iterator[str]:
    """The workflow's handler command, serving from `repo` until the block ends (its process group stopped)."""
    command = env["HANDLER_START"]
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=repo,
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, "the handler exited"
            assert time.monotonic() < deadline, "the handler did not listen"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        finally:
            _stop([process.pid])  # anything left in its group; the shell is reaped by now


def run_script(repo: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)], cwd=repo, env=dict(env), capture_output=True, text=True, check=False, timeout=180
    )


def _script_env(port: int, **extra: str) -> dict[str, str]:
    """pre-deploy.sh's settings: its defaults but the handler's URL; the workflow's handler command starts it."""
    workflow = _workflow_settings(port)
    settings = {name: workflow[name] for name in ("HANDLER_URL", "HANDLER_START", "CHECK_ARGS")}
    return ci_env(**settings, SHOP_WEBHOOK_SECRET="pre-deploy-secret", **extra)


def test_script_passes_a_safe_change(repo):
    safe_change(repo)
    port = _free_port()
    env = _script_env(port)
    with serving_handler(repo, port, env):
        result = run_script(repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pre-deploy: both gates passed" in result.stdout and "FAILED" not in result.stderr
    assert (repo / "action-contract-junit.xml").is_file()


def test_script_names_the_diff_gate_on_a_breaking_change(repo):
    breaking_change(repo)
    port = _free_port()
    env = _script_env(port)
    with serving_handler(repo, port, env):
        result = run_script(repo, env)
        lenient = run_script(repo, {**env, "FAIL_ON": "handler"})
    assert result.returncode == 1, result.stdout + result.stderr
    failures = [line for line in result.stderr.splitlines() if line.startswith("pre-deploy: FAILED")]
    assert len(failures) == 1 and "gate 'metadata diff'" in failures[0] and "breaking" in failures[0]
    assert "coupon" in result.stdout + result.stderr
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr


def test_script_names_each_failed_gate(repo):
    """No handler and a base ref that was never fetched: both gates fail, each says so, the larger status wins."""
    env = _script_env(_free_port(), BASE_REF="origin/no-such-branch")
    result = run_script(repo, env)
    failures = [line for line in result.stderr.splitlines() if line.startswith("pre-deploy: FAILED")]
    assert len(failures) == 2, result.stderr
    assert "gate 'contract check'" in failures[0] and "exit 1" in failures[0]
    assert "gate 'metadata diff'" in failures[1] and "exit 2" in failures[1] and "origin/no-such-branch" in failures[1]
    assert result.returncode == 2
