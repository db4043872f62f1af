"""What changed between two catalogs, and who it breaks: the handler, the client, or neither.

GraphQL tools judge a schema change from the client's side. An action handler sits on the other
side of every value: it *receives* what clients send and *returns* what clients read, so the rules
reverse. An argument made optional is safe for clients and breaking for the handler, which may now
get it absent or null (contract §1.5); an output field made non-null is safe for clients and
breaking for the handler, whose replies Hasura now refuses (§3.2). Each `Change` carries one
`Impact` per side. Client verdicts follow graphql-core's `find_breaking_changes` (types compared by
name, as a client's variables and fragments name them); handler verdicts compare the JSON values
that travel (a renamed type with the same fields is the same payload; `Int` values are `Float`
values).

Changes inside a named type (its fields, enum values) are reported once, at the type, and judged by
how the new catalog uses it: from arguments (input position), from outputs, or not at all.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from .._catalog._model import (
    Action,
    Catalog,
    EnumType,
    Field,
    InputObjectType,
    NamedType,
    ObjectType,
    ScalarType,
    TypeRef,
)
from .._catalog._templates import template_variables
from .._generate._profiles import HasuraProfile
from ._config import config_changes, env_variables
from ._types import OUTPUT_WORDS, Usage, change_kind, kind_name, names, same_name, wrapped
from ._values import (
    SIDES,
    CatalogDiff,
    Change,
    Impact,
    Position,
    Severity,
    Side,
    breaking,
    dangerous,
    safe,
    worst,
)

__all__ = ["SIDES", "CatalogDiff", "Change", "Impact", "Severity", "Side", "diff_catalogs"]

# Scalars whose values are any JSON: Hasura passes them through unchecked (contract §1.5, §3.2).
_ANY_JSON = frozenset({"json", "jsonb"})


def diff_catalogs(old: Catalog, new: Catalog, *, profile: HasuraProfile | None = None) -> CatalogDiff:
    """Classify every change from `old` to `new` for the handler's side and the client's side.

    `profile` is the Hasura release that will judge the replies (the newest by default): before
    v2.1 Hasura refuses replies with keys the output type lacks, so removing an output field
    breaks handlers that still return it.
    """
    return CatalogDiff(tuple(_Differ(old, new, profile or HasuraProfile()).run()))


# -- the differ ------------------------------------------------------------------------------------


class _Differ:
    def __init__(self, old: Catalog, new: Catalog, profile: HasuraProfile) -> None:
        self.old = old
        self.new = new
        self.profile = profile
        self.old_usage = Usage.of(old)
        # Variables Hasura already needed for the old metadata (handlers and headers, contract §6.4).
        self.old_env = {v for a in old for h in a.headers for v in env_variables(h)} | {
            v for a in old for v in template_variables(a.handler)
        }
        self.new_usage = Usage.of(new)
        self.changes: list[Change] = []
        # (old name, new name, position) pairs being compared, so recursive types end.
        self._comparing: set[tuple[str, str, Position]] = set()

    def add(self, kind: str, path: str, what: str, handler: Impact, client: Impact) -> None:
        self.changes.append(Change(kind=kind, path=path, what=what, handler=handler, client=client))

    def run(self) -> list[Change]:
        for name in sorted(self.old.actions.keys() | self.new.actions.keys()):
            old, new = self.old.actions.get(name), self.new.actions.get(name)
            if old is None:
                assert new is not None
                self.add(
                    "action_added",
                    f"actions.{name}",
                    f"{new.type} action '{name}' added",
                    safe(f"no handler is called for it until clients use it; deploy its handler at {new.handler}"),
                    safe("a new root field; existing operations are unaffected"),
                )
            elif new is None:
                root = "query_root" if old.type == "query" else "mutation_root"
                self.add(
                    "action_removed",
                    f"actions.{name}",
                    f"{old.type} action '{name}' removed",
                    safe("Hasura no longer calls its handler"),
                    breaking(f"operations that use it fail: field '{name}' not found in type: '{root}'"),
                )
            else:
                self.action(old, new)
        old_types = {t.name: t for t in self.old.custom_types()}
        new_types = {t.name: t for t in self.new.custom_types()}
        for name in sorted(old_types.keys() | new_types.keys()):
            self.named_type(name, old_types.get(name), new_types.get(name))
        return self.changes

    # -- actions -----------------------------------------------------------------------------------

    def action(self, old: Action, new: Action) -> None:
        path = f"actions.{new.name}"
        if old.type != new.type:
            self.add(
                "action_type_changed",
                path,
                f"'{new.name}' changed from a {old.type} to a {new.type}",
                safe("the handler gets the same payload (request_query now holds a " + new.type + ")"),
                breaking(f"operations must now call it as a {new.type}; existing {old.type} operations fail"),
            )
        elif new.type == "mutation" and old.kind != new.kind:
            if new.is_async:
                handler = dangerous(
                    "Hasura's async worker now calls it after the mutation returns, with request_query null; "
                    "its errors are stored for the client to query instead of returned (contract §2.3)"
                )
                client = breaking(
                    f"the mutation now returns an action id (uuid!); the result is read with the query {new.name}(id:)"
                )
            else:
                handler = dangerous(
                    f"it is now called while the client waits, within {new.timeout} s, "
                    "and request_query carries the client's operation"
                )
                client = breaking(f"the mutation now returns {new.output_type} instead of an action id")
            self.add(
                "action_kind_changed", path, f"'{new.name}' changed from {old.kind} to {new.kind}", handler, client
            )
        if old.output_type != new.output_type:
            self.output_type(old, new, f"{path}.output")
        self.members(
            old.arguments,
            new.arguments,
            "input",
            path=f"{path}.args",
            noun="argument",
            kind="argument",
            owner=f"of {new.name}",
            unused=None,
            top_level=False,
        )
        self.changes += config_changes(old, new, path, self.old_env)
        for what, before, after in (
            ("comment", old.comment, new.comment),
            ("description", old.description, new.description),
        ):
            if before != after:
                self.add(
                    f"{what}_changed",
                    path,
                    f"{what} of '{new.name}' changed",
                    safe("documentation only"),
                    safe("documentation only"),
                )

    def output_type(self, old: Action, new: Action, path: str) -> None:
        old_ref, new_ref = old.output_type, new.output_type
        kind = "output_" + OUTPUT_WORDS.get(change_kind(old_ref, new_ref), "type_changed")
        handler = self.handler_impact(old_ref, new_ref, "output", top_level=True)
        client = wrapped(new_ref, old_ref, same_name)
        self.add(
            kind,
            path,
            f"output of '{new.name}' changed from {old_ref} to {new_ref}",
            handler,
            safe("clients receive fewer kinds of value than before")
            if client is None
            else breaking(f"clients read it as {old_ref}: {client.reason}"),
        )

    # -- named types -------------------------------------------------------------------------------

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
                    f"a handler may still return {value}; Hasura does not check field values (§3.2), "
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

    # -- arguments and fields ----------------------------------------------------------------------

    def members(
        self,
        old: Sequence[Field],
        new: Sequence[Field],
        position: Position,
        *,
        path: str,
        noun: str,
        kind: str,
        owner: str,
        unused: Impact | None,
        top_level: bool,
    ) -> None:
        """Arguments of an action, or fields of an input object or object type.

        `unused` replaces both impacts when no action uses the type.
        """
        before = {f.name: f for f in old}
        after = {f.name: f for f in new}
        for name in [n for n in before if n not in after]:
            was = before[name]
            what = f"{noun} '{name}' {owner} removed (was {was.type})"
            if position == "input":
                handler = (
                    breaking(f"a handler that reads '{name}' (it was always sent) never gets it now")
                    if was.type.non_null
                    else safe(f"'{name}' could always be absent")
                )
                client = breaking(f"operations that pass '{name}' fail")
            else:
                rejects = top_level and self.profile.rejects_extra_response_fields
                handler = (
                    breaking(
                        f"Hasura {self.profile.label} refuses replies that still contain it: "
                        f"unexpected fields in webhook response: {name}"
                    )
                    if rejects
                    else safe("Hasura ignores extra keys in replies (v2.1+)")
                )
                client = breaking(f"operations that select '{name}' fail")
            self.add(f"{kind}_removed", f"{path}.{name}", what, unused or handler, unused or client)
        for name in [n for n in after if n not in before]:
            now = after[name]
            what = f"{noun} '{name}' {owner} added ({now.type})"
            if position == "input":
                handler = dangerous(
                    f"a handler written before it receives an unknown key '{name}'; one that refuses unknown keys fails"
                )
                client = (
                    breaking(f"operations that do not pass '{name}' fail: missing required field '{name}'")
                    if now.type.non_null
                    else dangerous("existing operations keep working, but the action may now behave differently")
                )
            else:
                handler = (
                    self.missing_field(name, top_level)
                    if now.type.non_null
                    else safe("a reply without it reads as null (contract §3.3)")
                )
                client = safe("a new field to select")
            self.add(f"{kind}_added", f"{path}.{name}", what, unused or handler, unused or client)
        for name in [n for n in after if n in before]:
            was, now = before[name], after[name]
            if was.type != now.type:
                change = change_kind(was.type, now.type)
                if position == "output":
                    change = OUTPUT_WORDS.get(change, change)
                handler = self.handler_impact(was.type, now.type, position, top_level=top_level, field=name)
                if position == "input":
                    refused = wrapped(was.type, now.type, same_name)
                    if refused is None:
                        client_impact = safe("every value clients sent is still accepted")
                    elif change == "made_required":
                        client_impact = breaking(
                            f"operations that leave '{name}' out or pass null fail: missing required field '{name}'"
                        )
                    else:
                        client_impact = breaking(f"operations that pass '{name}' may fail: {refused.reason}")
                else:
                    refused = wrapped(now.type, was.type, same_name)
                    client_impact = (
                        safe(f"clients receive fewer kinds of value for '{name}' than before")
                        if refused is None
                        else breaking(f"clients read '{name}' as {was.type}: {refused.reason}")
                    )
                self.add(
                    f"{kind}_{change}",
                    f"{path}.{name}",
                    f"{noun} '{name}' {owner} changed from {was.type} to {now.type}",
                    unused or handler,
                    unused or client_impact,
                )
            if was.description != now.description:
                self.add(
                    "description_changed",
                    f"{path}.{name}",
                    f"description of {noun} '{name}' {owner} changed",
                    safe("documentation only"),
                    safe("documentation only"),
                )

    def missing_field(self, name: str, top_level: bool, *, was_nullable: bool = False) -> Impact:
        """A field the handler's old replies may lack (`was_nullable`: or hold null) is now non-null."""
        lacks = "may leave it null or out" if was_nullable else "does not return it"
        if not top_level:
            return breaking(
                f"a handler written before {lacks}; Hasura does not check nested objects (§3.2), "
                "so clients get null in a non-null field"
            )
        refusal = (
            f'expecting not null value for field "{name}"'
            if was_nullable
            else f'field "{name}" expected in webhook response, but not found'
        )
        return breaking(f"a handler written before {lacks}, and Hasura refuses the reply: {refusal}")

    # -- the handler's side of a type change -------------------------------------------------------

    def handler_impact(
        self, old: TypeRef, new: TypeRef, position: Position, *, top_level: bool, field: str | None = None
    ) -> Impact:
        """Does a handler written for `old` still fit `new`? For an input: can a value arrive that
        could not before? For an output: can one of its replies now be refused?"""
        only_outer = old.nullable() == new.nullable()
        if position == "input":
            if only_outer and old.non_null and not new.non_null:
                what = f"'{field}'" if field else "it"
                return breaking(f"{what} may now arrive absent or null (contract §1.5)")
            found = wrapped(new, old, lambda narrow, wide: self.compare_named(wide, narrow, position))
            if found is None:
                return safe("every value it can receive now, it could receive before")
            return Impact(found.severity, f"it may now receive values it did not expect: {found.reason}")
        if only_outer and new.non_null and not old.non_null:
            if field is not None:
                return self.missing_field(field, top_level, was_nullable=True)
            return breaking("a null reply is now refused: got null for the action webhook response")
        found = wrapped(old, new, lambda narrow, wide: self.compare_named(narrow, wide, position))
        if found is None:
            return safe("every reply it gave before still fits")
        return Impact(found.severity, f"its replies may no longer fit: {found.reason}")

    def compare_named(self, old_name: str, new_name: str, position: Position) -> Impact:
        """Handler's view of a named type swapped for another: do the JSON values still match?"""
        if old_name == new_name:
            return safe("same type")  # what changed inside it is reported at the type itself
        key = (old_name, new_name, position)
        if key in self._comparing:
            return safe("same shape so far")
        old, new = self.old.types.get(old_name), self.new.types.get(new_name)
        # For an input the handler's old expectations must cover the new values; for an output the
        # new type must cover the handler's old replies.
        wide, wide_name = (old, old_name) if position == "input" else (new, new_name)
        narrow_name = new_name if position == "input" else old_name
        if wide_name in _ANY_JSON or (isinstance(wide, ScalarType) and wide.origin == "custom"):
            return safe(f"{wide_name} takes any JSON value")
        if (narrow_name, wide_name) == ("Int", "Float"):
            return safe("every Int is a Float")
        if isinstance(old, EnumType) and isinstance(new, EnumType):
            if position == "input":
                extra = [v for v in new.value_names if v not in old.value_names]
                if extra:
                    return dangerous(f"{new_name} has values {old_name} lacks: {', '.join(extra)}")
            else:
                lost = [v for v in old.value_names if v not in new.value_names]
                if lost:
                    return breaking(f"{new_name} lacks values of {old_name}: {', '.join(lost)}")
            return safe(f"{new_name} has the values that matter of {old_name}")
        if isinstance(old, (InputObjectType, ObjectType)) and type(old) is type(new):
            assert isinstance(new, (InputObjectType, ObjectType))
            self._comparing.add(key)
            nested = copy.copy(self)  # shares the usages and the pairs being compared
            nested.changes = []
            nested.members(
                old.fields,
                new.fields,
                position,
                path="",
                noun="field",
                kind="field",
                owner=f"of {new_name}",
                unused=None,
                top_level=False,
            )
            self._comparing.discard(key)
            found = [c for c in nested.changes if c.kind != "description_changed"]
            severity = worst(c.handler.severity for c in found)
            if severity == "safe":
                return safe(f"{new_name} has the same fields as {old_name}")
            first = next(c for c in found if c.handler.severity == severity)
            return Impact(severity, f"{old_name} → {new_name}: {first.what}")
        return breaking(f"{new_name} is not {old_name}")
