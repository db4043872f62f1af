"""`serve`'s console and API against other origins: the admin secret stays on this machine's own page.

A page from another origin must not read the console (no CORS headers there) and must not call the API
with the browser's credentials; `--cors-domain` decides which origins may read API replies at all, as
`HASURA_GRAPHQL_CORS_DOMAIN` does. A DNS-rebound host name or a cross-site request never gets the
secret in the page. One real Chromium drives the cross-origin part from a second loopback origin.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
from conftest import FIXTURES
from servers import serving
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from action_contract import load_catalog
from action_contract._executor._app import graphql_app
from action_contract._executor._console import ASSET_PREFIX, bundle
from action_contract._executor._cors import CorsPolicy
from action_contract._executor._executor import ReferenceExecutor
from action_contract._executor._limits import Limits
from action_contract._mock._handler import MockHandler
from action_contract._mock._target import MockTarget
from action_contract._send._targets import DEFAULT_APP_BASE_URL

SHOP = load_catalog(FIXTURES / "projects" / "shop")
SECRET = "console-s3cret-value"


def _app(cors: str = "*", limits: Limits | None = None) -> Starlette:
    target = MockTarget(MockHandler(SHOP, cors=False))
    executor = ReferenceExecutor(SHOP, target, admin_secret=SECRET, base_url=DEFAULT_APP_BASE_URL, limits=limits)
    return graphql_app(executor, cors=CorsPolicy.parse(cors))


def _get(app: Starlette, path: str, *, client: str = "127.0.0.1", base: str = "http://127.0.0.1:8080", **headers: str):
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url=base) as http:
            return await http.get(path, headers=headers)

    return asyncio.run(get())


# -- who gets the secret in the page --------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "headers"),
    [
        ("http://127.0.0.1:8080", {}),
        ("http://localhost:8080", {"sec-fetch-site": "none"}),
        ("http://[::1]:8080", {"sec-fetch-site": "same-origin", "origin": "http://[::1]:8080"}),
    ],
    ids=["plain", "typed-in", "same-origin"],
)
def test_a_same_origin_loopback_request_gets_the_secret(base: str, headers: dict[str, str]) -> None:
    page = _get(_app(), "/console", base=base, **headers)
    assert page.status_code == 200 and SECRET in page.text


@pytest.mark.parametrize(
    ("client", "base", "headers"),
    [
        ("10.0.0.7", "http://127.0.0.1:8080", {}),  # another machine
        ("127.0.0.1", "http://evil.test:8080", {}),  # a DNS-rebound name pointing at loopback
        ("127.0.0.1", "http://127.0.0.1:8080", {"sec-fetch-site": "cross-site"}),
        ("127.0.0.1", "http://127.0.0.1:8080", {"sec-fetch-site": "same-site"}),
        ("127.0.0.1", "http://127.0.0.1:8080", {"origin": "http://127.0.0.1:5173"}),
    ],
    ids=["remote", "rebound-host", "cross-site", "same-site", "other-origin"],
)
def test_any_other_request_gets_a_placeholder(client: str, base: str, headers: dict[str, str]) -> None:
    page = _get(_app(), "/console", client=client, base=base, **headers)
    assert page.status_code == 200
    assert SECRET not in page.text


def test_the_console_and_its_files_get_no_cors_headers() -> None:
    app = _app()
    files = bundle()
    paths = ["/console", "/"] + ([ASSET_PREFIX + sorted(files.files)[0]] if files else [])
    for path in paths:
        reply = _get(app, path, origin="http://attacker.test")
        assert reply.status_code == 200, path
        assert not any(k.startswith("access-control-") for k in reply.headers), (path, reply.headers)


# -- the API's CORS -------------------------------------------------------------------------------


def _post(app: Starlette, origin: str) -> httpx.Response:
    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as http:
            headers = {"origin": origin, "x-hasura-admin-secret": SECRET}
            return await http.post("/v1/graphql", json={"query": "{ __typename }"}, headers=headers)

    return asyncio.run(post())


@pytest.mark.parametrize(
    ("domains", "origin", "allowed"),
    [
        ("*", "http://anything.test", True),
        ("https://*.example.com, http://localhost:3000", "https://app.example.com", True),
        ("https://*.example.com, http://localhost:3000", "http://localhost:3000", True),
        ("https://*.example.com, http://localhost:3000", "http://localhost:3001", False),
        ("https://*.example.com, http://localhost:3000", "http://app.example.com", False),
        ("https://*.example.com, http://localhost:3000", "https://example.com.evil.test", False),
    ],
)
def test_api_cors_follows_the_cors_domain(domains: str, origin: str, allowed: bool) -> None:
    reply = _post(_app(domains), origin)
    assert reply.json() == {"data": {"__typename": "query_root"}}
    assert reply.headers.get("access-control-allow-origin") == (origin if allowed else None)
    assert "access-control-allow-credentials" not in reply.headers


def test_an_unreadable_cors_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot read CORS domain 'localhost:3000'"):
        CorsPolicy.parse("http://ok.test, localhost:3000")


# -- what one request may cost --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": "{ " + " ".join(f"a{i}: __typename" for i in range(101)) + " }"}, "more than 100 fields"),
        ({"query": "{ " + "__schema { queryType { " * 6 + "name" + " } }" * 6 + " }"}, "nested deeper than"),
        ([{"query": "{ __typename }"}] * 11, "batch of 11 operations exceeds the limit of 10"),
        ({"query": "{ " + "a " * 600 + "}"}, "longer than the limit of 500 tokens"),
    ],
    ids=["aliases", "depth", "batch", "tokens"],
)
def test_requests_over_the_limits_get_hasura_shaped_errors(body: object, fragment: str) -> None:
    limits = Limits(max_fields=100, max_depth=10, max_batch=10, max_tokens=500)
    executor = ReferenceExecutor(SHOP, MockTarget(MockHandler(SHOP, cors=False)), base_url=DEFAULT_APP_BASE_URL,
                                 limits=limits)  # fmt: skip
    reply = executor.execute_http(json.dumps(body).encode(), [("x-hasura-role", "admin")])
    (error,) = reply.body["errors"]
    assert fragment in error["message"]
    assert error["extensions"] == {"path": "$", "code": "validation-failed"}


def test_a_new_role_per_request_builds_no_new_schema() -> None:
    executor = ReferenceExecutor(SHOP, MockTarget(MockHandler(SHOP, cors=False)), base_url=DEFAULT_APP_BASE_URL)
    first = executor.schemas.for_role("nobody-1")
    assert all(executor.schemas.for_role(f"nobody-{i}") is first for i in range(50))
    assert executor.schemas.for_role("customer") is not first


# -- a real browser on a second loopback origin ---------------------------------------------------

PROBE = """<!doctype html><title>other origin</title><script>
async function probe(url, init) {
  try { const r = await fetch(url, init); return {ok: true, status: r.status, text: await r.text()}; }
  catch (e) { return {ok: false, error: String(e)}; }
}
</script>"""


@pytest.fixture
def other_origin() -> Iterator[str]:
    async def page(_request: object) -> HTMLResponse:
        return HTMLResponse(PROBE)

    with serving(Starlette(routes=[Route("/", page)])) as url:
        yield url.replace("127.0.0.1", "localhost")  # another port and host name: another origin


def test_a_page_from_another_origin_cannot_read_the_secret(browser_page, other_origin: str) -> None:
    with serving(_app()) as serve:
        page = browser_page.page
        # The developer's own tab: the console on this machine has the secret filled in.
        page.goto(serve + "/console")
        assert SECRET in page.content()
        # A page from another origin on the same machine.
        page.goto(other_origin + "/")
        console = page.evaluate("url => probe(url)", serve + "/console")
        assert console["ok"] is False, console  # no CORS on the console: the browser refuses to show it
        query = {"query": "{ __typename }"}
        api = page.evaluate(
            "([url, body]) => probe(url, {method: 'POST', headers: {'content-type': 'application/json'},"
            " body: JSON.stringify(body)})",
            [serve + "/v1/graphql", query],
        )
        assert api["ok"] is True and "errors" in json.loads(api["text"])  # readable, but no secret was sent
        with_cookies = page.evaluate(
            "([url, body]) => probe(url, {method: 'POST', credentials: 'include',"
            " headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})",
            [serve + "/v1/graphql", query],
        )
        assert with_cookies["ok"] is False, with_cookies  # never with credentials


def test_a_cors_domain_list_shuts_other_origins_out_in_a_browser(browser_page, other_origin: str) -> None:
    with serving(_app("http://localhost:1")) as serve:
        page = browser_page.page
        page.goto(other_origin + "/")
        api = page.evaluate(
            "url => probe(url, {method: 'POST', headers: {'content-type': 'application/json'},"
            " body: JSON.stringify({query: '{ __typename }'})})",
            serve + "/v1/graphql",
        )
        assert api["ok"] is False, api


def test_the_document_cache_keeps_little_text_however_big_the_operations() -> None:
    executor = ReferenceExecutor(SHOP, MockTarget(MockHandler(SHOP, cors=False)), base_url=DEFAULT_APP_BASE_URL)
    for n in range(120):  # 120 distinct operations of 14 KB each (a long comment is cheap to parse)
        query = f"query Q{n} {{ __typename }} #" + "x" * 14_000
        reply = executor.execute(query, headers=[("x-hasura-role", "admin")])
        assert "errors" not in reply.body
    cached = executor._planner._cache  # what the server keeps between requests
    assert sum(len(query) for _, query in cached) <= 1024 * 1024
