"""GraphQL input types of a catalog compiled into Hypothesis strategies and fixed edge values.

Values are what Hasura forwards to a handler (contract §1.5): an omitted nullable argument or input
field is absent, an explicit null is present, enums are their value names, lists are JSON arrays,
input objects nested JSON objects. Each type is compiled once per catalog and reused; there is no
JSON Schema round trip.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .._catalog._model import Action, Catalog, EnumType, Field, InputObjectType, ScalarType, TypeRef, uninhabited_inputs
from .._catalog._scalars import registry_generation
from .._errors import InvalidArgument
from ._realistic import realistic_scalar
from ._scalar_strategies import scalar_edge, scalar_strategy

__all__ = ["InputValues", "input_values"]

#: How many levels of a recursive input type a generated value may nest.
MAX_DEPTH = 3
_EDGE_DEPTH = 2
#: Bytes the arguments of one edge request may take before lists stop repeating their elements
#: (requests stay under `MAX_REQUEST_BYTES`, 1 MiB, with room for headers and session variables).
EDGE_BUDGET = 256 * 1024
PLAIN, EDGE, MIXED, REAL = "plain", "edge", "mixed", "real"


class InputValues:
    """Strategies and edge values for the input types of one catalog, each compiled once."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._strategies: dict[tuple[str, int, str], st.SearchStrategy[Any]] = {}
        self._arguments: dict[str, st.SearchStrategy[dict[str, Any]]] = {}
        self.recursive = _recursive_inputs(catalog)
        self.uninhabited = uninhabited_inputs(catalog.types)

    # -- strategies ---------------------------------------------------------------------------

    def arguments(self, action: Action) -> st.SearchStrategy[dict[str, Any]]:
        """The `input` object of `action`: every argument absent, null or a value as its type allows."""
        strategy = self._arguments.get(action.name)
        if strategy is None:
            self.check_callable(action)
            strategy = self._object(action.arguments, 0)
            self._arguments[action.name] = strategy
        return strategy

    def argument_changes(self, action: Action) -> dict[str, st.SearchStrategy[Any]]:
        """Per argument of `action`, values realistic or awkward: what a one-field change of a seed draws from.

        Left out and null are the ordinary requests' business; a change to a seed is a value.
        """
        self.check_callable(action)
        return {
            argument.name: st.one_of(self._real(argument.type, argument.name, 0), self.present(argument.type))
            for argument in action.arguments
            if not self._cut(argument.type, 0)
        }

    def present(self, ref: TypeRef, depth: int = 0) -> st.SearchStrategy[Any]:
        """Non-null values of `ref` (whatever its nullability)."""
        return self._present(ref, depth, MIXED)

    def check_callable(self, action: Action) -> None:
        """Raise `InvalidArgument` when a required argument's type has no finite value."""
        for argument in action.arguments:
            if argument.type.non_null and not argument.type.is_list and argument.type.base_name in self.uninhabited:
                raise InvalidArgument(
                    f"action {action.name!r} cannot be called: argument {argument.name!r} has type {argument.type}, "
                    f"and every value of {argument.type.base_name} must contain itself through non-null fields. "
                    "Make one of the fields on that cycle nullable or a list."
                )

    # Scalars come in two flavours: PLAIN (Hypothesis' own values) and EDGE (bounds, empty, long,
    # astral...). Mixing them per scalar would cost a draw per scalar; the choice is made once per
    # input object or list instead (MIXED), and each flavour's fields still vary on their own.

    def _present(self, ref: TypeRef, depth: int, flavour: str) -> st.SearchStrategy[Any]:
        if ref.of_type is None:
            return self._named(ref.base_name, depth, flavour)
        item = ref.of_type
        if self._cut(item, depth):
            return st.just([])
        if self._is_leaf(item) and flavour == MIXED:
            return st.one_of(self._list(item, depth, PLAIN), self._list(item, depth, EDGE))
        return self._list(item, depth, flavour if self._is_leaf(item) else MIXED)

    def _list(self, item: TypeRef, depth: int, flavour: str) -> st.SearchStrategy[list[Any]]:
        values = self._present(item, depth, flavour)
        # Lists of lists share one size budget: four elements innermost, fewer further out, so a
        # value of twenty nested lists is as small as one of three (Hypothesis would overrun).
        below = _list_levels(item)
        max_size = 4 if below == 0 else 3 if below == 1 else 2 if below <= 3 else 1
        return st.lists(values if item.non_null else st.one_of(st.none(), values), max_size=max_size)

    def _is_leaf(self, ref: TypeRef) -> bool:
        return not isinstance(self.catalog.types.get(ref.base_name), InputObjectType)

    def _cut(self, ref: TypeRef, depth: int, limit: int = MAX_DEPTH) -> bool:
        # Deep enough, or no finite value: an input object here can only be left out (or an empty list).
        name = ref.base_name
        return name in self.uninhabited or (depth >= limit and not self._is_leaf(ref))

    def _named(self, name: str, depth: int, flavour: str) -> st.SearchStrategy[Any]:
        named = self.catalog.type(name)
        if isinstance(named, InputObjectType):
            flavour = MIXED  # an input object mixes its own fields' flavours
        key = (name, depth if name in self.recursive else 0, flavour)
        strategy = self._strategies.get(key)
        if strategy is None:
            if isinstance(named, ScalarType):
                if flavour == MIXED:
                    strategy = st.one_of(scalar_strategy(named), scalar_strategy(named, edge=True))
                else:
                    strategy = scalar_strategy(named, edge=flavour == EDGE)
            elif isinstance(named, EnumType):
                strategy = st.sampled_from(named.value_names)
            elif isinstance(named, InputObjectType):
                strategy = self._object(named.fields, depth + 1 if name in self.recursive else depth)
            else:
                raise InvalidArgument(f"{name} is an output type and cannot be an input value")
            self._strategies[key] = strategy
        return strategy

    def _object(self, fields: Sequence[Field], depth: int) -> st.SearchStrategy[dict[str, Any]]:
        # A third of the objects are realistic (by each field's name and type, half of their leaves awkward);
        # the others plain or awkward. (`one_of` drops repeated branches, so weights cannot be given by repeating.)
        real = self._real_fields(fields, depth)
        if not any(self._is_leaf(f.type) for f in fields):
            return st.one_of(self._fields(fields, depth, MIXED), real)
        return st.one_of(self._fields(fields, depth, PLAIN), self._fields(fields, depth, EDGE), real)

    # -- realistic values -------------------------------------------------------------------

    def _real_fields(self, fields: Sequence[Field], depth: int) -> st.SearchStrategy[dict[str, Any]]:
        key = (",".join(f"{f.name}:{f.type}" for f in fields), depth, REAL)
        strategy = self._strategies.get(key)
        if strategy is None:
            # Built lazily: a recursive input type refers to itself through here.
            strategy = self._strategies[key] = st.deferred(lambda: self._build_real_fields(fields, depth))
        return strategy

    def _build_real_fields(self, fields: Sequence[Field], depth: int) -> st.SearchStrategy[dict[str, Any]]:
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for field in fields:
            ref = field.type
            if ref.non_null:
                required[field.name] = self._real(ref, field.name, depth)
            elif self._cut(ref, depth):
                optional[field.name] = st.none()
            else:
                optional[field.name] = st.one_of(st.none(), self._real(ref, field.name, depth))
        return st.fixed_dictionaries(required, optional=optional)

    def _real(self, ref: TypeRef, name: str, depth: int) -> st.SearchStrategy[Any]:
        """A realistic value of `ref` for a field called `name`, or (half the time in a leaf) an awkward one."""
        if ref.of_type is not None:
            item = ref.of_type
            if self._cut(item, depth):
                return st.just([])
            values = self._real(item, name, depth)
            # Realistic lists hold something; empty and null-holding ones come from the other flavours.
            return st.lists(values, min_size=1, max_size=3)
        named = self.catalog.type(ref.base_name)
        if isinstance(named, InputObjectType):
            return self._real_fields(named.fields, depth + 1 if named.name in self.recursive else depth)
        if isinstance(named, ScalarType):
            key = (f"{named.name}@{name}", 0, REAL)
            strategy = self._strategies.get(key)
            if strategy is None:
                realistic = realistic_scalar(named, name)
                awkward = self._named(named.name, depth, MIXED)
                strategy = self._strategies[key] = st.one_of(realistic, awkward)
            return strategy
        return self._named(ref.base_name, depth, MIXED)

    def _fields(self, fields: Sequence[Field], depth: int, flavour: str) -> st.SearchStrategy[dict[str, Any]]:
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for field in fields:
            ref = field.type
            if ref.non_null:
                required[field.name] = self._present(ref, depth, flavour)
            elif self._cut(ref, depth):
                optional[field.name] = st.none()
            else:
                # Left out, explicit null and a value are three different requests (contract §1.5);
                # `fixed_dictionaries` leaves optional keys out without a draw of their own.
                optional[field.name] = st.one_of(st.none(), self._present(ref, depth, flavour))
        return st.fixed_dictionaries(required, optional=optional)

    # -- fixed edge values --------------------------------------------------------------------

    def edge_arguments(self, action: Action, mode: str) -> dict[str, Any]:
        """The `input` of `action` for one edge mode (`absent`, `null`, `present`, `low`, `high`)."""
        self.check_callable(action)
        return self._edge_fields(action.arguments, mode, 0, EDGE_BUDGET)

    def _edge_fields(self, fields: Sequence[Field], mode: str, depth: int, budget: int) -> dict[str, Any]:
        values: dict[str, Any] = {}
        share = budget // max(1, len(fields))
        for field in fields:
            ref = field.type
            if not ref.non_null:
                if mode == "null":
                    values[field.name] = None
                if mode in {"absent", "null"} or self._cut(ref, depth, _EDGE_DEPTH):
                    continue
            values[field.name] = self._edge_present(ref, mode, depth, share)
        return values

    def _edge_present(self, ref: TypeRef, mode: str, depth: int, budget: int) -> Any:
        if ref.of_type is not None:
            item = ref.of_type
            if mode in {"absent", "null", "low"} or self._cut(item, depth, _EDGE_DEPTH):
                return []
            value = self._edge_present(item, mode, depth, budget)
            if mode == "present":
                return [value]
            # Many elements, with a null among them where the item type allows it; one element once
            # three would pass the budget, so nested lists keep every level's edge without growing
            # threefold per level.
            if 3 * _json_size(value) > budget:
                return [value] if item.non_null else [value, None]
            return [value, value, value] if item.non_null else [value, None, value]
        named = self.catalog.type(ref.base_name)
        if isinstance(named, ScalarType):
            return scalar_edge(named, mode)
        if isinstance(named, EnumType):
            names = named.value_names
            return names[-1] if mode == "high" else names[len(names) // 2] if mode == "present" else names[0]
        if isinstance(named, InputObjectType):
            deeper = depth + 1 if named.name in self.recursive else depth
            return self._edge_fields(named.fields, mode, deeper, budget)
        raise InvalidArgument(f"{named.name} is an output type and cannot be an input value")


def _list_levels(ref: TypeRef) -> int:
    levels = 0
    while ref.of_type is not None:
        levels, ref = levels + 1, ref.of_type
    return levels


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str))


def _recursive_inputs(catalog: Catalog) -> frozenset[str]:
    """Input types that can contain themselves (directly or through others)."""
    edges = {
        named.name: [f.type.base_name for f in named.fields]
        for named in catalog.types.values()
        if isinstance(named, InputObjectType)
    }
    recursive: set[str] = set()
    for start, targets in edges.items():
        seen: set[str] = set()
        stack = list(targets)
        while stack:
            name = stack.pop()
            if name == start:
                recursive.add(start)
                break
            if name in edges and name not in seen:
                seen.add(name)
                stack.extend(edges[name])
    return frozenset(recursive)


_COMPILED: OrderedDict[int, tuple[Catalog, int, InputValues]] = OrderedDict()
_KEEP = 8


def input_values(catalog: Catalog) -> InputValues:
    """The compiled input values of `catalog`, shared by every strategy built for it."""
    key = id(catalog)
    entry = _COMPILED.get(key)
    generation = registry_generation()
    # The catalog is kept in the entry, so its id cannot be reused while the entry lives.
    if entry is not None and entry[0] is catalog and entry[1] == generation:
        _COMPILED.move_to_end(key)
        return entry[2]
    compiled = InputValues(catalog)
    _COMPILED[key] = (catalog, generation, compiled)
    while len(_COMPILED) > _KEEP:
        _COMPILED.popitem(last=False)
    return compiled
