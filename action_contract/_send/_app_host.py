"""Hosting an in-process app: one event loop for the run, a worker thread a deadline can abandon, the ASGI lifespan.

These parts know nothing of Hasura; `_in_process` builds the targets on them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any, TypeVar

__all__ = ["GRACE", "LIFESPAN_TIMEOUT", "ASGIApp", "EventLoop", "Lifespan", "Message", "Worker", "bounded"]

Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

LIFESPAN_TIMEOUT = 60.0  # Seconds an ASGI app may take to start up or to shut down.
GRACE = 1.0  # Seconds a cancelled task gets to unwind before it is abandoned.
_T = TypeVar("_T")


class EventLoop:
    """One event loop for the whole run: driven in the caller's thread, or on its own thread when the caller
    already runs a loop (pytest-asyncio, Jupyter), where `run_until_complete` is not allowed."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        """Run `coro` on the loop and wait for its result; callers in several threads share the loop."""
        # One caller at a time drives the loop in its own thread (the fastest way). A second caller arriving
        # meanwhile (concurrent runs) moves the loop to a thread of its own for good, where every caller's
        # coroutine runs concurrently with the others.
        if self._thread is None and not _loop_running() and self._lock.acquire(blocking=False):
            try:
                if self._thread is None:
                    return self._get().run_until_complete(coro)
            finally:
                self._lock.release()
        with self._lock:
            if self._thread is None:
                loop = self._get()
                self._thread = threading.Thread(target=loop.run_forever, name="action-contract-loop", daemon=True)
                self._thread.start()
        return asyncio.run_coroutine_threadsafe(coro, self._get()).result()

    def close(self, cleanup: Coroutine[Any, Any, None] | None = None) -> None:
        """Run `cleanup` on the loop, cancel what is left, and close the loop (and its thread)."""
        if self._loop is None:
            if cleanup is not None:
                cleanup.close()
            return
        loop = self._loop
        self.run(_drain(cleanup))
        if self._thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join()
            self._thread = None
        loop.close()
        self._loop = None

    def _get(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop


async def _drain(cleanup: Coroutine[Any, Any, None] | None) -> None:
    """Run `cleanup`, then cancel what the app left running, so the loop closes without warnings."""
    try:
        if cleanup is not None:
            await cleanup
    finally:
        others = asyncio.all_tasks() - {asyncio.current_task()}
        for task in others:
            task.cancel()
        if others:
            await asyncio.wait(others, timeout=GRACE)
        loop = asyncio.get_running_loop()
        await loop.shutdown_asyncgens()
        await loop.shutdown_default_executor()


async def bounded(awaitable: Awaitable[_T], timeout: float) -> asyncio.Future[_T] | None:
    """The finished task of `awaitable`, or None when it ran out of `timeout` seconds (it is cancelled then)."""
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=max(timeout, 0.0))
    if done:
        return task
    task.cancel()
    await asyncio.wait({task}, timeout=GRACE)
    if task.done() and not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it: the deadline has decided already
    return None


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Worker:
    """Daemon threads for blocking calls, so a call past its deadline can be abandoned; one thread per call in
    flight (idle ones are reused), and a new thread replaces an abandoned one."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._idle: list[queue.SimpleQueue[_Job | None]] = []
        self._lock = threading.Lock()

    def submit(self, function: Callable[[], _T], timeout: float) -> concurrent.futures.Future[_T] | None:
        """The finished future of `function()`, or None when it is still running after `timeout` seconds."""
        with self._lock:
            jobs = self._idle.pop() if self._idle else None
        if jobs is None:
            jobs = queue.SimpleQueue()
            threading.Thread(target=_serve, args=(jobs,), name=self._name, daemon=True).start()
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()
        jobs.put((function, future))
        done, _ = concurrent.futures.wait([future], timeout=max(timeout, 0.0))
        if done:
            with self._lock:
                self._idle.append(jobs)
            return future
        # Daemon, so a call that never ends cannot keep the interpreter from exiting; it ends after its call.
        jobs.put(None)
        return None

    def close(self) -> None:
        """Let the threads end once their current call (if any) returns."""
        with self._lock:
            idle, self._idle = self._idle, []
        for jobs in idle:
            jobs.put(None)


_Job = tuple[Callable[[], Any], concurrent.futures.Future[Any]]


def _serve(jobs: queue.SimpleQueue[_Job | None]) -> None:
    while (job := jobs.get()) is not None:
        function, future = job
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(function())
            except BaseException as error:
                future.set_exception(error)


class Lifespan:
    """The ASGI lifespan protocol: startup before the first request, shutdown on close, when the app speaks it."""

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self._app, self._state = app, state
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._running = False

    async def startup(self) -> str | None:
        """None once the app has started (or has no lifespan), else why its startup failed."""
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self._state}
        self._task = asyncio.ensure_future(self._main(scope))
        reply = await self._ask("lifespan.startup")
        if reply["type"] == "lifespan.startup.complete":
            self._running = True
        elif reply["type"] == "lifespan.startup.failed":
            lines = str(reply.get("message", "")).strip().splitlines()
            return lines[-1] if lines else "no message"
        elif reply["type"] == "_timeout":
            return f"it did not finish within {LIFESPAN_TIMEOUT:g} s"
        # An app that raises or returns at once on a lifespan scope has no lifespan: go on without (ASGI spec).
        return None

    async def shutdown(self) -> None:
        """Ask a started app to shut down (a failed shutdown is not ours to report), then end its task."""
        if self._task is None:
            return
        if self._running and not self._task.done():
            await self._ask("lifespan.shutdown")
        if not self._task.done():
            self._task.cancel()
        await asyncio.wait({self._task}, timeout=GRACE)

    async def _main(self, scope: Message) -> None:
        try:
            await self._app(scope, self._to_app.get, self._from_app.put)
        except Exception as error:
            await self._from_app.put({"type": "_raised", "error": error})
        else:
            await self._from_app.put({"type": "_returned"})

    async def _ask(self, message: str) -> Message:
        await self._to_app.put({"type": message})
        try:
            return await asyncio.wait_for(self._from_app.get(), LIFESPAN_TIMEOUT)
        except asyncio.TimeoutError:
            return {"type": "_timeout"}
