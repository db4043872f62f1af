"""`action-contract validate`, `schema` and `example`: what the metadata says, and the calls Hasura would make."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from typing import Any

import click

from .._catalog._json_schema import schema_document
from .._catalog._model import Catalog, EnumType, InputObjectType, ObjectType, ScalarType
from .._catalog._scalars import postgres_category
from .._errors import InvalidArgument, MetadataError, Problem
from .._generate._action_request import ActionRequest
from .._generate._adversarial import adversarial_requests
from .._generate._requests import conforming_requests, edge_requests
from .._generate._sampling import draw_examples
from .._generate._violations import VIOLATIONS
from ._common import (
    EXIT_ERROR,
    EXIT_OK,
    _env_option,
    _exit_with,
    _load,
    _print_problems,
    _scalar_option,
)

__all__ = ["example", "render_summary", "schema", "validate"]


@click.command()
@click.argument("path", type=click.Path())
@_env_option
@_scalar_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 2 if there are any).")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text for people, json for tools.",
)  # fmt: skip
def validate(path: str, env: Sequence[str], scalars: Sequence[str], strict: bool, output_format: str) -> None:
    """Load Hasura metadata and summarise its actions and custom types.

    Prints one line per action (name, query/mutation, kind, handler, arguments -> output), then the
    custom types and any warnings. Problems Hasura would refuse are printed with file and line (or
    JSON path) and exit with status 2.

    PATH is a Hasura project (with config.yaml), its metadata directory, a metadata export
    (.json/.yaml), a file of metadata API calls, or an actions.graphql file.
    """
    try:
        catalog = _load(path, env, scalars)
    except MetadataError as exc:
        if output_format == "json":
            click.echo(json.dumps({"ok": False, "problems": [_problem_json(p) for p in exc.problems]}, indent=2))
        click.echo(exc.args[0].splitlines()[0], err=True)
        _print_problems([p for p in exc.problems if p.severity == "error"])
        warnings = [p for p in exc.problems if p.severity == "warning"]
        if warnings:
            click.echo(f"and {len(warnings)} warning{'s' if len(warnings) != 1 else ''}:", err=True)
            _print_problems(warnings)
        sys.exit(EXIT_ERROR)
    if output_format == "json":
        click.echo(json.dumps(_catalog_json(catalog), indent=2))
    else:
        click.echo(render_summary(catalog))
        if catalog.warnings:
            click.echo(f"\nwarnings ({len(catalog.warnings)})", err=True)
            _print_problems(catalog.warnings)
    sys.exit(EXIT_ERROR if strict and catalog.warnings else EXIT_OK)


@click.command()
@click.argument("path", type=click.Path())
@click.option("--action", "actions", multiple=True, metavar="NAME", help="Only this action. Repeatable.")
@_env_option
@_scalar_option
def schema(path: str, actions: Sequence[str], env: Sequence[str], scalars: Sequence[str]) -> None:
    """Print JSON Schemas (draft 2020-12) of each action's request, input, success and error reply.

    The success schema is strict: non-null fields, 32-bit Int, enum values, nested objects and list
    elements, all the way down. Each schema carries its own $defs, so it can be used on its own.

    PATH takes the same forms as for `validate`.
    """
    try:
        catalog = _load(path, env, scalars)
        document = schema_document(catalog, actions or None)
    except (MetadataError, InvalidArgument) as exc:
        _exit_with(exc)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@click.command()
@click.argument("path", type=click.Path())
@click.option("--action", "action_name", required=True, metavar="NAME", help="The action to build requests for.")
@click.option("--count", default=10, show_default=True, type=click.IntRange(min=1), help="How many requests.")
@click.option("--seed", type=int, help="Same seed, same requests. Default: a random seed, printed on stderr.")
@click.option("--adversarial", is_flag=True, help="Requests that break one rule each, tagged with the rule.")
@click.option(
    "--violation", "violations", multiple=True, type=click.Choice(VIOLATIONS), metavar="RULE",
    help="With --adversarial: only this rule (repeatable). Rules: " + ", ".join(VIOLATIONS) + ".",
)  # fmt: skip
@click.option("--base-url", metavar="URL", help="Send to this scheme://host:port, keeping the handler's path.")
@click.option(
    "--hasura-version", metavar="VERSION", help="Build requests as this Hasura release does (default: newest)."
)
@_env_option
@_scalar_option
def example(
    path: str,
    action_name: str,
    count: int,
    seed: int | None,
    adversarial: bool,
    violations: Sequence[str],
    base_url: str | None,
    hasura_version: str | None,
    env: Sequence[str],
    scalars: Sequence[str],
) -> None:
    """Print requests Hasura would send to an action's handler, one JSON object per line.

    Each line is {"url", "headers", "payload"}; behind a request transform it is the call the
    handler receives, {"method", "url", "headers", "body"}, plus "hasura_payload". Conforming
    requests start with the fixed edge cases (optional arguments absent, null, present, then low
    and high bounds), then random ones.
    Adversarial ones add "violation" and "violation_path", and carry "raw_body" instead of "payload"
    when the body is not JSON. Secret headers are printed as they would be sent.

    PATH takes the same forms as for `validate`.
    """
    if violations and not adversarial:
        raise click.UsageError("--violation only applies with --adversarial")
    chosen = seed is None
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    try:
        catalog = _load(path, env, scalars)
        options: dict[str, Any] = {"catalog": catalog, "base_url": base_url, "hasura_version": hasura_version}
        requests: list[ActionRequest] = []
        if adversarial:
            strategy = adversarial_requests(action_name, violations=list(violations) or None, **options)
        else:
            requests = edge_requests(action_name, **options)[:count]
            strategy = conforming_requests(action_name, **options)
        if len(requests) < count:
            requests += draw_examples(strategy, count - len(requests), seed_value=seed)
    except (MetadataError, InvalidArgument) as exc:
        _exit_with(exc)
    if chosen:  # after the requests are built: an error is not followed by a seed that made nothing
        click.echo(f"seed: {seed} (pass --seed {seed} to get the same requests again)", err=True)
    for request in requests:
        click.echo(_one_line(json.dumps(request.to_json(), ensure_ascii=False)))


def render_summary(catalog: Catalog) -> str:
    """The `validate` text: a header, one line per action, then the custom types."""
    lines = [f"{catalog.source}: {catalog.source_kind}"]
    custom = catalog.custom_types()
    lines.append(f"{_count(len(catalog.actions), 'action')}, {_count(len(custom), 'custom type')}")
    if catalog.actions:
        lines.append("")
        lines.append("actions")
        rows = [
            (
                a.name,
                a.type,
                "asynchronous" if a.is_async else "synchronous",
                a.handler or "(no handler)",
                "(" + ", ".join(f"{arg.name}: {arg.type}" for arg in a.arguments) + f") -> {a.output_type}",
            )
            for a in catalog.actions.values()
        ]
        lines.extend(_table(rows))
    if custom:
        lines.append("")
        lines.append("custom types")
        lines.extend(_table([_type_row(t) for t in custom]))
    postgres = sorted(t.name for t in catalog.types.values() if isinstance(t, ScalarType) and t.origin == "postgres")
    if postgres:
        lines.append("")
        lines.append("postgres scalars used: " + ", ".join(postgres))
    return "\n".join(lines)


def _type_row(named: Any) -> tuple[str, ...]:
    if isinstance(named, EnumType):
        return ("enum", named.name, " | ".join(named.value_names))
    if isinstance(named, InputObjectType):
        return ("input", named.name, ", ".join(f"{f.name}: {f.type}" for f in named.fields))
    if isinstance(named, ObjectType):
        text = ", ".join(f"{f.name}: {f.type}" for f in named.fields)
        for rel in named.relationships:
            text += f"; {rel.name} -> {rel.type} {'.'.join(rel.remote_table)}"
        return ("type", named.name, text)
    if postgres_category(named.name) is not None:
        # Hasura parses a Postgres type name as that type even when metadata declares it (contract §1.5).
        return ("scalar", named.name, f"Postgres {named.name}")
    return ("scalar", named.name, "any JSON")


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in rows]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "severity": problem.severity,
        "message": problem.message,
        "hasura_message": problem.hasura_message,
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "json_path": problem.json_path,
        "subject": problem.subject,
        "code": problem.code,
        "hint": problem.hint,
    }


def _catalog_json(catalog: Catalog) -> dict[str, Any]:
    return {
        "ok": True,
        "source": catalog.source,
        "source_kind": catalog.source_kind,
        "actions": [
            {
                "name": a.name,
                "type": a.type,
                "kind": a.kind,
                "handler": a.handler,
                "arguments": {arg.name: str(arg.type) for arg in a.arguments},
                "output_type": str(a.output_type),
                "timeout": a.timeout,
                "permissions": [p.role for p in a.permissions],
            }
            for a in catalog.actions.values()
        ],
        "custom_types": {t.name: _type_row(t)[0] for t in catalog.custom_types()},
        "problems": [_problem_json(p) for p in catalog.warnings],
    }


#: Characters that `str.splitlines` and many line readers take for a line break, escaped in JSON lines
#: (generated strings carry them on purpose) so that each request stays on one line.
_BREAKS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def _one_line(text: str) -> str:
    """JSON text with the line-breaking characters inside its strings escaped (JSON allows it)."""
    return text.translate(_BREAKS)
