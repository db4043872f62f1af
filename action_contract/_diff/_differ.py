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

The rules live in layers: `MemberDiffer` (arguments, fields, the handler's side of a type change),
`TypeDiffer` (named types) and here the actions and the walk over both catalogs.
"""

from __future__ import annotations

from .._catalog._model import Action, Catalog
from .._generate._profiles import HasuraProfile
from ._config import config_changes
from ._named_types import TypeDiffer
from ._types import OUTPUT_WORDS, change_kind, same_name, wrapped
from ._values import (
    SIDES,
    CatalogDiff,
    Change,
    Impact,
    Severity,
    Side,
    breaking,
    dangerous,
    safe,
)

__all__ = ["SIDES", "CatalogDiff", "Change", "Impact", "Severity", "Side", "diff_catalogs"]


def diff_catalogs(old: Catalog, new: Catalog, *, profile: HasuraProfile | None = None) -> CatalogDiff:
    """Classify every change from `old` to `new` for the handler's side and the client's side.

    `profile` is the Hasura release that will judge the replies (the newest by default): before
    v2.1 Hasura refuses replies with keys the output type lacks, so removing an output field
    breaks handlers that still return it.
    """
    return CatalogDiff(tuple(_Differ(old, new, profile or HasuraProfile()).run()))


# -- the differ ------------------------------------------------------------------------------------


class _Differ(TypeDiffer):
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
                    "its errors are stored for the client to query instead of returned"
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
