"""Catalog load time for a generated 1,000-action Hasura CLI project, against a bare parse.

Baseline (same process, same files): `yaml.safe_load(actions.yaml)` + `graphql.parse(actions.graphql)`,
the least any loader must do. A second baseline uses PyYAML's C loader, which we use ourselves.
Prints the best of several runs and the ratios. Run: python benchmarks/bench_load.py [--actions N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import graphql
import yaml

from action_contract import load_catalog


def generate(directory: Path, n: int) -> None:
    """A CLI metadata directory shaped like the big real projects (5stackgg, test-blacksmith)."""
    sdl, actions = [], []
    for i in range(n):
        root = "Query" if i % 5 == 0 else "Mutation"
        sdl.append(
            f"type {root} {{\n  action{i}(\n    input: Action{i}Input!\n    id: uuid\n"
            f"    tags: [String!]\n  ): Action{i}Output\n}}\n"
        )
        sdl.append(
            f'input Action{i}Input {{\n  """ The name """\n  name: String!\n  count: Int\n  status: Status{i % 10}\n'
            f"  nested: Nested{i % 10}Input\n}}\n"
        )
        sdl.append(
            f"type Action{i}Output {{\n  id: uuid!\n  ok: Boolean!\n  items: [Item{i % 10}!]!\n  at: timestamptz\n}}\n"
        )
        actions.append(
            f"  - name: action{i}\n    definition:\n      kind: {'' if root == 'Query' else 'synchronous'}\n"
            f"      handler: '{{{{ACTION_BASE_URL}}}}/action{i}'\n      forward_client_headers: true\n"
            f"      headers:\n        - name: X-Secret\n          value_from_env: ACTION_SECRET\n"
            f"    permissions:\n      - role: user\n    comment: Action number {i}\n"
        )
    for j in range(10):
        sdl.append(f"enum Status{j} {{\n  ACTIVE\n  INACTIVE\n}}\n")
        sdl.append(f"input Nested{j}Input {{\n  value: Float\n  next: Nested{j}Input\n}}\n")
        sdl.append(f"type Item{j} {{\n  sku: String!\n  qty: Int!\n}}\n")
    (directory / "actions.graphql").write_text("\n".join(sdl))
    types = "\n".join(f"    - name: Action{i}Output" for i in range(n))
    (directory / "actions.yaml").write_text(
        "actions:\n" + "".join(actions) + "custom_types:\n  objects:\n" + types + "\n"
    )
    (directory / "version.yaml").write_text("version: 3\n")


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        generate(directory, args.actions)
        yaml_text = (directory / "actions.yaml").read_text()
        sdl_text = (directory / "actions.graphql").read_text()
        env = {"ACTION_BASE_URL": "http://localhost:3000", "ACTION_SECRET": "s"}
        catalog = load_catalog(directory, env=env)
        assert len(catalog) == args.actions, len(catalog)

        def bare() -> None:
            yaml.safe_load(yaml_text)
            graphql.parse(sdl_text)

        def bare_c() -> None:
            yaml.load(yaml_text, Loader=yaml.CSafeLoader)
            graphql.parse(sdl_text)

        ours_min, ours_med = best(lambda: load_catalog(directory, env=env), args.repeat)
        bare_min, bare_med = best(bare, args.repeat)
        c_min, c_med = best(bare_c, args.repeat)
    print(
        f"{args.actions} actions ({len(yaml_text) // 1024} KiB YAML, {len(sdl_text) // 1024} KiB SDL), "
        f"best of {args.repeat}"
    )
    print(f"  load_catalog                      {ours_min * 1000:7.1f} ms (median {ours_med * 1000:.1f})")
    print(f"  yaml.safe_load + graphql.parse    {bare_min * 1000:7.1f} ms (median {bare_med * 1000:.1f})")
    print(f"  CSafeLoader + graphql.parse       {c_min * 1000:7.1f} ms (median {c_med * 1000:.1f})")
    print(f"  ratio vs safe_load baseline:   {ours_min / bare_min:.2f}x  (goal: under 3x, and under 500 ms)")
    print(f"  ratio vs C-loader baseline:    {ours_min / c_min:.2f}x")


if __name__ == "__main__":
    main()
