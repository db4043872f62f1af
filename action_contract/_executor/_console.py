"""GraphiQL for `serve`: the console page at `/` and `/console`, and its files, bundled in the package.

GraphiQL and React are fetched from the npm registry when the package is built (`.ci/build_hook.py`)
into `_graphiql/`, never loaded from a CDN: `serve` runs on machines that may be offline. A copy built
without them (no registry at build time) serves a page that says so and how to mend it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ASSET_PREFIX",
    "SECRET_PLACEHOLDER",
    "Bundle",
    "bundle",
    "console_csp",
    "console_headers",
    "console_page",
    "missing_page",
]

#: Where the page loads GraphiQL's files from.
ASSET_PREFIX = "/console/assets/"
_FOLDER = Path(__file__).with_name("_graphiql")
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
#: What the admin-secret header shows to a browser on another machine: the secret is not handed out.
SECRET_PLACEHOLDER = "<admin secret>"


@dataclass(frozen=True, slots=True)
class Bundle:
    """GraphiQL's files as built into the package: their folder, names and the npm package versions."""

    folder: Path
    files: frozenset[str]
    packages: Mapping[str, str]

    def media_type(self, name: str) -> str:
        """The Content-Type to serve file `name` with."""
        return _MEDIA_TYPES.get(Path(name).suffix, "text/plain; charset=utf-8")

    @property
    def label(self) -> str:
        """`GraphiQL 4.1.2`, for the page and the banner."""
        return f"GraphiQL {self.packages.get('graphiql', '?')}"


def bundle(folder: Path = _FOLDER) -> Bundle | None:
    """The bundled GraphiQL, or None when this copy was built without it (its manifest is written last).

    Read on each call (a small file and a few stats): a reinstall under a running `serve` shows at once.
    """
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        files = frozenset(manifest["files"])
        packages = dict(manifest["packages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not all((folder / name).is_file() for name in files):
        return None
    return Bundle(folder, files, packages)


def console_headers(admin_secret: str | None, *, local: bool) -> dict[str, str]:
    """The header editor's preset: admin role, plus the admin secret when one is set.

    The secret itself is filled in only for a browser on this machine; anyone else reaching the
    port sees a placeholder to replace, as Hasura's console asks for the secret.
    """
    headers = {"x-hasura-role": "admin"}
    if admin_secret is not None:
        headers["x-hasura-admin-secret"] = admin_secret if local else SECRET_PLACEHOLDER
    return headers


def console_csp(nonce: str) -> str:
    """The page's Content-Security-Policy: its own files and one inline script, requests only to itself."""
    # GraphiQL's editors set inline styles; its fonts and icons are data: URLs inside its CSS.
    return (
        f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
        "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def _query(actions: Sequence[tuple[str, str]]) -> str:
    lines = ["# GraphiQL on action-contract serve: each field runs an action as Hasura runs it.", "#"]
    lines.append("# Actions:" if actions else "# No actions visible.")
    lines += [f"#   {name} ({kind})" for name, kind in actions]
    lines += [
        "#",
        "# Set x-hasura-role (and x-hasura-admin-secret) in Headers below; Ctrl-Space completes,",
        "# Ctrl-Enter runs, and the Docs pane lists every argument and type.",
        "",
    ]
    return "\n".join(lines)


def console_page(
    *,
    bundle: Bundle,
    nonce: str,
    headers: Mapping[str, str],
    actions: Sequence[tuple[str, str]],
    roles: Sequence[str],
    about: str,
    endpoint: str = "/v1/graphql",
) -> str:
    """The GraphiQL page: wired to `endpoint`, header editor open and preset with `headers`."""
    config = {
        "endpoint": endpoint,
        "headers": json.dumps(dict(headers), indent=2),
        "query": _query(actions),
    }
    # `</` inside a <script> block would end it early; JSON allows `\u003c` for `<`.
    config_json = json.dumps(config).replace("<", "\\u003c")
    styles = "".join(
        f'<link rel="stylesheet" href="{ASSET_PREFIX}{name}">' for name in sorted(bundle.files) if name.endswith(".css")
    )
    scripts = "".join(
        f'<script src="{ASSET_PREFIX}{name}"></script>'
        for name in ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")
    )
    role_list = ", ".join(roles)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>action-contract serve: GraphiQL</title><link rel="icon" href="data:,">{styles}
<style>html,body{{height:100%;margin:0}}body{{display:flex;flex-direction:column}}
#bar{{font:13px/1.4 system-ui,sans-serif;background:#1d2330;color:#e6e9ef;padding:6px 12px}}
#bar b{{color:#fff}}#graphiql{{flex:1;min-height:0}}</style></head>
<body><div id="bar"><b>action-contract serve</b> · {html.escape(about)}
 · roles: <span id="roles">{html.escape(role_list)}</span> · {html.escape(bundle.label)}</div>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="console-config">{config_json}</script>
{scripts}
<script nonce="{nonce}">
var config = JSON.parse(document.getElementById('console-config').textContent);
var base = GraphiQL.createFetcher({{url: new URL(config.endpoint, location.href).href}});
var preset = JSON.parse(config.headers);
// GraphiQL's first schema request is sent before its header editor exists, with no headers at all; it gets
// the preset ones, so the docs and completion load when the admin secret is required.
var fetcher = function (params, options) {{
  if (!options || !options.headers) options = Object.assign({{}}, options, {{headers: preset}});
  return base(params, options);
}};
ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, {{
  fetcher: fetcher, defaultQuery: config.query, defaultHeaders: config.headers,
  defaultEditorToolsVisibility: 'headers', shouldPersistHeaders: false
}}));
</script></body></html>
"""


def missing_page(endpoint: str) -> str:
    """What `/console` shows when this copy was built without GraphiQL's files, and how to mend it.

    `endpoint` is the GraphQL endpoint's full URL, for the curl example.
    """
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>action-contract serve: GraphiQL not bundled</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:760px;margin:40px auto;padding:0 16px}}
code,pre{{background:#f2f4f7;padding:2px 4px;border-radius:3px}}pre{{padding:8px}}</style></head>
<body><h1>GraphiQL is not bundled in this copy</h1>
<p>This copy of action-contract was built without GraphiQL's files: its build could not reach the npm
registry. The GraphQL endpoint works: <code>POST {html.escape(endpoint)}</code>.</p>
<p>To get the console, reinstall where the build can reach registry.npmjs.org (or set
<code>npm_config_registry</code> to a mirror), or build offline from tarballs made by
<code>npm pack graphiql@4.1.2 react@18.3.1 react-dom@18.3.1</code> with
<code>ACTION_CONTRACT_NPM_TARBALLS=/folder/of/tarballs pip install --force-reinstall action-contract</code>.</p>
<p>Meanwhile, any GraphQL client works, for example:</p>
<pre>curl -s {html.escape(endpoint)} -H 'content-type: application/json' \\
  -H 'x-hasura-role: admin' -d '{{"query": "{{ __typename }}"}}'</pre>
</body></html>
"""
