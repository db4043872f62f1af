"""Loading an in-process app: finding the user's handler and telling what it is.

`load_app` imports `module:attr`, `path/to/app.py:attr` or `...:factory()`; `app_kind` tells from the
call signature whether it is an ASGI app `(scope, receive, send)`, a WSGI app `(environ, start_response)`
or a plain handler function `(payload, headers)`. Both raise `InvalidArgument` with the fix for every
user mistake. Hosting the app is `_app_host`'s, calling a handler function `_handler_calls`'.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
import sysconfig
import traceback
import zlib
from pathlib import Path
from types import ModuleType
from typing import Literal

from .._errors import InvalidArgument
from .._suggest import did_you_mean

__all__ = ["APP_KINDS", "AppKind", "app_kind", "describe_exception", "load_app"]

#: What an in-process app is: how `AppTarget` or `CallableTarget` has to call it.
AppKind = Literal["asgi", "wsgi", "callable"]
APP_KINDS: tuple[AppKind, ...] = ("asgi", "wsgi", "callable")

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
