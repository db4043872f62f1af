"""`MemberDiffer`: the differ's state, its rules for arguments and fields, and the handler's side of a type change.

An argument or field removed, added or retyped is judged for both sides; a type swapped for another
is judged by the JSON values that travel (a renamed type with the same fields is the same payload;
`Int` values are `Float` values). Subclasses add the rules for named types and actions.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from .._catalog._model import (
    Catalog,
    EnumType,
    Field,
    InputObjectType,
    ObjectType,
    ScalarType,
    TypeRef,
)
from .._catalog._templates import template_variables
from .._generate._profiles import HasuraProfile
from ._config import env_variables
from ._types import OUTPUT_WORDS, Usage, change_kind, same_name, wrapped
from ._values import Change, Impact, Position, breaking, dangerous, safe, worst

__all__ = ["MemberDiffer"]

# Scalars whose values are any JSON: Hasura passes them through unchecked (contract §1.5, §3.2).
_ANY_JSON = frozenset({"json", "jsonb"})


class MemberDiffer:
    """Compares two catalogs' arguments and fields, collecting `changes`; the base of the differ."""

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
                    else safe("a reply without it reads as null")
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
                f"a handler written before {lacks}; Hasura checks only the top level of a reply, "
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
                return breaking(
                    f"{what} may now arrive absent or null (Hasura forwards an omitted nullable argument as absent)"
                )
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
