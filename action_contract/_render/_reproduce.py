"""Reproductions of a failure: a `curl` line and a pytest snippet, with secrets as env var references.

Secret header values (`value_from_env`) never appear: curl gets `"$VAR"`, the snippet
`os.environ["VAR"]`. Everything else is verbatim, session variables included, so pasting the
line replays exactly what Hasura would send.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence

from .._catalog._model import DEFAULT_TIMEOUT, Catalog
from .._generate._action_request import ActionRequest
from .._generate._profiles import HasuraProfile

__all__ = ["curl_command", "pytest_snippet", "redacted_headers", "secret_sources"]


def secret_sources(catalog: Catalog | None, request: ActionRequest) -> dict[str, str]:
    """Lower-cased secret header name -> the env var it comes from, for headers sent with their real value."""
    env_names: dict[str, str] = {}
    action = catalog.actions.get(request.action) if catalog is not None else None
    if action is not None:
        env_names = {h.name.lower(): h.value_from_env for h in action.headers if h.value_from_env}
    sources = {}
    for name in request.secret_headers:
        lowered = name.lower()
        if request.violation == "wrong_secret_header" and (request.violation_path or "").lower() == lowered:
            continue  # the wrong value is what the failure is about, and it is no secret
        sources[lowered] = env_names.get(lowered) or _env_name(name)
    return sources


def _env_name(header: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", header.upper()).strip("_") or "SECRET"


def redacted_headers(request: ActionRequest, sources: Mapping[str, str]) -> list[tuple[str, str]]:
    """The request's headers with each secret value replaced by `$VAR`."""
    return [(n, f"${sources[n.lower()]}" if n.lower() in sources else v) for n, v in request.headers]


def curl_command(request: ActionRequest, sources: Mapping[str, str], *, url: str | None = None) -> str:
    """A one-line `curl` that sends the request; secrets come from the shell's environment."""
    parts = ["curl", "-sS", "-i", "-X", request.method, shlex.quote(url or request.url)]
    for name, value in request.headers:
        if name.lower() in sources:
            # Quoted name, then a double-quoted reference the shell expands.
            parts += ["-H", shlex.quote(f"{name}: ") + f'"${sources[name.lower()]}"']
        elif value == "":
            # curl drops a header given as `Name:` with nothing after it; `Name;` sends it empty.
            parts += ["-H", shlex.quote(f"{name};")]
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = request.body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        # Octal `\0ddd` is the escape POSIX defines for `%b`; dash (/bin/sh on Debian) has no `\xHH`.
        escaped = "".join(f"\\0{byte:03o}" for byte in body)
        return f"printf '%b' {shlex.quote(escaped)} | " + " ".join(parts) + " --data-binary @-"
    parts += ["--data-raw", shlex.quote(text)]
    return " ".join(parts)


def pytest_snippet(
    request: ActionRequest,
    sources: Mapping[str, str],
    *,
    check: str,
    metadata: str,
    target: str = "HttpTarget()",
    hasura_version: str | None = None,
    exclude_checks: Sequence[str] = (),
) -> str:
    """A pytest test that sends the request and asserts every check passes on the reply, as the run judged it."""
    headers = []
    for name, value in request.headers:
        if name.lower() in sources:
            headers.append(f"({name!r}, os.environ[{sources[name.lower()]!r}])")
        else:
            headers.append(f"({name!r}, {value!r})")
    if request.raw_body is not None:
        body = f"raw_body={request.raw_body!r}"
    else:
        body = "payload=json.loads(" + repr(json.dumps(request.payload, ensure_ascii=False, sort_keys=True)) + ")"
    name = re.sub(r"\W+", "_", f"{request.action}_{check}").strip("_").lower()
    target_name = target.split("(", 1)[0]
    lines = [
        "import json",
        "import os",
        "",
        f"from action_contract import ActionRequest, {target_name}, check_request, load_catalog",
        "",
        "",
        f"def test_{name}():",
        f"    catalog = load_catalog({metadata!r})",
        "    request = ActionRequest(",
        f"        action={request.action!r},",
        f"        url={request.url!r},",
        "        headers=(" + ", ".join(headers) + ("," if len(headers) == 1 else "") + "),",
        f"        {body},",
    ]
    for extra in ("violation", "violation_path"):
        value = getattr(request, extra)
        if value is not None:
            lines.append(f"        {extra}={value!r},")
    if request.secret_headers:
        lines.append(f"        secret_headers={request.secret_headers!r},")
    if request.timeout != DEFAULT_TIMEOUT:
        lines.append(f"        timeout={request.timeout!r},")
    lines += ["    )", f"    with {target} as target:"]
    if check == "accepts_valid":
        # accepts_valid judges a whole run; for one request, the question is whether it gets a 2xx.
        lines += [
            "        response = target.send(request)",
            "    assert response.status is not None and 200 <= response.status < 300, response",
        ]
    else:
        if hasura_version == HasuraProfile().label:
            hasura_version = None  # the default needs no saying
        options = "".join(
            f", {name}={value!r}"
            for name, value in (("hasura_version", hasura_version), ("exclude_checks", tuple(exclude_checks)))
            if value
        )
        lines.append(f"        assert check_request(catalog, request, target{options}) == []")
    return "\n".join(lines) + "\n"
