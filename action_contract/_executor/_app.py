"""`graphql_app`: a `ReferenceExecutor` as Hasura's HTTP endpoints, an ASGI app for uvicorn.

`POST /v1/graphql` (one request or a batch), `GET /healthz` ("OK", as Hasura answers),
`GET /v1/version`, and GraphiQL at `GET /` and `GET /console` (files bundled, see `_graphiql_page`).
CORS follows `cors` (Hasura's `HASURA_GRAPHQL_CORS_DOMAIN`, default any origin) on the API only, never
with credentials, and the console page carries the admin secret only for a same-origin request from
this machine (see `_cors` and `_same_origin_local`). The executor is
synchronous (it calls handlers through a `Target`), so each request runs on a worker thread; the lifespan
starts and stops the asynchronous-action worker. Behind a target that only computes (`serve --mock`) a request
of up to `INLINE_REQUEST` bytes runs on the event loop instead, its waits awaited (`deferred_waits`): the hop
to a thread and back cost more than the answer (about a third of serve's throughput).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import secrets
import time
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .._send._waits import ComputedTarget, deferred_waits
from ._console import ASSET_PREFIX, bundle, console_csp, console_headers, console_page, missing_page
from ._cors import CorsApi, CorsPolicy
from ._executor import ReferenceExecutor
from ._input import GraphQLFailure
from ._reply import GraphQLReply, refused
from ._schema import field_kind

__all__ = ["DEFAULT_MAX_REQUEST", "INLINE_REQUEST", "graphql_app"]

#: Bytes of a GraphQL request body; more is answered 413 without reading on.
DEFAULT_MAX_REQUEST = 8 * 1024 * 1024
#: Bytes of a request body answered on the event loop behind a computing target; a larger one (a costly
#: document to parse and validate) goes to a worker thread, so it cannot hold up the other requests.
INLINE_REQUEST = 64 * 1024

#: Called after each GraphQL request with the reply and the seconds it took (the CLI's log line).
OnRequest = Callable[[GraphQLReply, float], None]


def graphql_app(
    executor: ReferenceExecutor,
    *,
    max_request: int = DEFAULT_MAX_REQUEST,
    on_request: OnRequest | None = None,
    console: bool = True,
    cors: CorsPolicy | None = None,
) -> ASGIApp:
    """An ASGI app serving `executor` at `/v1/graphql`, with `/healthz`, `/v1/version` and GraphiQL (`console`)."""
    computed = isinstance(executor.target, ComputedTarget)
    policy = cors or CorsPolicy(any_origin=True)

    async def execute(body: bytes, headers: list[tuple[str, str]]) -> GraphQLReply:
        if not computed or len(body) > INLINE_REQUEST:
            return await run_in_threadpool(executor.execute_http, body, headers)
        with deferred_waits() as waits:
            reply = executor.execute_http(body, headers)
        if waits:
            await asyncio.sleep(sum(waits))
        return reply

    async def graphql(scope: Scope, receive: Receive, send: Send) -> None:
        # Plain ASGI, not a Starlette route: this is the hot path, and Starlette's request, response and
        # middleware layers cost a fifth of serve's throughput. The other paths go through Starlette.
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > max_request:
            await _reply(send, _too_large(max_request))
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > max_request:
                await _reply(send, _too_large(max_request))
                return
            if not message.get("more_body", False):
                break
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        started = time.perf_counter()
        reply = await execute(bytes(body), headers)
        if on_request is not None:
            on_request(reply, time.perf_counter() - started)
        await _reply(send, reply)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("OK")

    async def version(_request: Request) -> Response:
        return JSONResponse({"version": executor.profile.label})

    async def console_html(request: Request) -> Response:
        files = bundle()
        if files is None:
            return HTMLResponse(missing_page(f"{request.base_url}v1/graphql"), headers={"cache-control": "no-store"})
        nonce = secrets.token_urlsafe(16)
        catalog = executor.catalog
        actions = [(action.name, field_kind(action)) for action in catalog]
        page = console_page(
            bundle=files,
            nonce=nonce,
            headers=console_headers(executor.admin_secret, local=_same_origin_local(request)),
            actions=actions,
            roles=executor.schemas.roles(),
            about=f"{len(catalog)} actions from {catalog.source}, Hasura {executor.profile.label}",
        )
        # no-store: the page may carry the admin secret.
        return HTMLResponse(page, headers={"cache-control": "no-store", "content-security-policy": console_csp(nonce)})

    async def console_asset(request: Request) -> Response:
        name = request.path_params["name"]
        files = bundle()
        if files is None or name not in files.files:  # only the manifest's names: nothing outside the folder
            return PlainTextResponse(f"no console file {name!r}", status_code=404)
        return FileResponse(
            files.folder / name, media_type=files.media_type(name), headers={"cache-control": "max-age=86400"}
        )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        executor.start()
        try:
            yield
        finally:
            await run_in_threadpool(executor.close)

    api = CorsApi(graphql, policy)
    routes = [
        # POST never gets here (see `app` below); the route makes any other method a 405.
        Route("/v1/graphql", api, methods=["POST"]),  # an ASGI app (not a function): Starlette calls it as is
        Route("/healthz", healthz, methods=["GET"]),
        Route("/v1/version", version, methods=["GET"]),
    ]
    if console:
        routes += [
            Route("/", console_html, methods=["GET"]),
            Route("/console", console_html, methods=["GET"]),
            Route(ASSET_PREFIX + "{name}", console_asset, methods=["GET"]),
        ]
    others = Starlette(routes=routes, middleware=[Middleware(CorsApi, policy=policy)], lifespan=lifespan)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/graphql" and scope["method"] == "POST":
            await api(scope, receive, send)
        else:
            await others(scope, receive, send)  # other paths and methods (a GET answers 405), the lifespan

    return app


async def _reply(send: Send, reply: GraphQLReply) -> None:
    body = reply.encoded()
    # Every Set-Cookie of the handler, in order, after our own headers.
    cookies = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in reply.headers]
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json"), *cookies]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _same_origin_local(request: Request) -> bool:
    """Whether the page may carry the admin secret: a browser on this machine, asking for it itself.

    The peer must be loopback; the Host a loopback name or address (a DNS-rebound `evil.test` pointing
    at 127.0.0.1 is not); and the browser must say the request is its own navigation or same-origin
    (`Sec-Fetch-Site`), with an `Origin`, when sent, that is this server's own.
    """
    if request.client is None or not _loopback(request.client.host):
        return False
    host = request.headers.get("host", "")
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if not _loopback(hostname.strip("[]")):
        return False
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{host}"


def _loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."} or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _too_large(limit: int) -> GraphQLReply:
    return refused(GraphQLFailure(f"request body larger than {limit} bytes", code="request-too-large", status=413))
