"""In-process apps: finding the user's handler, telling what it is, and hosting it.

`load_app` imports `module:attr`, `path/to/app.py:attr` or `...:factory()`; `app_kind` tells from the
call signature whether it is an ASGI app `(scope, receive, send)`, a WSGI app `(environ, start_response)`
or a plain handler function `(payload, headers)`. Both raise `InvalidArgument` with the fix for every
user mistake. The hosting parts (one event loop for the run, a worker thread that a deadline can
abandon, the ASGI lifespan, the handler-function calling convention) know nothing of Hasura;
`_in_process` builds the targets on them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import importlib.util
import inspect
import json
import os
import queue
import sys
import sysconfig
import threading
import traceback
import zlib
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, MutableMapping
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, TypeVar

from .._errors import InvalidArgument
from .._suggest import did_you_mean

__all__ = ["APP_KINDS", "AppKind", "app_kind", "load_app"]

#: What an in-process app is: how `AppTarget` or `CallableTarget` has to call it.
AppKind = Literal["asgi", "wsgi", "callable"]
APP_KINDS: tuple[AppKind, ...] = ("asgi", "wsgi", "callable")
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

LIFESPAN_TIMEOUT = 60.0  # Seconds an ASGI app may take to start up or to shut down.
GRACE = 1.0  # Seconds a cancelled task gets to unwind before it is abandoned.
_T = TypeVar("_T")
_EXAMPLES = "e.g. myservice.main:app, myservice.main:create_app() or handlers/app.py:app"
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
# Frames in these folders (and <frozen ...>) are not the app's; a crash is placed at the deepest frame outside them.
_NOT_THE_APP = (
    *{sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")},
    str(Path(__file__).parent),
    "<",
)


def load_app(spec: str) -> object:
    """The object `spec` names: `module:attr`, `path/to/file.py:attr`, dotted `attr.sub`, or `...:factory()`."""
    where, colon, attribute = spec.rpartition(":")
    factory = attribute.endswith("()")
    names = attribute.removesuffix("()").split(".")
    if not colon or not where or not all(name.isidentifier() for name in names):
        raise InvalidArgument(f"expected --app MODULE:ATTRIBUTE or FILE.py:ATTRIBUTE ({_EXAMPLES}), found {spec!r}")
    is_file = where.endswith(".py") or "/" in where or os.sep in where
    module = _import_file(where) if is_file else _import_module(where)
    found: object = module
    for depth, name in enumerate(names):
        try:
            found = getattr(found, name)
        except AttributeError:
            owner = ".".join([where, *names[:depth]]) if depth else where
            options = [n for n in dir(found) if not n.startswith("_")]
            raise InvalidArgument(
                f"{owner} has no attribute {name!r}.{did_you_mean(name, options)} Expected --app "
                f"{where}:ATTRIBUTE naming your ASGI/WSGI app or handler function ({_EXAMPLES})"
            ) from None
    if not factory:
        return found
    if not callable(found):
        raise InvalidArgument(f"--app {spec}: {found!r} is not callable, so it cannot be a factory; drop the '()'")
    try:
        return found()
    except Exception as error:
        raise InvalidArgument(f"--app {spec}: calling the factory failed: {describe_exception(error)}") from error


def app_kind(app: object) -> AppKind:
    """What `app` is by its call signature: ASGI `(scope, receive, send)`, WSGI `(environ, start_response)`, or a
    handler function `(payload, headers)`; raises `InvalidArgument` when the signature does not say."""
    if inspect.isclass(app):
        raise _not_an_app(app, "is a class; pass an instance, or a factory as module:create_app()")
    if not callable(app):
        raise _not_an_app(app, "is not callable")
    if hasattr(app, "wsgi_app"):
        # Flask (and friends) keep the WSGI entry point there; their __call__ is (environ, start_response).
        return "wsgi"
    try:
        signature = inspect.signature(app)
    except (TypeError, ValueError):
        raise _not_an_app(app, "has a signature that cannot be read") from None
    positional = [p for p in signature.parameters.values() if p.kind in _POSITIONAL]
    required = [p.name for p in positional if p.default is inspect.Parameter.empty]
    if len(required) == 3:
        return "asgi"
    if len(required) == 2:
        first, second = required
        return "wsgi" if second == "start_response" or first in {"environ", "env"} else "callable"
    raise _not_an_app(app, f"takes {signature}")


def describe_exception(error: BaseException) -> str:
    """`Type: message (at file.py:12 in func)`, placed at the deepest frame of the app's own code."""
    # A task group (anyio, Starlette's middleware) wraps a single failure in an exception group.
    inner = getattr(error, "exceptions", None)
    while isinstance(inner, tuple) and len(inner) == 1 and isinstance(inner[0], BaseException):
        error = inner[0]
        inner = getattr(error, "exceptions", None)
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return text
    frame = ([f for f in frames if not f.filename.startswith(_NOT_THE_APP)] or frames)[-1]
    return f"{text} (at {_short(frame.filename)}:{frame.lineno} in {frame.name})"


def _not_an_app(app: object, why: str) -> InvalidArgument:
    return InvalidArgument(
        f"expected an ASGI app (async def app(scope, receive, send)), a WSGI app (def app(environ, start_response)) "
        f"or a handler function (def handle(payload, headers) -> (status, body)); found {app!r}, which {why}. "
        "Pass --app-kind asgi|wsgi|callable (kind=) when the signature does not tell"
    )


def _import_module(name: str) -> ModuleType:
    if not all(part.isidentifier() for part in name.split(".")):
        raise InvalidArgument(f"expected a module name such as myservice.main before the ':', found {name!r}")
    # Console scripts do not put the working directory on sys.path; uvicorn's --app-dir defaults to it too.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            raise InvalidArgument(
                f"cannot import {name!r}: no module named {error.name!r}. Run from the folder that holds it, set "
                f"PYTHONPATH, or give the file instead: --app path/to/{name.replace('.', '/')}.py:ATTRIBUTE"
            ) from None
        raise InvalidArgument(f"importing {name!r} failed: {describe_exception(error)}") from error
    except SyntaxError as error:
        raise InvalidArgument(_syntax_error(error)) from None
    except (Exception, SystemExit) as error:
        raise InvalidArgument(f"importing {name!r} failed: {describe_exception(error)}") from error


def _import_file(where: str) -> ModuleType:
    path = Path(where).expanduser().resolve()
    if not path.is_file():
        raise InvalidArgument(
            f"--app {where}: no such file ({path}); give the path of the Python file that holds the app"
        )
    # A unique name per file, so two handlers both called app.py do not replace each other in sys.modules.
    name = f"_action_contract_app_{path.stem}_{zlib.crc32(str(path).encode()):08x}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidArgument(f"--app {where}: cannot import {path} as Python; expected a .py file")
    # The file's siblings must be importable by plain `import helpers`, as when it runs as a script.
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        del sys.modules[name]
        raise InvalidArgument(_syntax_error(error)) from None
    except (Exception, SystemExit) as error:
        del sys.modules[name]
        raise InvalidArgument(f"importing {where} failed: {describe_exception(error)}") from error
    return module


def _syntax_error(error: SyntaxError) -> str:
    where = f"{_short(error.filename or '?')}:{error.lineno}"
    return f"{where}: syntax error: {error.msg}; fix the file (python -m py_compile shows the same)"


def _short(filename: str) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        return filename
    return filename if relative.startswith("..") else relative


# -- hosting: one event loop for the run, a worker thread a deadline can abandon, the ASGI lifespan --


class EventLoop:
    """One event loop for the whole run: driven in the caller's thread, or on its own thread when the caller
    already runs a loop (pytest-asyncio, Jupyter), where `run_until_complete` is not allowed."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        """Run `coro` on the loop and wait for its result."""
        if self._thread is None and not _loop_running():
            with self._lock:
                if self._thread is None:
                    return self._get().run_until_complete(coro)
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
    """A daemon thread for blocking calls, so a call past its deadline can be abandoned; a new thread replaces it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._queue: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None] | None = None

    def submit(self, function: Callable[[], _T], timeout: float) -> concurrent.futures.Future[_T] | None:
        """The finished future of `function()`, or None when it is still running after `timeout` seconds."""
        if self._queue is None:
            self._queue = queue.SimpleQueue()
            threading.Thread(target=_serve, args=(self._queue,), name=self._name, daemon=True).start()
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()
        self._queue.put((function, future))
        done, _ = concurrent.futures.wait([future], timeout=max(timeout, 0.0))
        if done:
            return future
        # Daemon, so a call that never ends cannot keep the interpreter from exiting.
        self.close()
        return None

    def close(self) -> None:
        """Let the thread end once its current call (if any) returns."""
        if self._queue is not None:
            self._queue.put(None)
            self._queue = None


def _serve(jobs: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None]) -> None:
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


# -- the handler-function calling convention of `CallableTarget` -------------------------------------


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
