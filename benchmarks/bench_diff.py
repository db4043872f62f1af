"""`diff_catalogs` on two generated 1,000-action catalogs, beyond loading them (target: under 1 s).

The old catalog is bench_load's generated project; the new one changes every tenth action (an
argument made required, a non-null output field, a shorter timeout, a role dropped) and adds an
enum value. Baselines in the same run: loading both catalogs, and graphql-core's
`find_breaking_changes` + `find_dangerous_changes` on the admin schemas of both (client side only,
schemas prebuilt, so it does less than we do). Run: python benchmarks/bench_diff.py [--actions N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import graphql
from bench_load import best, generate

from action_contract import diff_catalogs, load_catalog
from action_contract._executor._schema import ExecutorSchema


def change(directory: Path, n: int) -> None:
    """Edit every tenth action of a generated project, and one enum."""
    sdl = (directory / "actions.graphql").read_text()
    yaml_text = (directory / "actions.yaml").read_text()
    for i in range(0, n, 10):
        sdl = sdl.replace(
            f"  action{i}(\n    input: Action{i}Input!\n    id: uuid\n",
            f"  action{i}(\n    input: Action{i}Input!\n    id: uuid!\n",
        )
        sdl = sdl.replace(
            f"type Action{i}Output {{\n  id: uuid!\n", f"type Action{i}Output {{\n  id: uuid!\n  eta: String!\n"
        )
        yaml_text = yaml_text.replace(
            f"'{{{{ACTION_BASE_URL}}}}/action{i}'\n", f"'{{{{ACTION_BASE_URL}}}}/action{i}'\n      timeout: 5\n"
        )
        yaml_text = yaml_text.replace(
            f"    permissions:\n      - role: user\n    comment: Action number {i}\n",
            f"    comment: Action number {i}\n",
        )
    sdl = sdl.replace("enum Status0 {\n  ACTIVE\n", "enum Status0 {\n  ACTIVE\n  SUSPENDED\n")
    (directory / "actions.graphql").write_text(sdl)
    (directory / "actions.yaml").write_text(yaml_text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    env = {"ACTION_BASE_URL": "http://localhost:3000", "ACTION_SECRET": "s"}
    with tempfile.TemporaryDirectory() as tmp:
        old_dir, new_dir = Path(tmp, "old"), Path(tmp, "new")
        for directory in (old_dir, new_dir):
            directory.mkdir()
            generate(directory, args.actions)
        change(new_dir, args.actions)
        load_best, load_median = best(lambda: (load_catalog(old_dir, env=env), load_catalog(new_dir, env=env)), 3)
        old, new = load_catalog(old_dir, env=env), load_catalog(new_dir, env=env)

    result = diff_catalogs(old, new)
    expected = args.actions // 10 * 4 + 1
    assert len(result) == expected, (len(result), expected)
    diff_best, diff_median = best(lambda: diff_catalogs(old, new), args.repeat)

    old_schema = ExecutorSchema(old).for_role("admin").schema
    new_schema = ExecutorSchema(new).for_role("admin").schema

    def graphql_core() -> object:
        return graphql.find_breaking_changes(old_schema, new_schema), graphql.find_dangerous_changes(
            old_schema, new_schema
        )

    core_best, core_median = best(graphql_core, args.repeat)
    handler_breaking = len(result.breaking("handler"))
    client_breaking = len(result.breaking("client"))

    print(f"catalogs: 2 x {args.actions} actions, {len(result)} changes found")
    print(f"  ({handler_breaking} breaking for handlers, {client_breaking} breaking for clients)")
    print(f"load both catalogs (baseline):     best {load_best * 1000:8.1f} ms  median {load_median * 1000:8.1f} ms")
    print(f"diff_catalogs:                     best {diff_best * 1000:8.1f} ms  median {diff_median * 1000:8.1f} ms")
    print(f"graphql-core breaking+dangerous:   best {core_best * 1000:8.1f} ms  median {core_median * 1000:8.1f} ms")
    print(f"diff / load: {diff_best / load_best:.3f}   diff / graphql-core: {diff_best / core_best:.2f}")
    verdict = "PASS" if diff_median < 1.0 else "FAIL"
    print(f"target: diff under 1 s beyond loading -> {verdict} ({diff_median:.3f} s median)")


if __name__ == "__main__":
    main()
