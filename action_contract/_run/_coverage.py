"""How deep a run got into an action: the share of conforming requests past the business rules, and more.

A handler that refuses nearly every generated request (unknown coupons, non-positive quantities) is
tested only at its front door. `Coverage` says so in the report: the share of conforming requests that
got a 2xx, how many distinct reply shapes came back, and for each enum argument the values that reached
a 2xx. `signature` is what makes a success distinct, for steering generation toward new ones.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._catalog._model import Action, Catalog, EnumType, Field, InputObjectType
from ._case import Case

__all__ = ["LOW_SHARE", "Coverage", "coverage_of", "signature"]

#: Below this share of conforming requests reaching a 2xx, the report says the run stayed at the door.
LOW_SHARE = 0.10


@dataclass(slots=True, kw_only=True)
class Coverage:
    """Per action: conforming requests, those that got a 2xx, distinct reply shapes, enum values that got one."""

    requests: int = 0
    successes: int = 0
    #: Distinct shapes of the 2xx replies (keys and kinds of values, enum values included).
    shapes: int = 0
    #: For each enum argument (a JSON path into `input`), the values sent and those that reached a 2xx.
    enum_values: dict[str, list[str]] = field(default_factory=dict)
    enum_successes: dict[str, list[str]] = field(default_factory=dict)
    #: How many requests came from known-good inputs.
    known_good: int = 0

    @property
    def share(self) -> float:
        """The share of conforming requests that got a 2xx (0 when none was sent)."""
        return self.successes / self.requests if self.requests else 0.0

    @property
    def low(self) -> bool:
        """True when under `LOW_SHARE` of the requests got past the handler's rules."""
        return self.requests > 0 and self.share < LOW_SHARE

    def advice(self) -> str | None:
        """What to do about a low share, or None when the share is fine."""
        if not self.low:
            return None
        given = "more " if self.known_good else ""
        return (
            f"only {self.successes} of {self.requests} conforming requests got a 2xx: the handler's rules turned the "
            f"rest away, so what lies behind them was hardly tested. Give {given}known-good inputs (an `inputs:` "
            "list under the action in the examples file, --examples-file FILE)."
        )

    def to_json(self) -> dict[str, Any]:
        """The coverage as JSON, for the JSON report."""
        return {
            "requests": self.requests,
            "successes": self.successes,
            "share": round(self.share, 4),
            "reply_shapes": self.shapes,
            "known_good": self.known_good,
            "enums": {
                path: {"sent": self.enum_values[path], "succeeded": self.enum_successes.get(path, [])}
                for path in self.enum_values
            },
            "advice": self.advice(),
        }


def coverage_of(catalog: Catalog, action: Action, cases: Sequence[Case]) -> Coverage:
    """The coverage of one action's conforming cases."""
    coverage = Coverage(requests=len(cases))
    shapes: set[Hashable] = set()
    enum_paths = dict(_enum_paths(catalog, action.arguments, "$"))
    sent: dict[str, set[str]] = {path: set() for path in enum_paths}
    succeeded: dict[str, set[str]] = {path: set() for path in enum_paths}
    for case in cases:
        ok = _ok(case)
        coverage.known_good += case.request.known_good
        if ok:
            coverage.successes += 1
            shapes.add(_shape(case.body_json()))
        for path, value in _enum_values(catalog, action.arguments, _arguments(case), "$"):
            sent[path].add(value)
            if ok:
                succeeded[path].add(value)
    coverage.shapes = len(shapes)
    for path, names in enum_paths.items():
        coverage.enum_values[path] = [name for name in names if name in sent[path]]
        coverage.enum_successes[path] = [name for name in names if name in succeeded[path]]
    return coverage


def signature(case: Case) -> Hashable:
    """What tells two successes apart: status, reply shape and the enum values of the input."""
    values = tuple(sorted(_enum_values(case.catalog, case.action.arguments, _arguments(case), "$")))
    return (case.response.status, _shape(case.body_json()), values)


def _ok(case: Case) -> bool:
    status = case.response.status
    return status is not None and 200 <= status < 300 and case.verdict.accepted


def _arguments(case: Case) -> Any:
    payload = case.request.payload
    return payload.get("input") if payload is not None else None


def _shape(value: Any) -> Hashable:
    # Strings are kept only when short and upper case: the look of an enum value, which makes a new shape.
    if isinstance(value, dict):
        return tuple(sorted((key, _shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", frozenset(_shape(item) for item in value))
    if isinstance(value, str):
        return value if len(value) <= 24 and value.isupper() else "str"
    return type(value).__name__


def _enum_paths(catalog: Catalog, fields: Sequence[Field], path: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    for item in fields:
        named = catalog.types.get(item.type.base_name)
        where = f"{path}.{item.name}" + "[]" * _list_depth(item)
        if isinstance(named, EnumType):
            yield where, named.value_names
        elif isinstance(named, InputObjectType) and depth < 3:
            yield from _enum_paths(catalog, named.fields, where, depth + 1)


def _list_depth(item: Field) -> int:
    depth, ref = 0, item.type
    while ref.of_type is not None:
        depth, ref = depth + 1, ref.of_type
    return depth


def _enum_values(
    catalog: Catalog, fields: Sequence[Field], value: Any, path: str, depth: int = 0
) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        return
    for item in fields:
        if item.name not in value:
            continue
        named = catalog.types.get(item.type.base_name)
        where = f"{path}.{item.name}" + "[]" * _list_depth(item)
        for leaf in _flatten(value[item.name], _list_depth(item)):
            if isinstance(named, EnumType) and isinstance(leaf, str):
                yield where, leaf
            elif isinstance(named, InputObjectType) and depth < 3:
                yield from _enum_values(catalog, named.fields, leaf, where, depth + 1)


def _flatten(value: Any, depth: int) -> Iterator[Any]:
    if depth == 0:
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item, depth - 1)
