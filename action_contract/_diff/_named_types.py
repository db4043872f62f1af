"""`TypeDiffer`: the differ's rules for named types, their enum values and relationships.

Changes inside a named type (its fields, enum values) are reported once, at the type, and judged by
how the new catalog uses it: from arguments (input position), from outputs, or not at all.
"""

from __future__ import annotations

from .._catalog._model import EnumType, InputObjectType, NamedType, ObjectType
from ._members import MemberDiffer
from ._types import kind_name, names
from ._values import breaking, dangerous, safe

__all__ = ["TypeDiffer"]


class TypeDiffer(MemberDiffer):
    """Adds to `MemberDiffer` the comparison of one named type's two versions."""

    def named_type(self, name: str, old: NamedType | None, new: NamedType | None) -> None:
        path = f"types.{name}"
        if old is None:
            assert new is not None
            self.add(
                "type_added",
                path,
                f"{kind_name(new)} {name} added",
                safe("a new name; where an argument or field uses it, that change is judged there"),
                safe("a new type name"),
            )
            return
        if new is None:
            users = self.old_usage.users(name)
            self.add(
                "type_removed",
                path,
                f"{kind_name(old)} {name} removed",
                safe("handlers see values, not type names"),
                breaking(f"operations that name {name} (variables, fragments) fail; used by {names(users)}")
                if users
                else safe("no action used it"),
            )
            return
        users = self.new_usage.users(name)
        if type(old) is not type(new):
            impact = (
                breaking(f"its values change shape; used by {names(users)}") if users else safe("no action uses it")
            )
            self.add(
                "type_kind_changed", path, f"{name} changed from {kind_name(old)} to {kind_name(new)}", impact, impact
            )
            return
        if old.description != new.description:
            self.add(
                "description_changed",
                path,
                f"description of {name} changed",
                safe("documentation only"),
                safe("documentation only"),
            )
        if isinstance(old, EnumType) and isinstance(new, EnumType):
            self.enum_values(old, new, path, users)
        elif isinstance(old, (InputObjectType, ObjectType)) and isinstance(new, (InputObjectType, ObjectType)):
            is_input = isinstance(old, InputObjectType)  # same class as `new`, checked above
            self.members(
                old.fields,
                new.fields,
                "input" if is_input else "output",
                path=f"{path}.fields",
                noun="input field" if is_input else "field",
                kind="input_field" if is_input else "output_field",
                owner=f"of {name}",
                unused=None if users else safe("no action uses it"),
                top_level=not is_input and name in self.new_usage.top_level,
            )
        if isinstance(old, ObjectType) and isinstance(new, ObjectType):
            self.relationships(old, new, path, users)

    def enum_values(self, old: EnumType, new: EnumType, path: str, users: list[str]) -> None:
        name = new.name
        before = {v.value: v for v in old.values}
        after = {v.value: v for v in new.values}
        as_input, as_output = name in self.new_usage.inputs, name in self.new_usage.outputs
        unused = safe("no action uses it")
        used_by = f"used by {names(users)}"
        for value in [v for v in before if v not in after]:
            self.add(
                "enum_value_removed",
                f"{path}.values.{value}",
                f"value {value} removed from enum {name}",
                breaking(
                    f"a handler may still return {value}; Hasura checks only a reply's top level, "
                    f"so clients receive a value the schema lacks ({used_by})"
                )
                if as_output
                else safe(f"{value} no longer arrives")
                if as_input
                else unused,
                breaking(f"operations that send {value} fail ({used_by})")
                if as_input
                else safe(f"clients no longer receive {value}")
                if as_output
                else unused,
            )
        for value in [v for v in after if v not in before]:
            self.add(
                "enum_value_added",
                f"{path}.values.{value}",
                f"value {value} added to enum {name}",
                dangerous(f"{value} may now arrive, and a handler written before it does not know it ({used_by})")
                if as_input
                else safe(f"the handler may now return {value}")
                if as_output
                else unused,
                dangerous(f"clients may now receive {value}, which code written before it does not handle")
                if as_output
                else safe(f"clients may now send {value}")
                if as_input
                else unused,
            )
        for value in [v for v in after if v in before]:
            was, now = before[value], after[value]
            if was.is_deprecated != now.is_deprecated:
                state = "deprecated" if now.is_deprecated else "undeprecated"
                self.add(
                    f"enum_value_{state}",
                    f"{path}.values.{value}",
                    f"value {value} of enum {name} {state}",
                    safe("values still arrive and are accepted as before"),
                    safe("deprecation is advice to clients; operations still work"),
                )
            if was.description != now.description:
                self.add(
                    "description_changed",
                    f"{path}.values.{value}",
                    f"description of {name}.{value} changed",
                    safe("documentation only"),
                    safe("documentation only"),
                )

    def relationships(self, old: ObjectType, new: ObjectType, path: str, users: list[str]) -> None:
        before = {r.name: r for r in old.relationships}
        after = {r.name: r for r in new.relationships}
        for rel in sorted(before.keys() | after.keys()):
            was, now = before.get(rel), after.get(rel)
            where = f"{path}.relationships.{rel}"
            if was is None:
                self.add(
                    "relationship_added",
                    where,
                    f"relationship {rel} added to {new.name}",
                    safe("Hasura joins it from fields the handler already returns"),
                    safe("a new field to select"),
                )
            elif now is None:
                self.add(
                    "relationship_removed",
                    where,
                    f"relationship {rel} removed from {new.name}",
                    safe("the handler never returned it; Hasura joined it"),
                    breaking(f"operations that select {rel} fail" + (f" (used by {names(users)})" if users else ""))
                    if users
                    else safe("no action uses it"),
                )
            elif (was.type, was.remote_table, dict(was.field_mapping), was.source) != (
                now.type,
                now.remote_table,
                dict(now.field_mapping),
                now.source,
            ):
                self.add(
                    "relationship_changed",
                    where,
                    f"relationship {rel} of {new.name} changed",
                    safe("Hasura joins it from fields the handler returns"),
                    dangerous(f"operations that select {rel} may get other rows or another shape")
                    if users
                    else safe("no action uses it"),
                )
