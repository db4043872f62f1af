"""`action-contract serve`: a Hasura-like `/v1/graphql` for PATH's actions, in front of a handler or the mock."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import sys
import time
from collections.abc import Sequence

import click
import uvicorn

from .._catalog._model import Catalog
from .._errors import InvalidArgument, MetadataError
from .._executor._app import DEFAULT_MAX_REQUEST, graphql_app
from .._executor._console import bundle
from .._executor._cors import CorsPolicy
from .._executor._executor import ReferenceExecutor
from .._executor._limits import DEFAULT_LIMITS, Limits
from .._executor._reply import GraphQLReply
from .._executor._schema import ADMIN, field_kind, visible
from .._generate._profiles import HasuraProfile
from .._generate._variables import require_variables
from .._mock._handler import MockHandler
from .._mock._target import MockTarget
from .._mock._transformed import hasura_side
from .._send._in_process import app_target
from .._send._targets import DEFAULT_APP_BASE_URL, HttpTarget, Target
from ._common import (
    EXIT_ERROR,
    _app_kind_option,
    _app_option,
    _bind,
    _env_option,
    _exit_with,
    _listening_url,
    _load,
    _parse_env,
    _scalar_option,
    _url_option,
)

__all__ = ["serve"]


@click.command()
@click.argument("path", type=click.Path())
@_url_option
@_app_option
@_app_kind_option
@click.option("--mock", "use_mock", is_flag=True, help="Answer with the mock handler: no handler needed.")
@click.option("--seed", default=0, show_default=True, type=int, help="With --mock: another seed, another data set.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (0.0.0.0 for all).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--hasura-version", metavar="VERSION", help="Behave as this Hasura release (default: the newest).")
@click.option(
    "--dev-mode", is_flag=True, help="`internal` debug info in errors for every role (HASURA_GRAPHQL_DEV_MODE)."
)
@click.option(
    "--admin-secret",
    metavar="SECRET",
    envvar="HASURA_GRAPHQL_ADMIN_SECRET",
    help="Require x-hasura-admin-secret, as Hasura does with HASURA_GRAPHQL_ADMIN_SECRET (also read from it).",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="SQLite file keeping asynchronous actions across restarts (default: memory).",
)
@click.option(
    "--async-interval",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds between polls for asynchronous actions (HASURA_GRAPHQL_ASYNC_ACTIONS_FETCH_INTERVAL).",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per handler reply instead of each action's."
)
@click.option(
    "--console/--no-console",
    default=True,
    show_default=True,
    help="GraphiQL at / and /console, where Hasura serves its console.",
)
@click.option("-q", "--quiet", is_flag=True, help="No line per request.")
@_env_option
@_scalar_option
@click.option(
    "--cors-domain",
    default="*",
    show_default=True,
    envvar="HASURA_GRAPHQL_CORS_DOMAIN",
    metavar="ORIGINS",
    help="Origins whose pages may call /v1/graphql, as HASURA_GRAPHQL_CORS_DOMAIN: * or "
    "'https://*.example.com, http://localhost:3000'. Never with cookies; the console gets no CORS.",
)
@click.option(
    "--max-fields", default=DEFAULT_LIMITS.max_fields, show_default=True, type=click.IntRange(min=0),
    help="Fields (aliases included) one operation may select; 0 for no limit.",
)  # fmt: skip
@click.option(
    "--max-depth", default=DEFAULT_LIMITS.max_depth, show_default=True, type=click.IntRange(min=0),
    help="Selection sets one operation may nest; 0 for no limit.",
)  # fmt: skip
@click.option(
    "--max-batch", default=DEFAULT_LIMITS.max_batch, show_default=True, type=click.IntRange(min=0),
    help="Operations one batched request may hold; 0 for no limit.",
)  # fmt: skip
def serve(
    path: str,
    url: str | None,
    app: str | None,
    app_kind: str | None,
    use_mock: bool,
    seed: int,
    host: str,
    port: int,
    hasura_version: str | None,
    dev_mode: bool,
    admin_secret: str | None,
    state: str | None,
    async_interval: float,
    timeout: float | None,
    console: bool,
    quiet: bool,
    env: Sequence[str],
    scalars: Sequence[str],
    cors_domain: str,
    max_fields: int,
    max_depth: int,
    max_batch: int,
) -> None:
    """Serve a Hasura-like GraphQL endpoint (POST /v1/graphql) for PATH's actions.

    Each action field is run as Hasura runs it: the webhook call built from the GraphQL request
    (input, session variables from x-hasura-* headers, forwarded headers), the reply judged and
    shaped to the selection set. Handlers are called at the metadata's URLs, at --url, in-process
    (--app), or answered by the mock handler (--mock: nothing else needed). Asynchronous actions are
    recorded and called by a worker, their results read with the action's query field.

    Also: GET /healthz and GET /v1/version. Point a GraphQL client at http://HOST:PORT/v1/graphql, or a
    browser at http://HOST:PORT/console for GraphiQL (its files come with the package: no internet needed),
    with the header editor preset for x-hasura-role and, for a browser on this machine, the admin secret.
    """
    if sum(map(bool, (url, app, use_mock))) > 1:
        raise click.UsageError("pass only one of --url, --app and --mock")
    started = time.perf_counter()
    try:
        cors = CorsPolicy.parse(cors_domain)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--cors-domain") from None
    limits = Limits(max_fields=max_fields or None, max_depth=max_depth or None, max_batch=max_batch or None)
    try:
        catalog = _load(path, env, scalars)
        profile = HasuraProfile.for_version(hasura_version, dev_mode=dev_mode)
        variables = _parse_env(env)
        # Refused now, every missing name at once, rather than failing each call with one of them.
        require_variables(catalog, catalog, env=variables, handler_urls=not (url or app or use_mock))
        base_url = url
        target: Target = HttpTarget()
        if app:
            target = app_target(app, kind=app_kind)
            base_url = base_url or DEFAULT_APP_BASE_URL
        elif use_mock:
            catalog = hasura_side(catalog)
            target = MockTarget(MockHandler(catalog, seed=seed, env=variables, cors=False))
            base_url = DEFAULT_APP_BASE_URL
        executor = ReferenceExecutor(
            catalog,
            target,
            profile,
            admin_secret=admin_secret,
            base_url=base_url,
            env=variables,
            state=state,
            async_interval=async_interval,
            timeout=timeout,
            limits=limits,
        )
    except (MetadataError, InvalidArgument) as error:
        _exit_with(error)
    try:
        sock = _bind(host, port)
    except OSError as error:
        executor.close()
        click.echo(f"error: cannot listen on {host}:{port}: {error.strerror}. Pick another with --port.", err=True)
        sys.exit(EXIT_ERROR)
    where = "the mock handler" if use_mock else f"app {app}" if app else url or "the handler URLs in the metadata"
    _print_banner(executor, sock, where, admin_secret is not None, console, time.perf_counter() - started)
    asgi = graphql_app(
        executor,
        max_request=DEFAULT_MAX_REQUEST,
        on_request=None if quiet else lambda reply, seconds: _print_request(reply, seconds, catalog),
        console=console,
        cors=cors,
    )
    config = uvicorn.Config(asgi, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(server.serve(sockets=[sock]))
    finally:
        target.close()
    click.echo("serve stopped", err=True)


def _print_banner(
    executor: ReferenceExecutor, sock: socket.socket, where: str, secret: bool, console: bool, seconds: float
) -> None:
    catalog = executor.catalog
    click.echo(
        f"action-contract serve: {len(catalog)} actions from {catalog.source}, Hasura {executor.profile.label}, "
        f"handlers: {where} (ready in {seconds * 1000:.0f} ms)",
        err=True,
    )
    roles = executor.schemas.roles()
    for action in catalog:
        kind = field_kind(action)
        allowed = [role for role in roles if role != ADMIN and visible(action, role)]
        click.echo(f"  {kind:<14} {action.name}  roles: {', '.join([ADMIN, *allowed])}", err=True)
    state = executor.log.path or "memory"
    click.echo(
        f"  admin secret {'required' if secret else 'not set: every request is admin unless it sends x-hasura-role'}; "
        f"async actions kept in {state}",
        err=True,
    )
    url = _listening_url(sock)
    if console:
        files = bundle()
        if files is None:
            click.echo("  GraphiQL: not bundled in this copy (its build could not reach the npm registry)", err=True)
        else:
            click.echo(f"  GraphiQL: {url}/console ({files.label}, served from the package)", err=True)
    click.echo(f"Listening on {url}/v1/graphql (Ctrl-C to stop)", err=True)


def _print_request(reply: GraphQLReply, seconds: float, catalog: Catalog | None = None) -> None:
    fields = ", ".join(call.action for call in reply.calls) or "-"
    outcome = (
        "data" if reply.data is not None else f"errors: {reply.errors[0].get('message')}" if reply.errors else "batch"
    )
    click.echo(f"POST /v1/graphql {fields} -> {reply.status} {outcome} ({seconds * 1000:.1f} ms)", err=True)
    note = _relationship_note(catalog, str(reply.errors[0].get("message"))) if reply.errors and catalog else None
    if note is not None:
        click.echo(f"  note: {note}", err=True)


def _relationship_note(catalog: Catalog, message: str) -> str | None:
    """Why a relationship field is unknown here: Hasura joins it from a table, and serve has no database."""
    found = re.fullmatch(r"field '(\w+)' not found in type: '(\w+)'", message)
    named = catalog.types.get(found.group(2)) if found else None
    relationships = getattr(named, "relationships", ())
    if found is None or found.group(1) not in {r.name for r in relationships}:
        return None
    return (
        f"{found.group(1)} is a relationship of {found.group(2)} to a database table; Hasura joins it from the "
        "table, and serve has no database, so table relationships are not served (select the action's own fields)"
    )
