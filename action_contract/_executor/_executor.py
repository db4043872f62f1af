"""`ReferenceExecutor`: Hasura's side of the contract, in-process (contract §1-§5).

A GraphQL request goes through what Hasura does with it (`RequestRun`): the caller's role and
session variables from the headers (admin secret checked), the role's schema, Hasura's validation,
then for each action field the webhook call built as Hasura builds it (`_action_request`), sent
through a `Target`, judged by `judge` and shaped to the selection set. The reply is Hasura's: HTTP
200 with `data`, or `errors` only (one failing field fails the operation), and the handler's
`Set-Cookie` copied on success. Asynchronous actions are recorded in an `ActionLog` and called by a
worker, as Hasura's `asyncActionsProcessor` does (§2.3).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from graphql import GraphQLSchema

from .._catalog._model import Catalog
from .._generate._action_request import Call, handler_url
from .._generate._profiles import HasuraProfile
from .._hasura._judge import Verdict, decode_reply
from .._send._targets import Target
from ._action_log import ActionLog, ActionLogEntry, open_action_log
from ._core import ExecutorCore
from ._input import ArgumentReader, GraphQLFailure
from ._limits import Limits, check_batch
from ._plan import Planner
from ._reply import GraphQLReply, HandlerCall, header_pairs, refused, unreadable
from ._request_run import RequestRun
from ._schema import ADMIN, ExecutorSchema

__all__ = ["ReferenceExecutor"]


class ReferenceExecutor(ExecutorCore):
    """Runs GraphQL requests against a catalog's actions exactly as Hasura would, calling `target`.

    `admin_secret`: requests must carry it (`x-hasura-admin-secret`), as with
    `HASURA_GRAPHQL_ADMIN_SECRET`; without one every request is admin unless it names a role.
    `state`: a SQLite file that keeps asynchronous actions across restarts (default: memory).
    `async_interval`: seconds between the worker's polls after `start()`; None calls the handler
    of an asynchronous action before `execute` returns (deterministic, for tests).
    `timeout`: seconds per handler reply instead of each action's own `timeout`.
    `limits`: what one request may cost (fields, depth, batch size; see `Limits`).
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
        limits: Limits | None = None,
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
        self.limits = limits or Limits()
        self._planner = Planner(limits=self.limits)
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
        reply = RequestRun(self, pairs).run(query, variables, operation_name)
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
            RequestRun(self, header_pairs(headers)).session()
        except GraphQLFailure as failure:
            return refused(failure)
        ok, request, why = decode_reply(body)
        if not ok:
            return refused(GraphQLFailure(f"Error in $: {why}", code="invalid-json", status=400))
        if isinstance(request, list):
            too_many = check_batch(len(request), self.limits)
            if too_many is not None:
                return refused(too_many)
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

    # -- internals ---------------------------------------------------------------------------------

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
