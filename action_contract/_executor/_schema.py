"""The GraphQL schema Hasura serves for a catalog's actions, one per role (contract §2.1, §2.3).

Action fields sit on `query_root` and `mutation_root`; an asynchronous action is a mutation returning
`uuid!` plus a query field of the same name, `action(id: uuid!)`, whose object type (named after the
action) has `id`, `created_at`, `errors` and `output`. Admin sees every action, any other role only
the actions that grant it a permission (§2.1: for the others the field does not exist). Relationships
from output types to database tables are not served: there is no database behind this schema.

The schema is for validation and introspection only: arguments are read and replies shaped by the
executor itself, by Hasura's rules, never by graphql-core's value coercion.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLType,
)

from .._catalog._model import Action, Catalog, EnumType, InputObjectType, ObjectType, ScalarType, TypeRef

__all__ = ["ADMIN", "MUTATION_ROOT", "QUERY_ROOT", "SUBSCRIPTION_ROOT", "ExecutorSchema", "RoleSchema"]

ADMIN = "admin"
QUERY_ROOT = "query_root"
MUTATION_ROOT = "mutation_root"
SUBSCRIPTION_ROOT = "subscription_root"

_BUILTINS: dict[str, GraphQLScalarType] = {
    "Int": GraphQLInt,
    "Float": GraphQLFloat,
    "String": GraphQLString,
    "Boolean": GraphQLBoolean,
    "ID": GraphQLID,
}
#: Scalars the async result type needs even when no action mentions them (contract §2.3).
_ASYNC_SCALARS = ("uuid", "timestamptz", "json")


class RoleSchema:
    """What one role can call: the graphql-core schema and the action behind each root field."""

    __slots__ = ("async_results", "mutations", "queries", "role", "schema")

    def __init__(
        self,
        role: str,
        schema: GraphQLSchema,
        queries: dict[str, Action],
        mutations: dict[str, Action],
        async_results: dict[str, Action],
    ) -> None:
        self.role = role
        self.schema = schema
        #: Sync query actions on `query_root`, by field name.
        self.queries = queries
        #: Mutation actions (sync and async) on `mutation_root`, by field name.
        self.mutations = mutations
        #: Async actions whose result query sits on `query_root`, by field name.
        self.async_results = async_results


class ExecutorSchema:
    """Builds (once per role, thread-safe) the schema each role sees of a catalog's actions."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._roles: dict[str, RoleSchema] = {}
        self._named = frozenset(p.role for action in catalog for p in action.permissions)
        self._lock = threading.Lock()

    def for_role(self, role: str) -> RoleSchema:
        """The schema `role` sees (`admin` sees every action)."""
        # Every role no permission names sees the same (empty) schema: one build for all of them, so
        # clients sending a new x-hasura-role each time cannot grow the server without bound.
        if role != ADMIN and role not in self._named:
            role = NO_PERMISSION
        found = self._roles.get(role)
        if found is None:
            with self._lock:
                found = self._roles.get(role)
                if found is None:
                    found = self._roles[role] = _Builder(self.catalog).build(role)
        return found

    def roles(self) -> list[str]:
        """`admin` and every role named in a permission, sorted after admin."""
        named = {p.role for action in self.catalog for p in action.permissions}
        return [ADMIN, *sorted(named - {ADMIN})]


#: The key of the schema every role without a permission shares (spaces: no permission can name it).
NO_PERMISSION = " no permission "


def field_kind(action: Action) -> str:
    """How the action's field appears to clients: `query`, `mutation` or `async mutation`."""
    return "query" if action.type == "query" else "async mutation" if action.is_async else "mutation"


def visible(action: Action, role: str) -> bool:
    """Admin sees every action, another role only one that grants it a permission (contract §2.1)."""
    return role == ADMIN or any(p.role == role for p in action.permissions)


class _Builder:
    """graphql-core types for one role; each named type is made once so the schema can refer to it twice."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.named: dict[str, GraphQLNamedType] = {}

    def build(self, role: str) -> RoleSchema:
        queries: dict[str, Action] = {}
        mutations: dict[str, Action] = {}
        async_results: dict[str, Action] = {}
        query_fields: dict[str, GraphQLField] = {}
        mutation_fields: dict[str, GraphQLField] = {}
        subscription_fields: dict[str, GraphQLField] = {}
        for action in self.catalog:
            if not visible(action, role):
                continue
            description = action.comment or action.description
            arguments = self.arguments(action)
            if action.type == "query":
                queries[action.name] = action
                query_fields[action.name] = GraphQLField(
                    self.output(action.output_type), arguments, description=description
                )
            elif action.is_async:
                mutations[action.name] = action
                async_results[action.name] = action
                mutation_fields[action.name] = GraphQLField(
                    GraphQLNonNull(self.scalar("uuid")), arguments, description=description
                )
                result = GraphQLField(
                    self.async_result(action),
                    {"id": GraphQLArgument(GraphQLNonNull(self.scalar("uuid")))},
                    description=description,
                )
                query_fields[action.name] = result
                # Hasura also serves the result as a subscription; over HTTP it is refused (see _executor).
                subscription_fields[action.name] = result
            else:
                mutations[action.name] = action
                mutation_fields[action.name] = GraphQLField(
                    self.output(action.output_type), arguments, description=description
                )
        if not query_fields:
            # Hasura keeps query_root valid with a placeholder field when a role can query nothing.
            query_fields["no_queries_available"] = GraphQLField(GraphQLNonNull(GraphQLString))
        schema = GraphQLSchema(
            query=GraphQLObjectType(QUERY_ROOT, query_fields),
            mutation=GraphQLObjectType(MUTATION_ROOT, mutation_fields) if mutation_fields else None,
            subscription=GraphQLObjectType(SUBSCRIPTION_ROOT, subscription_fields) if subscription_fields else None,
            # Hasura accepts types graphql-core's schema check refuses (an input object no value can
            # fill, `input Loop { next: Loop! }`); nothing here needs that check.
            assume_valid=True,
        )
        return RoleSchema(role, schema, queries, mutations, async_results)

    def arguments(self, action: Action) -> dict[str, GraphQLArgument]:
        return {a.name: GraphQLArgument(self.input(a.type), description=a.description) for a in action.arguments}

    def async_result(self, action: Action) -> GraphQLObjectType:
        # The stored row as the client reads it (contract §2.3); `output` stays null until completed.
        def fields() -> dict[str, GraphQLField]:
            return {
                "id": GraphQLField(GraphQLNonNull(self.scalar("uuid"))),
                "created_at": GraphQLField(GraphQLNonNull(self.scalar("timestamptz"))),
                "errors": GraphQLField(self.scalar("json")),
                "output": GraphQLField(self.output(action.output_type.nullable())),
            }

        return GraphQLObjectType(action.name, fields, description=action.comment or action.description)

    def wrap(self, ref: TypeRef, named: Callable[[str], GraphQLNamedType]) -> GraphQLType:
        inner: GraphQLType = self.wrap(ref.of_type, named) if ref.of_type is not None else named(ref.base_name)
        if ref.of_type is not None:
            inner = GraphQLList(inner)
        return GraphQLNonNull(inner) if ref.non_null else inner  # type: ignore[type-var]

    def input(self, ref: TypeRef) -> GraphQLInputType:
        return self.wrap(ref, self.named_type)  # type: ignore[return-value]

    def output(self, ref: TypeRef) -> GraphQLOutputType:
        return self.wrap(ref, self.named_type)  # type: ignore[return-value]

    def scalar(self, name: str) -> GraphQLScalarType:
        found = self.named_type(name)
        assert isinstance(found, GraphQLScalarType)  # invariant: _ASYNC_SCALARS are scalars
        return found

    def named_type(self, name: str) -> GraphQLNamedType:
        made = self.named.get(name)
        if made is not None:
            return made
        declared = self.catalog.types.get(name)
        made = self.make(name, declared)
        self.named[name] = made
        return made

    def make(self, name: str, declared: Any) -> GraphQLNamedType:
        if name in _BUILTINS:
            return _BUILTINS[name]
        if isinstance(declared, EnumType):
            values = {
                v.value: GraphQLEnumValue(
                    v.value, description=v.description, deprecation_reason="deprecated" if v.is_deprecated else None
                )
                for v in declared.values
            }
            return GraphQLEnumType(name, values, description=declared.description)
        if isinstance(declared, InputObjectType):
            fields = declared.fields

            def input_fields() -> dict[str, GraphQLInputField]:
                return {f.name: GraphQLInputField(self.input(f.type), description=f.description) for f in fields}

            return GraphQLInputObjectType(name, input_fields, description=declared.description)
        if isinstance(declared, ObjectType):
            object_fields = declared.fields

            def output_fields() -> dict[str, GraphQLField]:
                return {f.name: GraphQLField(self.output(f.type), description=f.description) for f in object_fields}

            return GraphQLObjectType(name, output_fields, description=declared.description)
        description = declared.description if isinstance(declared, ScalarType) else None
        if name in _ASYNC_SCALARS and declared is None:
            description = "a Postgres scalar Hasura uses for asynchronous action results"
        return GraphQLScalarType(name, description=description)
