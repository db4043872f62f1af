"""Where a catalog uses each named type, and how two type references compare, for the diff."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .._catalog._model import Catalog, EnumType, InputObjectType, NamedType, ObjectType, TypeRef
from ._values import Impact, breaking, safe

__all__ = ["OUTPUT_WORDS", "Usage", "change_kind", "kind_name", "names", "same_name", "wrapped"]


# -- where types are used --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Usage:
    """Which actions reach each named type, from their arguments and from their output."""

    inputs: Mapping[str, Sequence[str]]
    outputs: Mapping[str, Sequence[str]]
    #: Object types that are an action's output itself (Hasura checks only their fields, §3.2).
    top_level: Mapping[str, Sequence[str]]

    @classmethod
    def of(cls, catalog: Catalog) -> Usage:
        """Walk each action's arguments and output through the types they reach."""
        inputs: dict[str, list[str]] = {}
        outputs: dict[str, list[str]] = {}
        top_level: dict[str, list[str]] = {}
        for action in catalog:
            seen: set[str] = set()
            for argument in action.arguments:
                _reach(catalog, argument.type.base_name, seen)
            for name in seen:
                inputs.setdefault(name, []).append(action.name)
            seen = set()
            _reach(catalog, action.output_type.base_name, seen)
            for name in seen:
                outputs.setdefault(name, []).append(action.name)
            top_level.setdefault(action.output_type.base_name, []).append(action.name)
        return cls(inputs, outputs, top_level)

    def users(self, name: str) -> list[str]:
        """Every action that uses type `name`, sorted."""
        return sorted({*self.inputs.get(name, ()), *self.outputs.get(name, ())})


def _reach(catalog: Catalog, name: str, seen: set[str]) -> None:
    stack = [name]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        named = catalog.types.get(current)
        if isinstance(named, (InputObjectType, ObjectType)):
            stack.extend(f.type.base_name for f in named.fields)


def names(actions: Sequence[str]) -> str:
    """`a, b, c and 2 more`: the first three action names."""
    shown = ", ".join(actions[:3])
    return shown + (f" and {len(actions) - 3} more" if len(actions) > 3 else "")


# -- comparing type references ---------------------------------------------------------------------


def wrapped(narrow: TypeRef, wide: TypeRef, base: Callable[[str, str], Impact]) -> Impact | None:
    """Whether every value of `narrow` is a value of `wide`: None when it is, else why not.

    Non-null and list wrappers are compared here; the named types at the bottom by `base`.
    """
    if wide.non_null and not narrow.non_null:
        return breaking(f"{narrow} allows null where {wide} does not")
    if narrow.of_type is not None and wide.of_type is not None:
        return wrapped(narrow.of_type, wide.of_type, base)
    if narrow.of_type is not None or wide.of_type is not None:
        return breaking(f"{narrow} and {wide} are not both lists")
    assert narrow.name is not None and wide.name is not None  # neither is a list here
    found = base(narrow.name, wide.name)
    return None if found.severity == "safe" else found


def same_name(narrow: str, wide: str) -> Impact:
    """The client's view of two named types: the same only by name (variables and fragments name them)."""
    return safe("same type") if narrow == wide else breaking(f"{narrow} is not {wide}")


# An output's `!` is about null, not about being optional.
OUTPUT_WORDS = {"made_required": "made_non_null", "made_optional": "made_nullable"}


def change_kind(old: TypeRef, new: TypeRef) -> str:
    """`made_optional`/`made_required` when only the outer `!` changed, else `type_changed`."""
    if old.nullable() == new.nullable():
        return "made_required" if new.non_null else "made_optional"
    return "type_changed"


def kind_name(named: NamedType) -> str:
    """`enum`, `input object`, `object type` or `scalar`."""
    if isinstance(named, EnumType):
        return "enum"
    if isinstance(named, InputObjectType):
        return "input object"
    if isinstance(named, ObjectType):
        return "object type"
    return "scalar"
