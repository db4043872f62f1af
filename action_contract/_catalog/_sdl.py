"""A fast reader for the plain SDL found in almost every actions.graphql.

graphql-core's parser builds a full AST and dominates load time on big projects (about 0.4 s for a
1,000-action file). Action SDL is a small, regular subset, so this reader scans it with one regular
expression and builds Hasura's JSON shapes directly. It gives up (returns None) at the first thing
outside that subset (default values, interfaces, unions, extensions of non-root types, arguments on
object fields, anything malformed) and `_graphql.read_sdl` then takes graphql-core's path, which
reports warnings and syntax errors exactly. Both paths must give identical results
(tests/test_sdl.py checks this on every SDL file we have).
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from ._locations import Locations, Spot

__all__ = ["read_plain_sdl"]

_TOKEN = re.compile(
    r"""
    (?P<skip>(?:[\s,\ufeff]+|\#[^\n\r]*)+)
  | (?P<block>\"\"\"(?:\\\"\"\"|[^"\\]|\\(?!\"\"\")|"(?!""))*\"\"\")
  | (?P<string>"(?:\\.|[^"\\\n\r])*")
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>[!()\[\]{}:=@&|$])
    """,
    re.VERBOSE,
)
_ROOTS = {"Mutation": "mutation", "Query": "query"}


class _GiveUp(Exception):
    """The text is outside the plain subset; the full parser must read it."""


def read_plain_sdl(text: str, file: str, locations: Locations) -> tuple[list[Any], dict[str, list[Any]]] | None:
    """(actions, custom types) in Hasura's JSON shapes, or None when the full parser is needed."""
    try:
        tokens = _tokenize(text)
        return _Parser(tokens, text, file, locations).document()
    except (_GiveUp, IndexError, ValueError):  # ValueError: a string escape JSON does not share
        return None


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position, end = 0, len(text)
    match = _TOKEN.match
    while position < end:
        found = match(text, position)
        if found is None:
            raise _GiveUp
        kind = found.lastgroup
        assert kind is not None
        if kind != "skip":
            tokens.append((kind, found.group(), position))
        position = found.end()
    tokens.append(("eof", "", end))
    return tokens


class _Parser:
    __slots__ = ("at", "file", "line_starts", "locations", "tokens")

    def __init__(self, tokens: list[tuple[str, str, int]], text: str, file: str, locations: Locations) -> None:
        self.tokens = tokens
        self.at = 0
        self.file = file
        self.locations = locations
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|[\n\r]", text)]

    # -- tokens ------------------------------------------------------------------------------------

    def peek(self, offset: int = 0) -> tuple[str, str, int]:
        return self.tokens[self.at + offset]

    def take(self, kind: str, value: str | None = None) -> str:
        token_kind, token_value, _ = self.tokens[self.at]
        if token_kind != kind or (value is not None and token_value != value):
            raise _GiveUp
        self.at += 1
        return token_value

    def skip(self, value: str) -> bool:
        if self.tokens[self.at][0] == "punct" and self.tokens[self.at][1] == value:
            self.at += 1
            return True
        return False

    def spot(self, position: int) -> Spot:
        line = bisect.bisect_right(self.line_starts, position)
        return Spot(self.file, line, position - self.line_starts[line - 1] + 1)

    def record(self, value: dict[str, Any], position: int) -> dict[str, Any]:
        self.locations.add(value, self.spot(position))
        return value

    # -- grammar -----------------------------------------------------------------------------------

    def document(self) -> tuple[list[Any], dict[str, list[Any]]]:
        actions: list[Any] = []
        types: dict[str, list[Any]] = {"scalars": [], "enums": [], "input_objects": [], "objects": []}
        while self.peek()[0] != "eof":
            start = self.peek()[2]
            description = self.description()
            keyword = self.take("name")
            if keyword == "extend":
                if self.take("name") != "type" or self.peek()[1] not in _ROOTS or description is not None:
                    raise _GiveUp
                keyword = "type"
            name = self.take("name")
            if keyword == "type" and name in _ROOTS:
                self.implements_and_directives()
                actions.extend(self.actions(_ROOTS[name]))
            elif keyword == "type":
                self.implements_and_directives()
                fields = self.fields()
                types["objects"].append(self.record(_named(name, description, fields=fields), start))
            elif keyword == "input":
                self.directives()
                fields = self.fields(input_values=True)
                types["input_objects"].append(self.record(_named(name, description, fields=fields), start))
            elif keyword == "enum":
                self.directives()
                types["enums"].append(self.record(_named(name, description, values=self.enum_values()), start))
            elif keyword == "scalar":
                self.directives()
                types["scalars"].append(self.record(_named(name, description), start))
            else:
                raise _GiveUp
        return actions, types

    def description(self) -> str | None:
        kind, value, _ = self.peek()
        if kind == "block":
            self.at += 1
            return _block_string(value[3:-3]).strip()
        if kind == "string":
            self.at += 1
            return str(json.loads(value)).strip()
        return None

    def implements_and_directives(self) -> None:
        if self.peek()[1] == "implements":
            self.at += 1
            self.skip("&")
            self.take("name")
            while self.skip("&"):
                self.take("name")
        self.directives()

    def directives(self) -> list[str]:
        names = []
        while self.skip("@"):
            names.append(self.take("name"))
            if self.skip("("):
                depth = 1
                while depth:
                    kind, value, _ = self.tokens[self.at]
                    self.at += 1
                    if kind == "eof":
                        raise _GiveUp
                    if kind == "punct":
                        depth += {"(": 1, ")": -1}.get(value, 0)
        return names

    def type_text(self) -> str:
        # A loop rather than recursion: `[[[...String...]]]` may nest deeper than Python's stack.
        opens = 0
        while self.skip("["):
            opens += 1
        text = self.take("name")
        text = text + "!" if self.skip("!") else text
        for _ in range(opens):
            self.take("punct", "]")
            text = "[" + text + "]"
            text = text + "!" if self.skip("!") else text
        return text

    def input_value(self) -> dict[str, Any]:
        start = self.peek()[2]
        description = self.description()
        name = self.take("name")
        self.take("punct", ":")
        value = {"name": name, "type": self.type_text()}
        if description is not None:
            value["description"] = description
        if self.peek()[1] == "=":
            raise _GiveUp  # default values earn a warning: the full parser reports it
        self.directives()
        return self.record(value, start)

    def fields(self, *, input_values: bool = False) -> list[dict[str, Any]]:
        self.take("punct", "{")
        fields = []
        while not self.skip("}"):
            if input_values:
                fields.append(self.input_value())
                continue
            start = self.peek()[2]
            description = self.description()
            name = self.take("name")
            if self.peek()[1] == "(":
                raise _GiveUp  # arguments on object fields earn a warning
            self.take("punct", ":")
            field = {"name": name, "type": self.type_text()}
            if description is not None:
                field["description"] = description
            self.directives()
            fields.append(self.record(field, start))
        return fields

    def actions(self, action_type: str) -> list[dict[str, Any]]:
        self.take("punct", "{")
        actions = []
        while not self.skip("}"):
            start = self.peek()[2]
            description = self.description()
            name = self.take("name")
            arguments = []
            if self.skip("("):
                while not self.skip(")"):
                    arguments.append(self.input_value())
            self.take("punct", ":")
            definition: dict[str, Any] = {"type": action_type, "output_type": self.type_text()}
            self.directives()
            self.record(definition, start)
            if arguments:
                definition["arguments"] = arguments
            action: dict[str, Any] = {"name": name, "definition": definition}
            if description:
                action["description"] = description
            actions.append(self.record(action, start))
        return actions

    def enum_values(self) -> list[dict[str, Any]]:
        self.take("punct", "{")
        values = []
        while not self.skip("}"):
            start = self.peek()[2]
            description = self.description()
            value: dict[str, Any] = {"value": self.take("name")}
            if description is not None:
                value["description"] = description
            if "deprecated" in self.directives():
                value["is_deprecated"] = True
            values.append(self.record(value, start))
        return values


def _named(name: str, description: str | None, **rest: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"name": name}
    if description is not None:
        value["description"] = description
    value.update(rest)
    return value


def _block_string(raw: str) -> str:
    """The value of a GraphQL block string (spec: BlockStringValue), escapes and indentation removed."""
    lines = raw.replace('\\"""', '"""').splitlines()
    indent = min(
        (len(line) - len(line.lstrip(" \t")) for line in lines[1:] if line.strip(" \t")),
        default=0,
    )
    lines = lines[:1] + [line[indent:] for line in lines[1:]]
    while lines and not lines[0].strip(" \t"):
        lines.pop(0)
    while lines and not lines[-1].strip(" \t"):
        lines.pop()
    return "\n".join(lines)
