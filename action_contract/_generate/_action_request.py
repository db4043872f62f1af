"""`ActionRequest`: Hasura's HTTP call to a handler, and the per-action parts of it that never change.

The URL and headers follow contract §1.1-§1.2 (templates resolved, default headers, configured
headers, forwarded client headers with Hasura's ignore list, precedence by version); the payload is
§1.3. A `Call` holds everything fixed for one action so each generated request only adds `input`,
`session_variables`, `request_query` and the client's headers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .._catalog._model import DEFAULT_IGNORED_CLIENT_HEADERS, Action, Catalog
from .._catalog._templates import render_handler, render_header_value, template_variables
from .._catalog._transforms import RequestTransform, request_transform_of
from .._errors import InvalidArgument, TemplateError
from ._profiles import HasuraProfile, HeaderLayer
from ._transformed import apply_request_transform, transformed_json

__all__ = ["MAX_REQUEST_BYTES", "ActionRequest", "Call", "prepare_call", "within_bound"]

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRequest:
    """One HTTP call to a handler, exactly as Hasura would make it (or as an adversary would)."""

    action: str
    url: str
    headers: Headers
    #: The JSON body; None when `raw_body` carries bytes that are not JSON. Treat it as read-only.
    payload: Mapping[str, Any] | None = field(default=None, hash=False)
    raw_body: bytes | None = None
    method: str = "POST"
    #: None for what Hasura could send; otherwise the name of the rule this request breaks.
    violation: str | None = None
    #: Where the rule is broken: a JSON path into the body (`$.input.items[0].sku`) or a header name.
    violation_path: str | None = None
    #: The violation in a sentence, for reports.
    violation_detail: str | None = None
    #: Names of the headers that carry secrets (`value_from_env`); reports redact their values.
    secret_headers: tuple[str, ...] = ()
    #: The action's `timeout` in seconds, Hasura's deadline for the reply (contract §5).
    timeout: float = 30.0
    #: After a request transform: the call Hasura built before it (`payload` stays Hasura's payload,
    #: while URL, method, headers and `raw_body` are what the handler receives).
    untransformed: ActionRequest | None = field(default=None, hash=False, compare=False)
    #: The error objects when Hasura's request transform fails: Hasura then calls no handler at all.
    transform_errors: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)
    #: For an adversarial or secret request: the conforming request it was built on (the violation
    #: undone, the secret in place), replayed to tell the rule's failures from the base's.
    base: ActionRequest | None = field(default=None, hash=False, compare=False, repr=False)
    #: True for an input given as known good (`inputs:`): the handler should accept it (`accepts_valid`).
    known_good: bool = False

    @property
    def body(self) -> bytes:
        """The bytes sent: compact JSON of the payload (Hasura's `J.encode`), or `raw_body`."""
        if self.raw_body is not None:
            return self.raw_body
        return json.dumps(self.payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()

    def header(self, name: str) -> str | None:
        """The value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def to_json(self) -> dict[str, Any]:
        """`{"url", "headers", "payload"}` (or `"raw_body"`), plus `"violation"` for adversarial requests."""
        data: dict[str, Any] = {"url": self.url, "headers": dict(self.headers)}
        if self.raw_body is not None:
            data["raw_body"] = self.raw_body.decode("utf-8", errors="replace")
        else:
            data["payload"] = self.payload
        if self.violation is not None:
            data["violation"] = self.violation
            data["violation_path"] = self.violation_path
        if self.untransformed is not None:
            data = transformed_json(self, data)
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """The fixed parts of every call to one action's handler."""

    action: Action
    url: str
    profile: HasuraProfile
    default_headers: Headers
    configured_headers: Headers
    secret_headers: tuple[str, ...]
    ignored_client_headers: frozenset[str]
    #: The action's parsed request transform, applied to every request built here.
    transform: RequestTransform | None = None

    def request(
        self,
        arguments: Mapping[str, Any],
        session: Mapping[str, str],
        request_query: str | None,
        client_headers: Mapping[str, str] | None = None,
    ) -> ActionRequest:
        """The request for one `input` and session, as Hasura builds it."""
        payload: dict[str, Any] = {
            "action": {"name": self.action.name},
            "input": arguments,
            "session_variables": session,
        }
        if self.profile.sends_request_query:
            # Present with null for asynchronous actions (contract §1.3).
            payload["request_query"] = None if self.action.is_async else request_query
        request = ActionRequest(
            action=self.action.name,
            url=self.url,
            headers=self.headers(client_headers),
            payload=payload,
            secret_headers=self.secret_headers,
            timeout=float(self.action.timeout),
        )
        if self.transform is not None:
            return apply_request_transform(request, self.transform, self.url)
        return request

    def headers(self, client_headers: Mapping[str, str] | None) -> Headers:
        """Default, configured and forwarded client headers merged by the profile's precedence."""
        layers: dict[HeaderLayer, Headers] = {
            "defaults": self.default_headers,
            "configured": self.configured_headers,
            "client": self.forwarded(client_headers) if self.action.forward_client_headers else (),
        }
        winners: dict[str, tuple[str, str]] = {}
        for layer in self.profile.header_precedence:
            for name, value in layers[layer]:
                winners[name.lower()] = (name, value)
        # Precedence decides each value; the order stays defaults, configured, client for readability.
        ordered = dict.fromkeys(
            name.lower() for layer in ("defaults", "configured", "client") for name, _ in layers[layer]
        )
        return tuple(winners[name] for name in ordered)

    def forwarded(self, client_headers: Mapping[str, str] | None) -> Headers:
        """The client's headers Hasura passes on (`mkClientHeadersForward`, contract §1.2 item 3)."""
        if not client_headers:
            return ()
        kept = [
            (name, value)
            for name, value in client_headers.items()
            if name.lower() not in self.ignored_client_headers and not name.lower().startswith("x-hasura-")
        ]
        by_name = {name.lower(): value for name, value in client_headers.items()}
        extra = [("X-Forwarded-Host", "host"), ("X-Forwarded-User-Agent", "user-agent")]
        if self.profile.forwards_origin:
            extra.append(("X-Forwarded-Origin", "origin"))
        kept.extend((header, by_name[source]) for header, source in extra if source in by_name)
        return tuple(kept)


def prepare_call(
    catalog: Catalog,
    action: Action,
    *,
    profile: HasuraProfile,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Call:
    """Resolve `action`'s URL and configured headers once; raises `InvalidArgument` with the fix."""
    variables = {**catalog.variables, **(env or {})}
    configured: list[tuple[str, str]] = []
    secrets: list[str] = []
    for header in action.headers:
        if header.value_from_env is not None:
            value = variables.get(header.value_from_env)
            if value is None:
                # Hasura answers this call with 400 `not-found` and never reaches the handler (§1.2).
                raise InvalidArgument(
                    f"action {action.name!r}: header {header.name} takes its value from the environment "
                    f"variable {header.value_from_env}, which is not set (Hasura: environment variable "
                    f"'{header.value_from_env}' not set). Set it, put it in .env, or pass "
                    f"--env {header.value_from_env}=..."
                )
            configured.append((header.name, value))
            secrets.append(header.name)
        else:
            try:
                configured.append((header.name, render_header_value(header.value or "", variables)))
            except TemplateError as error:
                raise InvalidArgument(
                    f"action {action.name!r}: header {header.name}: {error} (pass --env "
                    f"{error.variables[0]}=... or set it in the environment)"
                ) from None
    defaults: list[tuple[str, str]] = [("Content-Type", "application/json")]
    if profile.user_agent is not None:
        defaults.append(("User-Agent", profile.user_agent))
    ignored = DEFAULT_IGNORED_CLIENT_HEADERS
    if profile.honours_ignored_client_headers:
        ignored = action.ignored_client_headers
    return Call(
        action=action,
        url=handler_url(catalog, action, variables, base_url),
        profile=profile,
        default_headers=tuple(defaults),
        configured_headers=tuple(configured),
        secret_headers=tuple(secrets),
        ignored_client_headers=frozenset(name.lower() for name in ignored),
        transform=request_transform_of(action),
    )


def handler_url(catalog: Catalog, action: Action, variables: Mapping[str, str], base_url: str | None) -> str:
    """The URL Hasura would call; `base_url` replaces its scheme, host and port, keeping path and query."""
    template = action.handler
    if base_url is None:
        try:
            url = render_handler(template, variables)
        except TemplateError as error:
            raise InvalidArgument(
                f"action {action.name!r}: handler {template!r}: {error}. Pass --base-url URL (or base_url=) "
                f"to say where the handler runs, or set {', '.join(error.variables)}"
            ) from None
        if not url:
            raise InvalidArgument(
                f"action {action.name!r} has no handler URL in the metadata (its definition came from the SDL only); "
                "pass --base-url URL (or base_url=) to say where the handler runs"
            )
        if "://" not in url:
            if catalog.handler_base_url is None:
                raise InvalidArgument(
                    f"action {action.name!r}: handler {url!r} is not an absolute URL; "
                    "pass --base-url URL (or base_url=)"
                )
            url = catalog.handler_base_url.rstrip("/") + "/" + url.lstrip("/")
        return url
    base = urlsplit(base_url)
    if not base.scheme or not base.netloc:
        raise InvalidArgument(f"expected an absolute base URL such as http://localhost:3000, found {base_url!r}")
    # Unset variables are dropped: with a base URL only the template's path and query matter. An
    # action without a handler gets the path `hasura actions create` would give it: /<action name>.
    filled = render_handler(template, {name: variables.get(name, "") for name in template_variables(template)})
    filled = filled or "/" + action.name
    parts = urlsplit(filled if "://" in filled else "http://placeholder/" + filled.lstrip("/"))
    path = base.path.rstrip("/") + ("/" + parts.path.lstrip("/") if parts.path else "")
    return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


#: No generated request is bigger than this (1 MiB): values are bounded so the edge cases fit, and
#: a rare draw that still passes it is dropped rather than sent.
MAX_REQUEST_BYTES = 1 << 20


def within_bound(request: ActionRequest) -> bool:
    """True when `request`'s body is at most `MAX_REQUEST_BYTES`."""
    return len(request.body) <= MAX_REQUEST_BYTES
