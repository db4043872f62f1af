"""`action-contract mock`: serve the mock handler with uvicorn, optionally rebuilding it when files change."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import uvicorn
import watchfiles

from .._errors import InvalidArgument, MetadataError
from .._mock._examples import BUILTIN_SCENARIOS, Latency
from .._mock._handler import MockHandler, Receive, Scope, Send
from .._mock._replies import DEFAULT_CACHE_SIZE, DEFAULT_MAX_BODY
from ._common import EXIT_ERROR, _bind, _env_option, _exit_with, _listening_url, _load, _parse_env, _scalar_option

__all__ = ["mock"]

# watchfiles groups the events of one save: yield once nothing changed for this long (ms).
_WATCH_STEP = 30
_WATCH_DEBOUNCE = 300


@dataclass(frozen=True, slots=True, kw_only=True)
class _Options:
    path: str
    env: tuple[str, ...]
    scalars: tuple[str, ...]
    seed: int
    examples: str | None
    latency: Latency | None
    error_rate: float
    scenario: str | None
    require_secret: bool
    cors: bool | tuple[str, ...]
    journal_size: int
    max_body: int
    cache_size: int

    def build(self, *, generation: int = 1, previous: MockHandler | None = None) -> MockHandler:
        catalog = _load(self.path, self.env, self.scalars)
        return MockHandler(
            catalog,
            seed=self.seed,
            examples=self.examples,
            latency=self.latency,
            error_rate=self.error_rate,
            scenario=self.scenario,
            require_secret=self.require_secret,
            env=_parse_env(self.env),
            max_body=self.max_body,
            journal_size=self.journal_size,
            cache_size=self.cache_size,
            cors=self.cors,
            journal=previous.journal if previous is not None else None,
            generation=generation,
        )


class _Reloadable:
    """The ASGI app uvicorn serves: delegates to the current mock, which a reload replaces."""

    def __init__(self, current: MockHandler, on_call: Callable[[dict[str, Any]], None] | None) -> None:
        self.on_call = on_call
        self.current = current
        current.on_call = on_call

    def replace(self, new: MockHandler) -> None:
        new.on_call = self.on_call
        self.current = new

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.current(scope, receive, send)


def _latency(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Latency | None:
    try:
        return None if value is None else Latency.parse(value)
    except InvalidArgument as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.argument("path", type=click.Path())
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (0.0.0.0 for all).")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--seed", default=0, show_default=True, type=int, help="Another seed, another data set.")
@click.option(
    "--examples", "examples", type=click.Path(dir_okay=False), help="YAML or JSON file of fixed and named replies."
)
@click.option("--latency", callback=_latency, metavar="MS|LOW-HIGH", help="Delay every reply: 120 or 50-200 (ms).")
@click.option(
    "--error-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    metavar="P",
    help="Share of calls answered with the `error` scenario (0.1 = one in ten).",
)
@click.option("--scenario", metavar="NAME", help="Scenario for calls that choose none (default: success).")
@click.option("--require-secret", is_flag=True, help="Answer 401 without the secret headers the metadata configures.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN", help="Allow this origin ('*': any).")
@click.option("--no-cors", is_flag=True, help="No CORS headers (default: allow localhost origins).")
@click.option("--journal-size", default=100, show_default=True, type=click.IntRange(min=1), help="Calls kept.")
@click.option(
    "--max-body", default=DEFAULT_MAX_BODY, show_default=True, type=click.IntRange(min=1), help="Bytes; more is 413."
)
@click.option(
    "--cache-size",
    default=DEFAULT_CACHE_SIZE,
    show_default=True,
    type=click.IntRange(min=0),
    help="Generated replies kept for repeated calls (0: generate every time).",
)
@click.option("--reload", is_flag=True, help="Rebuild when the metadata or the examples file changes.")
@click.option("-q", "--quiet", is_flag=True, help="No line per call.")
@_env_option
@_scalar_option
def mock(
    path: str,
    host: str,
    port: int,
    seed: int,
    examples: str | None,
    latency: Latency | None,
    error_rate: float,
    scenario: str | None,
    require_secret: bool,
    cors_origins: Sequence[str],
    no_cors: bool,
    journal_size: int,
    max_body: int,
    cache_size: int,
    reload: bool,
    quiet: bool,
    env: Sequence[str],
    scalars: Sequence[str],
) -> None:
    """Serve a mock handler for PATH's actions, for frontends to call before the handlers exist.

    Each action answers at its handler URL's path, and any path answers by the payload's
    action.name. Calls are checked like the contract demands (a bad one gets a 400 Hasura error
    object naming the JSON path); good ones get realistic replies valid by the output type, the same
    reply for the same input. Choose a reply per call with the header X-Mock-Scenario (or
    ?__scenario=): success, error, timeout, not-json, server-error, or a named example.

    Mock endpoints: GET /__mock (the journal page, live in a browser), GET /__mock/health,
    GET /__mock/requests (the journal as JSON), DELETE /__mock/requests (?action=NAME: only its calls).
    """
    if no_cors and cors_origins:
        raise click.UsageError("pass either --no-cors or --cors-origin, not both")
    options = _Options(
        path=path,
        env=tuple(env),
        scalars=tuple(scalars),
        seed=seed,
        examples=examples,
        latency=latency,
        error_rate=error_rate,
        scenario=scenario,
        require_secret=require_secret,
        cors=False if no_cors else (tuple(cors_origins) or True),
        journal_size=journal_size,
        max_body=max_body,
        cache_size=cache_size,
    )
    started = time.perf_counter()
    try:
        handler = options.build()
    except (MetadataError, InvalidArgument) as error:
        _exit_with(error)
    try:
        sock = _bind(host, port)
    except OSError as error:
        click.echo(f"error: cannot listen on {host}:{port}: {error.strerror}. Pick another with --port.", err=True)
        sys.exit(EXIT_ERROR)
    app = _Reloadable(handler, None if quiet else _print_call)
    _print_banner(handler, sock, reload=reload, seconds=time.perf_counter() - started)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on Ctrl-C, then raises it again: that is the normal way out.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(server, sock, app, options, reload))
    click.echo("mock stopped", err=True)


async def _serve(
    server: uvicorn.Server, sock: socket.socket, app: _Reloadable, options: _Options, reload: bool
) -> None:
    watcher = asyncio.create_task(_watch(app, options, server)) if reload else None
    try:
        await server.serve(sockets=[sock])
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


def _watched(options: _Options) -> list[Path]:
    paths = [Path(options.path)]
    if options.examples:
        paths.append(Path(options.examples))
    return [path for path in paths if path.exists()]


async def _watch(app: _Reloadable, options: _Options, server: uvicorn.Server) -> None:
    stop = asyncio.Event()
    async for _changes in watchfiles.awatch(
        *_watched(options), stop_event=stop, step=_WATCH_STEP, debounce=_WATCH_DEBOUNCE, recursive=True
    ):
        if server.should_exit:
            break
        started = time.perf_counter()
        current = app.current
        try:
            new = await asyncio.to_thread(options.build, generation=current.generation + 1, previous=current)
        except (MetadataError, InvalidArgument) as error:
            current.reload_error = str(error)
            click.echo(f"reload failed, still serving the previous version:\n{error}", err=True)
            continue
        app.replace(new)
        took = (time.perf_counter() - started) * 1000
        click.echo(f"reloaded: {len(new.catalog)} actions (generation {new.generation}) in {took:.0f} ms", err=True)


def _print_banner(handler: MockHandler, sock: socket.socket, *, reload: bool, seconds: float) -> None:
    responder = handler.responder
    click.echo(
        f"action-contract mock: {len(handler.catalog)} actions from {handler.catalog.source} "
        f"(seed {responder.seed}, loaded in {seconds * 1000:.0f} ms)",
        err=True,
    )
    width = max((len(responder.route(name)) for name in responder.setups), default=0)
    for name in responder.setups:
        click.echo(f"  POST {responder.route(name):<{width}}  {name}", err=True)
    sample = random.Random(responder.seed)
    for line in responder.transformed.banner(lambda a: responder.faker.value(a.output_type, sample, name=a.name)):
        click.echo(line, err=True)
    missing = responder.missing_secrets() if responder.require_secret else []
    if missing:
        click.echo(f"  note: {', '.join(missing)} not set; any non-empty secret header passes", err=True)
    click.echo(f"  scenarios (X-Mock-Scenario): {', '.join(BUILTIN_SCENARIOS)} or a named example", err=True)
    endpoints = "journal page: GET /__mock, journal: GET/DELETE /__mock/requests, health: GET /__mock/health"
    click.echo(f"  {endpoints}{'; reloads on change' if reload else ''}", err=True)
    click.echo(f"Listening on {_listening_url(sock)} (Ctrl-C to stop)", err=True)


def _print_call(entry: dict[str, Any]) -> None:
    action = entry["action"] or "-"
    scenario = entry["scenario"] or "rejected"
    click.echo(
        f"{entry['method']} {entry['path']} {action} {scenario} -> {entry['status']} ({entry['duration_ms']:.1f} ms)",
        err=True,
    )
