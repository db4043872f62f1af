"""The handler-function calling convention of `CallableTarget`: `(payload, headers) -> (status, body[, headers])`.

Turns a request body and headers into the arguments a plain handler function takes, and its return
value back into bytes on the wire; `BadReply` says what a malformed return value was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["BadReply", "handler_headers", "handler_payload", "handler_reply"]


class BadReply(ValueError):
    """A handler function returned something that is not `(status, body[, headers])`."""


def handler_payload(body: bytes) -> Any:
    """The body as the handler's JSON parser gives it (a fresh object each call), or its text when not JSON."""
    try:
        return json.loads(body)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return body.decode("utf-8", "replace")


def handler_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The request headers as a dict with lower-case names; repeats joined with ", " as HTTP allows."""
    merged: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def handler_reply(result: object) -> tuple[int, bytes, tuple[tuple[str, str], ...]]:
    """`(status, body[, headers])` from a handler function, as bytes on the wire."""
    if not isinstance(result, tuple) or len(result) not in (2, 3):
        raise BadReply(f"expected the handler to return (status, body) or (status, body, headers), found {result!r}")
    status, body = result[0], result[1]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise BadReply(f"expected an HTTP status (an int from 100 to 599) first in the reply, found {status!r}")
    headers: list[tuple[str, str]] = []
    if len(result) == 3:
        given = result[2].items() if isinstance(result[2], Mapping) else result[2]
        try:
            headers = [(str(name), str(value)) for name, value in given]
        except (TypeError, ValueError):
            raise BadReply(
                f"expected the reply's headers as a dict or (name, value) pairs, found {result[2]!r}"
            ) from None
    if isinstance(body, str):
        return status, body.encode(), tuple(headers)
    if isinstance(body, bytes | bytearray | memoryview):
        return status, bytes(body), tuple(headers)
    try:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    except (TypeError, ValueError) as error:
        raise BadReply(f"the reply body {body!r:.200} cannot be sent as JSON: {error}") from None
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.insert(0, ("Content-Type", "application/json"))
    return status, data, tuple(headers)
