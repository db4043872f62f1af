"""The fast SDL reader and graphql-core's path give identical results, locations included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from action_contract._catalog._graphql import read_sdl
from action_contract._catalog._locations import Locations
from action_contract._catalog._sdl import read_plain_sdl

ROOT = Path(__file__).resolve().parent.parent


def _sdl_files() -> list[Path]:
    files = sorted(ROOT.joinpath("fixtures").rglob("*.graphql"))
    corpus = os.environ.get("ACTION_CONTRACT_CORPUS")
    if corpus:
        files += sorted(Path(corpus).rglob("*.graphql"))
    return files


def _read(text: str, fast: bool):
    locations, problems = Locations(), []
    document = read_sdl(text, "f.graphql", locations, problems, fast=fast)
    spots = [locations.spot(a) for a in document.actions]
    spots += [locations.spot(t) for group in document.custom_types.values() for t in group]
    spots += [locations.spot(arg) for a in document.actions for arg in a["definition"].get("arguments", [])]
    return document.actions, document.custom_types, spots, [p.render() for p in problems]


@pytest.mark.parametrize("path", _sdl_files(), ids=lambda p: p.name if ROOT in p.parents else p.as_posix()[-60:])
def test_fast_and_full_parsers_agree(path):
    text = path.read_text(encoding="utf-8-sig")
    assert _read(text, fast=True) == _read(text, fast=False)


@pytest.mark.parametrize(
    "sdl",
    [
        'type Query { a: Int }\n"""\n  Multi\n    line\n  text\n"""\nscalar S',
        'type Mutation { a(\n"arg \\u00e9" x: [[Int!]]!, y: String @deprecated(reason: "no (really)")): T! }'
        "\ntype T { f: Int }",
        "extend type Mutation { b: Int }\ntype Query { c: Int }",
        "type T implements & A & B @key(fields: [1, {a: 2}]) { f: Int }",
        'enum E { A @deprecated B "described" C }',
    ],
)
def test_fast_reader_handles_plain_sdl_like_graphql_core(sdl):
    assert read_plain_sdl(sdl, "f", Locations()) is not None
    assert _read(sdl, fast=True) == _read(sdl, fast=False)


@pytest.mark.parametrize(
    "sdl",
    [
        "type Query { a(n: Int = 3): Int }",  # default value: a warning only the full path gives
        "interface I { a: Int }",
        "type O { f(x: Int): Int }",
        "extend type O { f: Int }",
        "type Query { a: Int",  # malformed
        'type Query { "\\u{1F600}" a: Int }',  # a GraphQL-only escape
    ],
)
def test_fast_reader_gives_up_outside_the_plain_subset(sdl):
    assert read_plain_sdl(sdl, "f", Locations()) is None
