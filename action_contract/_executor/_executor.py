"""`ReferenceExecutor`: Hasura's side of the contract, in-process (contract §1-§5).

A GraphQL request goes through what Hasura does with it: the caller's role and session variables
from the headers (admin secret checked), the role's schema, Hasura's validation, then for each action
field the webhook call built as Hasura builds it (`_action_request`), sent through a `Target`, judged
by `judge` and shaped to the selection set. The reply is Hasura's: HTTP 200 with `data`, or `errors`
only (one failing field fails the operation), and the handler's `Set-Cookie` copied on success.
Asynchronous actions are recorded in an `ActionLog` and called by a worker, as Hasura's
`asyncActionsProcessor` does (§2.3).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from graphql import GraphQLSchema, execute_sync
from graphql.language import ast

from .._catalog._model import Action, Catalog, TypeRef
from .._errors import InvalidArgument
from .._generate._action_request import ActionRequest, Call, handler_url, prepare_call
from .._generate._profiles import HasuraProfile
from .._hasura._judge import Verdict, decode_reply, judge
from .._hasura._shaping import Selection, shape
from .._send._targets import Target
from ._action_log import ActionLog, ActionLogEntry, open_action_log
from ._input import ArgumentReader, GraphQLFailure, Variables
from ._plan import Operation, Planner, RootField, root_fields, selection
from ._reply import GraphQLReply, HandlerCall, Headers, header_pairs, refused, unreadable
from ._schema import ADMIN, ExecutorSchema, RoleSchema

__all__ = ["ReferenceExecutor"]

_SECRET_HEADERS = ("x-hasura-admin-secret", "x-hasura-access-key")
_INTROSPECTION = frozenset({"__schema", "__type"})
_UUID = TypeRef.named("uuid", non_null=True)


class ReferenceExecutor:
    """Runs GraphQL requests against a catalog's actions exactly as Hasura would, calling `target`.

    `admin_secret`: requests must carry it (`x-hasura-admin-secret`), as with
    `HASURA_GRAPHQL_ADMIN_SECRET`; without one every request is admin unless it names a role.
    `state`: a SQLite file that keeps asynchronous actions across restarts (default: memory).
    `async_interval`: seconds between the worker's polls after `start()`; None calls the handler
    of an asynchronous action before `execute` returns (deterministic, for tests).
    `timeout`: seconds per handler reply instead of each action's own `timeout`.
    """

    def __init__(
        self,
        catalog: Catalog,
        target: Target,
        profile: HasuraProfile | None = None,
        *,
        admin_secret: str | None = None,
        base_url: str | None = None,
        env: Mapping[str, str] | None = None,
        state: str | ActionLog | None = None,
        async_interval: float | None = None,
        async_batch_size: int = 10,
        timeout: float | None = None,
    ) -> None:
        self.catalog = catalog
        self.target = target
        self.profile = profile or HasuraProfile()
        self.admin_secret = admin_secret
        self.base_url = base_url
        self.env = dict(env or {})
        self.async_interval = async_interval
        self.async_batch_size = async_batch_size
        self.timeout = timeout
        self.schemas = ExecutorSchema(catalog)
        self._planner = Planner()
        self._reader = ArgumentReader(catalog)
        self._calls: dict[str, Call] = {}
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        variables = {**catalog.variables, **self.env}
        for action in catalog:
            # A handler URL Hasura cannot build makes the metadata inconsistent (§6.4): say so now.
            handler_url(catalog, action, variables, base_url)
        # Opened last: nothing above can fail and leave the SQLite file open.
        self.log = state if isinstance(state, ActionLog) else open_action_log(state)

    # -- the public surface ------------------------------------------------------------------------

    def schema(self, role: str = ADMIN) -> GraphQLSchema:
        """The graphql-core schema `role` sees."""
        return self.schemas.for_role(role).schema

    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    ) -> GraphQLReply:
        """Run one GraphQL request sent with `headers` (the client's HTTP headers)."""
        pairs = header_pairs(headers)
        reply = _Run(self, pairs).run(query, variables, operation_name)
        if self.async_interval is None and self.log.pending():
            # Immediate mode: the handler calls of the actions just recorded belong to this reply.
            reply = replace(reply, calls=reply.calls + tuple(self._drain()))
        return reply

    def execute_http(
        self, body: bytes, headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None
    ) -> GraphQLReply:
        """Answer a `POST /v1/graphql` body: one request object, or a list of them (a batch)."""
        try:
            # Hasura authenticates the HTTP request before it reads the body: one 401 for a whole batch.
            _Run(self, header_pairs(headers)).session()
        except GraphQLFailure as failure:
            return refused(failure)
        ok, request, why = decode_reply(body)
        if not ok:
            return refused(GraphQLFailure(f"Error in $: {why}", code="invalid-json", status=400))
        if isinstance(request, list):
            # The whole batch is decoded before any of it runs: one unreadable item refuses it all.
            for i, item in enumerate(request):
                problem = unreadable(item, f"$[{i}]")
                if problem is not None:
                    return refused(problem)
            replies = [self._one(item, headers, f"$[{i}]") for i, item in enumerate(request)]
            cookies = tuple(h for r in replies for h in r.headers)
            calls = tuple(c for r in replies for c in r.calls)
            return GraphQLReply(body=[r.body for r in replies], headers=cookies, calls=calls)
        return self._one(request, headers, "$")

    def run_async_actions(self) -> int:
        """Call the handlers of recorded asynchronous actions now (what the worker does); how many ran."""
        return len(self._drain())

    def _drain(self) -> list[HandlerCall]:
        calls: list[HandlerCall | None] = []
        while True:
            entries = self.log.claim(self.async_batch_size)
            if not entries:
                return [call for call in calls if call is not None]
            if len(entries) == 1:
                calls.append(self._process(entries[0]))
                continue
            # Hasura calls the handlers of one batch concurrently (`asyncActionsProcessor`, §2.3).
            with ThreadPoolExecutor(max_workers=len(entries), thread_name_prefix="action-contract-async") as pool:
                calls.extend(pool.map(self._process, entries))

    def start(self) -> ReferenceExecutor:
        """Start the worker thread that polls for asynchronous actions every `async_interval` seconds."""
        if self.async_interval is not None and self._worker is None:
            self._stop.clear()
            self._worker = threading.Thread(target=self._poll, name="action-contract-async-worker", daemon=True)
            self._worker.start()
        return self

    def close(self) -> None:
        """Stop the worker, put unfinished asynchronous actions back for the next start, close the log."""
        self._stop.set()
        if self._worker is not None:
            self._worker.join()
            self._worker = None
        self.log.close()

    def __enter__(self) -> ReferenceExecutor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals shared with _Run ----------------------------------------------------------------

    def call(self, action: Action) -> Call:
        """The prepared webhook call of `action` (URL and configured headers resolved once)."""
        found = self._calls.get(action.name)
        if found is None:
            variables = {**self.catalog.variables, **self.env}
            for header in action.headers:
                if header.value_from_env is not None and header.value_from_env not in variables:
                    # Hasura answers with this error and never calls the handler (contract §1.2).
                    raise GraphQLFailure(f"environment variable '{header.value_from_env}' not set", code="not-found")
            try:
                found = prepare_call(self.catalog, action, profile=self.profile, base_url=self.base_url, env=self.env)
            except InvalidArgument as error:
                raise GraphQLFailure(str(error), code="not-found") from None
            self._calls[action.name] = found
        return found

    def send(self, action: Action, request: ActionRequest) -> HandlerCall:
        """Send `request` through the target and judge the reply."""
        if self.timeout is not None:
            request = replace(request, timeout=self.timeout)
        response = self.target.send(request)
        verdict = judge(action, response, self.profile, catalog=self.catalog, request=request)
        return HandlerCall(action=action.name, request=request, response=response, verdict=verdict)

    def _one(self, request: Any, headers: Any, path: str) -> GraphQLReply:
        problem = unreadable(request, path)
        if problem is not None:
            return refused(problem)
        return self.execute(request["query"], request.get("variables"), request.get("operationName") or None, headers)

    def _process(self, entry: ActionLogEntry) -> HandlerCall | None:
        action = self.catalog.actions.get(entry.action_name)
        if action is None:
            missing = f"action {entry.action_name!r} no longer exists"
            self.log.fail(entry.id, {"path": "$", "error": missing, "code": "not-found"})
            return None
        try:
            call = self.call(action)
        except GraphQLFailure as failure:
            self.log.fail(entry.id, {"path": failure.path, "error": failure.message, "code": failure.code})
            return None
        # The session and headers of the mutation, `request_query` null (contract §2.3).
        request = call.request(entry.input_payload, entry.session_variables, None, dict(entry.request_headers))
        made = self.send(action, request)
        if made.verdict.accepted:
            self.log.complete(entry.id, made.verdict.reply)
        else:
            self.log.fail(entry.id, self._stored_error(made.verdict))
        return made

    def _stored_error(self, verdict: Verdict) -> dict[str, Any]:
        # QErr's own encoding, not the GraphQL one; the handler's `extensions` are lost (§2.3).
        error = verdict.error or {}
        extensions = error.get("extensions")
        extensions = extensions if isinstance(extensions, Mapping) else {}
        if verdict.reason == "handler_error":
            reply = verdict.reply if isinstance(verdict.reply, Mapping) else {}
            code = reply.get("code") if isinstance(reply.get("code"), str) else "unexpected"
            return {"code": code, "path": "$", "error": error.get("message")}
        stored = {
            "code": extensions.get("code", "unexpected"),
            "path": extensions.get("path", "$"),
            "error": error.get("message"),
        }
        if "internal" in extensions and self.profile.version < (2, 45, 0):
            stored["internal"] = extensions["internal"]  # ≈v2.45 stopped storing it
        return stored

    def _poll(self) -> None:
        interval = self.async_interval or 0.0
        while not self._stop.is_set():
            self.run_async_actions()
            self._stop.wait(interval)


class _Run:
    """One GraphQL request through the executor."""

    def __init__(self, executor: ReferenceExecutor, headers: Headers) -> None:
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
