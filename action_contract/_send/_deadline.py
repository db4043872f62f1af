"""A total deadline for one call over the network: connect, status line, headers and body together.

httpx applies its timeouts to each socket operation, so a handler that sends its status line and headers one
byte a second is never cut off (every byte resets the read timeout). Hasura's http-client bounds the whole
response by the action's `timeout` (contract §5), and so does this: the network backend below clamps every
socket operation to the time left before the deadline of the call in flight on the calling thread.

httpx has no public way to pass a network backend to its transport; `bound_calls` sets it on the transport's
connection pool when the pool has the attribute (httpcore 1.x) and leaves the client as it is otherwise, so a
change in httpcore costs only the header-drip bound (tests/test_slow_handlers.py would show it).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

__all__ = ["bound_calls", "call_deadline"]

_local = threading.local()


@contextlib.contextmanager
def call_deadline(at: float) -> Iterator[None]:
    """Calls made on this thread inside the block end by `at` (a `time.perf_counter()` value)."""
    _local.at = at
    try:
        yield
    finally:
        _local.at = None


def _left(timeout: float | None, late: type[Exception]) -> float | None:
    at: float | None = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.perf_counter()
    if left <= 0:
        raise late("the call's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_calls(client: httpx.Client) -> httpx.Client:
    """`client` with its connections bounded by `call_deadline` (its own and its proxies' transports)."""
    transports = [client._transport, *(t for t in client._mounts.values() if t is not None)]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _Backend):
            pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
    return client
