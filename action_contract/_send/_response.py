"""`ActionResponse`: what came back from a handler, or the transport failure that stopped it.

This is the contract between the targets (which send) and the judge (which reads Hasura's rules).
A response carries bytes, never parsed JSON: Hasura decodes the body itself, before it looks at the
status (contract §3.1), and the judge must see exactly what Hasura would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ActionResponse", "TransportFailure", "TransportKind"]

Headers = tuple[tuple[str, str], ...]

#: Why no complete reply arrived. `too_large` is ours: the reply passed the size cap and was cut off.
TransportKind = Literal[
    "refused",  # nothing listens on the port
    "dns",  # the host name does not resolve
    "connect_timeout",  # no TCP connection within the deadline
    "timeout",  # connected, but no complete reply within the action's `timeout`
    "reset",  # the connection was reset or closed mid-reply
    "no_response",  # the handler closed the connection without sending anything
    "invalid_url",  # the URL cannot be requested at all
    "too_large",  # the body passed the target's size cap
    "crashed",  # an in-process app raised instead of answering
]


@dataclass(frozen=True, slots=True, kw_only=True)
class TransportFailure:
    """Why a call produced no complete HTTP reply, with the text Hasura's http-client would give."""

    kind: TransportKind
    #: For people: what happened, e.g. "connection refused by 127.0.0.1:3000".
    detail: str
    #: The http-client exception text Hasura (≈v2.25+) puts in `internal.error.message` (contract §5),
    #: e.g. "Response timeout" or "Connection failure: ...".
    hasura_text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResponse:
    """The handler's reply (status, headers, body bytes) or a `TransportFailure`; `elapsed` in seconds."""

    status: int | None = None
    headers: Headers = ()
    body: bytes = b""
    elapsed: float = 0.0
    failure: TransportFailure | None = None
    #: What an in-process app did instead of replying, when this reply is what its server made of it:
    #: "the app raised KeyError: 'x' (at app.py:12 in handle)", "the app returned without sending a response".
    crash: str | None = None

    @property
    def ok(self) -> bool:
        """True when a complete HTTP reply arrived (whatever its status)."""
        return self.failure is None and self.status is not None

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)
