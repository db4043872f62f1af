"""`action-contract judge`: Hasura's exact verdict on one reply, explained; exit 0, 1 or 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from .._catalog._model import Action, Catalog
from .._catalog._templates import render_handler
from .._errors import InvalidArgument, MetadataError, TemplateError
from .._generate._action_request import ActionRequest
from .._generate._profiles import HasuraProfile
from .._hasura._judge import Verdict
from .._hasura._judge import judge as judge_reply
from .._hasura._strict import StrictFinding, strict_findings
from .._send._response import ActionResponse
from ._common import EXIT_OK, EXIT_VIOLATIONS, _env_option, _exit_with, _load, _scalar_option

__all__ = ["judge"]


@click.command()
@click.argument("path", type=click.Path())
@click.option("--action", "action_name", required=True, metavar="NAME", help="The action that replied.")
@click.option("--status", required=True, type=click.IntRange(100, 599), help="The reply's HTTP status.")
@click.option(
    "--body", required=True, metavar="TEXT|@FILE|-",
    help="The reply body: the text itself, @FILE to read a file's bytes, or - to read standard input.",
)  # fmt: skip
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="A reply header. Repeatable.")
@click.option("--role", metavar="ROLE", help="The caller's x-hasura-role (default: admin).")
@click.option("--dev-mode", is_flag=True, help="As with HASURA_GRAPHQL_DEV_MODE: show `internal` to every role.")
@click.option("--hasura-version", metavar="VERSION", help="Judge as this Hasura release does (default: newest).")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text for people, json for tools.",
)  # fmt: skip
@_env_option
@_scalar_option
def judge(
    path: str,
    action_name: str,
    status: int,
    body: str,
    headers: Sequence[str],
    role: str | None,
    dev_mode: bool,
    hasura_version: str | None,
    output_format: str,
    env: Sequence[str],
    scalars: Sequence[str],
) -> None:
    """Show what Hasura returns to the client for one handler reply, and why.

    Prints ACCEPTED with the data the client gets (every field selected), or REJECTED with Hasura's
    exact error (message, code, path, and `internal` when the role may see it), an explanation, and
    the strict findings: what Hasura lets through although the declared type forbids it. Exit 0
    when accepted with no strict findings, 1 otherwise, 2 for usage or metadata errors.

    PATH takes the same forms as for `validate`.
    """
    reply = ActionResponse(status=status, headers=_headers(headers), body=_body(body))
    try:
        catalog = _load(path, env, scalars)
        action = catalog.action(action_name)
        profile = HasuraProfile.for_version(hasura_version, dev_mode=dev_mode)
        verdict = judge_reply(action, reply, profile, catalog=catalog, request=_request(catalog, action, role, profile))
    except (MetadataError, InvalidArgument) as exc:
        _exit_with(exc)
    findings: list[StrictFinding] = []
    if verdict.accepted and 200 <= status <= 299:
        findings = strict_findings(catalog, action.output_type, verdict.reply)
    if output_format == "json":
        document = {
            "accepted": verdict.accepted,
            "data": verdict.data,
            "errors": verdict.errors,
            "strict": [finding.to_json() for finding in findings],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(render_verdict(verdict, findings, action=action, status=status, profile=profile))
    sys.exit(EXIT_OK if verdict.accepted and not findings else EXIT_VIOLATIONS)


def _body(text: str) -> bytes:
    if text == "-":
        return sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    if text.startswith("@"):
        try:
            with open(text[1:], "rb") as file:
                return file.read()
        except OSError as error:
            raise click.BadParameter(f"cannot read {text[1:]!r}: {error.strerror}", param_hint="--body") from None
    return text.encode()


def _headers(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in values:
        name, found, value = item.partition(":")
        if not found or not name.strip():
            raise click.BadParameter(f"expected 'NAME: VALUE', got {item!r}", param_hint="--header")
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def _request(catalog: Catalog, action: Action, role: str | None, profile: HasuraProfile) -> ActionRequest:
    # Only the role and the URL matter to the verdict; the input is unknown, so it is empty.
    try:
        url = render_handler(action.handler, catalog.variables)
    except (TemplateError, ValueError):
        url = action.handler
    payload: dict[str, Any] = {
        "action": {"name": action.name},
        "input": {},
        "session_variables": {"x-hasura-role": role or "admin"},
    }
    if profile.sends_request_query:
        payload["request_query"] = None
    return ActionRequest(action=action.name, url=url, headers=(), payload=payload, timeout=float(action.timeout))


def render_verdict(
    verdict: Verdict, findings: Sequence[StrictFinding], *, action: Action, status: int, profile: HasuraProfile
) -> str:
    """The text form: the verdict, Hasura's error, the explanation, the client's JSON, strict findings."""
    head = "ACCEPTED" if verdict.accepted else "REJECTED"
    lines = [f"{head}  {action.name} -> {status} reply, judged as Hasura {profile.label} ({verdict.reason})"]
    if verdict.error is not None:
        extensions = verdict.error.get("extensions")
        lines.append(f"  message: {verdict.error.get('message')}")
        if isinstance(extensions, dict) and "code" in extensions and "path" in extensions:
            lines.append(f"  code:    {extensions['code']}")
            lines.append(f"  path:    {extensions['path']}")
        if verdict.path != "$":
            lines.append(f"  in body: {verdict.path}")
    lines.append("")
    lines.append(verdict.explanation)
    lines.append("")
    lines.append("the client gets:")
    client: dict[str, Any] = {"errors": verdict.errors} if verdict.error else {"data": {action.name: verdict.data}}
    lines.append(json.dumps(client, indent=2, ensure_ascii=False))
    if findings:
        lines.append("")
        lines.append(
            f"strict findings ({len(findings)}): Hasura passes these on, but {action.output_type} forbids them"
        )
        lines.extend(f"  {finding}" for finding in findings)
    return "\n".join(lines)
