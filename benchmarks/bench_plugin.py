"""Start-up cost of the pytest plugin, against plain pytest in the same run.

(a) Collection with the plugin on: `pytest --action-contract --action-contract-path <project>
    --action-contract-url http://127.0.0.1:9 --collect-only -q` on a generated 100-action Hasura CLI project
    (four shapes of action: input objects and lists, list outputs, enums and scalars, async with a secret
    header), 300 items, versus plain `pytest --collect-only -q` in the same temp dir (one trivial test file).
    Both are subprocesses; rounds alternate; medians. Target: under 1 s beyond plain pytest.
(b) What every pytest run pays for having the plugin installed without `--action-contract`:
    - `python -X importtime -c "import pytest; import pytest_plugin"`: the cumulative time of pytest_plugin
      (pytest itself already imported), median of several runs;
    - wall time of `python -c "import pytest; import pytest_plugin"` minus `python -c "import pytest"`, medians;
    - wall time of plain `pytest --collect-only -q` minus the same with `-p no:action_contract`, medians.
    Target: under 50 ms.
Run: python benchmarks/bench_plugin.py [--actions N] [--rounds R] [--import-rounds R]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable


def generate(project: Path, n: int) -> None:
    """A Hasura CLI project with `n` actions of four shapes, with a .env for its templates."""
    metadata = project / "metadata"
    metadata.mkdir(parents=True)
    sdl, actions = [], []
    for i in range(n):
        shape = i % 4
        if shape == 0:  # mutation: input object with a list and a nested object, object output
            sdl.append(
                f"type Mutation {{\n  create{i}(input: Create{i}Input!, tags: [String!]): Created{i}!\n}}\n"
                f"input Create{i}Input {{\n  name: String!\n  count: Int\n  items: [Item{i}Input!]!\n"
                f"  address: Address{i}Input\n}}\n"
                f"input Item{i}Input {{\n  sku: String!\n  quantity: Int!\n  price: Float\n}}\n"
                f"input Address{i}Input {{\n  city: String!\n  next: Address{i}Input\n}}\n"
                f"type Created{i} {{\n  id: uuid!\n  total: Float!\n  at: timestamptz\n}}\n"
            )
            kind = "synchronous"
        elif shape == 1:  # query: scalars in, list of objects out
            sdl.append(
                f"type Query {{\n  search{i}(term: String!, limit: Int, after: uuid): [Hit{i}!]!\n}}\n"
                f"type Hit{i} {{\n  id: ID!\n  score: Float!\n  title: String\n}}\n"
            )
            kind = ""
        elif shape == 2:  # mutation: enum and scalars, scalar output
            sdl.append(
                f"type Mutation {{\n  setStatus{i}(id: uuid!, status: Status{i}!, note: String): Boolean!\n}}\n"
                f"enum Status{i} {{\n  ACTIVE\n  PAUSED\n  CLOSED\n}}\n"
            )
            kind = "synchronous"
        else:  # async mutation with json
            sdl.append(
                f"type Mutation {{\n  import{i}(url: String!, options: json): Import{i}\n}}\n"
                f"type Import{i} {{\n  imported: Int!\n  failed: [String!]!\n}}\n"
            )
            kind = "asynchronous"
        name = re.search(r"  (\w+)\(", sdl[-1])
        assert name is not None
        actions.append(
            f"  - name: {name.group(1)}\n    definition:\n      kind: '{kind}'\n"
            f"      handler: '{{{{ACTION_BASE_URL}}}}/{name.group(1)}'\n"
            + (
                "      headers:\n        - name: X-Secret\n          value_from_env: ACTION_SECRET\n"
                if shape in (0, 3)
                else ""
            )
            + "    permissions:\n      - role: user\n"
        )
    (metadata / "actions.graphql").write_text("\n".join(sdl))
    (metadata / "actions.yaml").write_text("actions:\n" + "".join(actions) + "custom_types: {}\n")
    (metadata / "version.yaml").write_text("version: 3\n")
    (project / "config.yaml").write_text("version: 3\nendpoint: http://localhost:8080\nmetadata_directory: metadata\n")
    (project / ".env").write_text("ACTION_BASE_URL=http://localhost:3000\nACTION_SECRET=s3cret\n")


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def import_time_us(module: str, stderr: str) -> int:
    """Cumulative microseconds of `module` in `-X importtime` output."""
    for line in stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == module:
            return int(parts[1])
    raise RuntimeError(f"{module} not in -X importtime output")


def medians(commands: dict[str, list[str]], cwd: Path, rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            times[name].append(timed(command, cwd)[0])
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the pytest subprocesses")
    parser.add_argument("--import-rounds", type=int, default=20, help="rounds of the import subprocesses")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "project", args.actions)
        (root / "test_trivial.py").write_text("def test_trivial():\n    assert True\n")
        pytest = [PYTHON, "-m", "pytest", "--collect-only", "-q"]
        contract = [
            *pytest,
            "--action-contract",
            "--action-contract-path",
            str(root / "project"),
            "--action-contract-url",
            "http://127.0.0.1:9",
        ]
        _, listing = timed(contract, root)  # warm-up (bytecode caches), and a check that the items are there
        collected = sum(
            "[conforming]" in line or "[adversarial]" in line or "[secret]" in line for line in listing.splitlines()
        )
        assert collected == 3 * args.actions, listing[-2000:]
        timed(pytest, root)
        collection = medians(
            {"plain": pytest, "contract": contract, "no-plugin": [*pytest, "-p", "no:action_contract"]},
            root,
            args.rounds,
        )
        importtime = [PYTHON, "-X", "importtime", "-c", "import pytest; import pytest_plugin"]
        plugin_us, pytest_us = [], []
        for _ in range(args.rounds):
            done = subprocess.run(importtime, cwd=root, capture_output=True, text=True, check=True)
            plugin_us.append(import_time_us("pytest_plugin", done.stderr))
            pytest_us.append(import_time_us("pytest", done.stderr))
        imports = medians(
            {
                "pytest": [PYTHON, "-c", "import pytest"],
                "pytest + plugin": [PYTHON, "-c", "import pytest; import pytest_plugin"],
            },
            root,
            args.import_rounds,
        )
    overhead = collection["contract"] - collection["plain"]
    import_overhead = imports["pytest + plugin"] - imports["pytest"]
    plugin_overhead = collection["plain"] - collection["no-plugin"]
    print(f"(a) pytest --collect-only -q, {args.actions} actions ({3 * args.actions} items), median of {args.rounds}")
    print(f"  plain pytest (1 trivial test)                 {collection['plain'] * 1000:7.0f} ms")
    print(f"  with --action-contract                        {collection['contract'] * 1000:7.0f} ms")
    print(f"  overhead                                      {overhead * 1000:7.0f} ms  (target: under 1000 ms)")
    print(f"  ratio (contract / plain)                      {collection['contract'] / collection['plain']:7.2f}x")
    print("(b) cost of the installed plugin without --action-contract (target: under 50 ms)")
    print(
        f"  -X importtime, pytest_plugin cumulative       {statistics.median(plugin_us) / 1000:7.1f} ms"
        f"  (pytest itself {statistics.median(pytest_us) / 1000:.0f} ms; median of {args.rounds})"
    )
    print(
        f"  python -c 'import pytest; import pytest_plugin' minus 'import pytest'  {import_overhead * 1000:+.1f} ms"
        f"  ({imports['pytest + plugin'] * 1000:.0f} vs {imports['pytest'] * 1000:.0f} ms,"
        f" median of {args.import_rounds})"
    )
    print(
        f"  pytest --collect-only -q minus the same with -p no:action_contract  {plugin_overhead * 1000:+.1f} ms"
        f"  ({collection['plain'] * 1000:.0f} vs {collection['no-plugin'] * 1000:.0f} ms, median of {args.rounds})"
    )


if __name__ == "__main__":
    main()
