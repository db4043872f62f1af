"""Mutated metadata never crashes or hangs the loader, and every catalog that loads generates requests safely.

Each input is a fixture project (and, with ACTION_CONTRACT_CORPUS set, a corpus project) with one file
mutated: bytes flipped or cut, its YAML/JSON tree rearranged, its SDL garbled, or a known-hostile snippet
spliced in (alias bombs, bad tags, deep nesting, lone surrogates...). Loading it must give a Catalog or
a MetadataError whose every problem names its file and a line or JSON path; nothing else may escape,
and nothing may take longer than the time limit. benchmarks/fuzz_metadata.py runs the long campaign.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from metadata_fuzz import (
    HOSTILE_YAML,
    MAX_REQUEST_BYTES,
    SDL_SNIPPETS,
    generation_outcome,
    load_outcome,
    mutate,
    sources,
)

from action_contract._generate._sampling import draw_examples

CORPUS = os.environ.get("ACTION_CONTRACT_CORPUS")
SOURCES = sources([Path(CORPUS)] if CORPUS else [])
FUZZ = settings(
    max_examples=int(os.environ.get("ACTION_CONTRACT_FUZZ_EXAMPLES", "250")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


class _Draws:
    """A `Chooser` over Hypothesis' `data`, so shrinking works on the mutation's choices."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))


@FUZZ
@given(data=st.data())
def test_mutated_metadata_loads_or_fails_located(data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(SOURCES), label="source")
    with tempfile.TemporaryDirectory() as scratch:
        path, how = mutate(_Draws(data), source, Path(scratch))
        note(f"mutation: {how}")
        outcome = load_outcome(path, seconds=5.0)
        assert not outcome.finding, f"{outcome.kind} after {how}:\n{outcome.detail}"
        if outcome.catalog is not None:
            generated = generation_outcome(outcome.catalog, data.draw)
            assert not generated.finding, f"generation {generated.kind} after {how}:\n{generated.detail}"


@pytest.mark.parametrize("snippet", HOSTILE_YAML, ids=lambda s: s.splitlines()[0][:30])
def test_each_hostile_yaml_value_is_a_located_problem_or_harmless(snippet: str, tmp_path: Path) -> None:
    # Spliced under an action's definition, where the loader reads kind, handler and timeout.
    project = tmp_path / "metadata"
    project.mkdir()
    (project / "actions.graphql").write_text("type Mutation { f(x: Int): String }\n")
    indented = "\n".join("      " + line for line in snippet.splitlines())
    (project / "actions.yaml").write_text(
        f"actions:\n  - name: f\n    definition:\n      handler: http://h.test/f\n{indented}\n",
        encoding="utf-8",
        errors="surrogatepass",
    )
    outcome = load_outcome(project, seconds=5.0)
    assert not outcome.finding, outcome.detail


@pytest.mark.parametrize("snippet", SDL_SNIPPETS, ids=lambda s: s[:30])
def test_each_hostile_sdl_is_a_located_problem_or_harmless(snippet: str, tmp_path: Path) -> None:
    file = tmp_path / "actions.graphql"
    file.write_text(snippet + "\ntype Mutation { g: String }\n", encoding="utf-8", errors="surrogatepass")
    outcome = load_outcome(file, seconds=5.0)
    assert not outcome.finding, outcome.detail
    if outcome.catalog is not None:
        assert not generation_outcome(outcome.catalog, _first).finding


def _first(strategy: Any) -> Any:
    return draw_examples(strategy, 1)[0]


def test_an_alias_bomb_is_refused_quickly_naming_the_file(tmp_path: Path) -> None:
    lines = ["a: &a ['x','x','x','x','x','x','x','x','x']"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(9)]
    file = tmp_path / "export.yaml"
    file.write_text("\n".join(lines) + "\n")
    outcome = load_outcome(file, seconds=5.0)
    assert outcome.kind == "metadata-error"
    assert "aliases expand to more than" in outcome.detail


def test_deep_list_arguments_generate_requests_under_the_size_bound(tmp_path: Path) -> None:
    file = tmp_path / "actions.graphql"
    file.write_text("type Mutation { f(x: " + "[" * 20 + "Int!" + "]!" * 20 + "): String }\n")
    outcome = load_outcome(file)
    assert outcome.catalog is not None, outcome.detail
    generated = generation_outcome(outcome.catalog, _first)
    assert generated.kind == "ok", generated.detail
    assert MAX_REQUEST_BYTES == 1 << 20
