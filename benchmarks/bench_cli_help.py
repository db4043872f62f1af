"""Wall time of `action-contract --help` against `python -c "import click"` in the same run.

Both are fresh interpreters; rounds alternate; medians. The difference is what the command line adds to
click for its help: it imports no command (each is imported when it runs). Target: `--help` under 150 ms.
Run: python benchmarks/bench_cli_help.py [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PYTHON = sys.executable
HELP = [PYTHON, "-c", "from action_contract._cli._main import main; main(['--help'])"]
CLICK = [PYTHON, "-c", "import click"]


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    helps, clicks = [], []
    for _ in range(rounds):
        helps.append(_time(HELP))
        clicks.append(_time(CLICK))
    help_ms, click_ms = statistics.median(helps) * 1000, statistics.median(clicks) * 1000
    print(f"action-contract --help: {help_ms:.0f} ms (median of {rounds})")
    print(f"python -c 'import click': {click_ms:.0f} ms")
    print(f"ratio: {help_ms / click_ms:.2f}x; added by the command line: {help_ms - click_ms:.0f} ms")


if __name__ == "__main__":
    main()
