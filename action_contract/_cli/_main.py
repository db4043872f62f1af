"""The `action-contract` command line: parse arguments, call the library, render; nothing else.

Exit codes: 0 the contract holds (or the metadata is valid), 1 violations, 2 usage or metadata errors,
3 a bug in action-contract (with the traceback and a request to report it), 130 interrupted.
Each command lives in a module of its own, imported only when the command runs (or shows its help), so
`action-contract --help` does not load the library.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
import traceback
from typing import Any

import click

__all__ = ["COMMANDS", "main"]

#: Exit codes click does not give (the others are in `_common`, which loads the library).
EXIT_BUG = 3
EXIT_INTERRUPTED = 130

#: name -> (module in this package, one-line help shown by `action-contract --help`).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("_check", "Check that the handlers of PATH's actions keep their contract with Hasura."),
    "diff": (
        "_diff",
        "Classify every change from OLD to NEW metadata as breaking, dangerous or safe, for the handler and for "
        "clients.",
    ),
    "example": ("_inspect", "Print requests Hasura would send to an action's handler, one JSON object per line."),
    "judge": ("_judge", "Show what Hasura returns to the client for one handler reply, and why."),
    "mock": ("_mock", "Serve a mock handler for PATH's actions, for frontends to call before the handlers exist."),
    "schema": (
        "_inspect",
        "Print JSON Schemas (draft 2020-12) of each action's request, input, success and error reply.",
    ),
    "serve": ("_serve", "Serve a Hasura-like GraphQL endpoint (POST /v1/graphql) for PATH's actions."),
    "transform": ("_transform", "Print the request an action's handler receives after Hasura's request transform."),
    "validate": ("_inspect", "Load Hasura metadata and summarise its actions and custom types."),
}


class _LazyGroup(click.Group):
    """Commands imported when they run; the group's own help lists them from `COMMANDS`. It also gives the
    exit codes click does not: 130 on Ctrl-C, 3 for a bug of our own."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command: click.Command = getattr(importlib.import_module(f"{__package__}.{COMMANDS[cmd_name][0]}"), cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Click's own would import every command for its one-line help; the table has them.
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, _short(COMMANDS[name][1], limit)) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # Click would print "Aborted!" and exit 1, the code of violations.
            click.echo("\ninterrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception:
            click.echo(traceback.format_exc(), err=True, nl=False)
            click.echo("this is a bug in action-contract; please report it with this output", err=True)
            sys.exit(EXIT_BUG)


def _short(text: str, limit: int) -> str:
    """`text` cut at a word to fit `limit` characters, with `...`, as click shortens a command's help."""
    return textwrap.shorten(text, limit, placeholder="...", break_on_hyphens=False)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="action-contract")
def main() -> None:
    """Check Hasura Action handlers against your Hasura metadata, mock them, and serve them as Hasura would."""
