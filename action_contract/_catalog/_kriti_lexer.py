"""Kriti's lexer: the same four modes, longest-match rules and positions as kriti-lang's Alex lexer.

Modes: top level, expression (inside `{{ }}`), double-quoted string, single-quoted literal. `{{`
enters expression mode from any mode but the literal one; `}}` leaves it (at top level `}}` is two
`}` tokens); `"` enters and leaves strings; `'` enters and leaves literals. The whole template is
lexed before parsing, so a lex error wins over any parse error, and a parse error is reported at the
span of the last lexer step (kriti-lang's behaviour).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ._kriti_ast import KritiCrash, KritiError, Span

__all__ = ["Token", "tokenize"]

_TOP, _EXPR, _STRING, _LITERAL = 0, 1, 2, 3

_WHITE = " \t\n\f\v\r"
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_IDENT_TAIL = re.compile(r"[$A-Za-z0-9_\-]*")
_INT = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+\-]?[0-9]+)?")
_TWO_CHAR = frozenset({"??", "==", "!=", ">=", "<=", "&&", "||", ":=", "{{"})
_ONE_CHAR = frozenset(":.,?><_{}[]()")
# First characters of two-character symbols that are no token alone: the scanner gets one further.
_HALF_SYMBOL = frozenset("=!&|")
_ESCAPES = {"{": "{", '"': '"', "\\": "\\", "/": "\\/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX = frozenset("0123456789abcdefABCDEF")
_STRING_RUN = re.compile(r'[^\\"{]+')
_LITERAL_RUN = re.compile(r"[^'{]+")
_INT64 = 1 << 64


@dataclass(frozen=True, slots=True)
class Token:
    """One token. `kind` is `int`, `number`, `bool`, `ident`, `string` (a string fragment), `s"` / `"e`
    (string begin / end) or the symbol itself; `text` is the token as written."""

    kind: str
    text: str
    value: Any
    span: Span

    def shown(self) -> str:
        """The token as kriti-lang prints it in `Unexpected token '...'.`."""
        if self.kind == "string":
            return f'"{self.value}"'
        if self.kind in ('s"', '"e'):
            return '"'
        return self.text


class _Stuck(Exception):
    def __init__(self, index: int) -> None:
        self.index = index


def _position(text: str, start: int, end: int, line: int, column: int) -> tuple[int, int]:
    for char in text[start:end]:
        if char == "\n":
            line, column = line + 1, 1
        elif char < "\x80":
            column += 1
    return line, column


def _wrap_int64(value: int) -> int:
    # kriti-lang reads integer literals with Haskell's `read :: Int`, which wraps silently.
    value %= _INT64
    return value - _INT64 if value >= _INT64 >> 1 else value


def _scan_code(text: str, i: int, mode: int) -> tuple[int, str | None, Any]:
    """(end, kind, value) of the token at i; kind None for skipped whitespace or comments."""
    char = text[i]
    if char in _WHITE:
        j = i + 1
        while j < len(text) and text[j] in _WHITE:
            j += 1
        return j, None, None
    if char == "#":
        j = text.find("\n", i)
        return (len(text) if j < 0 else j), None, None
    if char == '"':
        return i + 1, 's"', None
    if char == "'":
        return i + 1, "'", None
    if char == "$" or char in _ALPHA:
        if char == "$" and (i + 1 >= len(text) or text[i + 1] not in _ALPHA):
            return i + 1, "ident", "$"
        start = i + 1 if char in _ALPHA else i + 2
        match = _IDENT_TAIL.match(text, start)
        j = match.end() if match else start
        word = text[i:j]
        if word in ("true", "false"):
            return j, "bool", word == "true"
        return j, "ident", word
    if char == "-" or (char.isascii() and char.isdigit()):
        integer = _INT.match(text, i)
        decimal = _DECIMAL.match(text, i)
        if integer is None:
            raise _Stuck(i + 1)
        if decimal is not None and decimal.end() > integer.end():
            return decimal.end(), "number", decimal.group()
        return integer.end(), "int", integer.group()
    pair = text[i : i + 2]
    if pair in _TWO_CHAR or (pair == "}}" and mode == _EXPR):
        return i + 2, pair, None
    if char in _ONE_CHAR:
        return i + 1, char, None
    raise _Stuck(i + 1 if char in _HALF_SYMBOL else i)


def _scan_string(text: str, i: int) -> tuple[int, str, Any]:
    char = text[i]
    if char == "\\":
        escaped = text[i + 1 : i + 2]
        if escaped in _ESCAPES:
            return i + 2, "string", _ESCAPES[escaped]
        if escaped == "u":
            digits = 0
            while digits < 4 and i + 2 + digits < len(text) and text[i + 2 + digits] in _HEX:
                digits += 1
            if digits < 4:
                raise _Stuck(i + 2 + digits)
            code = int(text[i + 2 : i + 6], 16)
            if 0xD800 <= code <= 0xDFFF:
                # kriti-lang encodes the lone surrogate to bytes and decodes them again, which throws.
                raise KritiCrash(
                    "Cannot decode byte '\\xed': Data.Text.Internal.Encoding.decodeUtf8: Invalid UTF-8 stream"
                )
            return i + 6, "string", chr(code)
        raise _Stuck(i + 1)
    if char == '"':
        return i + 1, '"e', None
    if char == "{":
        if text[i + 1 : i + 2] == "{":
            return i + 2, "{{", None
        return i + 1, "string", "{"
    match = _STRING_RUN.match(text, i)
    assert match is not None  # the characters that stop the run were handled above
    return match.end(), "string", match.group()


def _scan_literal(text: str, i: int) -> tuple[int, str, Any]:
    char = text[i]
    if char == "'":
        return i + 1, "'", None
    if char == "{":
        raise _Stuck(i)
    match = _LITERAL_RUN.match(text, i)
    assert match is not None
    return match.end(), "string", match.group()


def tokenize(text: str) -> tuple[list[Token], Span]:
    """The tokens of `text` and the span of the last lexer step (where parse errors are reported)."""
    tokens: list[Token] = []
    modes = [_TOP]
    line, column = 0, 1
    last = Span(0, 1, 0, 1)
    i = 0
    while i < len(text):
        mode = modes[-1]
        kind: str | None
        try:
            if mode == _STRING:
                j, kind, value = _scan_string(text, i)
            elif mode == _LITERAL:
                j, kind, value = _scan_literal(text, i)
            else:
                j, kind, value = _scan_code(text, i, mode)
        except _Stuck as stuck:
            at_line, at_column = _position(text, i, stuck.index, line, column)
            span = Span(at_line, at_column, at_line, at_column + len(text.encode("utf-8", "surrogatepass")))
            raise KritiError("Lex Error", f"Invalid Lexeme: '{text}'", span) from None
        end_line, end_column = _position(text, i, j, line, column)
        last = Span(line, column, end_line, end_column)
        if kind is not None:
            tokens.append(Token(kind, text[i:j], value, last))
            if kind == "{{":
                modes.append(_EXPR)
            elif kind == "}}" or kind == '"e' or (kind == "'" and mode == _LITERAL):
                if len(modes) > 1:
                    modes.pop()
            elif kind == 's"':
                modes.append(_STRING)
            elif kind == "'":
                modes.append(_LITERAL)
        line, column, i = end_line, end_column, j
    return tokens, last


def int_value(token: Token) -> int:
    """The value of an integer token, wrapped to 64 bits as kriti-lang reads it."""
    return _wrap_int64(int(token.text))
