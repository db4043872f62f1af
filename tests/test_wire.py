"""The network target's own HTTP client, against raw replies on real loopback sockets.

What tests/test_targets.py does not reach: gzip bodies, a declared length past the cap, connections the handler
closes between calls (retried like http-client does), `Connection: close`, calls in flight at once sharing the
pool, and headers HTTP/1.1 cannot carry.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slow_servers import raw_requests

from action_contract import ActionRequest
from action_contract._send._targets import HttpTarget

Reply = Callable[[bytes, bytes], bytes]  # (head, body) of the request -> the raw bytes to answer


def _json(status: str, body: bytes, *extra: bytes) -> bytes:
    head = [f"HTTP/1.1 {status}".encode(), b"Content-Type: application/json", f"Content-Length: {len(body)}".encode()]
    return b"\r\n".join([*head, *extra, b"", body])


class _Raw(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = self.server
        with contextlib.suppress(OSError):
            for head, body in raw_requests(self.request):
                server.connections.add(self.client_address[1])  # type: ignore[attr-defined]
                self.request.sendall(server.reply(head, body))  # type: ignore[attr-defined]
                if server.close_after_reply:  # type: ignore[attr-defined]
                    return


@contextlib.contextmanager
def tcp_server(handler: type[socketserver.BaseRequestHandler]) -> Iterator[socketserver.ThreadingTCPServer]:
    """`handler` serving on 127.0.0.1 in threads of its own; `.url` is where it listens, `.connections` a set."""
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    tcp.daemon_threads = True
    tcp.connections = set()  # type: ignore[attr-defined]
    tcp.url = f"http://127.0.0.1:{tcp.server_address[1]}/hook"  # type: ignore[attr-defined]
    thread = threading.Thread(target=tcp.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield tcp
    finally:
        tcp.shutdown()
        tcp.server_close()
        thread.join(5)


@contextlib.contextmanager
def raw(reply: Reply, *, close_after_reply: bool = False) -> Iterator[socketserver.ThreadingTCPServer]:
    """A TCP server answering every request with `reply(head, body)`; `.url` is where it listens."""
    with tcp_server(_Raw) as tcp:
        tcp.reply = reply  # type: ignore[attr-defined]
        tcp.close_after_reply = close_after_reply  # type: ignore[attr-defined]
        yield tcp


def _request(url: str, *, headers: tuple[tuple[str, str], ...] = (), timeout: float = 5.0) -> ActionRequest:
    return ActionRequest(
        action="placeOrder",
        url=url,
        headers=(("Content-Type", "application/json"), *headers),
        payload={"action": {"name": "placeOrder"}, "input": {"qty": 1}},
        timeout=timeout,
    )


def _echo(head: bytes, body: bytes) -> bytes:
    lines = head.decode("utf-8").split("\r\n")
    echoed = {"line": lines[0], "headers": [line.split(": ", 1) for line in lines[1:]], "body": body.decode()}
    return _json("200 OK", json.dumps(echoed).encode())


def test_a_gzip_body_is_decoded_as_http_client_does():
    packed = gzip.compress(b'{"ok": true}')
    with raw(lambda head, body: _json("200 OK", packed, b"Content-Encoding: gzip")) as server, HttpTarget() as http:
        response = http.send(_request(server.url))
    assert response.status == 200 and response.body == b'{"ok": true}'
    assert response.header("content-encoding") == "gzip"


def test_a_gzip_body_past_the_cap_once_inflated_is_too_large():
    packed = gzip.compress(b"[" + b"0," * 600_000 + b"0]")  # 1.2 MB inflated, a few KB on the wire
    gzipped = raw(lambda head, body: _json("200 OK", packed, b"Content-Encoding: gzip"))
    with gzipped as server, HttpTarget(max_body=1024 * 1024) as http:
        failure = http.send(_request(server.url)).failure
    assert failure is not None and failure.kind == "too_large" and "reply of over 1 MB" in failure.detail


def test_a_broken_gzip_body_is_a_decoding_failure():
    broken = raw(lambda head, body: _json("200 OK", b"not gzip at all", b"Content-Encoding: gzip"))
    with broken as server, HttpTarget() as http:
        failure = http.send(_request(server.url)).failure
    assert failure is not None and failure.kind == "reset" and failure.hasura_text.startswith("HTTP zlib error: ")


def test_a_declared_length_past_the_cap_is_refused_before_reading():
    def huge(head: bytes, body: bytes) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Length: 5000000000\r\n\r\n{"

    with raw(huge) as server, HttpTarget(max_body=1024 * 1024) as http:
        started = time.perf_counter()
        failure = http.send(_request(server.url)).failure
        assert time.perf_counter() - started < 1
    assert failure is not None and failure.kind == "too_large"
    assert "reply of 4768.4 MB not read past 1 MB" in failure.detail


def test_what_goes_on_the_wire_besides_the_requests_own_headers():
    headers = (("User-Agent", "hasura-graphql-engine/v2.40.0"), ("X-Name", "Zoë"))
    with raw(_echo) as server, HttpTarget() as http:
        echoed = json.loads(http.send(_request(server.url + "?tenant=a b", headers=headers)).body)
    assert echoed["line"] == "POST /hook?tenant=a%20b HTTP/1.1"
    port = server.server_address[1]
    assert echoed["headers"] == [
        ["Host", f"127.0.0.1:{port}"],
        ["Accept-Encoding", "gzip"],
        ["Content-Type", "application/json"],
        ["User-Agent", "hasura-graphql-engine/v2.40.0"],
        ["X-Name", "Zoë"],  # UTF-8 on the wire, as Hasura sends it
        ["Content-Length", str(len(echoed["body"].encode()))],
    ]


def test_a_host_header_of_the_request_replaces_ours():
    with raw(_echo) as server, HttpTarget() as http:
        echoed = json.loads(http.send(_request(server.url, headers=(("Host", "shop.internal"),))).body)
    assert [value for name, value in echoed["headers"] if name.lower() == "host"] == ["shop.internal"]


def test_a_header_http_cannot_carry_is_a_request_that_cannot_be_sent():
    with raw(_echo) as server, HttpTarget() as http:
        failure = http.send(_request(server.url, headers=(("X-Evil", "a\r\nInjected: yes"),))).failure
        assert failure is not None and failure.kind == "invalid_url"
        assert failure.hasura_text.startswith("Internal error: Invalid header value")
        assert http.send(_request(server.url)).status == 200  # and the target goes on


def test_a_connection_the_handler_closed_between_calls_is_retried_on_a_new_one():
    # The handler closes every connection right after its reply, without saying so (no Connection: close): the
    # next call finds the kept-alive connection dead before any reply, and http-client retries it on a new one.
    with raw(lambda head, body: _json("200 OK", b"{}"), close_after_reply=True) as server, HttpTarget() as http:
        statuses = [http.send(_request(server.url)).status for _ in range(5)]
        assert statuses == [200] * 5
        assert len(server.connections) == 5


def test_connection_close_is_honoured():
    def closing(head: bytes, body: bytes) -> bytes:
        return _json("200 OK", b"{}", b"Connection: close")

    with raw(closing, close_after_reply=True) as server, HttpTarget() as http:
        responses = [http.send(_request(server.url)) for _ in range(3)]
    assert [r.status for r in responses] == [200] * 3 and len(server.connections) == 3


def test_calls_in_flight_at_once_each_get_their_own_connection_and_their_own_reply():
    def slow_echo(head: bytes, body: bytes) -> bytes:
        time.sleep(0.05)
        return _json("200 OK", body)

    with raw(slow_echo) as server, HttpTarget() as http:

        def call(n: int) -> bytes:
            request = ActionRequest(action="a", url=server.url, headers=(), payload={"input": {"n": n}}, timeout=5.0)
            return http.send(request).body

        with ThreadPoolExecutor(8) as pool:
            bodies = list(pool.map(call, range(40)))
        assert [json.loads(body)["input"]["n"] for body in bodies] == list(range(40))
        assert 1 < len(server.connections) <= 8  # kept alive and reused, never more than the calls in flight


def test_a_port_that_is_not_a_number_is_an_invalid_url():
    with HttpTarget() as http:
        failure = http.send(_request("http://127.0.0.1:http/hook")).failure
    assert failure is not None and failure.kind == "invalid_url"
    assert failure.hasura_text == "Invalid url: http://127.0.0.1:http/hook; reason: Invalid URL"


def test_https_to_a_plain_http_port_fails_to_connect_with_the_tls_error():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def answer() -> None:
            with contextlib.suppress(OSError):
                connection, _ = listener.accept()
                with connection:
                    connection.recv(1024)
                    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        with HttpTarget() as http:
            failure = http.send(_request(f"https://127.0.0.1:{port}/hook", timeout=2.0)).failure
    assert failure is not None and failure.kind == "refused"
    assert failure.hasura_text.startswith("Connection failure: ") and "SSL" in failure.hasura_text


@pytest.mark.skipif(not hasattr(socket, "TCP_QUICKACK"), reason="TCP_QUICKACK is Linux's")
def test_a_reply_written_in_two_parts_is_not_held_by_delayed_acknowledgements():
    # Python's http.server writes the headers, then the body: Nagle's algorithm holds the body until the headers
    # are acknowledged, and a client that delays its acknowledgements (40 ms on Linux) waits that long each time.
    # Ten calls take 400 ms at least that way; acknowledged at once, about 3 ms each (the server waits 2 ms).
    class TwoWrites(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with contextlib.suppress(OSError):
                while self.request.recv(65536):
                    self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
                    time.sleep(0.002)  # the headers leave before the body is written (as a handler's work between)
                    self.request.sendall(b"{}")

    with tcp_server(TwoWrites) as server, HttpTarget() as http:
        assert http.send(_request(server.url)).body == b"{}"
        started = time.perf_counter()
        bodies = [http.send(_request(server.url)).body for _ in range(10)]
        took = time.perf_counter() - started
    assert bodies == [b"{}"] * 10
    assert took < 0.35, f"10 calls took {took * 1000:.0f} ms: the replies waited for delayed acknowledgements"


def test_http_goes_through_the_proxy_of_the_environment(monkeypatch: pytest.MonkeyPatch):
    with raw(_echo) as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://bob:s%40cret@127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with HttpTarget() as http:
            echoed = json.loads(http.send(_request("http://handler.example:8080/hook?x=1")).body)
    assert echoed["line"] == "POST http://handler.example:8080/hook?x=1 HTTP/1.1"
    headers = dict(echoed["headers"])
    assert headers["Host"] == "handler.example:8080"
    assert headers["Proxy-Authorization"] == "Basic Ym9iOnNAY3JldA=="  # bob:s@cret


def test_https_tunnels_through_the_proxy_and_a_refusal_is_a_connection_failure(monkeypatch: pytest.MonkeyPatch):
    lines: list[bytes] = []

    def refusing(head: bytes, body: bytes) -> bytes:
        lines.append(head.split(b"\r\n")[0])
        return b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"

    with raw(refusing) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"127.0.0.1:{proxy.server_address[1]}")
        with HttpTarget() as http:
            failure = http.send(_request("https://handler.example/hook")).failure
    assert lines == [b"CONNECT handler.example:443 HTTP/1.0"]
    assert failure is not None and failure.kind == "refused"
    assert failure.hasura_text == "Connection failure: Tunnel connection failed: 407 Proxy Authentication Required"


def test_no_proxy_sends_straight_to_the_handler(monkeypatch: pytest.MonkeyPatch):
    with raw(_echo) as handler:
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        with HttpTarget() as http:
            echoed = json.loads(http.send(_request(handler.url)).body)
    assert echoed["line"] == "POST /hook HTTP/1.1"


def test_credentials_in_the_url_are_sent_as_basic_authorization():
    with raw(_echo) as server, HttpTarget() as http:
        url = server.url.replace("http://", "http://ann:p%3Ass@")
        echoed = json.loads(http.send(_request(url)).body)
        assert dict(echoed["headers"])["Authorization"] == "Basic YW5uOnA6c3M="  # ann:p:ss
        own = (("Authorization", "Bearer t"),)
        echoed = json.loads(http.send(_request(url, headers=own)).body)
        assert [v for k, v in echoed["headers"] if k == "Authorization"] == ["Bearer t"]


def test_a_large_body_after_connection_close_arrives_whole():
    # http.client closes its socket as soon as the headers say "Connection: close"; the body is still to be read.
    body = b"[" + b"1," * 400_000 + b"1]"

    class Closing(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with contextlib.suppress(OSError):
                for _ in raw_requests(self.request):
                    self.request.sendall(
                        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
                    )
                    for start in range(0, len(body), 65536):
                        time.sleep(0.002)
                        self.request.sendall(body[start : start + 65536])
                    return

    with tcp_server(Closing) as server, HttpTarget() as http:
        responses = [http.send(_request(server.url)) for _ in range(2)]
    assert [(r.failure, r.status, len(r.body)) for r in responses] == [(None, 200, len(body))] * 2


def _counting(extra: bytes = b"", head_extra: bytes = b"") -> Reply:
    """Replies `{"call": n}` to the n-th request, with `head_extra` before the reply and `extra` after it."""
    calls = iter(range(1, 1000))
    return lambda head, body: head_extra + _json("200 OK", b'{"call": %d}' % next(calls)) + extra


def test_an_interim_reply_is_skipped_and_every_call_gets_its_own_reply():
    hints = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
    with raw(_counting(head_extra=hints)) as server, HttpTarget() as http:
        replies = [http.send(_request(server.url)) for _ in range(3)]
    assert [(r.status, r.body) for r in replies] == [(200, b'{"call": %d}' % n) for n in (1, 2, 3)]


def test_a_stray_second_reply_never_becomes_the_next_calls_reply():
    # A stray reply comes after the real one, on the idle kept-alive connection: the next call must see the
    # connection readable and take a new one (read with the real reply, it would only be dropped with it).
    stray = _json("200 OK", b'{"stray": true}')
    sent = threading.Semaphore(0)

    class Stray(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with contextlib.suppress(OSError):
                for _ in raw_requests(self.request):
                    seen: set[int] = self.server.connections  # type: ignore[attr-defined]
                    seen.add(self.client_address[1])
                    self.request.sendall(_json("200 OK", b'{"call": %d}' % len(seen)))
                    time.sleep(0.02)  # apart from the reply, so the client has read the reply without it
                    self.request.sendall(stray)
                    sent.release()

    with tcp_server(Stray) as server, HttpTarget() as http:
        replies = []
        for _ in range(3):
            replies.append(http.send(_request(server.url)))
            assert sent.acquire(timeout=5)  # the stray reply is out before the next call
            time.sleep(0.01)
    # Each call its own reply: without the check of idle connections, calls 2 and 3 got the stray reply.
    assert [(r.status, r.body) for r in replies] == [(200, b'{"call": %d}' % n) for n in (1, 2, 3)]


@pytest.mark.parametrize("length", [b"12abc", b"\xb92"], ids=["letters", "superscript-one"])  # "¹2": isdigit, not int
def test_a_bad_content_length_fails_at_once_rather_than_reading_to_the_timeout(length: bytes):
    def bad(head: bytes, body: bytes) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Length: " + length + b"\r\n\r\n{}"

    with raw(bad) as server, HttpTarget() as http:
        response = http.send(_request(server.url, timeout=5.0))
    failure = response.failure
    assert failure is not None and (failure.kind, failure.hasura_text) == (
        "reset",
        "Internal error: bad Content-Length",
    )
    assert response.elapsed < 2


def test_more_header_fields_than_hasura_takes_is_a_failure():
    many = b"".join(b"X-H%d: v\r\n" % n for n in range(101))
    crowded = raw(lambda head, body: b"HTTP/1.1 200 OK\r\n" + many + b"Content-Length: 2\r\n\r\n{}")
    with crowded as server, HttpTarget() as http:
        failure = http.send(_request(server.url)).failure
    assert failure is not None and failure.kind == "reset"
    assert failure.hasura_text == "Internal error: TooManyHeaderFields"


def test_a_host_name_idna_cannot_encode_is_an_invalid_url():
    with HttpTarget() as http:
        failure = http.send(_request(f"http://{'a' * 64}.example/hook")).failure
    assert failure is not None and failure.kind == "invalid_url" and "bad host name" in failure.detail


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_ssl_cert_file_names_a_private_ca_for_https_handlers(tmp_path, monkeypatch: pytest.MonkeyPatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with raw(lambda head, body: _json("200 OK", b"{}")) as server:
        server.socket = context.wrap_socket(server.socket, server_side=True)
        url = f"https://127.0.0.1:{server.server_address[1]}/hook"
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        with HttpTarget() as http:
            refused = http.send(_request(url)).failure
        assert refused is not None and refused.kind == "refused" and "CERTIFICATE_VERIFY_FAILED" in refused.detail
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        with HttpTarget() as http:
            assert http.send(_request(url)).status == 200


# -- fuzz: whatever comes back, a reply or a failure, and the target goes on ---------------------------------------

_REAL_REPLIES = [
    _json("200 OK", b'{"orderId": "o-1", "status": "PLACED"}'),
    _json("400 Bad Request", b'{"message": "out of stock", "extensions": {"code": "stock"}}'),
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
    b'5\r\n{"a":\r\n3\r\n 1}\r\n0\r\n\r\n',
    _json("200 OK", gzip.compress(b'{"ok": true}'), b"Content-Encoding: gzip"),
    b"HTTP/1.0 204 No Content\r\nServer: BaseHTTP/0.6 Python/3.11.7\r\n\r\n",
    b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\nSet-Cookie: a=1\r\n\r\n",
]


@st.composite
def _mutated_replies(draw: st.DrawFn) -> bytes:
    reply = bytearray(draw(st.sampled_from(_REAL_REPLIES)))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(reply)))
        how = draw(st.sampled_from(["flip", "cut", "insert", "drop"]))
        if how == "flip" and where < len(reply):
            reply[where] = draw(st.integers(0, 255))
        elif how == "cut":
            del reply[where:]
        elif how == "insert":
            reply[where:where] = draw(st.sampled_from([b"\r\n", b":", b" ", b"\x00", b"\xff", b"-1", b"99999999999"]))
        elif where < len(reply):
            del reply[where]
    return bytes(reply)


@settings(max_examples=60)
@given(reply=_mutated_replies())
def test_any_reply_is_a_reply_or_a_failure_and_the_target_goes_on(reply: bytes):
    # The server closes each connection after its reply, so a reply shorter than it says ends instead of hanging.
    with raw(lambda head, body: reply, close_after_reply=True) as server, HttpTarget(max_body=64 * 1024) as http:
        response = http.send(_request(server.url, timeout=2.0))
        assert (response.status is None) == (response.failure is not None)
        if response.failure is not None:
            assert response.failure.kind in {"reset", "no_response", "too_large", "timeout"}, response.failure
        else:
            assert 100 <= response.status < 1000 and len(response.body) <= 64 * 1024
        server.reply = lambda head, body: _json("200 OK", b"{}")  # type: ignore[attr-defined]
        assert http.send(_request(server.url)).status == 200
