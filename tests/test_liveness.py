"""A handler that stops answering: one finding, no rule blamed, nothing shrunk against it, and a restart waited for.

`dies_app` (fixtures/handlers/misleading.py) exits on an order line with a negative quantity, so it runs
in a uvicorn process of its own, under a small supervisor that can restart it as systemd or pm2 would.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from conftest import FIXTURES

from action_contract import HttpTarget, Settings, load_catalog, run_contract
from action_contract._run._liveness import watch

SHOP = FIXTURES / "projects" / "shop"
HANDLERS = FIXTURES / "handlers"


class Supervisor:
    """Runs `misleading:APP` under uvicorn on a fixed port; with `restart`, starts it again when it exits."""

    def __init__(self, app: str, *, restart: bool) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.app, self.restart = app, restart
        self.starts = 0
        self.stopping = False
        self.process = self._start()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start(self) -> subprocess.Popen[bytes]:
        process = self._spawn()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return process
            time.sleep(0.05)
        process.kill()
        raise RuntimeError(f"uvicorn did not start misleading:{self.app}")

    def _spawn(self) -> subprocess.Popen[bytes]:
        self.starts += 1
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(HANDLERS), f"misleading:{self.app}"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "critical"]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _watch(self) -> None:
        # As systemd or pm2 would: start it again whenever it exits (the run waits for the port).
        while not self.stopping:
            if self.restart and self.process.poll() is not None:
                self.process = self._spawn()
            time.sleep(0.05)

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(10)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


@contextlib.contextmanager
def supervised(app: str, *, restart: bool = False) -> Iterator[Supervisor]:
    supervisor = Supervisor(app, restart=restart)
    try:
        yield supervisor
    finally:
        supervisor.stop()


@pytest.fixture(scope="module")
def shop():
    return load_catalog(SHOP)


def _stopped(report) -> list:
    return [f for f in report.failures if f.finding.kind == "handler_stopped"]


def test_a_handler_that_exits_is_reported_once_and_not_sent_to_again(shop):
    settings = Settings(examples=20, adversarial_examples=20, database=None, seed=7)
    with supervised("dies_app") as handler, HttpTarget(base_url=handler.url) as target:
        run = Settings(**{**_fields(settings), "base_url": handler.url})
        report = run_contract(shop, target, run)
        sent_after = watch(target, "conforming").liveness
        again = run_contract(shop, target, run)
    assert handler.starts == 1
    # Exactly one finding: the request that killed it, as the group that sent it; nothing else is blamed.
    assert [(f.action, f.group, f.check, f.severity) for f in report.failures] == [
        ("placeOrder", "conforming", "hasura_accepts", "error")
    ]
    failure = report.failures[0]
    assert failure.finding.title == "the handler stopped answering after this request"
    assert any(item["quantity"] < 0 for item in failure.request.payload["input"]["items"])
    assert "nothing listens at 127.0.0.1" in failure.finding.found and not report.passed
    assert sent_after.down and sent_after.death is not None and sent_after.death.reported
    # The next run starts afresh: nothing listens from its first request on, as for a handler never started.
    assert not again.passed and all(f.finding.kind == "transport:refused" for f in again.failures)
    # Every later group was left unsent, with the reason.
    later = [r for r in report.results if (r.action, r.group) != ("placeOrder", "conforming")]
    assert all(r.skipped is not None or r.unreachable is not None for r in later)


def test_with_wait_for_restart_the_run_goes_on_after_a_restart(shop):
    settings = Settings(
        examples=30, adversarial=False, database=None, seed=7, actions=("placeOrder", "quote"), wait_for_restart=20
    )
    with supervised("dies_app", restart=True) as handler, HttpTarget(base_url=handler.url) as target:
        report = run_contract(shop, target, Settings(**{**_fields(settings), "base_url": handler.url}))
    assert handler.starts >= 2
    assert len(_stopped(report)) == 1 and "answered again" in _stopped(report)[0].finding.found
    # quote never kills it and ran in full after the restart.
    quote = next(r for r in report.results if (r.action, r.group) == ("quote", "conforming"))
    assert quote.unreachable is None and quote.statuses["200"] > 0
    assert [f for f in report.failures if f.action == "quote"] == []


def _fields(settings: Settings) -> dict:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


@contextlib.contextmanager
def dropping_server() -> Iterator[str]:
    """Answers `null` to every call but closes the connection without a word when the body holds a `%`."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                data = b""
                with contextlib.suppress(OSError):
                    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
                        chunk = connection.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                if b"%" in data:
                    continue  # the connection closes unanswered; the server goes on
                with contextlib.suppress(OSError):
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\n"
                        b"Connection: close\r\n\r\nnull"
                    )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        server.close()


def _length(data: bytes) -> int:
    for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def test_a_dropped_connection_from_a_live_handler_is_an_ordinary_failure(shop):
    settings = Settings(examples=30, adversarial=False, database=None, seed=7, actions=("quote",))
    with dropping_server() as url, HttpTarget(base_url=url) as target:
        report = run_contract(shop, target, Settings(**{**_fields(settings), "base_url": url}))
        liveness = watch(target, "conforming").liveness
    # The probe found it listening: no "stopped answering", and the group ran to the end.
    assert liveness.death is None and not _stopped(report)
    kinds = {f.finding.kind for f in report.failures}
    assert kinds & {"transport:no_response", "transport:reset"}, kinds
    conforming = next(r for r in report.results if r.group == "conforming")
    assert conforming.unreachable is None and conforming.cases >= 30
