"""Wall time of `action-contract check` against a handler with a real reply time, over loopback.

The shop handler (fixtures/handlers/shop.py) answers every request 40 ms late, as a handler that waits on a
database does, served in a process of its own (benchmarks/latency_handler.py) by uvicorn and by Python's
`http.server` (ThreadingHTTPServer). The shop project (fixtures/projects/shop) runs with default settings
(`--no-database --seed 1`, so every run sends the same requests):

- `--workers 1` (one request at a time) against `--workers auto` (the default): ratio 1 / auto, target 6x;
  the default run should take under 10 s;
- Schemathesis `-w 4` on an OpenAPI description of the same handler (its paths and the JSON Schemas of
  `action-contract schema`), if schemathesis is installed, with its own default settings;
- a handler that times out on one action (placeOrder, 10 s timeout) for a third of its inputs: under 60 s;
- a handler that accepts connections and never answers: under actions x (4 x timeout + shrink budget).

Run: python benchmarks/bench_latency.py [--only uvicorn,http.server,late,never] [--no-schemathesis]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "fixtures" / "projects" / "shop"
HANDLER = ROOT / "benchmarks" / "latency_handler.py"
SHRINK_TIME = 10.0


@contextmanager
def handler(*args: str) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, str(HANDLER), *args], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()


def check(url: str, *args: str) -> tuple[float, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = ["action-contract", "check", str(SHOP), "--url", url, "--no-database", "--seed", "1", "-q"]
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--report-json", str(report), *args], capture_output=True, text=True, env=os.environ.copy()
        )
        elapsed = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise SystemExit(f"check failed with {done.returncode}:\n{done.stderr[-3000:]}")
        return elapsed, json.loads(report.read_text())


def openapi(path: Path) -> None:
    """An OpenAPI 3.1 description of the shop handler: a POST per action, its request and success schemas."""
    schema = subprocess.run(["action-contract", "schema", str(SHOP)], capture_output=True, text=True, check=True).stdout
    actions = json.loads(schema)["actions"]
    handlers = subprocess.run(
        ["action-contract", "validate", str(SHOP), "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    paths: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for action in json.loads(handlers)["actions"]:
        parts = actions[action["name"]]
        bodies = {}
        for part in ("request", "success"):
            document = json.loads(json.dumps(parts[part]).replace('"#/$defs/', '"#/components/schemas/'))
            components.update(document.pop("$defs", {}))
            document.pop("$schema", None)
            bodies[part] = document
        route = "/" + action["handler"].split("}}/", 1)[-1]
        paths[route] = {
            "post": {
                "operationId": action["name"],
                "requestBody": {"required": True, "content": {"application/json": {"schema": bodies["request"]}}},
                "responses": {
                    "200": {
                        "description": "the output",
                        "content": {"application/json": {"schema": bodies["success"]}},
                    },
                    "400": {"description": "a business error"},
                },
            }
        }
    spec = {"openapi": "3.1.0", "info": {"title": "shop", "version": "1"}, "paths": paths}
    spec["components"] = {"schemas": components}
    path.write_text(json.dumps(spec, indent=2))


def schemathesis(url: str) -> float | None:
    binary = shutil.which("schemathesis") or shutil.which("st")
    if binary is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "openapi.json"
        openapi(spec)
        started = time.perf_counter()
        subprocess.run(
            [binary, "run", str(spec), "--url", url, "-w", "4", "-H", "X-Shop-Secret: change-me"],
            capture_output=True,
            text=True,
            cwd=tmp,
        )
        return time.perf_counter() - started


def bound(report: dict[str, Any]) -> float:
    validate = subprocess.run(
        ["action-contract", "validate", str(SHOP), "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    return sum(4 * a["timeout"] + SHRINK_TIME for a in json.loads(validate)["actions"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="uvicorn,http.server,late,never")
    parser.add_argument("--no-schemathesis", action="store_true")
    options = parser.parse_args()
    only = options.only.split(",")
    for kind in ("uvicorn", "http.server"):
        if kind not in only:
            continue
        with handler(kind, "--delay", "0.04") as url:
            one, report = check(url, "--workers", "1")
            auto, report_auto = check(url)
            other = None if options.no_schemathesis else schemathesis(url)
        same = report["cases"] == report_auto["cases"] and len(report["failures"]) == len(report_auto["failures"])
        print(f"{kind}, 40 ms a reply, shop project, default settings ({report_auto['cases']} cases):")
        print(f"  --workers 1     {one:7.1f} s")
        print(f"  --workers auto  {auto:7.1f} s   ratio {one / auto:.1f}x  (target 6x; under 10 s)")
        print(f"  same requests and findings: {same}")
        if other is None:
            print("  schemathesis: not installed (pip install schemathesis)")
        else:
            print(f"  schemathesis -w 4 {other:5.1f} s   ratio {other / auto:.1f}x  (target 2x)")
    if "late" in only:
        with handler("uvicorn", "--delay", "0.04", "--late", "/place-order", "--late-seconds", "11") as url:
            late, report = check(url)
        timeouts = sum(1 for f in report["failures"] if f["kind"] == "transport:timeout")
        print(
            f"placeOrder times out for a third of its inputs: {late:.1f} s (target under 60 s), "
            f"{timeouts} timeout failure(s)"
        )
    if "never" in only:
        with handler("never") as url:
            never, report = check(url)
        timeouts = {f["action"] for f in report["failures"] if f["kind"] == "transport:timeout"}
        limit = bound(report)
        print(
            f"a handler that never answers: {never:.1f} s (bound {limit:.0f} s), "
            f"timeouts reported for {len(timeouts)} actions"
        )


if __name__ == "__main__":
    main()
