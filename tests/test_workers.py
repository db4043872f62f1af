"""Concurrency from the front doors: same seed same findings for any --workers, Ctrl-C, exit 3, the pytest plugin."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from servers import serving
from slow_servers import InFlight, delayed

from action_contract import HttpTarget, Settings, load_catalog, run_contract
from action_contract._cli import _check
from action_contract._cli._main import main
from action_contract._send._app_loader import load_app

SHOP = FIXTURES / "projects" / "shop"
HANDLERS = FIXTURES / "handlers"


def _findings(report) -> list[tuple]:
    return sorted((f.key, f.request.body, f.response.status) for f in report.failures)


def test_same_seed_same_requests_and_findings_for_1_and_8_workers():
    shop = load_catalog(SHOP)
    app = load_app(f"{HANDLERS / 'faulty.py'}:html_crash_app")
    settings = {"actions": ("placeOrder", "quote"), "examples": 20, "adversarial_examples": 12, "database": None}
    runs = []
    with serving(app) as url, HttpTarget() as target:
        for workers in (1, 8):
            report = run_contract(shop, target, Settings(**settings, seed=5, base_url=url, workers=workers))
            runs.append((report.cases, _findings(report)))
    assert runs[0] == runs[1]
    assert runs[0][1], "the faulty handler must fail"


def test_ctrl_c_stops_the_run_writes_the_reports_and_exits_130(tmp_path):
    app = InFlight(delayed(load_app(f"{HANDLERS / 'shop.py'}:app"), lambda body: 0.1))
    reports = {name: tmp_path / name for name in ("run.json", "run.xml", "run.html")}
    with serving(app) as url:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "action_contract", "check", str(SHOP), "--url", url, "--workers", "2"),
                *("--no-database", "--report-json", str(reports["run.json"]), "--junit-xml", str(reports["run.xml"])),
                *("--report-html", str(reports["run.html"])),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + 30
        while app.total < 20 and time.monotonic() < deadline:  # well into the run: ~900 requests at 0.1 s, 2 at once
            time.sleep(0.05)
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert "INTERRUPTED" in out
    data = json.loads(reports["run.json"].read_text())
    assert data["interrupted"] is True and data["cases"] > 0
    assert any(r["interrupted"] for r in data["results"])
    assert reports["run.xml"].stat().st_size > 0 and reports["run.html"].stat().st_size > 0


def test_a_bug_of_ours_exits_3_with_the_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("an invariant broke")

    monkeypatch.setattr(_check, "run_contract", broken)
    result = CliRunner().invoke(main, ["check", str(SHOP), "--app", f"{HANDLERS / 'shop.py'}:app"])
    assert result.exit_code == 3
    assert "this is a bug in action-contract; please report it with this output" in result.output
    assert "RuntimeError: an invariant broke" in result.output and "Traceback" in result.output


@pytest.mark.parametrize("value", ["0", "many", "-2", "\u00b9"])  # "¹" is a digit to str.isdigit, not to int
def test_bad_worker_counts_are_usage_errors(value):
    result = CliRunner().invoke(main, ["check", str(SHOP), "--mock", "--workers", value])
    assert result.exit_code == 2 and "workers" in result.output


QUICK = ["--action-contract-examples=8", "--action-contract-adversarial-examples=8", "--action-contract-database=none"]


def test_the_plugin_with_workers_and_under_xdist(pytester: pytest.Pytester):
    app = delayed(load_app(f"{HANDLERS / 'shop.py'}:app"), lambda body: 0.02)
    pytester.makeini("[pytest]\naction_contract_workers = 4\n")
    with serving(app) as url:
        result = pytester.runpytest_subprocess(
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "--action-contract",
            f"--action-contract-path={SHOP}",
            f"--action-contract-url={url}",
            *QUICK,
        )
    result.assert_outcomes(passed=12, skipped=3)


def test_the_plugin_refuses_a_bad_worker_count(pytester: pytest.Pytester):
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--action-contract", f"--action-contract-path={SHOP}", "--action-contract-workers=0"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--action-contract-workers*"])


def test_the_stop_flag_ends_a_library_run_with_groups_marked_interrupted():
    import threading

    shop = load_catalog(SHOP)
    stop = threading.Event()
    stop.set()
    with HttpTarget() as target:
        report = run_contract(shop, target, Settings(database=None, base_url="http://127.0.0.1:9"), stop=stop)
    assert report.interrupted and report.cases == 0
    assert all(r.skipped is not None for r in report.results)


def test_in_process_apps_get_the_same_concurrency():
    import threading

    from slow_servers import InFlight

    from action_contract import AppTarget, CallableTarget

    shop = load_catalog(SHOP)
    settings = Settings(actions=("quote",), examples=20, adversarial_examples=10, database=None, seed=2)
    asgi = InFlight(delayed(load_app(f"{HANDLERS / 'shop.py'}:app"), lambda body: 0.03))
    with AppTarget(asgi) as target:
        assert run_contract(shop, target, settings).passed
    assert asgi.peak >= 4  # one event loop, many calls on it at once

    lock, now, peak = threading.Lock(), [0], [0]

    def handler(payload, headers):  # a blocking handler: each call on a thread of its own
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.03)
        with lock:
            now[0] -= 1
        return 400, {"message": "out of stock", "code": "out-of-stock"}  # correct for any request: no shrinking

    with CallableTarget(handler) as target:
        run_contract(shop, target, settings)
    assert peak[0] >= 4


def test_a_slow_handler_gets_the_worst_case_bound_printed_early():
    from slow_servers import dripping

    with dripping("hang") as url:
        started = time.perf_counter()
        result = CliRunner().invoke(
            main, ["check", str(SHOP), "--url", url, "--action", "quote", "--timeout", "1.5", "--no-database"]
        )
        elapsed = time.perf_counter() - started
    assert result.exit_code == 1, result.output
    assert "note: the handler is slow: this run takes at most about 14 s" in result.output  # 3 x 1.5 + 10
    assert "timed out 3 times in a row" in result.output or "transport:timeout" in result.output
    assert elapsed < 8, elapsed
