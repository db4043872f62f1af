"""How Hasura calls an action's handler, compared: URL, timeout, headers, forwarding, transforms, roles.

None of this is in a GraphQL schema, so no GraphQL tool sees it; all of it decides whether the handler
keeps working (contract §1.2 headers and forwarding, §5 timeouts, §7 transforms, §2.1 permissions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._catalog._model import Action, Header
from .._catalog._templates import template_variables
from ._values import Change, Impact, breaking, dangerous, safe

__all__ = ["config_changes", "env_variables"]

# Header names that usually carry a secret the handler checks (real-handlers: a shared-secret header).
# Whole words of the name only: X-Api-Key and X-Auth-Token, not X-Monkey.
_SECRET_WORDS = frozenset(
    {
        "secret",
        "token",
        "key",
        "apikey",
        "auth",
        "authorization",
        "password",
        "passwd",
        "signature",
        "hmac",
        "credential",
    }
)


def config_changes(old: Action, new: Action, path: str, known_env: set[str]) -> list[Change]:
    """Changes to how Hasura calls `new`'s handler; `known_env` are variables Hasura already needed."""
    differ = _ConfigDiffer(known_env)
    differ.webhook(old, new, path)
    differ.permissions(old, new, path)
    return differ.changes


class _ConfigDiffer:
    def __init__(self, known_env: set[str]) -> None:
        self.old_env = known_env
        self.changes: list[Change] = []

    def add(self, kind: str, path: str, what: str, handler: Impact, client: Impact) -> None:
        self.changes.append(Change(kind=kind, path=path, what=what, handler=handler, client=client))

    def webhook(self, old: Action, new: Action, path: str) -> None:
        name = new.name
        if old.handler != new.handler:
            self.add(
                "handler_changed",
                path,
                f"handler of '{name}' changed from {old.handler} to {new.handler}",
                dangerous("Hasura calls the new URL once this metadata is applied; the handler must answer there"),
                safe("clients do not see the handler's URL"),
            )
        if new.timeout < old.timeout:
            self.add(
                "timeout_shortened",
                path,
                f"timeout of '{name}' shortened from {old.timeout} s to {new.timeout} s",
                dangerous(f"replies slower than {new.timeout} s now fail with 'http exception when calling webhook'"),
                safe("clients see an error only when the handler is slow"),
            )
        elif new.timeout > old.timeout:
            self.add(
                "timeout_lengthened",
                path,
                f"timeout of '{name}' lengthened from {old.timeout} s to {new.timeout} s",
                safe("the handler has more time"),
                safe("a slow handler keeps clients waiting longer"),
            )
        self.headers(old, new, path)
        if old.forward_client_headers != new.forward_client_headers:
            if new.forward_client_headers:
                configured = ", ".join(h.name for h in new.headers)
                handler = (
                    dangerous(
                        f"a client header of the same name now overrides the configured {configured} "
                        "(client headers win by default)"
                    )
                    if new.headers
                    else safe("the handler now also receives the client's headers (Authorization, Cookie...)")
                )
                self.add(
                    "forward_client_headers_enabled",
                    path,
                    f"'{name}' now forwards client headers",
                    handler,
                    safe("clients' headers now reach the handler"),
                )
            else:
                self.add(
                    "forward_client_headers_disabled",
                    path,
                    f"'{name}' no longer forwards client headers",
                    breaking("the handler no longer receives the client's headers (Authorization, Cookie...)"),
                    safe("clients send the same operations"),
                )
        else:
            self.ignored_headers(old, new, path)
        for which in ("request", "response"):
            before, after = getattr(old, f"{which}_transform"), getattr(new, f"{which}_transform")
            if _plain(before) == _plain(after):
                continue
            change = "added" if before is None else "removed" if after is None else "changed"
            if change == "removed":
                reason = (
                    "the handler now receives Hasura's own payload ({action, input, session_variables, request_query}) "
                    "instead of the template's"
                    if which == "request"
                    else "Hasura now judges its replies as they are, without the template"
                )
            else:
                reason = (
                    "the handler receives what the new template builds from Hasura's payload"
                    if which == "request"
                    else "its replies are reshaped by the new template before Hasura judges them"
                ) + "; action-contract does not run Kriti templates, so check the handler against it"
            self.add(
                f"{which}_transform_{change}",
                path,
                f"{which} transform of '{name}' {change}",
                dangerous(reason),
                safe("clients see the same output type"),
            )

    def ignored_headers(self, old: Action, new: Action, path: str) -> None:
        """`ignored_client_headers` (≈v2.42+, contract §1.2): which client headers are forwarded."""
        before = {h.lower(): h for h in old.ignored_client_headers}
        after = {h.lower(): h for h in new.ignored_client_headers}
        off = None if new.forward_client_headers else safe("the action does not forward client headers")
        same = safe("clients send the same operations")
        for key in sorted(before.keys() | after.keys()):
            if key in after and key not in before:
                header = after[key]
                handler = dangerous(f"a handler that reads {header} from the client no longer gets it")
                self.add(
                    "client_header_ignored",
                    f"{path}.ignored_client_headers.{header}",
                    f"'{new.name}' no longer forwards the client header {header}",
                    off or handler,
                    same,
                )
            elif key in before and key not in after:
                header = before[key]
                self.add(
                    "client_header_forwarded",
                    f"{path}.ignored_client_headers.{header}",
                    f"'{new.name}' now forwards the client header {header}",
                    off or safe(f"the handler now also receives {header}"),
                    same,
                )

    def headers(self, old: Action, new: Action, path: str) -> None:
        before = {h.name.lower(): h for h in old.headers}
        after = {h.name.lower(): h for h in new.headers}
        for key in sorted(before.keys() | after.keys()):
            was, now = before.get(key), after.get(key)
            if (
                was is not None
                and now is not None
                and (was.value, was.value_from_env) == (now.value, now.value_from_env)
            ):
                continue
            header = now or was
            assert header is not None
            where = f"{path}.headers.{header.name}"
            needs = [v for v in env_variables(now) if v not in self.old_env]
            client = (
                dangerous(
                    f"Hasura must have {', '.join(needs)} set, or every call fails: "
                    f"environment variable '{needs[0]}' not set"
                )
                if needs
                else safe("clients do not see configured headers")
            )
            if was is None:
                self.add(
                    "header_added",
                    where,
                    f"'{new.name}' now sends the header {header.name}",
                    safe("the handler receives one more header"),
                    client,
                )
            elif now is None:
                handler = (
                    breaking(f"a handler that checks {header.name} now refuses every call")
                    if _looks_secret(was)
                    else dangerous(f"a handler that reads {header.name} no longer gets it")
                )
                self.add(
                    "header_removed", where, f"'{new.name}' no longer sends the header {header.name}", handler, client
                )
            else:
                self.add(
                    "header_changed",
                    where,
                    f"value of the header {header.name} of '{new.name}' changed",
                    dangerous(f"the handler receives a different {header.name}; a shared secret must change on both"),
                    client,
                )

    def permissions(self, old: Action, new: Action, path: str) -> None:
        before = {p.role for p in old.permissions}
        after = {p.role for p in new.permissions}
        root = "query_root" if new.type == "query" else "mutation_root"
        for role in sorted(after - before):
            self.add(
                "permission_added",
                f"{path}.permissions.{role}",
                f"role '{role}' may now call '{new.name}'",
                dangerous(
                    f"the handler now gets calls with x-hasura-role '{role}'; one that checks roles must allow it"
                ),
                safe(f"a new field for role '{role}'"),
            )
        for role in sorted(before - after):
            self.add(
                "permission_removed",
                f"{path}.permissions.{role}",
                f"role '{role}' may no longer call '{new.name}'",
                safe(f"Hasura no longer calls the handler for role '{role}'"),
                breaking(f"operations as role '{role}' fail: field '{new.name}' not found in type: '{root}'"),
            )


def _plain(value: Mapping[str, Any] | None) -> Any:
    return None if value is None else dict(value)


def env_variables(header: Header | None) -> list[str]:
    """The variables Hasura needs to send `header` (`value_from_env`, or `{{VAR}}` in `value`)."""
    if header is None:
        return []
    if header.value_from_env is not None:
        return [header.value_from_env]
    return template_variables(header.value or "")


def _looks_secret(header: Header) -> bool:
    words = set(re.split(r"[^a-z0-9]+", header.name.lower()))
    return header.value_from_env is not None or bool(words & _SECRET_WORDS)
