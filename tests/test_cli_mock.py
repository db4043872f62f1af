"""`action-contract mock` as a user runs it: a real process, a real port, Ctrl-C, reload, usage errors."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from servers import Command, running_command

from action_contract._cli._main import main

SHOP = FIXTURES / "projects" / "shop"
ORDER = {
    "action": {"name": "placeOrder"},
    "input": {"items": [{"sku": "A", "quantity": 1}]},
    "session_variables": {"x-hasura-role": "customer"},
}


class Mock(Command):
    """A running `action-contract mock` process and what it printed."""

    def health(self) -> dict:
        return httpx.get(self.url + "/__mock/health").json()


def running(*args: str) -> contextlib.AbstractContextManager[Mock]:
    return running_command(Mock, ["mock", *args], r"Listening on (http://\S+)")


def test_serves_the_catalog_on_a_port_and_stops_cleanly_on_ctrl_c() -> None:
    with running(str(SHOP), "--seed", "7") as mock:
        assert any("POST /place-order" in line and "placeOrder" in line for line in mock.seen)
        response = httpx.post(mock.url + "/place-order", json=ORDER)
        assert response.status_code == 200 and "orderId" in response.json()
        mock.wait_for(r"POST /place-order placeOrder success -> 200")
        assert mock.health()["seed"] == 7
        mock.process.send_signal(signal.SIGINT)
        assert mock.process.wait(10) == 0
        mock.wait_for("mock stopped")


def test_binds_loopback_unless_told_otherwise() -> None:
    with running(str(SHOP), "-q") as mock:
        assert mock.url.startswith("http://127.0.0.1:")


def test_reload_rebuilds_on_change_and_survives_a_broken_edit(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    sdl = project / "metadata" / "actions.graphql"
    yaml_file = project / "metadata" / "actions.yaml"
    with running(str(project), "--reload", "-q") as mock:
        assert mock.health()["generation"] == 1
        sdl.write_text(sdl.read_text() + "\ntype Query {\n  ping: Boolean\n}\n")
        entry = '  - name: ping\n    definition:\n      kind: ""\n      handler: http://x/ping\n'
        yaml_file.write_text(yaml_file.read_text().replace("actions:\n", "actions:\n" + entry, 1))
        mock.wait_for(r"reloaded: 6 actions \(generation \d+\)")
        ping = {"action": {"name": "ping"}, "input": {}, "session_variables": {"x-hasura-role": "admin"}}
        assert httpx.post(mock.url + "/ping", json=ping).status_code == 200
        good = sdl.read_text()
        sdl.write_text(good + "\ntype Query {\n  broken(: Int): Boolean\n}\n")
        mock.wait_for("reload failed, still serving the previous version")
        health = mock.health()
        assert health["status"] == "reload-failed" and "actions.graphql" in health["error"]
        assert httpx.post(mock.url + "/ping", json=ping).status_code == 200
        sdl.write_text(good)
        mock.wait_for(r"reloaded: 6 actions")
        assert mock.health()["status"] == "ok"


def test_a_port_in_use_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "action_contract", "mock", str(SHOP), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--latency", "soon"], "latency in milliseconds"),
        (["--error-rate", "2"], "--error-rate"),
        (["--scenario", "eror"], 'Did you mean "error"'),
        (["--no-cors", "--cors-origin", "http://a"], "not both"),
    ],
    ids=["latency", "error-rate", "scenario", "cors"],
)
def test_bad_options_are_usage_errors(args: list[str], fragment: str) -> None:
    result = CliRunner().invoke(main, ["mock", str(SHOP), *args])
    assert result.exit_code == 2 and fragment in result.output, result.output


def test_a_broken_examples_file_stops_the_start_with_its_line(tmp_path: Path) -> None:
    examples = tmp_path / "examples.yaml"
    examples.write_text("quote:\n  reply: {total: 1}\n")
    result = CliRunner().invoke(main, ["mock", str(SHOP), "--examples", str(examples)])
    assert result.exit_code == 2
    assert "examples.yaml:2" in result.output and "currency" in result.output


def test_check_against_the_mock_holds() -> None:
    result = CliRunner().invoke(
        main, ["check", str(SHOP), "--mock", "--examples", "10", "--adversarial-examples", "10", "--no-database", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "the contract holds" in result.output
