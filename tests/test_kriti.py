"""Kriti, evaluated exactly as kriti-lang 0.3.3 (the version Hasura pins) does.

The data comes from the shared kriti-tests folder ($ACTION_CONTRACT_KRITI_TESTS, else ../shared/kriti-tests
beside the repository): kriti-lang's own golden tests, its parser failures with the errors Hasura would show,
and edge cases produced by running the real evaluator. Without the folder those tests are skipped.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from action_contract._catalog._kriti import KritiCrash, KritiError, parse_template, session_functions
from action_contract._catalog._kriti_values import encode, equal

_DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "kriti-tests"
KRITI_TESTS = Path(os.environ.get("ACTION_CONTRACT_KRITI_TESTS") or _DEFAULT)
_MISSING = f"the Kriti test data is not at {KRITI_TESTS} (set ACTION_CONTRACT_KRITI_TESTS)"


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def _files(folder: str, pattern: str) -> list[Any]:
    if not (KRITI_TESTS / folder).is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=_MISSING))]
    return [pytest.param(path, id=path.stem) for path in sorted((KRITI_TESTS / folder).glob(pattern))]


def _edge_cases() -> list[Any]:
    path = KRITI_TESTS / "edge" / "cases.json"
    if not path.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=_MISSING))]
    return [pytest.param(case, id=case["id"]) for case in _read(path)["cases"]]


@pytest.mark.parametrize("example", _files("eval/success/examples", "*.kriti"))
def test_kriti_lang_golden_evaluation(example: Path) -> None:
    source = _read(KRITI_TESTS / "eval" / "success" / "source.json")
    golden = _read(KRITI_TESTS / "eval" / "success" / "golden" / f"{example.stem}.json")
    result = parse_template(example.read_text(encoding="utf-8")).render({"$": source})
    assert equal(result, golden), f"{example.name}: got {encode(result)}, golden {encode(golden)}"


_GOLDEN_ROOT = re.compile(
    r"^(\w+)\s*\(\s*Span\s*\{\s*start = AlexSourcePos\s*\{\s*line = (\d+)\s*,\s*col = (\d+)\s*\}"
    r"\s*,\s*end = AlexSourcePos\s*\{\s*line = (\d+)\s*,\s*col = (\d+)"
)
_HASKELL_NAMES = {"Call": "Function", "Field": "RequiredFieldAccess", "Optional": "OptionalFieldAccess", "If": "Iff"}


@pytest.mark.parametrize("example", _files("parser/success/examples", "*.kriti"))
def test_kriti_lang_parser_accepts_with_the_golden_root_and_span(example: Path) -> None:
    node = parse_template(example.read_text(encoding="utf-8")).node
    golden = (KRITI_TESTS / "parser" / "success" / "golden" / f"{example.stem}.txt").read_text(encoding="utf-8")
    root = _GOLDEN_ROOT.match(golden)
    assert root is not None
    kind = type(node).__name__
    if kind == "Literal":  # literals keep one class; a string without interpolation is folded
        assert root[1] in ("String", "StringTem", "Number", "Boolean", "Null")
    else:
        assert _HASKELL_NAMES.get(kind, kind) == root[1]
    span = node.span
    assert [span.start_line, span.start_column, span.end_line, span.end_column] == [int(n) for n in root.groups()[1:]]


@pytest.mark.parametrize("example", _files("parser/failure/examples", "*.kriti"))
def test_kriti_lang_parser_failures_give_hasuras_error(example: Path) -> None:
    expected = _read(KRITI_TESTS / "parser" / "failure" / "expected" / f"{example.stem}.json")
    with pytest.raises(KritiError) as raised:
        parse_template(example.read_text(encoding="utf-8"))
    assert raised.value.as_json() == expected


@pytest.mark.parametrize("case", _edge_cases())
def test_edge_cases_match_the_real_evaluator(case: dict[str, Any]) -> None:
    bindings = _read(KRITI_TESTS / "edge" / "context.json")["bindings"]
    functions = session_functions(case.get("session_variables"))
    expected = case["expected"]
    if "crash" in expected:
        with pytest.raises(KritiCrash):
            parse_template(case["template"]).render(bindings, functions)
    elif "error" in expected:
        with pytest.raises(KritiError) as raised:
            parse_template(case["template"]).render(bindings, functions)
        assert raised.value.as_json() == expected["error"]
    else:
        result = parse_template(case["template"]).render(bindings, functions)
        assert equal(result, expected["result"])
        assert encode(result) == expected["encoded"]


# -- properties --------------------------------------------------------------------------------------------
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=12,
)


def _as_kriti(value: Any) -> str:
    """JSON text as a Kriti literal: `{` escaped so that no `{{` opens an interpolation."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("{", "\\{")
    if isinstance(value, list):
        return "[" + ", ".join(_as_kriti(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_as_kriti(k)}: {_as_kriti(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@settings(max_examples=60, deadline=None)
@given(_json)
def test_any_json_value_written_as_kriti_evaluates_to_itself(value: Any) -> None:
    assert equal(parse_template(_as_kriti(value)).render({}), value)


_FIXED = re.compile(r"-?[0-9]+\.[0-9]+")
_EXPONENT = re.compile(r"-?[1-9]\.[0-9]+e-?[0-9]+")


def _documented_number(number: float) -> None:
    """The documented rule: a non-negative exponent (up to 1024) gives plain digits; otherwise fixed
    notation between 0.1 and 10^7, exponent notation outside."""
    text = parse_template('"{{ $v }}"').render({"$v": number})
    written = Decimal(repr(number))
    assert Decimal(text) == written
    magnitude = abs(written)
    exponent = written.as_tuple().exponent
    assert isinstance(exponent, int)
    if 0 <= exponent <= 1024:
        assert re.fullmatch(r"-?[0-9]+", text), text
    elif magnitude == 0 or Decimal("0.1") <= magnitude < Decimal(10**7):
        assert _FIXED.fullmatch(text), text
    else:
        assert _EXPONENT.fullmatch(text), text


@settings(max_examples=60, deadline=None)
@given(_json)
def test_string_interpolation_writes_documented_json(value: Any) -> None:
    text = parse_template('"<{{ $v }}>"').render({"$v": value})
    if isinstance(value, str):
        assert text == f"<{value}>"
        return
    inner = text[1:-1]
    assert equal(json.loads(inner, parse_float=Decimal), value)
    if not isinstance(value, float):
        # Compact, keys in code-point order, only control characters escaped (lower-case hex).
        reference = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        reference = reference.replace("\\b", "\\u0008").replace("\\f", "\\u000c")
        if not re.search(r"[0-9]\.[0-9]|e", reference) or isinstance(value, (int, bool)):
            assert inner == reference


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_interpolated_numbers_follow_the_documented_notation(number: float) -> None:
    _documented_number(number)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('"{{ 1e3 }}|{{ 0.01 }}|{{ 100.0 }}|{{ 12345678.9 }}"', "1000|1.0e-2|100.0|1.23456789e7"),
        ('"{{ {"b": 1, "a": "\\u0008"} }}"', '{"a":"\\u0008","b":1}'),
        ('{{ $x?.a ?? "d" }}', "d"),
    ],
)
def test_documented_examples(template: str, expected: Any) -> None:
    assert parse_template(template).render({"$x": None}) == expected


def test_string_templates_count_the_added_quote_in_their_columns() -> None:
    with pytest.raises(KritiError) as raised:
        parse_template("{{$base_url}}/{{ $nope }}", string=True).render({"$base_url": "http://h"})
    assert raised.value.as_json()["source_position"] == {
        "start_line": 0,
        "start_column": 19,
        "end_line": 0,
        "end_column": 24,
    }
    assert raised.value.located() == "1:19: Name Error: Variable '$nope' not in scope"
