"""The `action-contract` command line: parse arguments, call the library, render; nothing else.

Exit codes: 0 the contract holds (or the metadata is valid), 1 violations, 2 usage or metadata errors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from ._errors import InvalidArgument, MetadataError, Problem
from ._json_schema import schema_document
from ._metadata import load_catalog
from ._model import Catalog, EnumType, InputObjectType, ObjectType, ScalarType

__all__ = ["main"]

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def _parse_env(values: Sequence[str]) -> dict[str, str]:
    env = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--env")
        env[name] = value
    return env


_env_option = click.option(
    "--env",
    "env",
    multiple=True,
    metavar="NAME=VALUE",
    help="Value for a {{NAME}} template (beats the environment and the project's .env). Repeatable.",
)
_scalar_option = click.option(
    "--scalar",
    "scalars",
    multiple=True,
    metavar="NAME",
    help="A Postgres type of your database to accept without a declaration (e.g. a domain). Repeatable.",
)


def _load(path: str, env: Sequence[str], scalars: Sequence[str]) -> Catalog:
    return load_catalog(path, _parse_env(env), scalars=scalars)


def _print_problems(problems: Sequence[Problem], *, err: bool = True) -> None:
    for problem in problems:
        click.echo(problem.render(), err=err)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="action-contract")
def main() -> None:
    """Check Hasura Action handlers against the contract in your Hasura metadata."""


@main.command()
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


@main.command()
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
    except MetadataError as exc:
        click.echo(exc.args[0].splitlines()[0], err=True)
        _print_problems(exc.errors)
        sys.exit(EXIT_ERROR)
    except InvalidArgument as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


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
