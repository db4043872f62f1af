"""The mock's journal: the last calls it answered, for `GET /__mock/requests` and for tests."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .._errors import InvalidArgument
from ._replies import MockReply

__all__ = ["Journal"]

_JOURNAL_TEXT = 2000  # characters of a body that is not JSON


@dataclass(frozen=True, slots=True)
class _Call:
    id: int
    at: float
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    reply: MockReply
    duration: float
    secret_headers: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        reply = self.reply
        shown = {name: "***" if name in self.secret_headers else value for name, value in self.headers.items()}
        request: Any = reply.payload
        if request is None:
            request = self.body[:_JOURNAL_TEXT].decode("utf-8", "replace")
        return {
            "id": self.id,
            "time": datetime.fromtimestamp(self.at, timezone.utc).isoformat(timespec="milliseconds"),
            "method": self.method,
            "path": self.path,
            "action": reply.action,
            "scenario": reply.scenario,
            "status": reply.status,
            "duration_ms": round(self.duration * 1000, 3),
            "request": {"headers": shown, "body": request},
            "reply": {"status": reply.status, "content_type": reply.content_type, "body": reply.value},
        }


class Journal:
    """The last calls the mock answered, newest last, for `GET /__mock/requests` and tests."""

    def __init__(self, size: int = 100) -> None:
        if size < 1:
            raise InvalidArgument(f"expected a journal size of 1 or more, found {size!r}")
        # Calls are kept as recorded and turned into JSON only when listed: recording is on the hot path.
        self._calls: deque[_Call] = deque(maxlen=size)
        self._count = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """How many calls it keeps."""
        return self._calls.maxlen or 0

    def record(
        self,
        *,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        reply: MockReply,
        duration: float,
        secret_headers: frozenset[str] = frozenset(),
    ) -> int:
        """Add one call and return its id; values of `secret_headers` (lower-case names) are listed as `***`."""
        with self._lock:
            self._count += 1
            number = self._count
            self._calls.append(_Call(number, time.time(), method, path, headers, body, reply, duration, secret_headers))
        return number

    def entries(self, action: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The recorded calls as JSON, oldest first, optionally only those of `action` and only the last `limit`."""
        with self._lock:
            calls = [c for c in self._calls if action is None or c.reply.action == action]
        return [call.to_json() for call in (calls[-limit:] if limit else calls)]

    def last(self) -> dict[str, Any] | None:
        """The newest call as JSON, if any."""
        with self._lock:
            call = self._calls[-1] if self._calls else None
        return None if call is None else call.to_json()

    def clear(self, action: str | None = None) -> int:
        """Forget every call, or only those of `action`; returns how many were removed."""
        with self._lock:
            count = len(self._calls)
            if action is None:
                self._calls.clear()
                return count
            kept = [call for call in self._calls if call.reply.action != action]
            # Emptied and refilled in place, not replaced: the deque keeps its maxlen.
            self._calls.clear()
            self._calls.extend(kept)
            return count - len(kept)

    @property
    def total(self) -> int:
        """Calls recorded since the start (cleared or not)."""
        return self._count
