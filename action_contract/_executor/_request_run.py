"""`RequestRun`: one GraphQL request through the executor, from the headers to Hasura's reply.

The caller's role and session variables from the headers (admin secret checked), the operation
planned against the role's schema, its variables checked, then every root field checked before any
handler is called or any asynchronous action recorded; the steps then run in selection order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLSchema, execute_sync
from graphql.language import ast

from .._catalog._model import Action, TypeRef
from .._hasura._shaping import Selection, shape
from ._core import ExecutorCore
from ._input import GraphQLFailure, Variables
from ._plan import Operation, RootField, root_fields, selection
from ._reply import GraphQLReply, HandlerCall, Headers, refused
from ._schema import ADMIN, RoleSchema

__all__ = ["RequestRun"]

_SECRET_HEADERS = ("x-hasura-admin-secret", "x-hasura-access-key")
_INTROSPECTION = frozenset({"__schema", "__type"})
_UUID = TypeRef.named("uuid", non_null=True)


class RequestRun:
    """One GraphQL request through the executor."""

    def __init__(self, executor: ExecutorCore, headers: Headers) -> None:
        self.executor = executor
        self.headers = headers
        self.calls: list[HandlerCall] = []
        self.cookies: list[tuple[str, str]] = []

    def run(self, query: str, variables: Mapping[str, Any] | None, operation_name: str | None) -> GraphQLReply:
        try:
            role, session = self.session()
            schema = self.executor.schemas.for_role(role)
            operation = self.executor._planner.operation(schema, query, operation_name)
            bound = self.variables(operation, variables or {})
            data = self.fields(schema, operation, bound, role, session, query)
        except GraphQLFailure as failure:
            return refused(failure, tuple(self.calls))
        except _ActionFailed as failed:
            return GraphQLReply(body={"errors": [dict(failed.error)]}, calls=tuple(self.calls))
        return GraphQLReply(body={"data": data}, headers=tuple(self.cookies), calls=tuple(self.calls))

    def session(self) -> tuple[str, dict[str, str]]:
        """The role and session variables Hasura resolves from the headers (contract §1.4)."""
        found = {name.lower(): value for name, value in self.headers if name.lower().startswith("x-hasura-")}
        secret = self.executor.admin_secret
        if secret is not None:
            given = next((found[h] for h in _SECRET_HEADERS if h in found), None)
            if given is None:
                raise GraphQLFailure(
                    "x-hasura-admin-secret/x-hasura-access-key required, but not found",
                    code="access-denied",
                    status=401,
                )
            if given != secret:
                raise GraphQLFailure(
                    "invalid x-hasura-admin-secret/x-hasura-access-key", code="access-denied", status=401
                )
        role = found.get("x-hasura-role") or ADMIN
        session = {name: value for name, value in found.items() if name not in _SECRET_HEADERS}
        session["x-hasura-role"] = role
        return role, session

    def variables(self, operation: Operation, given: Mapping[str, Any]) -> Variables:
        definitions = {d.variable.name.value: d for d in operation.node.variable_definitions or ()}
        unexpected = [name for name in given if name not in definitions]
        if unexpected:
            raise GraphQLFailure("unexpected variables in variableValues: " + ", ".join(unexpected))
        for name, definition in definitions.items():
            if (
                isinstance(definition.type, ast.NonNullTypeNode)
                and definition.default_value is None
                and given.get(name) is None
            ):
                raise GraphQLFailure(f'expecting a value for non-nullable variable: "{name}"', path="$.variableValues")
        return given, definitions

    def fields(
        self,
        schema: RoleSchema,
        operation: Operation,
        variables: Variables,
        role: str,
        session: dict[str, str],
        query: str,
    ) -> dict[str, Any]:
        # Every field is checked before any handler is called or any action recorded, as Hasura
        # parses the whole operation first: a bad last field must not leave the first one done.
        steps: list[tuple[str, Callable[[], Any]]] = []
        introspection: list[RootField] = []
        mutation = operation.kind == "mutation"
        for root in root_fields(operation, variables):
            path = f"$.selectionSet.{root.name}"
            if root.name == "__typename":
                steps.append((root.key, _constant(operation.root.name)))
            elif root.name in _INTROSPECTION and not mutation:
                introspection.append(root)
                steps.append((root.key, _constant(None)))  # filled below, keeps the selection order
            elif root.name not in operation.root.fields:
                raise GraphQLFailure(f"field '{root.name}' not found in type: '{operation.root.name}'", path=path)
            elif root.name == "no_queries_available":
                steps.append((root.key, _constant("")))
            else:
                inner = selection(operation, root.nodes, operation.root, variables, path)
                node = root.nodes[0]
                if mutation:
                    action = schema.mutations[root.name]
                    if action.is_async:
                        steps.append((root.key, self.record(action, node, variables, session, path)))
                    else:
                        steps.append((root.key, self.call(action, node, variables, session, query, inner, path)))
                elif root.name in schema.async_results:
                    step = self.result(schema.async_results[root.name], node, variables, role, session, inner, path)
                    steps.append((root.key, step))
                else:
                    step = self.call(schema.queries[root.name], node, variables, session, query, inner, path)
                    steps.append((root.key, step))
        data = {key: step() for key, step in steps}
        if introspection:
            data.update(self.introspect(schema.schema, operation, introspection, variables))
        return data

    def call(
        self,
        action: Action,
        node: ast.FieldNode,
        variables: Variables,
        session: dict[str, str],
        query: str,
        inner: Selection | None,
        path: str,
    ) -> Callable[[], Any]:
        """Check the field now; the returned step calls the handler."""
        executor = self.executor
        arguments = executor._reader.read(action, node, variables, path + ".args")
        request = executor.call(action).request(arguments, session, query, dict(self.headers))

        def step() -> Any:
            made = executor.send(action, request)
            self.calls.append(made)
            verdict = made.verdict
            if not verdict.accepted:
                raise _ActionFailed(verdict.error or {"message": verdict.explanation})
            if made.response.status is not None and 200 <= made.response.status <= 299:
                # Hasura copies the handler's Set-Cookie to the client (contract §2.2).
                self.cookies.extend((k, v) for k, v in made.response.headers if k.lower() == "set-cookie")
            return shape(executor.catalog, action.output_type, verdict.reply, executor.profile, inner)

        return step

    def record(
        self, action: Action, node: ast.FieldNode, variables: Variables, session: dict[str, str], path: str
    ) -> Callable[[], str]:
        """Check the field now; the returned step records the action and gives its id."""
        executor = self.executor
        arguments = executor._reader.read(action, node, variables, path + ".args")
        executor.call(action)  # an unset value_from_env header fails the mutation itself
        return lambda: executor.log.record(action.name, arguments, session, self.headers).id

    def result(
        self,
        action: Action,
        node: ast.FieldNode,
        variables: Variables,
        role: str,
        session: dict[str, str],
        inner: Selection | None,
        path: str,
    ) -> Callable[[], Any]:
        """Check the field now; the returned step reads the action's row."""
        value = next((a.value for a in node.arguments if a.name.value == "id"), None)
        if value is None:
            raise GraphQLFailure("missing required field 'id'", path=path + ".args.id")
        uuid = self.executor._reader.literal(value, _UUID, variables, path + ".args.id")
        return functools.partial(self.read_row, action, uuid, role, session, inner)

    def read_row(
        self, action: Action, uuid: Any, role: str, session: dict[str, str], inner: Selection | None
    ) -> dict[str, Any] | None:
        executor = self.executor
        entry = executor.log.get(uuid) if isinstance(uuid, str) else None
        # Admin sees every row; another role only rows with the same session variables (§2.3).
        if (
            entry is None
            or entry.action_name != action.name
            or (role != ADMIN and dict(entry.session_variables) != session)
        ):
            return None
        shown: dict[str, Any] = {}
        for key, name, nested in inner or ():
            if name == "__typename":
                shown[key] = action.name
            elif name == "id":
                shown[key] = entry.id
            elif name == "created_at":
                shown[key] = entry.created_at
            elif name == "errors":
                shown[key] = self.stored_errors(entry.errors, role)
            elif name == "output":
                shown[key] = (
                    shape(executor.catalog, action.output_type, entry.response_payload, executor.profile, nested)
                    if entry.status == "completed"
                    else None
                )
        return shown

    def stored_errors(self, errors: Any, role: str) -> Any:
        profile = self.executor.profile
        if (
            isinstance(errors, dict)
            and "internal" in errors
            and profile.version >= (2, 37, 0)
            and not profile.shows_internal(role)
        ):
            return {k: v for k, v in errors.items() if k != "internal"}  # hidden per role since ≈v2.37
        return errors

    def introspect(
        self, schema: GraphQLSchema, operation: Operation, fields: list[RootField], variables: Variables
    ) -> dict[str, Any]:
        # graphql-core answers the introspection fields alone, in a document holding only them.
        selections = tuple(node for root in fields for node in root.nodes)
        node = ast.OperationDefinitionNode(
            operation=ast.OperationType.QUERY,
            variable_definitions=operation.node.variable_definitions,
            selection_set=ast.SelectionSetNode(selections=selections),
            directives=(),
        )
        document = ast.DocumentNode(definitions=(node, *operation.fragments.values()))
        result = execute_sync(schema, document, variable_values=dict(variables[0]))
        if result.errors:
            raise GraphQLFailure(result.errors[0].message)
        return dict(result.data or {})


class _ActionFailed(Exception):
    def __init__(self, error: Mapping[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.error = error


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value
