"""`action-contract diff OLD NEW`: who a metadata change breaks, the handler or the client; exit 0, 1 or 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from .._catalog._model import Catalog
from .._diff._differ import diff_catalogs
from .._diff._git_source import load_source
from .._diff._render import render_diff_json, render_diff_markdown, render_diff_table
from .._diff._values import SIDES, Side
from .._errors import InvalidArgument, MetadataError
from .._generate._profiles import HasuraProfile
from ._common import EXIT_OK, EXIT_VIOLATIONS, _exit_with, _scalar_option

__all__ = ["diff"]

_FAIL_ON: dict[str, tuple[Side, ...]] = {"both": SIDES, "handler": ("handler",), "client": ("client",), "none": ()}


@click.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json", "markdown"]), default="table",
    show_default=True, help="table for people, json for tools, markdown for a pull request comment.",
)  # fmt: skip
@click.option(
    "--fail-on", type=click.Choice(list(_FAIL_ON)), default="both", show_default=True,
    help="Exit 1 when a change is breaking for this side.",
)  # fmt: skip
@click.option(
    "--hasura-version", metavar="VERSION", help="The Hasura release that judges replies (default: the newest)."
)
@_scalar_option
def diff(
    old: str,
    new: str,
    output_format: str,
    fail_on: str,
    hasura_version: str | None,
    scalars: Sequence[str],
) -> None:
    """Classify every change from OLD to NEW metadata as breaking, dangerous or safe, for the handler and for clients.

    OLD and NEW are anything `check` reads, or git:REV:path for a path at a git revision of this
    repository (e.g. git:origin/main:hasura; git reads the path from the repository root, ./path
    from the current directory). Clients break when their operations stop working (an argument
    made required, a field removed, a role losing access); handlers break when Hasura may now send
    them what they never got (an argument made optional, an enum value added to an input) or
    refuse what they return (an output field made non-null, a secret header removed).

    Exit codes: 0 nothing breaks a side named by --fail-on, 1 something does, 2 usage or metadata errors.
    """
    try:
        profile = HasuraProfile.for_version(hasura_version)
        # Handlers and headers are compared as the templates they are, so no {{VAR}} needs a value.
        before = load_source(old, scalars=scalars)
        after = load_source(new, scalars=scalars)
    except (MetadataError, InvalidArgument) as exc:
        _exit_with(exc)
    result = diff_catalogs(before, after, profile=profile)
    sides = _FAIL_ON[fail_on]
    if output_format == "json":
        click.echo(render_diff_json(result))
    elif output_format == "markdown":
        click.echo(render_diff_markdown(result, old, new, fail_on=sides))
    else:
        click.echo(render_diff_table(result, _label(old, before), _label(new, after)))
    broken = [side for side in sides if result.breaking(side)]
    if broken and output_format == "table":
        click.echo(f"breaking for {' and '.join(f'{s}s' for s in broken)} (--fail-on {fail_on})", err=True)
    sys.exit(EXIT_VIOLATIONS if broken else EXIT_OK)


def _label(spec: str, catalog: Catalog) -> str:
    count = len(catalog)
    return f"{spec} ({catalog.source_kind}, {count} action{'s' if count != 1 else ''})"
