"""The mock handler over loopback HTTP, beside a ceiling measured in the same run: throughput, start-up, reload.

(1) Throughput. About 500 distinct conforming placeOrder requests of fixtures/projects/shop are drawn once
    (env SHOP_ACTIONS_URL=http://127.0.0.1:3000, SHOP_WEBHOOK_SECRET=bench-secret) and written to JSON-lines
    files: the bodies, and each request's own headers (X-Shop-Secret, the forwarded client headers). Two
    servers run as subprocesses on free ports:
    - ceiling: `python benchmarks/ceiling_app.py --port P`, a raw ASGI app under the same uvicorn that reads
      the body and answers a constant ~260-byte order: the most any Python handler on this stack can do;
    - mock: `python -m action_contract mock fixtures/projects/shop --port P --seed 1 --quiet --env ...`
      (`--quiet`: no line per call on stderr), ready when `GET /__mock/health` answers 200.
    benchmarks/loadgen.py, a separate process (closed loop, HTTP/1.1 keep-alive, raw asyncio streams), drives
    each in alternating rounds: `--connections` (4) connections for `--duration` (5 s) after a 1 s warm-up.
    Medians over `--rounds` (3) of req/s, p50 and p99 are reported, then the ratio mock / ceiling.
    The bodies repeat, as a frontend's calls do, so after the first pass the mock answers them from its
    reply cache; `--mock-command "... --cache-size 0 ..."` measures generation on every call instead.
    Targets: ratio 0.5 or more, mock p99 under 10 ms. More than 1% of replies other than 200 makes the
    measurement meaningless: it is reported as a failure. Before that, one round against
    `ceiling_app.py --raw` (a bare asyncio server) shows the load generator's own ceiling.
(2) Start-up. A 100-action Hasura CLI project (bench_plugin.generate; its .env fills the templates) in a
    temp dir; time from process spawn to the first 200 of `GET /__mock/health` (polled every 5 ms) for the
    mock serving it, against the same for the ceiling app (interpreter + uvicorn start-up), alternating,
    medians of `--startup-rounds` after one untimed warm-up of each. Target: mock under 1 s; the
    difference is the mock's own cost.
(3) Reload. The mock with `--reload` on a temp copy of fixtures/projects/shop: for each of 3 edits, a new
    action is added to the copy (`type Query { benchPingN: Boolean }` in actions.graphql, its entry in
    actions.yaml), and `GET /__mock/health` is polled every 5 ms until its `generation` increases: the time
    from the write to the new generation, median. Target: under 0.5 s. Skipped, with a message, when the
    server's health reply has no `generation` (a command without `--reload`).
What the mock command must provide: `--port`, `--seed`, `--quiet`, `--env NAME=VALUE`, `--reload`; 200 with
a JSON object at `GET /__mock/health` once it serves, with integer `generation` (bumped by each successful
rebuild) and `actions` (how many it serves); 200 replies to conforming placeOrder calls at /place-order.

`--mock-command` replaces the mock's command (placeholders: {python}, {port}, {project}; a lone {env}
token becomes the --env options), with `--ready-path` / `--ready-status` for its readiness; e.g. the
bundled shop handler, to check the harness before the mock exists:
    --mock-command "{python} -c 'import sys, uvicorn; sys.path.insert(0, \"fixtures/handlers\"); import shop;
    uvicorn.run(shop.app, port={port}, log_level=\"warning\")'" --ready-path / --ready-status any
Exit status 1 when a target is missed or the measurement is meaningless (servers failing, non-200 replies).
Run: python benchmarks/bench_mock.py [--connections N] [--duration S] [--rounds R] [--startup-rounds R]
     [--only throughput|startup|reload] [--pin]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
PROJECT = ROOT / "fixtures" / "projects" / "shop"
PYTHON = sys.executable
ACTION = "placeOrder"
ENV = {"SHOP_ACTIONS_URL": "http://127.0.0.1:3000", "SHOP_WEBHOOK_SECRET": "bench-secret"}
SEED = 20240601
MOCK_COMMAND = "{python} -m action_contract mock {project} --port {port} --seed 1 --quiet {env}"
CEILING_COMMAND = "{python} benchmarks/ceiling_app.py --port {port}"
RAW_COMMAND = "{python} benchmarks/ceiling_app.py --raw --port {port}"
HEALTH = "/__mock/health"
# Headers the load generator writes itself (and hop-by-hop ones Hasura would not forward).
OWN_HEADERS = frozenset(
    {"host", "content-length", "content-type", "connection", "transfer-encoding", "keep-alive", "te", "upgrade"}
)
TARGET_RATIO, TARGET_P99_MS, TARGET_STARTUP_S, TARGET_RELOAD_S = 0.5, 10.0, 1.0, 0.5
MAX_NON_200 = 0.01


class ServerError(RuntimeError):
    """A server did not start or died; the message ends with its output."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    """GET http://127.0.0.1:port/path: status and body (raises OSError / HTTPException when not up)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def command_line(template: str, port: int, project: Path, env: dict[str, str]) -> list[str]:
    """Split `template` and fill its placeholders; a lone `{env}` token becomes `--env NAME=VALUE` options."""
    words: list[str] = []
    for word in shlex.split(template):
        if word == "{env}":
            words += [part for name, value in env.items() for part in ("--env", f"{name}={value}")]
        else:
            words.append(word.format(python=PYTHON, port=port, project=project))
    return words


def pinned(cpu: int | None) -> Callable[[], None] | None:
    """A preexec_fn that pins the child to `cpu` (None: no pinning)."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    startup: float = 0.0  # seconds from spawn to ready

    def output(self, limit: int = 6000) -> str:
        self.log.flush()
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace")
        return text if len(text) <= limit else "...\n" + text[-limit:]

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise ServerError(f"{self.name} exited with status {self.process.returncode}; its output:\n{self.output()}")


@dataclass(frozen=True)
class Readiness:
    path: str = HEALTH
    status: int | None = 200  # None: any HTTP reply
    timeout: float = 20.0


@contextlib.contextmanager
def serving(
    name: str, command: list[str], port: int, ready: Readiness, cpu: int | None = None, cwd: Path = ROOT
) -> Iterator[Server]:
    """Run `command` (stdout and stderr to a temp file), wait until it is ready, stop it at the end."""
    env = {**os.environ, **ENV}  # the shop handler reads SHOP_WEBHOOK_SECRET from its environment
    with tempfile.TemporaryFile() as log:
        spawned = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, spared our Ctrl-C
            preexec_fn=pinned(cpu),
        )
        server = Server(name, port, process, log)
        try:
            server.startup = wait_ready(server, ready, spawned)
            yield server
        finally:
            stop(process)


def wait_ready(server: Server, ready: Readiness, spawned: float) -> float:
    """Poll `ready.path` every 5 ms; seconds from `spawned` to the first good reply."""
    deadline = spawned + ready.timeout
    while True:
        server.check_alive()
        try:
            status, _ = get(server.port, ready.path, timeout=1.0)
            if ready.status is None or status == ready.status:
                return time.perf_counter() - spawned
        except (OSError, http.client.HTTPException):
            pass
        if time.perf_counter() > deadline:
            raise ServerError(
                f"{server.name} did not answer GET {ready.path} with {ready.status or 'anything'} within "
                f"{ready.timeout:.0f} s; its output:\n{server.output()}"
            )
        time.sleep(0.005)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, SIGKILL after 5 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# -- (1) throughput -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    path: str
    bodies: Path
    headers: Path
    count: int


def prepare(directory: Path, count: int) -> Load:
    """Draw `count` conforming placeOrder requests; write their bodies and headers as JSON lines."""
    from action_contract import ActionRequest, conforming_requests, load_catalog
    from action_contract._generate._sampling import draw_examples

    catalog = load_catalog(PROJECT, env=ENV)
    strategy = conforming_requests(ACTION, catalog=catalog, env=ENV)
    distinct: dict[bytes, ActionRequest] = {}
    for attempt in range(10):  # Hypothesis repeats itself now and then: draw again until there are enough
        for request in draw_examples(strategy, count, seed_value=SEED + attempt):
            distinct.setdefault(request.body, request)
        if len(distinct) >= count:
            break
    unique = list(distinct.values())[:count]
    bodies, headers = [], []
    for request in unique:
        bodies.append(request.body)
        headers.append(
            [
                [name, value]
                for name, value in request.headers
                if name.lower() not in OWN_HEADERS and "\r" not in value and "\n" not in value and value.isascii()
            ]
        )
    url = urlsplit(unique[0].url)
    path = url.path + (f"?{url.query}" if url.query else "")
    load = Load(path, directory / "bodies.jsonl", directory / "headers.jsonl", len(bodies))
    load.bodies.write_bytes(b"".join(body + b"\n" for body in bodies))
    load.headers.write_text("".join(json.dumps(pairs) + "\n" for pairs in headers))
    return load


def drive(server: Server, load: Load, args: argparse.Namespace, cpu: int | None) -> dict[str, Any]:
    """One loadgen process against `server`: its JSON result."""
    command = [PYTHON, str(BENCHMARKS / "loadgen.py"), "--port", str(server.port), "--path", load.path]
    command += ["--bodies", str(load.bodies), "--request-headers", str(load.headers)]
    command += ["--connections", str(args.connections), "--duration", str(args.duration)]
    command += ["--warmup", str(args.warmup)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=args.warmup + 2 * args.duration + 60,
        preexec_fn=pinned(cpu),
    )
    server.check_alive()
    if done.returncode != 0:
        raise RuntimeError(f"loadgen exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@dataclass
class Measured:
    """The rounds of one server, and their medians."""

    name: str
    rounds: list[dict[str, Any]]

    def median(self, key: str) -> float:
        return float(statistics.median(r[key] for r in self.rounds))

    @property
    def replies(self) -> int:
        return sum(sum(r["statuses"].values()) for r in self.rounds)

    @property
    def non_200(self) -> int:
        return sum(n for r in self.rounds for status, n in r["statuses"].items() if status != "200")

    @property
    def errors(self) -> int:
        return sum(r["errors"] for r in self.rounds)

    def statuses(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for r in self.rounds:
            for status, n in r["statuses"].items():
                total[status] = total.get(status, 0) + n
        return total


def throughput(args: argparse.Namespace, tmp: Path) -> bool:
    load = prepare(tmp, args.bodies)
    server_cpu, load_cpu = (0, 1) if args.pin else (None, None)
    print(
        f"(1) throughput: {load.count} distinct {ACTION} requests to {load.path}, {args.connections} keep-alive"
        f" connections, {args.duration:g} s per round after {args.warmup:g} s warm-up; median of {args.rounds}"
        f" rounds{' (server on CPU 0, load generator on CPU 1)' if args.pin else ''}"
    )
    raw_port, ceiling_port, mock_port = free_port(), free_port(), free_port()
    raw_command = command_line(RAW_COMMAND, raw_port, PROJECT, ENV)
    with serving("raw asyncio server", raw_command, raw_port, Readiness("/"), server_cpu) as raw:
        own = drive(raw, load, args, load_cpu)
    print(f"  load generator's own ceiling (bare asyncio server): {own['rps']:8.0f} req/s, p99 {own['p99_ms']:.2f} ms")
    ceiling_command = command_line(CEILING_COMMAND, ceiling_port, PROJECT, ENV)
    mock_command = command_line(args.mock_command, mock_port, PROJECT, ENV)
    ready = Readiness(args.ready_path, args.ready_status)
    results = {"ceiling": Measured("ceiling (raw ASGI, uvicorn)", []), "mock": Measured("mock", [])}
    with (
        serving("ceiling", ceiling_command, ceiling_port, Readiness("/"), server_cpu) as ceiling,
        serving("mock", mock_command, mock_port, ready, server_cpu) as mock,
    ):
        for round_ in range(args.rounds):
            order = [("ceiling", ceiling), ("mock", mock)]
            for key, server in order if round_ % 2 == 0 else order[::-1]:
                results[key].rounds.append(drive(server, load, args, load_cpu))
            shown = ", ".join(f"{key} {results[key].rounds[-1]['rps']:.0f}" for key, _ in order)
            print(f"  round {round_ + 1}: {shown} req/s")
    print(f"  {'':30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8} {'errors':>7}")
    for measured in results.values():
        print(
            f"  {measured.name:30} {measured.median('rps'):8.0f} {measured.median('p50_ms'):8.2f}"
            f" {measured.median('p99_ms'):8.2f} {measured.non_200:8d} {measured.errors:7d}"
        )
    if own["rps"] < 1.5 * results["ceiling"].median("rps"):
        print("  warning: the ceiling is close to the load generator's own ceiling; the ratio may be understated")
    for measured in results.values():
        if measured.errors:
            print(f"  warning: {measured.errors} connection errors against the {measured.name}")
    ratio = results["mock"].median("rps") / results["ceiling"].median("rps")
    p99 = results["mock"].median("p99_ms")
    ok = report(f"ratio (mock / ceiling): {ratio:.2f}", ratio >= TARGET_RATIO, f"{TARGET_RATIO} or more")
    ok &= report(f"mock p99: {p99:.2f} ms", p99 < TARGET_P99_MS, f"under {TARGET_P99_MS:g} ms")
    for measured in results.values():
        if measured.non_200 > MAX_NON_200 * max(measured.replies, 1):
            print(
                f"  FAIL: {measured.non_200} of {measured.replies} replies of the {measured.name} were not 200"
                f" ({measured.statuses()}): the figures above are meaningless"
            )
            ok = False
    return ok


def report(text: str, passed: bool, target: str) -> bool:
    print(f"  {text:48} {'PASS' if passed else 'FAIL'} (target: {target})")
    return passed


# -- (2) start-up ---------------------------------------------------------------------------------------


def startup(args: argparse.Namespace, tmp: Path) -> bool:
    sys.path.insert(0, str(BENCHMARKS))
    from bench_plugin import generate

    project = tmp / "generated"
    generate(project, args.actions)
    env = dict(line.split("=", 1) for line in (project / ".env").read_text().splitlines() if "=" in line)
    commands = {
        "ceiling": (CEILING_COMMAND, Readiness(HEALTH, 200)),  # the ceiling answers 200 at any path
        "mock": (args.mock_command, Readiness(args.ready_path, args.ready_status)),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(args.startup_rounds + 1):  # round 0: warm-up (bytecode caches, page cache)
        for name, (template, ready) in commands.items() if round_ % 2 else reversed(commands.items()):
            port = free_port()
            with serving(name, command_line(template, port, project, env), port, ready) as server:
                if round_:
                    times[name].append(server.startup)
                elif name == "mock" and (reply := health(server)) and reply.get("actions") != args.actions:
                    print(f"  warning: the mock serves {reply.get('actions')} actions, not {args.actions}")
    mock, ceiling = statistics.median(times["mock"]), statistics.median(times["ceiling"])
    answer = "reply" if args.ready_status is None else str(args.ready_status)
    print(
        f"(2) start-up, {args.actions}-action project: spawn to the first {answer} of GET {args.ready_path},"
        f" median of {args.startup_rounds}"
    )
    print(f"  ceiling app (interpreter + uvicorn)   {ceiling * 1000:7.0f} ms")
    print(f"  mock                                  {mock * 1000:7.0f} ms")
    print(f"  difference (the mock's own)           {(mock - ceiling) * 1000:+7.0f} ms")
    return report(f"mock start-up: {mock * 1000:.0f} ms", mock < TARGET_STARTUP_S, f"under {TARGET_STARTUP_S:g} s")


# -- (3) reload -----------------------------------------------------------------------------------------


def health(server: Server) -> dict[str, Any] | None:
    """The health reply as JSON, None when it is not a JSON object."""
    with contextlib.suppress(OSError, http.client.HTTPException, ValueError):
        status, body = get(server.port, HEALTH)
        reply = json.loads(body)
        if status == 200 and isinstance(reply, dict):
            return reply
    return None


def add_action(project: Path, number: int) -> None:
    """A new query action `benchPing<number>` in the project's actions.graphql and actions.yaml."""
    metadata = project / "metadata"
    sdl = (metadata / "actions.graphql").read_text() + f"\ntype Query {{\n  benchPing{number}: Boolean\n}}\n"
    yaml = (metadata / "actions.yaml").read_text()
    entry = (
        f'  - name: benchPing{number}\n    definition:\n      kind: ""\n'
        f"      handler: '{{{{SHOP_ACTIONS_URL}}}}/ping{number}'\n"
    )
    at = yaml.index("\ncustom_types:") + 1
    # both files written back to back: the watcher sees one change
    (metadata / "actions.yaml").write_text(yaml[:at] + entry + yaml[at:])
    (metadata / "actions.graphql").write_text(sdl)


def reload(args: argparse.Namespace, tmp: Path) -> bool:
    project = tmp / "shop"
    shutil.copytree(PROJECT, project)
    port = free_port()
    command = [*command_line(args.mock_command, port, project, ENV), "--reload"]
    ready = Readiness(args.ready_path, args.ready_status)
    print(f"(3) reload: {args.edits} edits (one new action each) to a copy of {PROJECT.relative_to(ROOT)}")
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(serving("mock --reload", command, port, ready))
        except ServerError as error:
            print(f"  skipped: the mock command does not start with --reload:\n{error}")
            return True
        first = health(server)
        if first is None or not isinstance(first.get("generation"), int):
            print(f"  skipped: GET {HEALTH} has no integer 'generation' (a mock command without --reload?)")
            return True
        times = [edit(server, project, number) for number in range(1, args.edits + 1)]
    seconds = statistics.median(times)
    print(f"  write to new generation: {', '.join(f'{t * 1000:.0f}' for t in times)} ms")
    return report(f"reload, median: {seconds * 1000:.0f} ms", seconds < TARGET_RELOAD_S, "under 0.5 s")


def edit(server: Server, project: Path, number: int) -> float:
    """Add action `number`; seconds from the write to a health reply with a higher generation."""
    time.sleep(0.5)  # let the watcher settle after the previous rebuild
    before = health(server)
    if before is None:
        raise ServerError(f"GET {HEALTH} failed; the mock's output:\n{server.output()}")
    written = time.perf_counter()
    add_action(project, number)
    after = before
    while after["generation"] <= before["generation"]:
        if time.perf_counter() - written > 10:
            raise ServerError(f"no new generation 10 s after edit {number} ({after}); output:\n{server.output()}")
        time.sleep(0.005)
        server.check_alive()
        after = health(server) or after
    seconds = time.perf_counter() - written
    if after.get("actions") != before.get("actions", 0) + 1 or after.get("error"):
        print(f"  warning: after edit {number} the health reply is {after}")
    return seconds


def cpu_busy(seconds: float = 0.5) -> float | None:
    """Share of all CPUs' time spent busy over `seconds` (from /proc/stat), None where unavailable."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            fields = [int(n) for n in stat.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    try:
        total, idle = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle_after - idle) / max(total_after - total, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=4, help="load generator connections")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds counted per round")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds not counted, before each round")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds per server")
    parser.add_argument("--bodies", type=int, default=500, help="distinct requests drawn")
    parser.add_argument("--actions", type=int, default=100, help="actions of the start-up project")
    parser.add_argument("--startup-rounds", type=int, default=5)
    parser.add_argument("--edits", type=int, default=3, help="reload edits")
    parser.add_argument("--mock-command", default=MOCK_COMMAND, help="placeholders {python} {port} {project} {env}")
    parser.add_argument("--ready-path", default=HEALTH, help="GET path polled until the mock is ready")
    parser.add_argument(
        "--ready-status",
        default="200",
        type=lambda text: None if text == "any" else int(text),
        help="status of a ready mock ('any': any HTTP reply)",
    )
    parser.add_argument("--only", action="append", choices=["throughput", "startup", "reload"], help="repeatable")
    parser.add_argument("--pin", action="store_true", help="server on CPU 0, load generator on CPU 1")
    args = parser.parse_args()
    parts: dict[str, Callable[[argparse.Namespace, Path], bool]] = {
        "throughput": throughput,
        "startup": startup,
        "reload": reload,
    }
    busy = cpu_busy()
    if busy is not None and busy > 0.2:
        print(f"note: the CPUs were {busy:.0%} busy before the run; other work on this machine skews the figures")
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="bench_mock-") as tmp:
            for name, part in parts.items():
                if not args.only or name in args.only:
                    ok &= part(args, Path(tmp))
    except ServerError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
