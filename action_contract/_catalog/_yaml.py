"""YAML and JSON reading that remembers lines and JSON paths, with Hasura's `!include` tag.

PyYAML's C parser (libyaml) composes the node tree, and we build plain Python values from the nodes
ourselves so each mapping and sequence can be registered in `Locations` with its line. Duplicate keys
are reported, as the Hasura CLI (Go yaml.v3) rejects them where PyYAML would keep the last silently.
"""

from __future__ import annotations

import json
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
                code="parse-failed",
                hint="Check the indentation and quoting around this line.",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise SourceProblem(Problem(message=f"malformed YAML: {exc}", file=file, code="parse-failed")) from None
    try:
        if node is None:
            return None
        return _Builder(loader, file, locations, problems).build(node, "$")
    finally:
        loader.dispose()


class _Builder:
    __slots__ = ("file", "loader", "locations", "problems")

    def __init__(self, loader: yaml.SafeLoader, file: str, locations: Locations, problems: list[Problem]):
        self.loader = loader
        self.file = file
        self.locations = locations
        self.problems = problems

    def build(self, node: yaml.Node, path: str) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR:
                return node.value
            if node.tag == "!include":
                return Include(str(node.value).strip())
            if node.tag.startswith("!"):
                # Unknown local tags carry their text; `!include` is the only one Hasura uses.
                return node.value
            return self.loader.construct_object(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            items: list[Any] = []
            key_spots: dict[Any, Spot] = {}
            for index, child in enumerate(node.value):
                child_path = f"{path}[{index}]"
                key_spots[index] = self._spot(child, child_path)
                items.append(self.build(child, child_path))
            self.locations.add(items, self._spot(node, path), key_spots)
            return items
        assert isinstance(node, yaml.MappingNode)
        self.loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
        mapping: dict[Any, Any] = {}
        key_spots = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, path)
            if isinstance(key, (list, dict)):
                key = json.dumps(key)
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
            mapping[key] = self.build(value_node, child_path)
        self.locations.add(mapping, self._spot(node, path), key_spots)
        return mapping

    def _spot(self, node: yaml.Node, path: str) -> Spot:
        return Spot(self.file, node.start_mark.line + 1, node.start_mark.column + 1, path)


def load_json(text: str, file: str) -> Any:
    """Parse JSON; raises SourceProblem with the line and column of a syntax error."""
    try:
        return json.loads(text)
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


def register_json(value: Any, file: str, locations: Locations, path: str = "$") -> None:
    """Record JSON paths (JSON has no line numbers to offer) for every container under `value`."""
    if isinstance(value, dict):
        locations.add(value, Spot(file, None, None, path))
        for key, child in value.items():
            if isinstance(child, (dict, list)):
                register_json(child, file, locations, f"{path}.{key}")
    elif isinstance(value, list):
        locations.add(value, Spot(file, None, None, path))
        for index, child in enumerate(value):
            if isinstance(child, (dict, list)):
                register_json(child, file, locations, f"{path}[{index}]")
