"""`mock_router`: the mock handler inside a Python test, answering httpx calls to the handler URLs (respx).

Code that calls action handlers itself (a backend-for-frontend, a service that triggers actions)
is tested without a server: every POST to an action's handler URL is answered by the same
`MockResponder` the mock server uses, and recorded in its journal.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import respx

from .._catalog._model import Catalog
from .._generate._action_request import handler_url
from ._examples import Examples, Latency
from ._handler import MockHandler
from ._replies import DEFAULT_MAX_BODY, MockReply

__all__ = ["ActionMockRouter", "mock_router"]

_DELAY = "action_contract.delay"


class ActionMockRouter(respx.MockRouter):
    """A respx router whose routes answer as `MockHandler` does; `mock` is that handler (journal included)."""

    mock: MockHandler

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer a sync client's request, then wait out the mock's latency."""
        request.read()
        response = super().handler(request)
        delay = response.extensions.get(_DELAY, 0.0)
        if delay:
            time.sleep(delay)
        return response

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        """Answer an async client's request, then wait out the mock's latency without blocking the loop."""
        await request.aread()
        response = await super().async_handler(request)
        delay = response.extensions.get(_DELAY, 0.0)
        if delay:
            await asyncio.sleep(delay)
        return response

    @property
    def journal(self) -> list[dict[str, Any]]:
        """The calls answered so far, oldest first (as `GET /__mock/requests` lists them)."""
        return self.mock.journal.entries()


def mock_router(
    catalog: Catalog,
    *,
    seed: int = 0,
    examples: Examples | str | os.PathLike[str] | None = None,
    latency: Latency | str | float | None = None,
    error_rate: float = 0.0,
    scenario: str | None = None,
    require_secret: bool = False,
    env: Mapping[str, str] | None = None,
    base_url: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    assert_all_mocked: bool = True,
    assert_all_called: bool = False,
) -> ActionMockRouter:
    """A respx router answering POSTs to every handler URL of `catalog` as the mock handler would.

    Use it as a context manager (`with mock_router(catalog) as router:`) or start/stop it. The
    options are `MockHandler`'s; `base_url` replaces the handlers' scheme, host and port, as in
    `check`. The `timeout` scenario raises `httpx.ReadTimeout` at once instead of waiting.
    """
    mock = MockHandler(
        catalog,
        seed=seed,
        examples=examples,
        latency=latency,
        error_rate=error_rate,
        scenario=scenario,
        require_secret=require_secret,
        env=env,
        base_url=base_url,
        max_body=max_body,
        cors=False,
    )
    router = ActionMockRouter(assert_all_mocked=assert_all_mocked, assert_all_called=assert_all_called)
    router.mock = mock
    variables = mock.responder.variables
    # Raises InvalidArgument naming the variable, or suggesting base_url=, when a URL cannot be resolved.
    # Routes match any query string; the responder tells actions apart by their URLs' queries.
    urls = dict.fromkeys(handler_url(catalog, action, variables, base_url).split("?", 1)[0] for action in catalog)
    answer = _answer(mock)
    for url in urls:
        router.post(url, name=url).mock(side_effect=answer)
    for route in mock.responder.transformed.routes:
        # Behind a request transform: the transform's method, on any host, at the template's path.
        router.route(method=route.method, path__regex=route.pattern.pattern, name=route.action).mock(side_effect=answer)
    return router


def _answer(mock: MockHandler) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        headers = {name.lower(): value for name, value in request.headers.items()}
        body = request.content
        reply: MockReply = mock.responder.answer(
            request.url.path, headers, body, query=request.url.query.decode("latin-1"), method=request.method
        )
        mock.journal.record(
            method=request.method,
            path=request.url.path,
            headers=headers,
            body=body,
            reply=reply,
            duration=time.perf_counter() - started + reply.delay,
            secret_headers=mock.secret_headers,
        )
        if reply.times_out:
            raise httpx.ReadTimeout(
                f"mock scenario 'timeout': {reply.action} answers later than its timeout", request=request
            )
        response_headers = {"content-type": reply.content_type}
        if reply.scenario is not None and reply.scenario != "success":
            response_headers["x-mock-scenario"] = reply.scenario
        return httpx.Response(
            reply.status,
            content=reply.body,
            headers=response_headers,
            extensions={_DELAY: reply.delay},
        )

    return answer
