"""Kriti's syntax tree, source spans and errors (kriti-lang 0.3.3, the version Hasura pins).

Spans follow kriti-lang exactly: lines are 0-based, columns 1-based, the end is exclusive, and only
ASCII characters advance the column (a multi-byte UTF-8 character has width 0, as in kriti-lang's
lexer), so error positions match what Hasura reports byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = [
    "Array",
    "Binary",
    "Call",
    "Elif",
    "Field",
    "If",
    "KritiCrash",
    "KritiError",
    "Literal",
    "Node",
    "Object",
    "Optional",
    "Range",
    "Span",
    "StringTemplate",
    "Var",
]


@dataclass(frozen=True, slots=True)
class Span:
    """A source range: 0-based lines, 1-based columns, end exclusive (kriti-lang's `Span`)."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int

    def __or__(self, other: Span) -> Span:
        """The smallest span covering both, as kriti-lang's `Span` semigroup computes it."""
        start = min((self.start_line, self.start_column), (other.start_line, other.start_column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(start[0], start[1], end[0], end[1])

    def as_json(self) -> dict[str, int]:
        """The `source_position` object Hasura puts in its error bundles."""
        return {
            "end_column": self.end_column,
            "end_line": self.end_line,
            "start_column": self.start_column,
            "start_line": self.start_line,
        }


class KritiError(Exception):
    """A Kriti parse or evaluation error: kriti-lang's error code, message and source span."""

    def __init__(self, code: str, message: str, span: Span) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.span = span

    def as_json(self) -> dict[str, Any]:
        """The error as Hasura serialises it (`error_code`, `message`, `source_position`)."""
        return {"error_code": self.code, "message": self.message, "source_position": self.span.as_json()}

    def located(self) -> str:
        """`line:column: code: message`, with the 1-based line a reader expects."""
        return f"{self.span.start_line + 1}:{self.span.start_column}: {self.code}: {self.message}"


class KritiCrash(Exception):
    """Where kriti-lang's Haskell code throws a runtime exception (e.g. `inverse(3)`) instead of an error."""


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant: string without interpolation, number, boolean or null."""

    span: Span
    value: Any


@dataclass(frozen=True, slots=True)
class StringTemplate:
    """A double-quoted string; parts are `Literal` strings and interpolated expressions."""

    span: Span
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Array:
    """`[e1, e2, ...]`."""

    span: Span
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Object:
    """`{"k": e, ...}`; fields in ascending key order (the order kriti-lang evaluates them), first key wins."""

    span: Span
    fields: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Var:
    """A variable such as `$body`, or a range binder."""

    span: Span
    name: str


@dataclass(frozen=True, slots=True)
class Field:
    """`target.name`, `target['name']` or `target[expression]`."""

    span: Span
    target: Node
    key: str | Node


@dataclass(frozen=True, slots=True)
class Optional:
    """`target?` followed by fields: any miss gives null."""

    span: Span
    target: Node
    fields: tuple[str | Node, ...]


@dataclass(frozen=True, slots=True)
class Elif:
    """One `{{ elif cond }} body` branch; the span covers `elif` and the condition."""

    span: Span
    condition: Node
    body: Node


@dataclass(frozen=True, slots=True)
class If:
    """`{{ if c }} a {{ elif d }} b {{ else }} e {{ end }}`."""

    span: Span
    condition: Node
    body: Node
    elifs: tuple[Elif, ...]
    orelse: Node


@dataclass(frozen=True, slots=True)
class Binary:
    """`left OP right` with OP one of `== != > < >= <= && || in ??`."""

    span: Span
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Range:
    """`{{ range i, x := source }} body {{ end }}`; `index` is None for `_`."""

    span: Span
    index: str | None
    binder: str
    source: Node
    body: Node


@dataclass(frozen=True, slots=True)
class Call:
    """`name(argument)`, and `not expression`."""

    span: Span
    name: str
    argument: Node


Node: TypeAlias = Literal | StringTemplate | Array | Object | Var | Field | Optional | If | Binary | Range | Call
