"""GraphiQL on `serve`: the page at `/` and `/console`, its bundled files, and the build hook that bundles them."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import importlib.util
import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FIXTURES
from servers import serving
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

import action_contract
from action_contract import load_catalog
from action_contract._executor import _app as executor_app
from action_contract._executor._app import graphql_app
from action_contract._executor._console import SECRET_PLACEHOLDER, bundle, console_headers
from action_contract._executor._executor import ReferenceExecutor
from action_contract._mock._handler import MockHandler
from action_contract._mock._target import MockTarget
from action_contract._send._targets import DEFAULT_APP_BASE_URL

ROOT = Path(__file__).resolve().parent.parent
SHOP = load_catalog(FIXTURES / "projects" / "shop")
SECRET = "s3cret-for-console"


def _load_hook() -> Any:
    spec = importlib.util.spec_from_file_location("build_hook", ROOT / ".ci" / "build_hook.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load_hook()


def _app(admin_secret: str | None = None, console: bool = True) -> Any:
    target = MockTarget(MockHandler(SHOP, cors=False))
    executor = ReferenceExecutor(SHOP, target, admin_secret=admin_secret, base_url=DEFAULT_APP_BASE_URL)
    return graphql_app(executor, console=console)


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serving(_app(SECRET)) as url:
        yield url


def _config(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="console-config">(.*?)</script>', page, re.S)
    assert found, page[:500]
    config: dict[str, Any] = json.loads(found.group(1))
    return config


# -- the page over HTTP ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/console"])
def test_page_is_graphiql_wired_to_the_endpoint(served: str, path: str) -> None:
    response = httpx.get(served + path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    config = _config(page)
    assert config["endpoint"] == "/v1/graphql"
    # A browser on this machine gets the secret filled in, and the role to change.
    assert json.loads(config["headers"]) == {"x-hasura-role": "admin", "x-hasura-admin-secret": SECRET}
    assert "defaultEditorToolsVisibility: 'headers'" in page
    for name in ("placeOrder (mutation)", "importCatalog (async mutation)", "quote (query)"):
        assert name in config["query"]
    assert '<span id="roles">admin, anonymous, customer</span>' in page
    # The one inline script carries the nonce the policy names; a new page, a new nonce.
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce and f'<script nonce="{nonce.group(1)}">' in page
    assert nonce.group(1) not in httpx.get(served + path).headers["content-security-policy"]


def test_every_file_the_page_loads_is_served_from_the_package(served: str) -> None:
    page = httpx.get(served + "/console").text
    loaded = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page)
    assert len(loaded) == 4, loaded
    found = bundle()
    assert found is not None
    for path in loaded:
        assert path.startswith("/console/assets/")  # never a CDN
        response = httpx.get(served + path)
        assert response.status_code == 200, path
        name = path.rsplit("/", 1)[1]
        assert response.content == (found.folder / name).read_bytes()
        assert response.headers["content-type"] == found.media_type(name)
    assert "text/javascript" in found.media_type("graphiql.min.js")
    assert not re.search(r"https?://", " ".join(re.findall(r'(?:src|href)="([^"]+)"', page)))


@pytest.mark.parametrize("name", ["nothing.js", "manifest.json", "..%2F__init__.py", "%2E%2E%2F_executor_app.py"])
def test_only_the_bundles_files_are_served(served: str, name: str) -> None:
    response = httpx.get(served + "/console/assets/" + name)
    assert response.status_code == 404
    assert response.text in (f"no console file {name!r}", "Not Found")


def test_the_endpoint_still_answers_beside_the_page(served: str) -> None:
    headers = {"x-hasura-admin-secret": SECRET, "x-hasura-role": "admin"}
    query = {"query": 'mutation { cancelOrder(orderId: "5f1e2b9c-3b7a-4c1e-9a57-2a9f0d5c1e11") }'}
    reply = httpx.post(served + "/v1/graphql", json=query, headers=headers)
    assert reply.status_code == 200
    assert isinstance(reply.json()["data"]["cancelOrder"], bool)


def _page_for(app: Any, client: tuple[str, int]) -> str:
    """The console page as a browser at `client` gets it (the ASGI scope's client address)."""

    async def get() -> str:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8080") as http:
            return (await http.get("/console")).text

    return asyncio.run(get())


def test_browser_on_another_machine_gets_no_secret() -> None:
    page = _page_for(_app(SECRET), ("10.0.0.7", 40000))
    assert SECRET not in page
    assert json.loads(_config(page)["headers"])["x-hasura-admin-secret"] == SECRET_PLACEHOLDER


def test_header_preset() -> None:
    assert console_headers(None, local=True) == {"x-hasura-role": "admin"}
    assert console_headers("x", local=True) == {"x-hasura-role": "admin", "x-hasura-admin-secret": "x"}
    assert console_headers("x", local=False)["x-hasura-admin-secret"] == SECRET_PLACEHOLDER


def test_page_data_cannot_end_the_script_early() -> None:
    catalog = load_catalog(FIXTURES / "projects" / "shop")
    object.__setattr__(catalog, "source", "</script><script>alert(1)</script>")
    executor = ReferenceExecutor(catalog, MockTarget(MockHandler(catalog, cors=False)), admin_secret="</script>")
    page = _page_for(graphql_app(executor), ("127.0.0.1", 40000))
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == page.count("<script")  # every script ends where it should
    assert json.loads(_config(page)["headers"])["x-hasura-admin-secret"] == "</script>"


def test_no_console() -> None:
    with serving(_app(console=False)) as url:
        assert httpx.get(url + "/console").status_code == 404
        assert httpx.get(url + "/").status_code == 404
        assert httpx.get(url + "/console/assets/graphiql.min.js").status_code == 404
        assert httpx.get(url + "/healthz").text == "OK"


def test_a_copy_built_without_graphiql_says_how_to_mend_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor_app, "bundle", lambda: None)
    with serving(_app()) as url:
        response = httpx.get(url + "/console")
        assert httpx.get(url + "/console/assets/graphiql.min.js").status_code == 404
    assert response.status_code == 200
    text = response.text
    assert "GraphiQL is not bundled in this copy" in text
    assert "npm_config_registry" in text and "ACTION_CONTRACT_NPM_TARBALLS" in text
    assert f"curl -s {url}/v1/graphql" in text


# -- the bundle and the build hook ----------------------------------------------------------------------------


def test_this_install_has_graphiql_bundled() -> None:
    folder = Path(action_contract.__file__).parent / "_executor" / "_graphiql"
    assert hook.is_current(folder), f"{folder} is missing or stale: reinstall (pip install -e .) to run the build hook"
    found = bundle()
    assert found is not None and found.label == "GraphiQL 4.1.2"
    assert {"LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"} <= found.files


def test_bundle_is_none_without_a_complete_manifest(tmp_path: Path) -> None:
    assert bundle(tmp_path) is None
    (tmp_path / "manifest.json").write_text(json.dumps({"packages": {}, "files": {"a.js": "x"}}))
    assert bundle(tmp_path) is None  # a named file is missing
    (tmp_path / "a.js").write_text("1")
    assert bundle(tmp_path) is not None


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def packages(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Two small packages standing in for the pinned ones: name-version.tgz -> bytes."""
    one = _tarball({"package/one.min.js": b"var one = 1;", "package/LICENSE": b"MIT one"})
    two = _tarball({"package/umd/two.js": b"var two = 2;"})
    monkeypatch.setattr(
        hook,
        "PACKAGES",
        [
            ("one", "1.0.0", _integrity(one), {"package/one.min.js": "one.min.js", "package/LICENSE": "LICENSE.one"}),
            ("two", "2.0.0", _integrity(two), {"package/umd/two.js": "two.js"}),
        ],
    )
    return {"one-1.0.0.tgz": one, "two-2.0.0.tgz": two}


def test_hook_fetches_from_a_registry_over_http(tmp_path: Path, packages: dict[str, bytes]) -> None:
    asked: list[str] = []

    async def tarball(request: Any) -> Response:
        asked.append(request.url.path)
        name = request.path_params["file"]
        return Response(packages[name], media_type="application/octet-stream")

    registry = Starlette(routes=[Route("/{package}/-/{file}", tarball)])
    dest = tmp_path / "_graphiql"
    with serving(registry) as url:
        assert hook.ensure(dest, {"npm_config_registry": url + "/"}) is None
    assert asked == ["/one/-/one-1.0.0.tgz", "/two/-/two-2.0.0.tgz"]
    assert (dest / "one.min.js").read_bytes() == b"var one = 1;"
    assert (dest / "two.js").read_bytes() == b"var two = 2;"
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["packages"] == {"one": "1.0.0", "two": "2.0.0"}
    assert hook.is_current(dest)
    found = bundle(dest)
    assert found is not None and found.files == {"one.min.js", "LICENSE.one", "two.js"}
    # Current: nothing is fetched again (the registry is gone now).
    assert hook.ensure(dest, {"npm_config_registry": url}) is None


def test_hook_reads_a_folder_of_tarballs_offline(tmp_path: Path, packages: dict[str, bytes]) -> None:
    folder = tmp_path / "tarballs"
    folder.mkdir()
    for name, data in packages.items():
        (folder / name).write_bytes(data)
    dest = tmp_path / "out"
    assert hook.ensure(dest, {"ACTION_CONTRACT_NPM_TARBALLS": str(folder)}) is None
    assert hook.is_current(dest)


def test_hook_refuses_a_tarball_that_does_not_match_its_integrity(tmp_path: Path, packages: dict[str, bytes]) -> None:
    folder = tmp_path / "tarballs"
    folder.mkdir()
    for name, data in packages.items():
        (folder / name).write_bytes(data)
    (folder / "one-1.0.0.tgz").write_bytes(_tarball({"package/one.min.js": b"evil()", "package/LICENSE": b""}))
    dest = tmp_path / "out"
    problem = hook.ensure(dest, {"ACTION_CONTRACT_NPM_TARBALLS": str(folder)})
    assert problem is not None
    assert "one-1.0.0.tgz does not match its registry integrity sha512-" in problem
    assert f"folder {folder}" in problem
    assert not hook.is_current(dest)
    assert bundle(dest) is None


def test_hook_goes_on_without_a_registry(tmp_path: Path, packages: dict[str, bytes]) -> None:
    problem = hook.ensure(tmp_path / "out", {"npm_config_registry": "http://127.0.0.1:9"})
    assert problem is not None
    assert problem.startswith("could not bundle GraphiQL from the registry http://127.0.0.1:9: ")


def test_hook_names_a_missing_file_in_a_tarball(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _tarball({"package/other.js": b""})
    monkeypatch.setattr(hook, "PACKAGES", [("one", "1.0.0", _integrity(data), {"package/one.js": "one.js"})])
    (tmp_path / "one-1.0.0.tgz").write_bytes(data)
    problem = hook.ensure(tmp_path / "out", {"ACTION_CONTRACT_NPM_TARBALLS": str(tmp_path)})
    assert problem is not None and problem.endswith("one-1.0.0.tgz has no file package/one.js")


def test_the_wheel_ships_graphiql(tmp_path: Path) -> None:
    """What users install: the built wheel holds every bundled file (they are gitignored, so this is not a given)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("action_contract-*.whl")
    found = bundle()
    assert found is not None
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {f"action_contract/_executor/_graphiql/{name}" for name in [*found.files, "manifest.json"]} <= names
