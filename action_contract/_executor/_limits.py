"""What one GraphQL request may cost `serve`: fields (aliases included), nesting depth and batch size.

Hasura sets no such limits by default (its API limits are an Enterprise setting); a reference
executor on a developer's machine still must not be taken down by one request of 100,000 aliases, so
ours are generous and finite, configurable (`serve --max-fields/--max-depth/--max-batch`), and
answered in Hasura's error shape: `{"errors": [{"message", "extensions": {"path": "$", "code":
"validation-failed"}}]}`, checked right after parsing, before any validation work.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql.language import ast

from ._input import GraphQLFailure

__all__ = ["DEFAULT_LIMITS", "Limits", "check_batch", "check_document"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds on one request; None turns a bound off."""

    #: Fields in one operation's document, fragments counted where they are spread; aliases are fields.
    #: GraphiQL's full introspection query has under 300. Each root field is a handler call that carries the
    #: whole query as `request_query`, so 2,000 aliases of one action cost about 2 s of the server's time.
    max_fields: int | None = 2_000
    #: Selection sets nested in one another.
    max_depth: int | None = 64
    #: Operations in one batched request (a JSON list).
    max_batch: int | None = 100
    #: Tokens the parser reads before giving up (bounds the work of parsing a huge document).
    max_tokens: int | None = 200_000


def check_batch(size: int, limits: Limits) -> GraphQLFailure | None:
    """The failure for a batch of `size` operations over the limit, else None."""
    if limits.max_batch is not None and size > limits.max_batch:
        return GraphQLFailure(f"batch of {size} operations exceeds the limit of {limits.max_batch} (--max-batch)")
    return None


def check_document(document: ast.DocumentNode, limits: Limits) -> GraphQLFailure | None:
    """The failure for a document over the field or depth limit, else None (walked without recursion)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinitionNode)}
    fields = 0
    stack: list[tuple[ast.SelectionSetNode, int, frozenset[str]]] = [
        (d.selection_set, 1, frozenset()) for d in document.definitions if isinstance(d, ast.OperationDefinitionNode)
    ]
    while stack:
        selection_set, depth, spread = stack.pop()
        if limits.max_depth is not None and depth > limits.max_depth:
            return GraphQLFailure(f"the query is nested deeper than the limit of {limits.max_depth} (--max-depth)")
        for selection in selection_set.selections:
            if isinstance(selection, ast.FieldNode):
                fields += 1
                if limits.max_fields is not None and fields > limits.max_fields:
                    return GraphQLFailure(
                        f"the query has more than {limits.max_fields} fields (aliases included) (--max-fields)"
                    )
                if selection.selection_set is not None:
                    stack.append((selection.selection_set, depth + 1, spread))
            elif isinstance(selection, ast.InlineFragmentNode):
                stack.append((selection.selection_set, depth, spread))
            elif isinstance(selection, ast.FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                # A fragment spread inside itself is a validation error reported later; stop the walk here.
                if fragment is not None and name not in spread:
                    stack.append((fragment.selection_set, depth, spread | {name}))
    return None


#: The limits `serve` applies unless told otherwise.
DEFAULT_LIMITS = Limits()
