"""From a GraphQL document to the root fields to run and the selection sets to shape (contract §2.1, §3.3).

Parsing and graphql-core's structural rules (fragments, variables, directives, leaf selections) run
once per role and document text and are cached. Fields, arguments and values are checked by
Hasura's rules instead, with Hasura's texts: `field 'x' not found in type: 'query_root'` at
`$.selectionSet.x`, and the argument errors of `_executor_input`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLObjectType, GraphQLSyntaxError, get_named_type, parse, validate
from graphql.language import ast
from graphql.validation import (
    FieldsOnCorrectTypeRule,
    KnownArgumentNamesRule,
    LoneAnonymousOperationRule,
    NoUnusedFragmentsRule,
    NoUnusedVariablesRule,
    ProvidedRequiredArgumentsRule,
    ValuesOfCorrectTypeRule,
    specified_rules,
)

from .._hasura._shaping import Selection
from ._input import GraphQLFailure, Variables
from ._limits import Limits, check_document
from ._schema import RoleSchema

__all__ = ["Operation", "Planner", "RootField"]

# Rules whose cases Hasura words itself (fields, arguments, values, which operation to run) are
# checked in `_executor_input` and here; Hasura does not refuse unused fragments or variables.
_HASURA_CHECKED = (
    FieldsOnCorrectTypeRule,
    KnownArgumentNamesRule,
    LoneAnonymousOperationRule,
    ProvidedRequiredArgumentsRule,
    ValuesOfCorrectTypeRule,
    NoUnusedFragmentsRule,
    NoUnusedVariablesRule,
)
_RULES = tuple(rule for rule in specified_rules if rule not in _HASURA_CHECKED)


@dataclass(frozen=True, slots=True)
class RootField:
    """One root field of the operation: its response key, name and the nodes merged under the key."""

    key: str
    name: str
    nodes: tuple[ast.FieldNode, ...]


@dataclass(frozen=True, slots=True)
class Operation:
    """The operation to run, with its fragments and the type of its root."""

    node: ast.OperationDefinitionNode
    fragments: Mapping[str, ast.FragmentDefinitionNode]
    root: GraphQLObjectType

    @property
    def kind(self) -> str:
        """`query`, `mutation` or `subscription`."""
        return self.node.operation.value


#: Query texts longer than this are parsed for each request rather than cached.
MAX_CACHED_QUERY = 16 * 1024
#: The most query text the document cache holds, all entries together.
MAX_CACHED_TEXT = 1024 * 1024


class Planner:
    """Parses and checks documents for the roles of one executor, with a bounded cache."""

    def __init__(self, cache_size: int = 512, limits: Limits | None = None) -> None:
        self._cache: OrderedDict[tuple[str, str], ast.DocumentNode | GraphQLFailure] = OrderedDict()
        self._size = cache_size
        self._bytes = 0  # length of the query texts cached, against MAX_CACHED_TEXT
        self._lock = threading.Lock()
        self.limits = limits or Limits()

    def operation(self, schema: RoleSchema, query: str, operation_name: str | None) -> Operation:
        """The operation of `query` to run for `schema`'s role; raises `GraphQLFailure` as Hasura would."""
        document = self._document(schema, query)
        operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinitionNode)]
        # Hasura's `getQueryParts` picks the operation, with these texts.
        if operation_name is not None and any(o.name is None for o in operations):
            raise GraphQLFailure("operationName cannot be used when an anonymous operation exists in the document")
        if operation_name is None:
            if len(operations) != 1:
                raise GraphQLFailure(
                    "exactly one operation has to be present in the document when operationName is not specified"
                )
            node = operations[0]
        else:
            found = [o for o in operations if o.name is not None and o.name.value == operation_name]
            if not found:
                raise GraphQLFailure(f'no such operation found in the document: "{operation_name}"')
            node = found[0]
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinitionNode)}
        kind = node.operation.value
        if kind == "subscription":
            raise GraphQLFailure("subscriptions are not supported over HTTP, use websockets instead")
        root = schema.schema.mutation_type if kind == "mutation" else schema.schema.query_type
        if root is None:
            raise GraphQLFailure("no mutations exist")
        return Operation(node, fragments, root)

    def _document(self, schema: RoleSchema, query: str) -> ast.DocumentNode:
        key = (schema.role, query)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
        if found is None:
            found = _checked(schema, query, self.limits)
            # Only documents of ordinary size are kept, and only so much text in all: a parsed document
            # takes some fifty times its text, and 512 parsed 2,000-alias queries would hold gigabytes.
            if len(query) <= MAX_CACHED_QUERY:
                with self._lock:
                    if key not in self._cache:
                        self._bytes += len(query)
                    self._cache[key] = found
                    while self._cache and (len(self._cache) > self._size or self._bytes > MAX_CACHED_TEXT):
                        (_, old), _ = self._cache.popitem(last=False)
                        self._bytes -= len(old)
        if isinstance(found, GraphQLFailure):
            raise found
        return found


def _checked(schema: RoleSchema, query: str, limits: Limits) -> ast.DocumentNode | GraphQLFailure:
    try:
        document = parse(query, no_location=False, max_tokens=limits.max_tokens)
    except (GraphQLSyntaxError, RecursionError) as error:
        if isinstance(error, GraphQLSyntaxError) and "tokens" in error.message and limits.max_tokens is not None:
            return GraphQLFailure(f"the query is longer than the limit of {limits.max_tokens} tokens")
        return GraphQLFailure("not a valid graphql query", path="$.query")
    too_big = check_document(document, limits)
    if too_big is not None:
        return too_big
    errors: list[GraphQLError] = validate(schema.schema, document, _RULES)
    if errors:
        return GraphQLFailure(errors[0].message)
    return document


def root_fields(operation: Operation, variables: Variables) -> list[RootField]:
    """The root fields in order, merged by response key, after fragments and @skip/@include."""
    merged: dict[str, list[ast.FieldNode]] = {}
    _collect(operation.node.selection_set, operation.fragments, variables, merged, set())
    return [RootField(key, nodes[0].name.value, tuple(nodes)) for key, nodes in merged.items()]


def selection(
    operation: Operation,
    nodes: tuple[ast.FieldNode, ...],
    parent: GraphQLObjectType,
    variables: Variables,
    path: str,
) -> Selection | None:
    """The selection under `nodes` (fields of `parent`'s field type) for shaping; None for a leaf."""
    sets = [n.selection_set for n in nodes if n.selection_set is not None]
    if not sets:
        return None
    field = parent.fields[nodes[0].name.value]
    named = get_named_type(field.type)
    if not isinstance(named, GraphQLObjectType):
        return None
    merged: dict[str, list[ast.FieldNode]] = {}
    for selection_set in sets:
        _collect(selection_set, operation.fragments, variables, merged, set())
    chosen: list[tuple[str, str, Selection | None]] = []
    for key, group in merged.items():
        name = group[0].name.value
        where = f"{path}.selectionSet.{name}"
        if name == "__typename":
            chosen.append((key, name, None))
            continue
        if name not in named.fields:
            raise GraphQLFailure(f"field '{name}' not found in type: '{named.name}'", path=where)
        chosen.append((key, name, selection(operation, tuple(group), named, variables, where)))
    return tuple(chosen)


def _collect(
    selection_set: ast.SelectionSetNode,
    fragments: Mapping[str, ast.FragmentDefinitionNode],
    variables: Variables,
    merged: dict[str, list[ast.FieldNode]],
    seen: set[str],
) -> None:
    for node in selection_set.selections:
        if not _included(node, variables):
            continue
        if isinstance(node, ast.FieldNode):
            key = node.alias.value if node.alias is not None else node.name.value
            merged.setdefault(key, []).append(node)
        elif isinstance(node, ast.InlineFragmentNode):
            _collect(node.selection_set, fragments, variables, merged, seen)
        elif isinstance(node, ast.FragmentSpreadNode):
            name = node.name.value
            if name not in seen and name in fragments:  # graphql-core's rules refused unknown ones
                seen.add(name)
                _collect(fragments[name].selection_set, fragments, variables, merged, seen)


def _included(node: ast.SelectionNode, variables: Variables) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
        value: Any = None
        if isinstance(condition, ast.BooleanValueNode):
            value = condition.value
        elif isinstance(condition, ast.VariableNode):
            variable = condition.name.value
            default = variables[1][variable].default_value if variable in variables[1] else None
            if variable in variables[0]:
                value = variables[0][variable]
            elif isinstance(default, ast.BooleanValueNode):
                value = default.value
        if (name == "skip" and value is True) or (name == "include" and value is not True):
            return False
    return True
