"""Kriti's parser: kriti-lang's Happy grammar as a recursive descent that fails on the same token.

The grammar (kriti-lang 0.3.3) has no operator precedence and no chaining: a binary operator joins
two atoms, a function call and `not e` are whole expressions, `{{ e }}` is an expression (not an
atom), and `if` needs `else`. Conflicts are resolved as Happy resolves them (shift): `not a && b` is
`not (a && b)` and an optional chain takes every `.x` / `[...]` that follows it. Errors carry the
span of the last lexer step, as kriti-lang's do.
"""

from __future__ import annotations

from decimal import Decimal

from ._kriti_ast import (
    Array,
    Binary,
    Call,
    Elif,
    Field,
    If,
    KritiError,
    Literal,
    Node,
    Object,
    Optional,
    Range,
    StringTemplate,
    Var,
)
from ._kriti_lexer import Token, int_value, tokenize

__all__ = ["parse"]

# Identifiers the grammar reserves (kriti-lang matches them before the general identifier).
_KEYWORDS = frozenset({"if", "elif", "else", "end", "null", "range", "in", "not"})
_BINARY = frozenset({"==", "!=", ">", "<", ">=", "<=", "&&", "||", "??"})


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens, self.last = tokenize(text)
        self.index = 0

    # -- token access -------------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token | None:
        at = self.index + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def fail(self, token: Token | None) -> KritiError:
        if token is None:
            return KritiError("Parse Error", "ParseError: Empty token stream.", self.last)
        return KritiError("Parse Error", f"Unexpected token '{token.shown()}'.", self.last)

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.fail(None)
        self.index += 1
        return token

    def expect(self, kind: str) -> Token:
        token = self.next()
        if token.kind != kind:
            raise self.fail(token)
        return token

    def expect_word(self, word: str) -> Token:
        token = self.next()
        if token.kind != "ident" or token.value != word:
            raise self.fail(token)
        return token

    def name(self) -> Token:
        token = self.next()
        if token.kind != "ident" or token.value in _KEYWORDS:
            raise self.fail(token)
        return token

    @staticmethod
    def is_word(token: Token | None, *words: str) -> bool:
        return token is not None and token.kind == "ident" and token.value in words

    # -- grammar ------------------------------------------------------------------------------------
    def template(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise self.fail(self.peek())
        return node

    def expr(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.fail(None)
        if token.kind == "{{" and not self.is_word(self.peek(1), "range", "if"):
            self.index += 1
            inner = self.expr()
            self.expect("}}")
            return inner
        if token.kind == "ident" and token.value == "not":
            self.index += 1
            argument = self.expr()
            return Call(token.span | argument.span, "not", argument)
        if token.kind == "ident" and token.value not in _KEYWORDS and (ahead := self.peek(1)) and ahead.kind == "(":
            self.index += 2
            argument = self.expr()
            close = self.expect(")")
            return Call(token.span | close.span, token.value, argument)
        left = self.atom()
        operator = self.peek()
        if operator is not None and (operator.kind in _BINARY or self.is_word(operator, "in")):
            self.index += 1
            right = self.atom()
            op = "in" if operator.kind == "ident" else operator.kind
            return Binary(left.span | right.span, op, left, right)
        return left

    def atom(self) -> Node:
        node = self.base()
        while (token := self.peek()) is not None:
            if token.kind == ".":
                self.index += 1
                key = self.name()
                node = Field(node.span | key.span, node, key.value)
            elif token.kind == "[":
                self.index += 1
                index, close = self.subscript()
                node = Field(node.span | close.span, node, index)
            elif token.kind == "?":
                self.index += 1
                node = Optional(node.span, node, self.optional_fields())
            else:
                break
        return node

    def subscript(self) -> tuple[str | Node, Token]:
        """After `[`: `'literal']` or `atom]`."""
        token = self.peek()
        if token is not None and token.kind == "'":
            self.index += 1
            key = self.expect("string")
            self.expect("'")
            return Literal(key.span, key.value), self.expect("]")
        index = self.atom()
        return index, self.expect("]")

    def optional_fields(self) -> tuple[str | Node, ...]:
        fields: list[str | Node] = []
        while (token := self.peek()) is not None and token.kind in (".", "["):
            self.index += 1
            if token.kind == ".":
                fields.append(self.name().value)
            else:
                fields.append(self.subscript()[0])
        return tuple(fields)

    def base(self) -> Node:
        token = self.next()
        kind = token.kind
        if kind == "ident":
            if token.value == "null":
                return Literal(token.span, None)
            if token.value in _KEYWORDS:
                raise self.fail(token)
            return Var(token.span, token.value)
        if kind == "bool":
            return Literal(token.span, token.value)
        if kind == "int":
            return Literal(token.span, int_value(token))
        if kind == "number":
            return Literal(token.span, Decimal(token.text))
        if kind == 's"':
            return self.string(token)
        if kind == "[":
            return self.array(token)
        if kind == "{":
            return self.object(token)
        if kind == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if kind == "{{":
            word = self.peek()
            if self.is_word(word, "range"):
                return self.range(token)
            if self.is_word(word, "if"):
                return self.conditional(token)
            raise self.fail(word)
        raise self.fail(token)

    def string(self, begin: Token) -> Node:
        parts: list[Node] = []
        while True:
            token = self.next()
            if token.kind == '"e':
                break
            if token.kind == "string":
                parts.append(Literal(token.span, token.value))
            elif token.kind == "{{":
                parts.append(self.expr())
                self.expect("}}")
            else:
                raise self.fail(token)
        span = begin.span | token.span
        texts = [part.value for part in parts if isinstance(part, Literal) and isinstance(part.value, str)]
        if len(texts) == len(parts):
            return Literal(span, "".join(texts))
        return StringTemplate(span, tuple(parts))

    def array(self, begin: Token) -> Node:
        items: list[Node] = []
        token = self.peek()
        if token is not None and token.kind == "]":
            self.index += 1
            return Array(begin.span | token.span, ())
        while True:
            items.append(self.expr())
            token = self.next()
            if token.kind == "]":
                return Array(begin.span | token.span, tuple(items))
            if token.kind != ",":
                raise self.fail(token)

    def object(self, begin: Token) -> Node:
        fields: dict[str, Node] = {}
        first = self.peek()
        if first is not None and first.kind == "}":
            self.index += 1
            return Object(begin.span | first.span, ())
        while True:
            self.expect('s"')
            key: list[str] = []
            while (token := self.next()).kind == "string":
                key.append(token.value)
            if token.kind != '"e':
                raise self.fail(token)
            self.expect(":")
            value = self.expr()
            fields.setdefault("".join(key), value)  # the first of duplicate keys wins
            token = self.next()
            if token.kind == "}":
                return Object(begin.span | token.span, tuple(sorted(fields.items())))
            if token.kind != ",":
                raise self.fail(token)

    def range(self, begin: Token) -> Node:
        self.index += 1  # `range`
        index = self.next()
        if index.kind != "_" and (index.kind != "ident" or index.value in _KEYWORDS):
            raise self.fail(index)
        self.expect(",")
        binder = self.name()
        self.expect(":=")
        source = self.expr()
        self.expect("}}")
        body = self.expr()
        self.expect("{{")
        self.expect_word("end")
        end = self.expect("}}")
        name = None if index.kind == "_" else index.value
        return Range(begin.span | end.span, name, binder.value, source, body)

    def conditional(self, begin: Token) -> Node:
        self.index += 1  # `if`
        condition = self.expr()
        self.expect("}}")
        body = self.expr()
        elifs: list[Elif] = []
        while True:
            self.expect("{{")
            word = self.next()
            if self.is_word(word, "else"):
                break
            if not self.is_word(word, "elif"):
                raise self.fail(word)
            elif_condition = self.expr()
            self.expect("}}")
            elifs.append(Elif(word.span | elif_condition.span, elif_condition, self.expr()))
        self.expect("}}")
        orelse = self.expr()
        self.expect("{{")
        self.expect_word("end")
        end = self.expect("}}")
        return If(begin.span | end.span, condition, body, tuple(elifs), orelse)


def parse(text: str) -> Node:
    """The syntax tree of one Kriti template; raises KritiError (Lex Error or Parse Error)."""
    return _Parser(text).template()
