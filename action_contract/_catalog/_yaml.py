"""YAML and JSON reading that remembers lines and JSON paths, with Hasura's `!include` tag.

PyYAML's C parser (libyaml) composes the node tree, and we build plain Python values from the nodes
ourselves so each mapping and sequence can be registered in `Locations` with its line. Duplicate keys
are reported, as the Hasura CLI (Go yaml.v3) rejects them where PyYAML would keep the last silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .._errors import Problem
from ._locations import Locations, Spot

__all__ = ["Include", "SourceProblem", "load_json", "load_yaml", "register_json"]

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_PLAIN = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float")}
_AS_TEXT = {f"tag:yaml.org,2002:{t}" for t in ("timestamp", "binary", "value")}
_SURROGATE = re.compile("[\ud800-\udfff]")
_MERGE_HINT = "A merge key takes an alias to a mapping (`<<: *defaults`) or a list of them."
_KEY_HINT = "Write the key as a string; Hasura metadata is JSON, whose keys are strings."
#: Values that YAML aliases may add beyond the document's own nodes (aliases re-use a built node).
MAX_ALIAS_VALUES = 20_000
#: How deep YAML or JSON may nest; Python's own recursion limit is about 1,000.
MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class Include:
    """A `!include path` value (Hasura CLI v3 metadata splits databases and tables this way)."""

    path: str


class SourceProblem(Exception):
    """A file that is not well-formed YAML or JSON; carries the located Problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.render())


def load_yaml(text: str, file: str, locations: Locations, problems: list[Problem]) -> Any:
    """Parse one YAML document into plain values, recording locations; raises SourceProblem."""
    loader = _BaseLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SourceProblem(
            Problem(
                message=f"malformed YAML: {exc.problem or exc}"
                + (f" ({exc.context})" if exc.context and exc.problem else ""),
                file=file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
                json_path=None if mark else "$",
                code="parse-failed",
                hint="Check the indentation and quoting around this line.",
            )
        ) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (a control character, say): libyaml gives its offset only.
        line, column = text_position(text, exc.position)
        raise SourceProblem(
            Problem(
                message=f"malformed YAML: {exc.reason} {exc.character!r} is not allowed in YAML text",
                file=file,
                line=line,
                column=column,
                code="parse-failed",
                hint="Remove the character, or write it as an escape inside a double-quoted string.",
            )
        ) from None
    except (yaml.YAMLError, RecursionError, MemoryError) as exc:
        raise SourceProblem(
            Problem(message=f"malformed YAML: {exc}", file=file, json_path="$", code="parse-failed")
        ) from None
    try:
        if node is None:
            return None
        return _Builder(loader, file, locations, problems).document(node)
    finally:
        loader.dispose()


def text_position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character `offset` in `text`."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class _Builder:
    __slots__ = ("budget", "file", "loader", "locations", "on_path", "problems", "seen")

    def __init__(self, loader: yaml.SafeLoader, file: str, locations: Locations, problems: list[Problem]):
        self.loader = loader
        self.file = file
        self.locations = locations
        self.problems = problems
        self.on_path: set[int] = set()  # nodes being built: meeting one again is a recursive alias
        self.seen: set[int] = set()
        self.budget = MAX_ALIAS_VALUES

    def document(self, node: yaml.Node) -> Any:
        try:
            return self.build(node, "$")
        except _Refused as exc:
            mark = exc.node.start_mark
            raise SourceProblem(
                Problem(
                    message=exc.message,
                    file=self.file,
                    line=mark.line + 1,
                    column=mark.column + 1,
                    code="parse-failed",
                    hint=exc.hint,
                )
            ) from None

    def build(self, node: yaml.Node, path: str, depth: int = 0) -> Any:
        key = id(node)
        if key in self.seen:
            # An alias repeats a node already built: each repetition costs, so a few bytes of
            # nested aliases cannot expand into gigabytes (the "billion laughs").
            self.budget -= 1
            if self.budget < 0:
                raise _Refused(
                    node,
                    f"YAML aliases expand to more than {MAX_ALIAS_VALUES:,} values",
                    "This looks like an alias bomb; write the values out, or use fewer nested aliases.",
                )
            if key in self.on_path:
                raise _Refused(node, "recursive YAML alias: this node contains itself", "Remove the alias (*name).")
        self.seen.add(key)
        if depth > MAX_DEPTH:
            raise _Refused(
                node, f"nested more than {MAX_DEPTH} levels deep", "Hasura metadata is never this deep; flatten it."
            )
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        self.on_path.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path, depth)
            assert isinstance(node, yaml.MappingNode)  # the composer makes only these three kinds
            return self._mapping(node, path, depth)
        finally:
            self.on_path.discard(key)

    def _scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        if node.tag == _STR or node.tag in _AS_TEXT:
            # Timestamps and binary stay the text they were written as (Hasura reads JSON strings).
            return self._text(node, path)
        if node.tag == "!include":
            return Include(str(node.value).strip())
        if node.tag.startswith("!"):
            # Unknown local tags carry their text; `!include` is the only one Hasura uses.
            return self._text(node, path)
        if node.tag not in _PLAIN:
            self._error(node, path, f"unsupported YAML tag {node.tag!r}", "Remove the tag; Hasura metadata is JSON.")
            return None
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, KeyError, OverflowError) as exc:
            tag = node.tag.rsplit(":", 1)[-1]
            self._error(
                node,
                path,
                f"cannot read {node.value[:80]!r} as {tag}: {exc}".splitlines()[0],
                "Quote the value to keep it as text, or write a valid value.",
            )
            return None

    def _text(self, node: yaml.ScalarNode, path: str) -> str:
        value = str(node.value)
        if not value.isascii() and _SURROGATE.search(value):
            self._error(node, path, "a lone UTF-16 surrogate escape is not Unicode text", "Remove the \\uD8xx escape.")
            return value.encode("utf-8", "replace").decode("utf-8")
        return value

    def _sequence(self, node: yaml.SequenceNode, path: str, depth: int) -> list[Any]:
        items: list[Any] = []
        key_spots: dict[Any, Spot] = {}
        for index, child in enumerate(node.value):
            child_path = f"{path}[{index}]"
            key_spots[index] = self._spot(child, child_path)
            items.append(self.build(child, child_path, depth + 1))
        self.locations.add(items, self._spot(node, path), key_spots)
        return items

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, Any]:
        try:
            self.loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
        except (yaml.YAMLError, RecursionError) as exc:
            self._error(node, path, f"bad merge key (<<): {getattr(exc, 'problem', None) or exc}", _MERGE_HINT)
            node.value = [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]
        mapping: dict[Any, Any] = {}
        key_spots: dict[Any, Spot] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._error(key_node, path, "a mapping key must be a plain value, not a list or mapping", _KEY_HINT)
                continue
            # JSON keys are strings: `1:` and `true:` are the keys "1" and "true".
            key = str(key_node.value)
            child_path = f"{path}.{key}"
            if key in mapping:
                first = key_spots[key].line
                self.problems.append(
                    Problem(
                        message=f"mapping key {key!r} is already defined at line {first}",
                        file=self.file,
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        json_path=child_path,
                        code="parse-failed",
                        hint="Remove one of the two entries; the Hasura CLI refuses files with repeated keys.",
                    )
                )
            key_spots[key] = self._spot(key_node, child_path)
            mapping[key] = self.build(value_node, child_path, depth + 1)
        self.locations.add(mapping, self._spot(node, path), key_spots)
        return mapping

    def _error(self, node: yaml.Node, path: str, message: str, hint: str) -> None:
        self.problems.append(
            Problem(
                message=message,
                file=self.file,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                json_path=path,
                code="parse-failed",
                hint=hint,
            )
        )

    def _spot(self, node: yaml.Node, path: str) -> Spot:
        return Spot(self.file, node.start_mark.line + 1, node.start_mark.column + 1, path)


class _Refused(Exception):
    def __init__(self, node: yaml.Node, message: str, hint: str) -> None:
        self.node, self.message, self.hint = node, message, hint
        super().__init__(message)


def load_json(text: str, file: str) -> Any:
    """Parse JSON; raises SourceProblem with the line and column of a syntax error."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise SourceProblem(
            Problem(
                message=f"malformed JSON: {exc.msg}",
                file=file,
                line=exc.lineno,
                column=exc.colno,
                code="parse-failed",
                hint="Check for a missing comma, quote or bracket just before this point.",
            )
        ) from None
    except _BadNumber as exc:
        line, column = text_position(text, text.find(exc.text))
        raise SourceProblem(
            Problem(
                message=f"malformed JSON: {exc.reason}",
                file=file,
                line=line,
                column=column,
                code="parse-failed",
                hint="Write a finite number of at most 4,300 digits, or quote it.",
            )
        ) from None
    except RecursionError:
        raise SourceProblem(
            Problem(
                message="malformed JSON: nested too deeply to read",
                file=file,
                json_path="$",
                code="parse-failed",
                hint=f"Hasura metadata is never nested more than {MAX_DEPTH} levels deep.",
            )
        ) from None


class _BadNumber(ValueError):
    def __init__(self, text: str, reason: str) -> None:
        self.text, self.reason = text, reason
        super().__init__(reason)


def _no_constant(text: str) -> Any:
    raise _BadNumber(text, f"{text} is not a JSON number")


def _json_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _BadNumber(text[:40], f"an integer of {len(text):,} digits is too long to read") from None


def register_json(value: Any, file: str, locations: Locations, path: str = "$") -> None:
    """Record JSON paths for every container under `value`; SourceProblem when too deep or not Unicode.

    JSON has no line numbers to offer, so each container gets its path. Walked without recursion, so
    any depth JSON itself could read is checked against `MAX_DEPTH` here.
    """
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        current, where, depth = stack.pop()
        if isinstance(current, str):
            if not current.isascii() and _SURROGATE.search(current):
                raise SourceProblem(
                    Problem(
                        message="a lone UTF-16 surrogate escape is not Unicode text",
                        file=file,
                        json_path=where,
                        code="parse-failed",
                        hint="Remove the \\uD8xx escape, or pair it with its low surrogate.",
                    )
                )
            continue
        if not isinstance(current, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise SourceProblem(
                Problem(
                    message=f"nested more than {MAX_DEPTH} levels deep",
                    file=file,
                    json_path=where,
                    code="parse-failed",
                    hint="Hasura metadata is never this deep; flatten it.",
                )
            )
        locations.add(current, Spot(file, None, None, where))
        if isinstance(current, dict):
            for key, child in current.items():
                stack.append((key, where, depth + 1))
                stack.append((child, f"{where}.{key}", depth + 1))
        else:
            stack.extend((child, f"{where}[{index}]", depth + 1) for index, child in enumerate(current))
