"""Targets: real HTTP over loopback, ASGI/WSGI apps and plain functions in-process, and loading `--app`.

Every way a call can fail must come back as a `TransportFailure` with Hasura's http-client text
(contract §5), and the same target must keep working afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from servers import serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from action_contract import ActionRequest, InvalidArgument
from action_contract._send._app_loader import app_kind, load_app
from action_contract._send._in_process import AppTarget, CallableTarget, app_target
from action_contract._send._targets import HttpTarget, rebase_url

SHORT = 0.3  # the action timeout of tests that must time out; kept small so the file stays fast
HASURA_HEADERS = (("Content-Type", "application/json"), ("User-Agent", "hasura-graphql-engine/v2.40.0"))


def _request(url: str, *, timeout: float = 5.0, payload: dict | None = None, raw: bytes | None = None, headers=()):
    return ActionRequest(
        action="placeOrder",
        url=url,
        headers=HASURA_HEADERS + tuple(headers),
        payload={"action": {"name": "placeOrder"}, "input": {"qty": 1}} if payload is None and raw is None else payload,
        raw_body=raw,
        timeout=timeout,
    )


# -- a raw ASGI handler served by a real uvicorn on loopback -----------------------------------------


async def _start(send, status: int, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers or []})


async def _handler(scope, receive, send) -> None:
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    gone = asyncio.Event()

    async def watch() -> None:  # the client hung up: stop streaming (uvicorn drops sends silently)
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.ensure_future(watch())
    try:
        await _route(scope["path"], scope, body, send, gone)
    finally:
        watcher.cancel()


async def _route(path: str, scope, body: bytes, send, gone: asyncio.Event) -> None:
    json_type = [(b"content-type", b"application/json")]
    if path == "/json":
        await _start(send, 200, json_type)
        await send({"type": "http.response.body", "body": b'{"ok":true}'})
    elif path == "/echo":
        headers = [[k.decode(), v.decode()] for k, v in scope["headers"]]
        reply = {"headers": headers, "body": body.decode(), "path": path, "query": scope["query_string"].decode()}
        await _start(send, 200, json_type)
        await send({"type": "http.response.body", "body": json.dumps(reply).encode()})
    elif path == "/client":
        await _start(send, 200, json_type)
        await send({"type": "http.response.body", "body": json.dumps({"port": scope["client"][1]}).encode()})
    elif path == "/empty":
        await _start(send, 204)
        await send({"type": "http.response.body", "body": b""})
    elif path == "/bad-utf8":
        await _start(send, 200, json_type)
        await send({"type": "http.response.body", "body": b'\xff\xfe{"a":1}'})
    elif path == "/redirect":
        await _start(send, 302, [(b"location", b"/json")])
        await send({"type": "http.response.body", "body": b""})
    elif path == "/cookies":
        cookies = [(b"set-cookie", b"a=1; Path=/"), (b"X-Trace", b"t1"), (b"set-cookie", b"b=2; HttpOnly")]
        await _start(send, 200, [*json_type, *cookies])
        await send({"type": "http.response.body", "body": b"{}"})
    elif path == "/big":  # 50 MB, streamed
        await _start(send, 200, json_type)
        chunk = b"x" * 65536
        for _ in range(50 * 16):
            if gone.is_set():
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/endless":  # headers at once, then a trickle that never ends
        await _start(send, 200, json_type)
        await send({"type": "http.response.body", "body": b"[", "more_body": True})
        while not gone.is_set():
            await send({"type": "http.response.body", "body": b"1,", "more_body": True})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(gone.wait(), 0.02)
    elif path == "/stall":  # headers late, a first chunk, then silence: the body may only use what time is left
        await asyncio.sleep(0.2)
        await _start(send, 200, json_type)
        await send({"type": "http.response.body", "body": b"[", "more_body": True})
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(gone.wait(), 5)
    elif path == "/slow":  # no headers before the deadline
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(gone.wait(), 5)
    else:
        await _start(send, 404)
        await send({"type": "http.response.body", "body": b"not found"})


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """http://127.0.0.1:PORT of a real uvicorn serving `_handler` (as httpx's own tests do)."""
    config = uvicorn.Config(
        _handler, host="127.0.0.1", port=0, log_level="critical", lifespan="off", ws="none", timeout_graceful_shutdown=2
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.005)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def http() -> Iterator[HttpTarget]:
    with HttpTarget() as target:
        yield target


def _still_works(target, url: str) -> None:
    response = target.send(_request(url))
    assert response.ok and response.status == 200 and response.body == b'{"ok":true}', response


# -- HttpTarget ----------------------------------------------------------------------------------------


def test_json_reply_and_what_goes_on_the_wire(http, server):
    response = http.send(_request(server + "/echo?tenant=a"))
    assert response.ok and response.status == 200 and response.failure is None
    assert response.header("Content-Type") == "application/json"
    echoed = json.loads(response.body)
    assert json.loads(echoed["body"]) == {"action": {"name": "placeOrder"}, "input": {"qty": 1}}
    assert echoed["query"] == "tenant=a"
    names = [name for name, _ in echoed["headers"]]
    # Only what http-client adds (Host, Content-Length, Accept-Encoding: gzip) besides Hasura's own headers.
    assert sorted(names) == ["accept-encoding", "content-length", "content-type", "host", "user-agent"]
    assert dict(echoed["headers"])["user-agent"] == "hasura-graphql-engine/v2.40.0"
    assert dict(echoed["headers"])["accept-encoding"] == "gzip"
    assert 0 < response.elapsed < 5


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/empty", 204, b""),
        ("/bad-utf8", 200, b'\xff\xfe{"a":1}'),  # not a transport failure: the judge decides
        ("/redirect", 302, b""),  # not followed; Hasura sees the 3xx
        ("/nowhere", 404, b"not found"),
    ],
    ids=["204-empty", "invalid-utf8", "302-not-followed", "404"],
)
def test_replies_come_back_as_they_are(http, server, path, status, body):
    response = http.send(_request(server + path))
    assert (response.ok, response.status, response.body) == (True, status, body)
    if status == 302:
        assert response.header("location") == "/json"


def test_response_headers_keep_order_case_and_repeats(http, server):
    response = http.send(_request(server + "/cookies"))
    assert [h for h in response.headers if h[0].lower() in {"set-cookie", "x-trace"}] == [
        ("set-cookie", "a=1; Path=/"),
        ("X-Trace", "t1"),  # the case the server sent
        ("set-cookie", "b=2; HttpOnly"),
    ]
    echoed = dict(json.loads(http.send(_request(server + "/echo")).body)["headers"])
    assert "cookie" not in echoed  # Hasura keeps no cookie jar between calls


def test_keep_alive_one_connection_for_many_requests(http, server):
    ports = {json.loads(http.send(_request(server + "/client")).body)["port"] for _ in range(4)}
    assert len(ports) == 1


def test_base_url_replaces_scheme_host_and_port(server):
    with HttpTarget(base_url=server) as target:
        response = target.send(_request("https://prod.example.com/echo?x=1"))
    assert response.ok and json.loads(response.body)["query"] == "x=1"


@pytest.mark.parametrize("max_body", [1024 * 1024, 10 * 1024 * 1024], ids=["1MB-cap", "10MB-cap"])
def test_a_huge_body_is_cut_off(server, max_body):
    with HttpTarget(max_body=max_body) as target:
        start = time.perf_counter()
        response = target.send(_request(server + "/big"))
        assert time.perf_counter() - start < 3
        failure = response.failure
        assert failure is not None and failure.kind == "too_large" and failure.hasura_text == ""
        cap = f"{max_body // (1024 * 1024)} MB"
        assert f"reply of over {cap} not read past {cap}" in failure.detail and "max_body=" in failure.detail
        assert response.status is None and not response.ok
        _still_works(target, server + "/json")


def test_the_default_cap_reads_a_50_mb_reply(server):
    with HttpTarget() as target:
        response = target.send(_request(server + "/big"))
    assert response.status == 200 and len(response.body) == 50 * 16 * 65536


@pytest.mark.parametrize("path", ["/endless", "/stall", "/slow"], ids=["endless-trickle", "body-stalls", "no-headers"])
def test_the_action_timeout_is_the_deadline(http, server, path):
    response = http.send(_request(server + path, timeout=SHORT))
    failure = response.failure
    assert failure is not None and (failure.kind, failure.hasura_text) == ("timeout", "Response timeout")
    assert "timeout of 0.3 s" in failure.detail
    assert SHORT <= response.elapsed < SHORT + 0.15
    _still_works(http, server + "/json")


def test_connection_refused(http, server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    failure = http.send(_request(f"http://127.0.0.1:{port}/hook")).failure
    assert failure is not None and failure.kind == "refused"
    assert failure.hasura_text.startswith("Connection failure: ") and "Connection refused" in failure.hasura_text
    assert f"127.0.0.1:{port}" in failure.detail
    _still_works(http, server + "/json")


def test_dns_failure(http, server):
    failure = http.send(_request("http://handler.invalid/hook")).failure
    assert failure is not None and failure.kind == "dns"
    assert failure.hasura_text.startswith(
        'Connection failure: Network.Socket.getAddrInfo (called with host name: Just "handler.invalid"'
    )
    _still_works(http, server + "/json")


def test_connect_timeout(server):
    # A listening socket whose accept queue is full drops new SYNs, so connect() waits.
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        for _ in range(3):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(listener.getsockname())
        with HttpTarget() as target:
            response = target.send(_request(f"http://127.0.0.1:{listener.getsockname()[1]}/", timeout=SHORT))
            failure = response.failure
            assert failure is not None and (failure.kind, failure.hasura_text) == (
                "connect_timeout",
                "Connection timeout",
            )
            assert response.elapsed < SHORT + 0.25
            _still_works(target, server + "/json")


@pytest.mark.parametrize(
    ("url", "hasura_text"),
    [
        ("http://[::1/hook", "Invalid url: http://[::1/hook; reason: Invalid URL"),
        ("ftp://example.com/hook", "Invalid url: ftp://example.com/hook; reason: Invalid scheme"),
        ("example.com/hook", "Invalid url: example.com/hook; reason: Invalid URL"),
    ],
    ids=["bad-host", "ftp", "no-scheme"],
)
def test_invalid_url(http, server, url, hasura_text):
    failure = http.send(_request(url)).failure
    assert failure is not None and (failure.kind, failure.hasura_text) == ("invalid_url", hasura_text)
    _still_works(http, server + "/json")


# -- raw TCP servers that misbehave ------------------------------------------------------------------------


class _Misbehaving(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:  # read the whole request first, so closing sends FIN, not RST
            data += self.request.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
        while len(body) < length:
            body += self.request.recv(65536)
        behaviour = self.server.behaviour  # type: ignore[attr-defined]
        if behaviour == "short-body":
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        elif behaviour == "short-chunked":
            self.request.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        elif behaviour == "garbage":
            self.request.sendall(b"garbage\r\n\r\n")
        elif behaviour == "reset":
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            time.sleep(0.02)
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.close()  # linger 0: the peer gets RST


@pytest.fixture(scope="module")
def misbehaving() -> Iterator[dict[str, str]]:
    servers = {}
    threads = []
    for behaviour in ("close", "short-body", "short-chunked", "garbage", "reset"):
        tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Misbehaving)
        tcp.daemon_threads = True
        tcp.behaviour = behaviour  # type: ignore[attr-defined]
        threads.append(threading.Thread(target=tcp.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True))
        threads[-1].start()
        servers[behaviour] = tcp
    yield {name: f"http://127.0.0.1:{tcp.server_address[1]}/hook" for name, tcp in servers.items()}
    for tcp in servers.values():
        tcp.shutdown()
        tcp.server_close()
    for thread in threads:
        thread.join(5)


@pytest.mark.parametrize(
    ("behaviour", "kind", "hasura_text"),
    [
        ("close", "no_response", "No response data received"),
        ("short-body", "reset", "Response body too short. expected: 100, actual: 10"),
        ("short-chunked", "reset", "Invalid chunk headers"),
        ("garbage", "reset", "Invalid HTTP status line: b'garbage'"),
        ("reset", "reset", "Internal error: Network.Socket.recvBuf: resource vanished (Connection reset by peer)"),
    ],
)
def test_broken_replies(http, server, misbehaving, behaviour, kind, hasura_text):
    response = http.send(_request(misbehaving[behaviour]))
    failure = response.failure
    assert failure is not None and (failure.kind, failure.hasura_text) == (kind, hasura_text), failure
    assert response.status is None
    _still_works(http, server + "/json")


# -- AppTarget: ASGI ---------------------------------------------------------------------------------------


def _starlette(events: list[str]) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        events.append("startup")
        app.state.greeting = "hello"
        yield {"db": "connected"}
        events.append("shutdown")

    async def hook(request: Request) -> JSONResponse:
        payload = await request.json()
        return JSONResponse(
            {"db": request.state.db, "greeting": request.app.state.greeting, "qty": payload["input"]["qty"]},
            headers={"X-Handler": "starlette"},
        )

    async def boom(request: Request) -> JSONResponse:
        raise ValueError("kaput")

    def sync_hook(request: Request) -> PlainTextResponse:  # runs in a worker thread
        return PlainTextResponse("plain")

    routes = [Route("/hook", hook, methods=["POST"]), Route("/boom", boom, methods=["POST"])]
    return Starlette(routes=[*routes, Route("/sync", sync_hook, methods=["POST"])], lifespan=lifespan)


def test_starlette_app_with_lifespan_state():
    events: list[str] = []
    with AppTarget(_starlette(events)) as target:
        assert events == ["startup"]  # entering the target runs the startup
        response = target.send(_request("https://api.example.com/hook"))
        assert response.ok and response.status == 200
        assert json.loads(response.body) == {"db": "connected", "greeting": "hello", "qty": 1}
        assert response.header("x-handler") == "starlette"
        assert target.send(_request("https://api.example.com/sync")).body == b"plain"
    assert events == ["startup", "shutdown"]


def test_an_app_that_raises_answers_500_and_the_next_call_works():
    with AppTarget(_starlette([])) as target:
        response = target.send(_request("http://handler.test/boom"))
        # Starlette answers 500 and re-raises; the reply stands (as under uvicorn) and names the exception.
        assert response.failure is None and response.status == 500
        assert (response.crash or "").startswith(
            "the app raised ValueError: kaput (at "
        ) and "test_targets.py:" in response.crash
        assert "in boom" in response.crash
        assert target.send(_request("http://handler.test/hook")).status == 200


async def _raw_asgi(scope, receive, send) -> None:
    assert scope["type"] == "http"  # no lifespan support: raises on the lifespan scope
    if scope["path"] == "/hook":
        await receive()
        await _start(send, 200, [(b"content-type", b"application/json")])
        await send({"type": "http.response.body", "body": b'{"raw":true}'})
    elif scope["path"] == "/big":
        await _start(send, 200)
        while True:
            await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})
    elif scope["path"] == "/endless":
        await _start(send, 200)
        while True:
            await send({"type": "http.response.body", "body": b"1", "more_body": True})
            await asyncio.sleep(0.01)
    elif scope["path"] == "/blocking":
        time.sleep(SHORT + 0.05)  # sync sleep in async code: blocks the loop, so only measured afterwards
        await _start(send, 200)
        await send({"type": "http.response.body", "body": b"late"})
    elif scope["path"] == "/silent":
        return  # returns without a response


def test_raw_asgi_app_without_lifespan():
    with AppTarget(_raw_asgi, kind="asgi") as target:
        response = target.send(_request("http://handler.test/hook"))
        assert (response.status, response.body) == (200, b'{"raw":true}')


@pytest.mark.parametrize(
    ("path", "kind", "detail"),
    [
        ("/big", "too_large", "not read past 1 MB"),
        ("/endless", "timeout", "timeout of 0.3 s"),
        ("/blocking", "timeout", "timeout of 0.3 s"),
    ],
)
def test_asgi_failures(path, kind, detail):
    with AppTarget(_raw_asgi, max_body=1024 * 1024) as target:
        response = target.send(_request("http://handler.test" + path, timeout=SHORT))
        assert response.failure is not None and response.failure.kind == kind and detail in response.failure.detail
        assert response.elapsed < SHORT + 0.5
        assert target.send(_request("http://handler.test/hook")).status == 200


def test_asgi_startup_failure_fails_every_call():
    @contextlib.asynccontextmanager
    async def lifespan(app):
        raise RuntimeError("no database")
        yield

    with AppTarget(Starlette(lifespan=lifespan)) as target:
        failure = target.send(_request("http://handler.test/hook")).failure
        assert failure is not None and failure.kind == "crashed"
        assert failure.detail == "the app's lifespan startup failed: RuntimeError: no database"


def test_one_event_loop_also_when_the_caller_runs_one():
    events: list[str] = []
    target = AppTarget(_starlette(events))
    first = target.send(_request("http://handler.test/hook"))  # no running loop: driven in this thread

    async def inside_a_running_loop():
        return target.send(_request("http://handler.test/hook")), target.send(_request("http://handler.test/boom"))

    second, crashed = asyncio.run(inside_a_running_loop())
    third = target.send(_request("http://handler.test/hook"))
    target.close()
    assert [first.status, second.status, third.status] == [200, 200, 200]
    assert crashed.status == 500 and crashed.crash is not None
    assert events == ["startup", "shutdown"]  # one loop, one lifespan


def test_running_loop_from_the_first_call():
    async def main():
        with AppTarget(_raw_asgi) as target:
            return target.send(_request("http://handler.test/hook"))

    assert asyncio.run(main()).status == 200


# -- AppTarget: WSGI ---------------------------------------------------------------------------------------


def _wsgi(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise KeyError("missing")
    if path == "/big":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (b"y" * 65536 for _ in range(1000))
    body = json.dumps({"input": json.loads(environ["wsgi.input"].read())["input"], "ua": environ["HTTP_USER_AGENT"]})
    start_response("201 Created", [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    return [body.encode()]


def test_wsgi_app():
    with AppTarget(_wsgi) as target:
        assert target.kind == "wsgi"
        response = target.send(_request("https://api.example.com/hook"))
        assert response.status == 201
        assert json.loads(response.body) == {"input": {"qty": 1}, "ua": "hasura-graphql-engine/v2.40.0"}
        assert [v for n, v in response.headers if n.lower() == "set-cookie"] == ["a=1", "b=2"]


def test_wsgi_crash_and_cap():
    with AppTarget(_wsgi, max_body=1024 * 1024) as target:
        crashed = target.send(_request("http://handler.test/boom"))
        # A WSGI server (gunicorn, wsgiref) answers an exception with a 500; the finding names the exception.
        assert (
            crashed.status == 500
            and crashed.crash is not None
            and crashed.crash.startswith("the app raised KeyError: 'missing' (at ")
        )
        too_large = target.send(_request("http://handler.test/big")).failure
        assert too_large is not None and too_large.kind == "too_large"
        assert target.send(_request("http://handler.test/hook")).status == 201


def test_a_hanging_wsgi_app_is_abandoned_at_the_deadline():
    release = threading.Event()

    def hanging(environ, start_response):
        if environ["PATH_INFO"] == "/hang":
            release.wait(5)
        start_response("200 OK", [])
        return [b"{}"]

    try:
        with AppTarget(hanging, kind="wsgi") as target:
            response = target.send(_request("http://handler.test/hang", timeout=SHORT))
            failure = response.failure
            assert failure is not None and (failure.kind, failure.hasura_text) == ("timeout", "Response timeout")
            assert "keeps running" in failure.detail and response.elapsed < SHORT + 0.2
            assert target.send(_request("http://handler.test/ok")).status == 200  # a fresh worker thread
    finally:
        release.set()


# -- CallableTarget ----------------------------------------------------------------------------------------


def _handle(payload, headers):
    kind = payload["input"]["kind"] if isinstance(payload, dict) else "raw"
    replies = {
        "dict": (200, {"id": 1, "name": "Ada é"}),
        "list": (200, [1, 2]),
        "str": (200, '{"id": 2}'),
        "bytes": (400, b'{"message":"no"}'),
        "triple": (201, {"ok": True}, {"X-Req": headers.get("x-request-id"), "content-type": "application/vnd+json"}),
        "pairs": (200, b"{}", [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]),
        "raw": (200, {"got": payload}),
    }
    if kind == "raise":
        raise ZeroDivisionError("division by zero")
    if kind == "bad":
        return {"id": 1}
    if kind == "unjsonable":
        return 200, {1, 2}
    return replies[kind]


@pytest.mark.parametrize(
    ("kind", "status", "body", "headers"),
    [
        ("dict", 200, '{"id":1,"name":"Ada é"}'.encode(), (("Content-Type", "application/json"),)),
        ("list", 200, b"[1,2]", (("Content-Type", "application/json"),)),
        ("str", 200, b'{"id": 2}', ()),
        ("bytes", 400, b'{"message":"no"}', ()),
        ("triple", 201, b'{"ok":true}', (("X-Req", "r-1"), ("content-type", "application/vnd+json"))),
        ("pairs", 200, b"{}", (("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"))),
    ],
)
def test_callable_replies(kind, status, body, headers):
    with CallableTarget(_handle) as target:
        response = target.send(
            _request("http://h/x", payload={"input": {"kind": kind}}, headers=[("X-Request-Id", "r-1")])
        )
    assert (response.status, response.body, response.headers) == (status, body, headers)


def test_callable_gets_raw_text_when_the_body_is_not_json():
    with CallableTarget(_handle) as target:
        response = target.send(_request("http://h/x", raw=b"{not json"))
    assert json.loads(response.body) == {"got": "{not json"}


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("bad", "expected the handler to return (status, body) or (status, body, headers), found {'id': 1}"),
        ("unjsonable", "cannot be sent as JSON"),
    ],
)
def test_callable_crashes(kind, detail):
    with CallableTarget(_handle) as target:
        failure = target.send(_request("http://h/x", payload={"input": {"kind": kind}})).failure
        assert failure is not None and failure.kind == "crashed" and detail in failure.detail
        assert failure.hasura_text == "No response data received"
        assert target.send(_request("http://h/x", payload={"input": {"kind": "dict"}})).status == 200


def test_async_callable_and_its_deadline():
    async def handle(payload, headers):
        if payload["input"].get("slow"):
            await asyncio.sleep(5)
        if payload["input"].get("raise"):
            raise LookupError("nope")
        return 200, {"async": True}

    with CallableTarget(handle) as target:
        assert target.send(_request("http://h/x")).body == b'{"async":true}'
        slow = target.send(_request("http://h/x", payload={"input": {"slow": 1}}, timeout=SHORT))
        assert slow.failure is not None and slow.failure.kind == "timeout" and slow.elapsed < SHORT + 0.2
        failed = target.send(_request("http://h/x", payload={"input": {"raise": 1}}))
        assert failed.status == 500 and (failed.crash or "").startswith(
            "the app raised LookupError: nope (at tests/test_targets.py:"
        )
        assert asyncio.run(_in_loop(target)).body == b'{"async":true}'  # from inside a running loop


async def _in_loop(target):
    return target.send(_request("http://h/x"))


def test_sync_callable_that_hangs_is_abandoned():
    release = threading.Event()

    def handle(payload, headers):
        if payload["input"].get("hang"):
            release.wait(5)
        return 200, {}

    try:
        with CallableTarget(handle) as target:
            hung = target.send(_request("http://h/x", payload={"input": {"hang": 1}}, timeout=SHORT))
            assert (
                hung.failure is not None and hung.failure.kind == "timeout" and "keeps running" in hung.failure.detail
            )
            assert target.send(_request("http://h/x", payload={"input": {}})).status == 200
    finally:
        release.set()


# -- load_app, app_kind, app_target ----------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder on sys.path to write handler modules into; sys.path and sys.modules are restored afterwards."""
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


APP_SOURCE = """
async def app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})

def create_app():
    return app

class Holder:
    app = app

def broken_factory():
    raise RuntimeError("no config")
"""


def test_load_app_from_a_module(project):
    (project / "shop_hooks.py").write_text(APP_SOURCE)
    module_app = load_app("shop_hooks:app")
    assert module_app.__name__ == "app"
    assert load_app("shop_hooks:create_app()") is module_app
    assert load_app("shop_hooks:Holder.app") is module_app


def test_load_app_from_a_file_with_a_sibling_import(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "hook_helpers.py").write_text("GREETING = 'hi'\n")
    # A dataclass needs its module in sys.modules while the file runs: the loader must register it first.
    (tmp_path / "main.py").write_text(
        "from dataclasses import dataclass\nfrom hook_helpers import GREETING\n\n@dataclass\nclass Reply:\n"
        "    text: str\n\ndef handle(payload, headers):\n    return 200, Reply(GREETING).text\n"
    )
    try:
        handle = load_app(f"{tmp_path}/main.py:handle")
        assert handle({}, {}) == (200, "hi")
        with app_target(f"{tmp_path}/main.py:handle") as target:
            assert isinstance(target, CallableTarget) and target.send(_request("http://h/x")).body == b"hi"
    finally:
        for name in [n for n in sys.modules if n == "hook_helpers" or n.startswith("_action_contract_app_main_")]:
            del sys.modules[name]


@pytest.mark.parametrize(
    ("files", "spec", "message"),
    [
        ({}, "shop_hooks", "expected --app MODULE:ATTRIBUTE or FILE.py:ATTRIBUTE"),
        ({}, "shop_hooks:", "expected --app MODULE:ATTRIBUTE"),
        ({}, "no_such_module_xyz:app", "cannot import 'no_such_module_xyz': no module named 'no_such_module_xyz'"),
        ({"needs_dep.py": "import missing_dep_xyz\n"}, "needs_dep:app",
         "importing 'needs_dep' failed: ModuleNotFoundError: No module named 'missing_dep_xyz' (at needs_dep.py:1"),
        ({"shop_hooks.py": APP_SOURCE}, "shop_hooks:ap", 'shop_hooks has no attribute \'ap\'. Did you mean "app"?'),
        ({"shop_hooks.py": APP_SOURCE}, "shop_hooks:Holder.ap", "shop_hooks.Holder has no attribute 'ap'"),
        ({"shop_hooks.py": APP_SOURCE}, "shop_hooks:broken_factory()",
         "--app shop_hooks:broken_factory(): calling the factory failed: RuntimeError: no config (at shop_hooks.py:"),
        ({"shop_hooks.py": "app = 1\n"}, "shop_hooks:app()", "1 is not callable, so it cannot be a factory"),
        ({}, "missing/app.py:app", "--app missing/app.py: no such file"),
        ({"broken.py": "x = 1\n\ndef app(:\n"}, "broken.py:app", "broken.py:3: syntax error: "),
        ({"raises.py": "x = 1\nraise RuntimeError('boom')\n"}, "raises.py:app",
         "importing raises.py failed: RuntimeError: boom (at raises.py:2 in <module>)"),
    ],
    ids=["no-colon", "no-attribute", "no-module", "missing-dependency", "did-you-mean", "dotted", "factory-raises",
         "not-a-factory", "no-file", "syntax-error", "raises-on-import"],
)  # fmt: skip
def test_load_app_errors(project, monkeypatch, files, spec, message):
    monkeypatch.chdir(project)
    for name, text in files.items():
        (project / name).write_text(text)
    with pytest.raises(InvalidArgument) as raised:
        load_app(spec)
    assert message in str(raised.value)


class _FlaskLike:
    def wsgi_app(self, environ, start_response):
        return []

    def __call__(self, environ, start_response):
        return self.wsgi_app(environ, start_response)


class _AsgiObject:
    async def __call__(self, scope, receive, send):
        pass


@pytest.mark.parametrize(
    ("app", "kind"),
    [
        (_raw_asgi, "asgi"),
        (_AsgiObject(), "asgi"),
        (_starlette([]), "asgi"),
        (_wsgi, "wsgi"),
        (_FlaskLike(), "wsgi"),
        (lambda env, start_response: [], "wsgi"),
        (_handle, "callable"),
        (lambda payload, headers, extra=None: (200, {}), "callable"),
    ],
    ids=["asgi-function", "asgi-object", "starlette", "wsgi-function", "flask-like", "wsgi-lambda", "callable",
         "callable-with-default"],
)  # fmt: skip
def test_app_kind(app, kind):
    assert app_kind(app) == kind


@pytest.mark.parametrize(
    ("app", "why"),
    [(lambda: None, "which takes ()"), (42, "which is not callable"), (_AsgiObject, "which is a class")],
    ids=["no-parameters", "not-callable", "a-class"],
)
def test_app_kind_unknown(app, why):
    with pytest.raises(InvalidArgument) as raised:
        app_kind(app)
    message = str(raised.value)
    assert why in message and "expected an ASGI app" in message and "--app-kind" in message


def test_app_target_picks_the_target_and_honours_kind():
    with app_target(_raw_asgi) as asgi, app_target(_wsgi) as wsgi, app_target(_handle) as handler:
        assert (type(asgi), type(wsgi), type(handler)) == (AppTarget, AppTarget, CallableTarget)
        assert (asgi.kind, wsgi.kind) == ("asgi", "wsgi")
    with app_target(lambda *args: (200, b"{}"), kind="callable") as forced:
        assert forced.send(_request("http://h/x")).status == 200
    with pytest.raises(InvalidArgument, match="expected kind 'asgi', 'wsgi' or 'callable', found 'rest'"):
        app_target(_handle, kind="rest")
    with pytest.raises(InvalidArgument, match="use CallableTarget"):
        AppTarget(_handle)


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://prod.example.com/v1/hook?x=1", "http://127.0.0.1:3000", "http://127.0.0.1:3000/v1/hook?x=1"),
        ("https://prod.example.com/hook", "http://localhost:3000/prefix/", "http://localhost:3000/prefix/hook"),
        ("https://prod.example.com", "http://handler.test", "http://handler.test/"),
    ],
)
def test_rebase_url(url, base, expected):
    assert rebase_url(url, base) == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": "localhost:3000"}, "expected an absolute base URL such as http://localhost:3000"),
        ({"max_body": 0}, "expected max_body as a positive number of bytes, found 0"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(InvalidArgument, match=message):
        HttpTarget(**options)


def test_an_app_that_raises_answers_500_in_process_as_under_uvicorn():
    def crash(request):
        raise AttributeError("'NoneType' object has no attribute 'id'")

    app = Starlette(routes=[Route("/hook", crash, methods=["POST"])])
    with serving(app) as url, HttpTarget() as http:
        served = http.send(_request(url + "/hook"))
    with AppTarget(app) as target, AppTarget(_raw_asgi, kind="asgi") as raw:
        in_process = target.send(_request("http://handler.test/hook"))
        silent = raw.send(_request("http://handler.test/silent"))
    assert (served.status, served.body) == (500, b"Internal Server Error"), served
    assert (in_process.status, in_process.body) == (500, b"Internal Server Error")
    assert served.crash is None, served
    assert (in_process.crash or "").startswith(
        "the app raised AttributeError: 'NoneType' object has no attribute 'id' (at tests/"
    )
    assert silent.status == 500 and silent.crash == "the app returned without sending a response"
    with CallableTarget(_handle) as target:
        raised = target.send(_request("http://h/x", payload={"input": {"kind": "raise"}}))
    assert raised.status == 500 and (raised.crash or "").startswith(
        "the app raised ZeroDivisionError: division by zero (at tests/"
    )
