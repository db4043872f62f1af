"""CORS for `serve`'s API, after Hasura's `HASURA_GRAPHQL_CORS_DOMAIN`, and never for the console page.

`--cors-domain` takes what that variable takes: `*` (the default: any origin) or a comma-separated
list of origins, `scheme://host[:port]`, where a host may start with `*.` for any subdomain
(`https://*.example.com, http://localhost:3000`). A matching Origin is echoed in
`Access-Control-Allow-Origin`; preflights are answered for it. Unlike Hasura we never send
`Access-Control-Allow-Credentials`: a page on another origin may call the API with headers it sets
itself, but never with the browser's cookies. Only the API paths get CORS headers: the console page
(which may carry the admin secret) and its files get none, so no other origin can read them.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CorsApi", "CorsPolicy"]

_API_PREFIXES = ("/v1/", "/healthz")
_ORIGIN = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<host>\*\.[^:/]+|[^:/*]+)(?::(?P<port>\d+))?/?$")


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """Which origins may call the API: every one (`*`), or those matching one of `patterns`."""

    any_origin: bool
    patterns: tuple[tuple[str, str, str | None], ...] = ()  # (scheme, host or *.suffix, port)

    @classmethod
    def parse(cls, text: str) -> CorsPolicy:
        """Read a `HASURA_GRAPHQL_CORS_DOMAIN` value; ValueError naming the entry it cannot read."""
        entries = [e.strip() for e in text.split(",") if e.strip()]
        if not entries or "*" in entries:
            return cls(any_origin=True)
        patterns = []
        for entry in entries:
            match = _ORIGIN.match(entry)
            if match is None:
                raise ValueError(
                    f"cannot read CORS domain {entry!r}: expected scheme://host[:port], "
                    "a host may start with *. (e.g. https://*.example.com, http://localhost:3000)"
                )
            patterns.append((match["scheme"].lower(), match["host"].lower(), match["port"]))
        return cls(any_origin=False, patterns=tuple(patterns))

    def allows(self, origin: str) -> bool:
        """Whether a page served from `origin` may read the API's replies."""
        if self.any_origin:
            return True
        match = _ORIGIN.match(origin)
        if match is None or match["host"].startswith("*."):
            return False
        scheme, host, port = match["scheme"].lower(), match["host"].lower(), match["port"]
        for want_scheme, want_host, want_port in self.patterns:
            if scheme != want_scheme or port != want_port:
                continue
            if host == want_host or (want_host.startswith("*.") and host.endswith(want_host[1:])):
                return True
        return False


class CorsApi:
    """ASGI middleware: CORS headers on the API paths only (see the module docstring)."""

    def __init__(self, app: Any, policy: CorsPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        """Answer a preflight, or add the CORS headers to the app's reply for an allowed Origin."""
        app, policy = self.app, self.policy
        if scope["type"] != "http" or not scope["path"].startswith(_API_PREFIXES):
            await app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        if origin is None or not policy.allows(origin):
            await app(scope, receive, send)
            return
        allow = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            requested = headers.get("access-control-request-headers", "")
            preflight = [
                *allow,
                (b"access-control-allow-methods", b"GET,POST,OPTIONS"),
                (b"access-control-allow-headers", requested.encode("latin-1")),
                (b"access-control-max-age", b"1728000"),  # Hasura's value
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"2"),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": preflight})
            await send({"type": "http.response.body", "body": b"OK"})
            return

        async def with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *allow]}
            await send(message)

        await app(scope, receive, with_cors)
