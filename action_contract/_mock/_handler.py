"""`MockHandler`: an ASGI app that answers Hasura's webhook calls for every action of a catalog.

The webhook path is plain ASGI because it is the hot path (a frontend's dev server, load tests); the
mock's own endpoints under `/__mock` are small JSON views and one HTML page, and Starlette's CORS middleware answers
browsers' preflight requests. What to answer is decided in `_mock_replies`, shared with the respx
router, so a mock in a test and a mock on a port behave the same.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from starlette.middleware.cors import CORSMiddleware

from .._catalog._model import Catalog
from .._errors import InvalidArgument
from ._examples import Examples, Latency, load_examples
from ._journal import Journal
from ._page import journal_page
from ._replies import (
    DEFAULT_CACHE_SIZE,
    DEFAULT_MAX_BODY,
    MockReply,
    MockResponder,
    encode_json,
    error_body,
)

__all__ = ["LOCAL_ORIGINS", "MockHandler"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Browsers' origins on this machine (any port): a frontend's dev server calls the mock from these.
LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)(:\d+)?"

_ADMIN = "/__mock"
_PAGE_PATHS = frozenset({_ADMIN, _ADMIN + "/"})
# The page's script runs only with the response's nonce; it may call back this origin and nothing else.
_PAGE_POLICY = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; connect-src 'self'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


class MockHandler:
    """An ASGI app answering Hasura's webhook calls with validated, realistic, request-stable replies.

    Options: `seed` (changes every generated value), `examples` (a file path or `Examples`),
    `latency` (ms: `50`, `"50-200"` or a `Latency`), `error_rate` (share of calls answered with the
    `error` scenario), `scenario` (the default scenario for calls that name none), `require_secret`
    (check `value_from_env` headers), `env` (template and secret values), `base_url`, `max_body`
    (bytes; larger bodies get 413), `cache_size` (generated replies kept for repeated calls; 0: none),
    `journal_size`, `cors` (True: local origins; False: off; or a list
    of origins, `"*"` for any).
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        seed: int = 0,
        examples: Examples | str | os.PathLike[str] | None = None,
        latency: Latency | str | float | None = None,
        error_rate: float = 0.0,
        scenario: str | None = None,
        require_secret: bool = False,
        env: Mapping[str, str] | None = None,
        base_url: str | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        cache_size: int = DEFAULT_CACHE_SIZE,
        journal_size: int = 100,
        cors: bool | Sequence[str] = True,
        journal: Journal | None = None,
        generation: int = 1,
    ) -> None:
        if examples is not None and not isinstance(examples, Examples):
            examples = load_examples(examples, catalog)
        if latency is not None and not isinstance(latency, Latency):
            latency = Latency.parse(latency)
        self.catalog = catalog
        self.responder = MockResponder(
            catalog,
            seed=seed,
            examples=examples,
            latency=latency,
            error_rate=error_rate,
            scenario=scenario,
            require_secret=require_secret,
            env=env,
            base_url=base_url,
            max_body=max_body,
            cache_size=cache_size,
        )
        self.journal = journal if journal is not None else Journal(journal_size)
        #: Bumped by each rebuild when the mock reloads; shown by `/__mock/health`.
        self.generation = generation
        #: Why the last reload failed (the previous mock keeps serving), or None.
        self.reload_error: str | None = None
        #: Called with each journal entry after the reply is sent (the CLI prints a line).
        self.on_call: Callable[[dict[str, Any]], None] | None = None
        self.secret_headers = frozenset(
            header.name.lower() for action in catalog for header in action.headers if header.value_from_env
        )
        self._cors: Callable[[Scope, Receive, Send], Awaitable[None]] | None = None
        if isinstance(cors, str):
            raise InvalidArgument(f"cors expects True, False or a list of origins, found {cors!r}")
        if cors:
            origins = [] if cors is True else list(cors)
            self._cors = CORSMiddleware(
                self._serve,
                allow_origins=origins,
                allow_origin_regex=LOCAL_ORIGINS if cors is True else None,
                allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                allow_headers=["*"],
                allow_credentials=True,
                expose_headers=["X-Mock-Scenario"],
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only browsers send Origin; everything else skips the CORS layer (it wraps every reply otherwise).
        if self._cors is not None and scope["type"] == "http" and any(n == b"origin" for n, _ in scope["headers"]):
            await self._cors(scope, receive, send)
        else:
            await self._serve(scope, receive, send)

    def health(self) -> dict[str, Any]:
        """What `GET /__mock/health` answers."""
        return {
            "status": "ok" if self.reload_error is None else "reload-failed",
            "actions": len(self.catalog),
            "source": self.catalog.source,
            "seed": self.responder.seed,
            "generation": self.generation,
            "error": self.reload_error,
        }

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if path == _ADMIN or path.startswith(_ADMIN + "/"):
            await self._admin(scope, method, path, send)
            return
        started = time.perf_counter()
        headers = _Headers(scope["headers"])
        if method != "POST" and not self.responder.transformed.routes:
            message = f"{method} is not allowed: Hasura calls a handler with POST and a JSON body"
            await _send_json(send, 405, error_body(message, "method-not-allowed"), extra=[(b"allow", b"POST")])
            return
        body = await _read_body(receive, headers.get("content-length"), self.responder.max_body)
        if body is None:
            length = headers.get("content-length", "")
            reply = self.responder.too_large(int(length) if length.isdecimal() else None)
        else:
            query = scope.get("query_string", b"").decode("latin-1")
            reply = self.responder.answer(path, headers, body, query=query, method=method)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        await _send(send, reply)
        self.journal.record(
            method=method,
            path=path,
            headers=headers,
            body=body or b"",
            reply=reply,
            duration=time.perf_counter() - started,
            secret_headers=self.secret_headers,
        )
        if self.on_call is not None:
            entry = self.journal.last()
            if entry is not None:
                self.on_call(entry)

    async def _admin(self, scope: Scope, method: str, path: str, send: Send) -> None:
        if path in _PAGE_PATHS and method == "GET":
            await _send_page(send)
        elif path == f"{_ADMIN}/health" and method == "GET":
            await _send_json(send, 200, self.health())
        elif path == f"{_ADMIN}/requests" and method == "GET":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            action = query.get("action", [None])[0]
            limit_text = query.get("limit", [""])[0]
            if limit_text and not limit_text.isdecimal():
                message = f"expected a whole number for `limit`, found {limit_text!r}"
                await _send_json(send, 400, error_body(message, "validation-failed", "limit"))
                return
            entries = self.journal.entries(action=action, limit=int(limit_text) if limit_text else None)
            await _send_json(send, 200, {"requests": entries, "total": self.journal.total, "size": self.journal.size})
        elif path == f"{_ADMIN}/requests" and method == "DELETE":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            action = query.get("action", [None])[0]
            await _send_json(send, 200, {"cleared": self.journal.clear(action)})
        else:
            known = "GET /__mock, GET /__mock/health, GET /__mock/requests, DELETE /__mock/requests"
            message = f"no mock endpoint {method} {path}; the mock has {known}"
            await _send_json(send, 404, error_body(message, "not-found"))


class _Headers(Mapping[str, str]):
    """The request's headers by lower-case name, decoded only when read (most never are)."""

    __slots__ = ("_raw",)

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        # ASGI servers give header names in lower case already.
        self._raw = dict(raw)

    def __getitem__(self, name: str) -> str:
        return self._raw[name.encode("latin-1")].decode("latin-1")

    def get(self, name: str, default: Any = None) -> Any:
        """The value of header `name`, or `default`."""
        value = self._raw.get(name.encode("latin-1"))
        return default if value is None else value.decode("latin-1")

    def __iter__(self) -> Iterator[str]:
        return (name.decode("latin-1") for name in self._raw)

    def __len__(self) -> int:
        return len(self._raw)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive, length: str | None, limit: int) -> bytes | None:
    """The request body, or None once it passes `limit` bytes (the rest is not read)."""
    if length is not None and length.isdecimal() and int(length) > limit:
        return None
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        body: bytes = message.get("body", b"")  # the usual case: the whole body in one message
        return body if len(body) <= limit else None
    if message["type"] == "http.disconnect":
        return b""
    chunks: list[bytes] = [message.get("body", b"")]
    size = len(chunks[0])
    if size > limit:
        return None
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _send(send: Send, reply: MockReply, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [
        (b"content-type", reply.content_type.encode()),
        (b"content-length", str(len(reply.body)).encode()),
    ]
    if reply.scenario is not None and reply.scenario != "success":
        # Only when it says something: every header costs the server a validation on the hot path.
        headers.append((b"x-mock-scenario", reply.scenario.encode()))
    if extra:
        headers.extend(extra)
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


async def _send_page(send: Send) -> None:
    # A fresh nonce per response: a script injected into the page could not guess it.
    nonce = secrets.token_urlsafe(16)
    page = MockReply(status=200, body=journal_page(nonce).encode(), content_type="text/html; charset=utf-8")
    extra = [
        (b"cache-control", b"no-store"),
        (b"content-security-policy", _PAGE_POLICY.format(nonce=nonce).encode()),
    ]
    await _send(send, page, extra)


async def _send_json(send: Send, status: int, value: Any, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = encode_json(value)
    await _send(send, MockReply(status=status, body=body, value=value), extra)
