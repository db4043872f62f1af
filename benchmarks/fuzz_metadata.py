"""The long fuzz campaign against the metadata loader and request generation; prints inputs/s and outcome counts.

Each input is one mutated copy of a metadata source: every fixture project and file (fixtures/projects,
fixtures/metadata, fixtures/broken) and, with `--corpus DIR` (default: $ACTION_CONTRACT_CORPUS), every
project of the corpus and each of Hasura's own action test files. The mutations are those of the suite's
fuzz test (tests/metadata_fuzz.py): byte flips, truncation, YAML/JSON tree mutations, SDL mutations
and known-hostile snippets, drawn from `random.Random(--seed)`.

Each input is loaded in this process under a time limit (`--time-limit`, 5 s, SIGALRM) and classified:
  ok, metadata-error                     the contract holds;
  crash, hang, unlocated, unprintable    findings: an exception that is not an ActionContractError,
                                         no answer in time, a problem without file and line or JSON
                                         path, or text that cannot be written as UTF-8.
Every catalog that loads then gets its edge requests and one conforming and one adversarial request
per action (up to 4 actions), drawn with Hypothesis under a seed; each must come without an exception
and under 1 MiB (outcomes: ok, metadata-error for unset templates, crash, hang, oversize).
`--no-generation` skips that part. The first three findings of each place are printed with the mutation.

    python benchmarks/fuzz_metadata.py --inputs 20000 --seed 1
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from metadata_fuzz import RandomChooser, generation_outcome, load_outcome, mutate, sources

from action_contract._generate._sampling import draw_examples


def _place(kind: str, detail: str) -> str:
    if kind == "crash":
        frames = re.findall(r'File "([^"]+)", line (\d+)', detail)
        ours = [f for f in frames if "action_contract" in f[0]]
        where = f"{Path(ours[-1][0]).name}:{ours[-1][1]}" if ours else "?"
        return f"crash {where} {detail.strip().splitlines()[-1][:90]}"
    first = detail.splitlines()[0] if detail else ""
    return f"{kind} " + re.sub(r"\d+", "N", re.sub(r"/tmp/\S+", "FILE", first))[:90]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", default=os.environ.get("ACTION_CONTRACT_CORPUS"))
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--no-generation", action="store_true")
    args = parser.parse_args()

    pool = sources([Path(args.corpus)] if args.corpus else [])
    rng = random.Random(args.seed)
    chooser = RandomChooser(rng)
    loads: collections.Counter[str] = collections.Counter()
    generations: collections.Counter[str] = collections.Counter()
    findings: dict[str, list[str]] = collections.defaultdict(list)
    load_seconds = generation_seconds = 0.0
    print(f"{len(pool)} sources, {args.inputs} inputs, seed {args.seed}", flush=True)
    for index in range(args.inputs):
        source = rng.choice(pool)
        with tempfile.TemporaryDirectory() as scratch:
            path, how = mutate(chooser, source, Path(scratch))
            started = time.perf_counter()
            outcome = load_outcome(path, seconds=args.time_limit)
            load_seconds += time.perf_counter() - started
        loads[outcome.kind] += 1
        if outcome.finding:
            findings[_place(outcome.kind, outcome.detail)].append(f"#{index} {source.name}: {how}")
        if outcome.catalog is not None and not args.no_generation:
            started = time.perf_counter()
            generated = generation_outcome(
                outcome.catalog, lambda strategy, i=index: draw_examples(strategy, 1, seed_value=i)[0]
            )
            generation_seconds += time.perf_counter() - started
            generations[generated.kind] += 1
            if generated.finding:
                findings["generation " + _place(generated.kind, generated.detail)].append(f"#{index} {how}")
        if (index + 1) % 1000 == 0:
            print(f"  {index + 1} inputs: {dict(loads)}", flush=True)

    total = sum(loads.values())
    print(f"\nloading: {total} inputs in {load_seconds:.1f} s, {total / max(load_seconds, 1e-9):.0f} inputs/s")
    for kind, count in loads.most_common():
        print(f"  {kind:16} {count:7} ({100 * count / total:.2f}%)")
    if generations:
        drawn = sum(generations.values())
        rate = drawn / max(generation_seconds, 1e-9)
        print(f"generation: {drawn} catalogs in {generation_seconds:.1f} s, {rate:.1f}/s")
        for kind, count in generations.most_common():
            print(f"  {kind:16} {count:7}")
    print(f"findings: {sum(len(v) for v in findings.values())} at {len(findings)} places")
    for place, examples in sorted(findings.items(), key=lambda item: -len(item[1])):
        print(f"  {len(examples):5}  {place}")
        for example in examples[:3]:
            print(f"           {example}")


if __name__ == "__main__":
    main()
