"""`MockReply`, the mock's answer, and the Hasura error objects it answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["JSON_TYPE", "MockReply", "error_body"]

JSON_TYPE = "application/json"


@dataclass(frozen=True, slots=True, kw_only=True)
class MockReply:
    """The mock's answer: status, body bytes, content type, and how long to wait before sending it."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    #: Seconds to wait before answering (latency, or the `timeout` scenario).
    delay: float = 0.0
    action: str | None = None
    scenario: str | None = None
    #: The request body as parsed (None when it was not JSON), for the journal.
    payload: Any = None
    #: The reply as a value (JSON, or the text), for the journal.
    value: Any = None

    @property
    def times_out(self) -> bool:
        """True for the `timeout` scenario: the reply is late on purpose, past the action's timeout."""
        return self.scenario == "timeout"


def error_body(message: str, code: str, path: str | None = None, **extensions: Any) -> dict[str, Any]:
    """A Hasura error object (contract §4.1): `message`, and `extensions` with `code` and `path`."""
    ext: dict[str, Any] = {"code": code}
    if path is not None:
        ext["path"] = path
    ext.update(extensions)
    return {"message": message, "extensions": ext}
