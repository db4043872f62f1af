"""What every `action-contract` command shares: exit codes, common options, loading, the error exit."""

from __future__ import annotations

import re
import socket
import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from .._catalog._metadata import load_catalog
from .._catalog._model import Catalog
from .._errors import InvalidArgument, MetadataError, Problem

__all__ = [
    "EXIT_BUG",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_VIOLATIONS",
    "_app_kind_option",
    "_app_option",
    "_bind",
    "_env_option",
    "_exit_with",
    "_listening_url",
    "_load",
    "_parse_env",
    "_print_problems",
    "_scalar_option",
    "_url_option",
]

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
#: A bug in action-contract (an exception nobody expected), and a run stopped by Ctrl-C or SIGTERM.
EXIT_BUG, EXIT_INTERRUPTED = 3, 130

#: A name a {{NAME}} template can use: what a shell accepts as an environment variable.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _parse_env(values: Sequence[str]) -> dict[str, str]:
    env = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--env")
        if not _ENV_NAME.fullmatch(name):
            raise click.BadParameter(
                f"expected NAME=VALUE with NAME made of letters, digits and _, got {item!r}", param_hint="--env"
            )
        env[name] = value
    return env


_env_option = click.option(
    "--env",
    "env",
    multiple=True,
    metavar="NAME=VALUE",
    help="Value for a {{NAME}} template (beats the environment and the project's .env). Repeatable.",
)
_url_option = click.option(
    "--url",
    "--base-url",
    "url",
    metavar="URL",
    help="Call handlers at this scheme://host:port, keeping each handler's path; a path in URL goes before it "
    "(http://host:3000/api calls http://host:3000/api/place-order). Default: the metadata's URLs.",
)
_app_option = click.option(
    "--app", "app", metavar="MOD:ATTR", help="Call an ASGI/WSGI app or a function in-process (module or file.py)."
)
_app_kind_option = click.option(
    "--app-kind", type=click.Choice(["asgi", "wsgi", "callable"]), help="What --app is, when it can't tell."
)
_scalar_option = click.option(
    "--scalar",
    "scalars",
    multiple=True,
    metavar="NAME",
    help="A Postgres type of your database to accept without a declaration (e.g. a domain). Repeatable.",
)


def _load(path: str, env: Sequence[str], scalars: Sequence[str]) -> Catalog:
    return load_catalog(path, _parse_env(env), scalars=scalars)


def _exit_with(exc: MetadataError | InvalidArgument) -> NoReturn:
    """Metadata errors: every problem, located, exit 2. Bad arguments: a usage error (also exit 2)."""
    if isinstance(exc, InvalidArgument):
        raise click.UsageError(str(exc)) from None
    click.echo(exc.args[0].splitlines()[0], err=True)
    _print_problems(exc.errors)
    sys.exit(EXIT_ERROR)


def _print_problems(problems: Sequence[Problem], *, err: bool = True) -> None:
    for problem in problems:
        click.echo(problem.render(), err=err)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only for sockets that say they are TCP,
    # and without it a reply written in two parts waits 40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    # Listening before the banner: a client that reads "Listening on" can connect at once, and its
    # connection waits in the backlog until the server loop takes it.
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _listening_url(sock: socket.socket) -> str:
    """`http://host:port` of a bound socket, IPv6 hosts in brackets."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
