"""`action-contract check`: run the contract against a handler and report; exit 0, 1, 2 or 130 (interrupted)."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import click

from .._catalog._inputs import load_inputs
from .._errors import InvalidArgument, MetadataError
from .._generate._profiles import HasuraProfile
from .._generate._variables import require_variables
from .._mock._handler import MockHandler
from .._render._html import render_html
from .._render._junit import render_junit
from .._render._text import Progress, render_json, render_text
from .._run._checks import registered_checks
from .._run._runner import DEFAULT_DATABASE, Settings, run_contract
from .._run._workers import worker_count
from .._send._in_process import app_target
from .._send._targets import DEFAULT_MAX_BODY, HttpTarget, Target
from ._common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_VIOLATIONS,
    _app_kind_option,
    _app_option,
    _env_option,
    _exit_with,
    _load,
    _parse_env,
    _scalar_option,
    _url_option,
)
from ._signals import stopping_on_signals

__all__ = ["check"]


def _pairs(values: Sequence[str], *, sep: str, option: str, example: str) -> dict[str, str]:
    pairs = {}
    for item in values:
        name, found, value = item.partition(sep)
        if not found or not name.strip():
            raise click.BadParameter(f"expected {example}, got {item!r}", param_hint=option)
        pairs[name.strip()] = value.strip() if sep == ":" else value
    return pairs


def _check_names() -> str:
    return ", ".join(registered_checks())


@click.command()
@click.argument("path", type=click.Path())
@_url_option
@_app_option
@_app_kind_option
@click.option(
    "--mock",
    "use_mock",
    is_flag=True,
    help="Check the mock handler (shows the contract is self-consistent).",
)
@click.option(
    "--via-graphql",
    is_flag=True,
    help="Send conforming requests as GraphQL operations through the reference executor (Hasura's part).",
)
@click.option("--action", "actions", multiple=True, metavar="NAME", help="Only this action. Repeatable.")
@click.option(
    "--examples", default=100, show_default=True, type=click.IntRange(min=0), help="Conforming requests per action."
)
@click.option(
    "--adversarial-examples",
    default=50,
    show_default=True,
    type=click.IntRange(min=0),
    help="Invalid requests per action.",
)
@click.option("--seed", type=int, help="Same seed, same requests. Default: random, printed in the summary.")
@click.option("--derandomize", is_flag=True, help="Same requests on every run and no example database (for CI).")
@click.option(
    "--database",
    default=DEFAULT_DATABASE,
    show_default=True,
    metavar="DIR",
    help="Where failing examples are kept and replayed first next time.",
)
@click.option("--no-database", is_flag=True, help="Neither replay nor keep failing examples.")
@click.option("--hasura-version", metavar="VERSION", help="Judge as this Hasura release does (default: the newest).")
@click.option("--no-strict", is_flag=True, help="Report output_conforms findings as warnings (exit 0).")
@click.option("--no-adversarial", is_flag=True, help="Send no invalid requests (no rejects_invalid, enforces_secret).")
@click.option(
    "--adversarial-raw",
    is_flag=True,
    help="Behind a request_transform too: send Hasura's payload broken and untransformed (off by default).",
)
@click.option("--exclude-check", "exclude", multiple=True, metavar="NAME", help="Turn a check off. Repeatable.")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="A client header Hasura forwards.")
@click.option("--session", "session", multiple=True, metavar="NAME=VALUE", help="Fix a session variable. Repeatable.")
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per reply instead of each action's timeout."
)
@click.option("--no-shrink", is_flag=True, help="Report failures as found, without shrinking them.")
@click.option(
    "--hasura-dev-mode", is_flag=True, help="Show `internal` in Hasura's errors, as HASURA_GRAPHQL_DEV_MODE does."
)
@click.option("--report-json", type=click.Path(dir_okay=False, writable=True), help="Write the report as JSON.")
@click.option(
    "--report-html",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report as one self-contained HTML page.",
)
@click.option(
    "--junit-xml",
    type=click.Path(dir_okay=False, writable=True),
    help="Write JUnit XML: one case per action and check.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines; only failures and the summary.")
@click.option(
    "--adversarial-strict",
    is_flag=True,
    help="Report a 2xx to a request whose only defect is extra or in the envelope as an error, not a warning.",
)
@click.option(
    "--wait-for-restart",
    type=click.FloatRange(min=0),
    default=0,
    metavar="SECONDS",
    help="When the handler stops answering, wait this long for it to come back (a supervised handler) and go on.",
)
@click.option(
    "--max-reply-mb",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BODY // 2**20,
    show_default=True,
    help="Read replies up to this size; a bigger one is a warning (Hasura itself has no cap).",
)
@_env_option
@_scalar_option
@click.option(
    "--examples-file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The examples file the mock reads: its `inputs:` lists are known-good inputs, sent first and mutated.",
)
@click.option(
    "--workers",
    default="auto",
    show_default=True,
    metavar="N|auto",
    help="Requests in flight at once; auto adapts to the handler and this machine (1 to 16). Same seed, same findings.",
)
@click.option(
    "--shrink-time",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds each failure may spend being shrunk; past it the smallest request so far is reported.",
)
def check(
    path: str,
    url: str | None,
    app: str | None,
    app_kind: str | None,
    use_mock: bool,
    via_graphql: bool,
    actions: Sequence[str],
    examples: int,
    adversarial_examples: int,
    seed: int | None,
    derandomize: bool,
    database: str,
    no_database: bool,
    hasura_version: str | None,
    no_strict: bool,
    no_adversarial: bool,
    adversarial_raw: bool,
    exclude: Sequence[str],
    headers: Sequence[str],
    session: Sequence[str],
    timeout: float | None,
    no_shrink: bool,
    hasura_dev_mode: bool,
    report_json: str | None,
    report_html: str | None,
    junit_xml: str | None,
    quiet: bool,
    env: Sequence[str],
    scalars: Sequence[str],
    adversarial_strict: bool = False,
    wait_for_restart: float = 0.0,
    max_reply_mb: int = DEFAULT_MAX_BODY // 2**20,
    examples_file: str | None = None,
    workers: str = "auto",
    shrink_time: float = 10.0,
) -> None:
    """Check that the handlers of PATH's actions keep their contract with Hasura.

    Sends each action the fixed edge cases and generated requests Hasura could send (--examples),
    requests that break one rule each (--adversarial-examples) and requests without the secret
    headers, then judges every reply exactly as Hasura would. With --via-graphql the conforming
    requests go as GraphQL operations through the reference executor, so the handler gets what
    Hasura builds from them and failures show what the client gets. Known-good inputs (the `inputs:`
    lists of --examples-file) are sent first and seed the generated requests. Checks: hasura_accepts,
    output_conforms (strict), error_object, accepts_valid, rejects_invalid, enforces_secret.

    Each finding is an error or a warning: a 2xx to a request whose only defect is extra or in the
    envelope (an unknown field, a wrong action name, missing session variables), a flaky failure and a
    reply over --max-reply-mb are warnings (--adversarial-strict makes the first errors).

    Groups of requests run concurrently (--workers). Against a slow handler a run takes at most about
    actions x (3 timeouts + --shrink-time): 3 timeouts in a row end an action's exploration. Ctrl-C stops
    sending, waits for the requests in flight, and reports what ran (and writes the report files).

    Exit codes: 0 the contract holds (warnings allowed), 1 errors found, 2 usage or metadata errors, 3 a
    bug in action-contract, 130 interrupted.
    """
    if sum(map(bool, (url, app, use_mock))) > 1:
        raise click.UsageError("pass only one of --url, --app and --mock")
    client_headers = _pairs(headers, sep=":", option="--header", example="'NAME: VALUE'")
    fixed_session = _pairs(session, sep="=", option="--session", example="NAME=VALUE")
    try:
        catalog = _load(path, env, scalars)
        if not catalog.actions:
            click.echo(f"no actions in {path}: nothing to check ({catalog.source_kind} declares none)", err=True)
            sys.exit(EXIT_ERROR)
        profile = HasuraProfile.for_version(hasura_version, dev_mode=hasura_dev_mode)
        settings = Settings(
            examples=examples,
            adversarial_examples=adversarial_examples,
            adversarial=not no_adversarial,
            adversarial_raw=adversarial_raw,
            strict=not no_strict,
            seed=seed,
            derandomize=derandomize,
            database=None if no_database else database,
            shrink=not no_shrink,
            hasura_version=profile,
            actions=tuple(actions),
            exclude_checks=tuple(exclude),
            base_url=url,
            env=_parse_env(env),
            session=fixed_session or None,
            client_headers=client_headers or None,
            timeout=timeout,
            in_process=bool(app) or use_mock,
            via_graphql=via_graphql,
            adversarial_strict=adversarial_strict,
            wait_for_restart=wait_for_restart,
            inputs=load_inputs(examples_file, catalog) if examples_file else None,
            workers=worker_count(workers),
            shrink_time=shrink_time,
        )
        selected = [catalog.action(name) for name in actions] or list(catalog)
        # Every variable the calls need, named at once before anything is sent.
        require_variables(catalog, selected, env=settings.env, handler_urls=not (url or app or use_mock))
        target: Target = HttpTarget(max_body=max_reply_mb * 2**20)
        if app:
            target = app_target(app, kind=app_kind, max_body=max_reply_mb * 2**20)
        elif use_mock:
            target = app_target(MockHandler(catalog, require_secret=True, env=settings.env, cors=False), kind="asgi")
        progress = None if quiet else Progress(sys.stderr)
        stop = threading.Event()
        with target, stopping_on_signals(stop):
            heartbeat = None if progress is None else progress.heartbeat
            report = run_contract(catalog, target, settings, progress=progress, heartbeat=heartbeat, stop=stop)
    except (MetadataError, InvalidArgument) as error:
        _exit_with(error)
    report.target = f"app_target({app!r})" if app else "MockHandler(catalog)" if use_mock else "HttpTarget()"
    click.echo(render_text(report, catalog=catalog))
    for name in report.only_404():
        sent = next((f.request.url for f in report.failures if f.action == name), f"{name}'s handler URL")
        click.echo(
            f"warning: every reply of {name} was 404 Not Found from {sent}: no handler answers at that path. "
            "A path in --url goes before each handler's own path (--url http://host:3000/api sends to "
            "http://host:3000/api/<handler path>); pass only scheme://host:port if the handler's path is complete.",
            err=True,
        )
    if report_json:
        Path(report_json).write_text(json.dumps(render_json(report, catalog=catalog), indent=2, ensure_ascii=False))
    if report_html:
        Path(report_html).write_text(render_html(report, catalog=catalog), encoding="utf-8")
    if junit_xml:
        Path(junit_xml).write_text(render_junit(report, catalog=catalog))
    if report.interrupted:
        click.echo("interrupted: the report above covers what ran before the stop", err=True)
        sys.exit(EXIT_INTERRUPTED)
    ran = [r for r in report.results if r.skipped is None]
    if not ran:
        click.echo("nothing was checked: every group was skipped (see the reasons above)", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK if report.passed else EXIT_VIOLATIONS)
