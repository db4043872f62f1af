"""The reference executor (GraphQL in, webhook calls out) against the same webhook calls made directly.

Both parts use fixtures/projects/shop with env SHOP_ACTIONS_URL=http://127.0.0.1:3000,
SHOP_WEBHOOK_SECRET=bench-secret, and GraphQL requests sent as role `customer` (header x-hasura-role).

(1) In-process. `--bodies` (200) distinct operations are drawn once, before any timing: half placeOrder
    mutations, half quote queries, alternating, each a fixed document with variables
        mutation PlaceOrder($items: [OrderItemInput!]!, $coupon: String, $deliverAt: timestamptz)
          { placeOrder(...) { orderId status total lines { sku quantity price } placedAt } }
        query Quote($items: [OrderItemInput!]!, $shipTo: AddressInput) { quote(...) { total currency breakdown } }
    whose variables are the `payload["input"]` of `conforming_requests(action)` drawn with
    `draw_examples(strategy, n, seed_value=1)` (seeds 2, 3, ... only while inputs repeat).
    - measured: `ReferenceExecutor(catalog, target, base_url="http://handler.test", env=...).execute(query,
      variables, headers=[("x-hasura-role", "customer")])`, where `target = app_target(MockHandler(catalog,
      env=..., cors=False), kind="asgi")`: role and session, the role's schema, validation, the webhook call
      built as Hasura builds it, the mock called through the target, its reply judged and shaped;
    - baseline: `target.send(request)` for the very ActionRequests the executor built for those operations
      (taken from a first untimed pass, which also checks that every operation answers `data` without
      `errors` after exactly one handler call with status 200): the mock's own in-process cost.
    Both loops run `--ops` (3,000) operations, cycling through the distinct ones, after a warm-up of 200;
    rounds alternate which goes first; the best of `--rounds` (3) is reported, as operations per second and
    microseconds per operation, with the ratio executor / direct and the executor's own cost (its µs/op
    minus the direct µs/op). The mock keeps generated replies in its cache, so after the first pass both
    loops get cached replies from it: the difference is the executor's work alone.
    Target: executor 300 operations per second or more.
(2) Loopback HTTP. Two servers run as subprocesses on free ports:
    - serve: `python -m action_contract serve fixtures/projects/shop --mock --port P --quiet --async-interval 1
      --env ...`, ready when `GET /healthz` answers 200: the executor over uvicorn, each request run on a
      worker thread, the mock asked directly in that thread (MockTarget: no HTTP between them);
    - mock: `python -m action_contract mock fixtures/projects/shop --port P --seed 1 --quiet --env ...`,
      ready when `GET /__mock/health` answers 200: the bare mock, as bench_mock.py measures it.
    loadgen.py takes one path per run, so the load is placeOrder only: `--bodies` distinct conforming
    placeOrder webhook calls drawn exactly as bench_mock.py draws them (its `prepare`: bodies plus each
    call's own headers) are sent to the mock at /place-order; their `input` objects, as the variables of the
    PlaceOrder mutation above (`{"query": ..., "variables": ...}`), are sent to serve at POST /v1/graphql with
    `x-hasura-role: customer`. benchmarks/loadgen.py (a separate process, closed loop, HTTP/1.1 keep-alive)
    drives each in alternating rounds: `--connections` (4) connections for `--duration` (5 s) after a
    `--warmup` (1 s); medians over `--rounds` (3) of req/s, p50 and p99, then the ratio serve / mock (no
    target: printed only). loadgen counts HTTP statuses only, and serve answers a GraphQL error with 200, so
    every serve body is also sent once before and once after the load and must answer 200 with non-null
    `data.placeOrder` and no `errors`. More than 1% of replies other than 200 during the load, or any failed
    check, makes the measurement meaningless: it is reported as a failure.
Exit status 1 when a target is missed or the measurement is meaningless (servers failing, wrong replies).
Run: python benchmarks/bench_executor.py [--ops N] [--bodies N] [--connections N] [--duration S] [--warmup S]
     [--rounds R] [--only inprocess|http] [--pin]
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_mock import (
    ENV,
    HEALTH,
    MAX_NON_200,
    MOCK_COMMAND,
    PROJECT,
    Load,
    Measured,
    Readiness,
    ServerError,
    command_line,
    cpu_busy,
    drive,
    free_port,
    prepare,
    serving,
)

from action_contract import (
    ActionRequest,
    MockHandler,
    ReferenceExecutor,
    Target,
    app_target,
    conforming_requests,
    load_catalog,
)
from action_contract._generate._sampling import draw_examples

BASE_URL = "http://handler.test"
ROLE = (("x-hasura-role", "customer"),)
PLACE_ORDER = (
    "mutation PlaceOrder($items: [OrderItemInput!]!, $coupon: String, $deliverAt: timestamptz) {"
    " placeOrder(items: $items, coupon: $coupon, deliverAt: $deliverAt)"
    " { orderId status total lines { sku quantity price } placedAt } }"
)
QUOTE = (
    "query Quote($items: [OrderItemInput!]!, $shipTo: AddressInput) {"
    " quote(items: $items, shipTo: $shipTo) { total currency breakdown } }"
)
DOCUMENTS = {"placeOrder": PLACE_ORDER, "quote": QUOTE}
SERVE_COMMAND = "{python} -m action_contract serve {project} --mock --port {port} --quiet --async-interval 1 {env}"
GRAPHQL_PATH = "/v1/graphql"
WARMUP_OPS = 200
TARGET_OPS = 300.0


def report(text: str, passed: bool, target: str) -> bool:
    print(f"  {text:48} {'PASS' if passed else 'MISS'} (target: {target})")
    return passed


# -- (1) in-process -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    action: str
    query: str
    variables: dict[str, Any]


def draw_inputs(action: str, count: int) -> list[dict[str, Any]]:
    """`count` distinct `input` objects of conforming `action` requests (seed 1, then 2, ... while they repeat)."""
    catalog = load_catalog(PROJECT, env=ENV)
    strategy = conforming_requests(action, catalog=catalog, env=ENV)
    distinct: dict[str, dict[str, Any]] = {}
    for attempt in range(10):
        for request in draw_examples(strategy, count, seed_value=1 + attempt):
            assert request.payload is not None
            arguments = dict(request.payload["input"])
            distinct.setdefault(json.dumps(arguments, sort_keys=True), arguments)
        if len(distinct) >= count:
            break
    return list(distinct.values())[:count]


def operations(count: int) -> list[Operation]:
    """placeOrder mutations and quote queries, alternating."""
    orders = [Operation("placeOrder", PLACE_ORDER, v) for v in draw_inputs("placeOrder", count - count // 2)]
    quotes = [Operation("quote", QUOTE, v) for v in draw_inputs("quote", count // 2)]
    mixed: list[Operation] = []
    for index in range(max(len(orders), len(quotes))):
        mixed += orders[index : index + 1] + quotes[index : index + 1]
    return mixed


def handler_calls(executor: ReferenceExecutor, target: Target, ops: list[Operation]) -> list[ActionRequest] | None:
    """One untimed pass: the webhook call the executor makes for each operation (None when one goes wrong)."""
    requests: list[ActionRequest] = []
    for op in ops:
        reply = executor.execute(op.query, op.variables, None, ROLE)
        calls = reply.calls
        problem = None
        if reply.status != 200 or reply.errors or not isinstance(reply.data, dict) or op.action not in reply.data:
            problem = f"reply {reply.status} {json.dumps(reply.body)[:300]}"
        elif len(calls) != 1 or calls[0].response.status != 200 or not calls[0].verdict.accepted:
            problem = f"{len(calls)} handler calls, {[c.response.status for c in calls]}"
        elif target.send(calls[0].request).status != 200:
            problem = "the direct call did not answer 200"
        if problem is not None:
            print(f"  FAIL: {op.action} with {json.dumps(op.variables)[:200]}: {problem}")
            return None
        requests.append(calls[0].request)
    return requests


def run_executor(executor: ReferenceExecutor, ops: Sequence[Operation], n: int) -> float:
    execute = executor.execute
    count = len(ops)
    start = time.perf_counter()
    for index in range(n):
        op = ops[index % count]
        execute(op.query, op.variables, None, ROLE)
    return time.perf_counter() - start


def run_direct(target: Target, requests: Sequence[ActionRequest], n: int) -> float:
    send = target.send
    count = len(requests)
    start = time.perf_counter()
    for index in range(n):
        send(requests[index % count])
    return time.perf_counter() - start


def inprocess(args: argparse.Namespace, _tmp: Path) -> bool:
    ops = operations(args.bodies)
    kinds = {action: sum(op.action == action for op in ops) for action in DOCUMENTS}
    print(
        f"(1) in-process: {len(ops)} distinct operations ({kinds['placeOrder']} placeOrder mutations,"
        f" {kinds['quote']} quote queries) as role customer, to MockHandler through app_target(kind='asgi');"
        f" {args.ops} operations per round after {WARMUP_OPS} warm-up, best of {args.rounds} rounds"
    )
    catalog = load_catalog(PROJECT, env=ENV)
    with app_target(MockHandler(catalog, env=ENV, cors=False), kind="asgi") as target:
        executor = ReferenceExecutor(catalog, target, base_url=BASE_URL, env=ENV)
        try:
            requests = handler_calls(executor, target, ops)
            if requests is None:
                print("  the figures would be meaningless: not measured")
                return False
            run_executor(executor, ops, WARMUP_OPS)
            run_direct(target, requests, WARMUP_OPS)
            loops: dict[str, Callable[[], float]] = {
                "executor": lambda: run_executor(executor, ops, args.ops),
                "direct": lambda: run_direct(target, requests, args.ops),
            }
            times: dict[str, list[float]] = {name: [] for name in loops}
            for round_ in range(args.rounds):
                order = list(loops) if round_ % 2 == 0 else list(loops)[::-1]
                for name in order:
                    times[name].append(loops[name]())
                shown = ", ".join(f"{name} {args.ops / times[name][-1]:.0f}" for name in loops)
                print(f"  round {round_ + 1}: {shown} ops/s")
        finally:
            executor.close()
    executor_s, direct_s = min(times["executor"]) / args.ops, min(times["direct"]) / args.ops
    print(f"  {'':40} {'ops/s':>8} {'µs/op':>8}")
    print(f"  {'direct target.send (baseline)':40} {1 / direct_s:8.0f} {direct_s * 1e6:8.1f}")
    print(f"  {'ReferenceExecutor.execute':40} {1 / executor_s:8.0f} {executor_s * 1e6:8.1f}")
    own = "executor's own cost (executor - direct)"
    print(f"  {own:40} {'':8} {(executor_s - direct_s) * 1e6:8.1f}")
    print(f"  ratio (executor / direct): {direct_s / executor_s:.2f}")
    ok = report(f"executor: {1 / executor_s:.0f} ops/s", 1 / executor_s >= TARGET_OPS, f"{TARGET_OPS:g} or more")
    if executor_s <= direct_s:
        print("  FAIL: the executor, which makes the same calls and more, measured faster: noise, meaningless")
        ok = False
    return ok


# -- (2) loopback HTTP ----------------------------------------------------------------------------------


def graphql_load(directory: Path, webhook: Load) -> tuple[Load, list[bytes]]:
    """The PlaceOrder mutation with each webhook body's `input` as its variables, and the role header."""
    bodies = []
    for line in webhook.bodies.read_bytes().splitlines():
        if line.strip():
            variables = json.loads(line)["input"]
            request = {"query": PLACE_ORDER, "variables": variables}
            bodies.append(json.dumps(request, separators=(",", ":"), ensure_ascii=False).encode())
    load = Load(GRAPHQL_PATH, directory / "graphql.jsonl", directory / "graphql-headers.jsonl", len(bodies))
    load.bodies.write_bytes(b"".join(body + b"\n" for body in bodies))
    load.headers.write_text(f"{json.dumps([list(pair) for pair in ROLE])}\n" * len(bodies))
    return load, bodies


def check_serve(port: int, bodies: list[bytes], when: str) -> bool:
    """Every body once: 200 with non-null `data.placeOrder` and no `errors`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for body in bodies:
            connection.request("POST", GRAPHQL_PATH, body, {"Content-Type": "application/json", **dict(ROLE)})
            response = connection.getresponse()
            text = response.read()
            reply = json.loads(text) if text else None
            if (
                response.status != 200
                or not isinstance(reply, dict)
                or reply.get("errors")
                or not isinstance(reply.get("data"), dict)
                or reply["data"].get("placeOrder") is None
            ):
                print(f"  FAIL {when}: serve answered {response.status} {text[:300]!r} to {body[:200]!r}")
                return False
    finally:
        connection.close()
    return True


def loopback(args: argparse.Namespace, tmp: Path) -> bool:
    webhook = prepare(tmp, args.bodies)
    graphql, bodies = graphql_load(tmp, webhook)
    server_cpu, load_cpu = (0, 1) if args.pin else (None, None)
    print(
        f"(2) loopback HTTP: {webhook.count} distinct placeOrder operations, serve at {GRAPHQL_PATH} against the"
        f" mock at {webhook.path}; {args.connections} keep-alive connections, {args.duration:g} s per round after"
        f" {args.warmup:g} s warm-up; median of {args.rounds} rounds"
        f"{' (servers on CPU 0, load generator on CPU 1)' if args.pin else ''}"
    )
    serve_port, mock_port = free_port(), free_port()
    serve_command = command_line(SERVE_COMMAND, serve_port, PROJECT, ENV)
    mock_command = command_line(MOCK_COMMAND, mock_port, PROJECT, ENV)
    results = {"serve": Measured("serve (executor + mock)", []), "mock": Measured("mock", [])}
    loads = {"serve": graphql, "mock": webhook}
    with (
        serving("serve", serve_command, serve_port, Readiness("/healthz"), server_cpu) as serve,
        serving("mock", mock_command, mock_port, Readiness(HEALTH), server_cpu) as mock,
    ):
        if not check_serve(serve_port, bodies, "before the load"):
            print("  the figures would be meaningless: not measured")
            return False
        servers = {"serve": serve, "mock": mock}
        for round_ in range(args.rounds):
            order = list(servers) if round_ % 2 == 0 else list(servers)[::-1]
            for key in order:
                results[key].rounds.append(drive(servers[key], loads[key], args, load_cpu))
            shown = ", ".join(f"{key} {results[key].rounds[-1]['rps']:.0f}" for key in servers)
            print(f"  round {round_ + 1}: {shown} req/s")
        after = check_serve(serve_port, bodies, "after the load")
    print(f"  {'':30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8} {'errors':>7}")
    for measured in results.values():
        print(
            f"  {measured.name:30} {measured.median('rps'):8.0f} {measured.median('p50_ms'):8.2f}"
            f" {measured.median('p99_ms'):8.2f} {measured.non_200:8d} {measured.errors:7d}"
        )
    for measured in results.values():
        if measured.errors:
            print(f"  warning: {measured.errors} connection errors against the {measured.name}")
    ok = after
    mock_rps = results["mock"].median("rps")
    if mock_rps > 0:
        print(f"  ratio (serve / mock): {results['serve'].median('rps') / mock_rps:.2f} (no target)")
    for measured in results.values():
        if measured.replies == 0 or measured.non_200 > MAX_NON_200 * measured.replies:
            print(
                f"  FAIL: {measured.non_200} of {measured.replies} replies of the {measured.name} were not 200"
                f" ({measured.statuses()}): the figures above are meaningless"
            )
            ok = False
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=3000, help="in-process operations per round")
    parser.add_argument("--bodies", type=int, default=200, help="distinct operations drawn")
    parser.add_argument("--connections", type=int, default=4, help="load generator connections")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds counted per HTTP round")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds not counted, before each HTTP round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side (in-process and HTTP)")
    parser.add_argument("--only", action="append", choices=["inprocess", "http"], help="repeatable")
    parser.add_argument("--pin", action="store_true", help="HTTP servers on CPU 0, load generator on CPU 1")
    args = parser.parse_args()
    if args.ops < 1 or args.bodies < 2 or args.rounds < 1:
        parser.error("--ops and --rounds must be 1 or more, --bodies 2 or more")
    parts: dict[str, Callable[[argparse.Namespace, Path], bool]] = {"inprocess": inprocess, "http": loopback}
    busy = cpu_busy()
    if busy is not None and busy > 0.2:
        print(f"note: the CPUs were {busy:.0%} busy before the run; other work on this machine skews the figures")
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="bench_executor-") as tmp:
            for name, part in parts.items():
                if not args.only or name in args.only:
                    ok &= part(args, Path(tmp))
    except ServerError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
