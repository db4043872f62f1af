"""`action-contract transform`: the call Hasura makes after an action's request transform, and with
`--reply`, the reply after its response transform and Hasura's verdict; exit 0, 1 or 2.

The request is printed as Hasura's `test_webhook_transform` metadata API prints it:
`{"webhook_url", "method", "headers": [[lower-cased name, value], ...], "body"}`, the body parsed as
JSON or else kept as text (a form body, or `""` when removed). A failing transform prints Hasura's
400 answer (`request transform validation failed` with the Kriti errors) and exits 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from .._catalog._model import Action
from .._catalog._transform_apply import decode_json
from .._errors import InvalidArgument, MetadataError
from .._generate._action_request import ActionRequest, prepare_call
from .._generate._profiles import HasuraProfile
from .._generate._requests import edge_requests
from .._hasura._judge import judge
from .._send._response import ActionResponse
from ._common import EXIT_OK, EXIT_VIOLATIONS, _env_option, _exit_with, _load, _scalar_option

__all__ = ["transform", "webhook_transform_result"]


def _json_option(text: str | None, name: str) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"expected JSON, found {text!r} ({error.msg})", param_hint=name) from None


def webhook_transform_result(request: ActionRequest) -> dict[str, Any]:
    """`test_webhook_transform`'s answer for a built request: the call, or the 400 validation error."""
    if request.transform_errors:
        return {
            "code": "validation-failed",
            "error": "request transform validation failed",
            "path": "$.args",
            "internal": list(request.transform_errors),
        }
    body = request.body
    decoded = decode_json(body)
    return {
        "webhook_url": request.url,
        "method": request.method,
        "headers": [[name.lower(), value] for name, value in request.headers],
        "body": decoded if decoded is not None or body == b"null" else body.decode("utf-8", "replace"),
    }


def _build(
    catalog: Any, action: Action, arguments: Any, session: Any, base_url: str | None, profile: HasuraProfile
) -> ActionRequest:
    if arguments is None:
        # No input given: the edge request with every optional argument present.
        requests = edge_requests(action, catalog=catalog, base_url=base_url, hasura_version=profile)
        chosen = requests[min(2, len(requests) - 1)]
        if session is None:
            return chosen
        arguments = chosen.payload["input"] if chosen.payload is not None else {}
    if not isinstance(arguments, dict):
        raise InvalidArgument(f"--input: expected a JSON object of arguments, found {json.dumps(arguments)}")
    if session is not None and not (isinstance(session, dict) and all(isinstance(v, str) for v in session.values())):
        raise InvalidArgument('--session: expected a JSON object of strings, e.g. \'{"x-hasura-role": "user"}\'')
    call = prepare_call(catalog, action, profile=profile, base_url=base_url)
    session = {key.lower(): value for key, value in (session or {"x-hasura-role": "admin"}).items()}
    return call.request(arguments, session, None)


@click.command()
@click.argument("path", type=click.Path())
@click.option("--action", "action_name", required=True, metavar="NAME", help="The action to call.")
@click.option("--input", "input_json", metavar="JSON", help="The arguments (`input`). Default: an edge example.")
@click.option(
    "--session", "session_json", metavar="JSON", help='Session variables (default {"x-hasura-role": "admin"}).'
)
@click.option(
    "--reply", "reply_json", metavar="JSON", help="The handler's reply body, to run the response transform on."
)
@click.option("--status", type=click.IntRange(100, 599), default=200, show_default=True, help="The reply's status.")
@click.option("--base-url", metavar="URL", help="Replace the handler's scheme://host:port (and so $base_url's).")
@click.option("--hasura-version", metavar="VERSION", help="Build and judge as this Hasura release (default: newest).")
@_env_option
@_scalar_option
def transform(
    path: str,
    action_name: str,
    input_json: str | None,
    session_json: str | None,
    reply_json: str | None,
    status: int,
    base_url: str | None,
    hasura_version: str | None,
    env: Sequence[str],
    scalars: Sequence[str],
) -> None:
    """Print the request an action's handler receives after Hasura's request transform.

    Output: {"webhook_url", "method", "headers", "body"}, as Hasura's test_webhook_transform API
    prints it, plus "hasura_payload" (the body before the transform). With --reply, also "response":
    the reply body after the response transform ("body") and Hasura's verdict ("accepted" with
    "data", or "errors"). Exit 0 when the transforms apply (and the reply is accepted), 1 when a
    transform fails or the reply is rejected, 2 for usage or metadata errors.

    PATH takes the same forms as for `validate`.
    """
    arguments = _json_option(input_json, "--input")
    session = _json_option(session_json, "--session")
    reply = None if reply_json is None else _json_option(reply_json, "--reply")
    try:
        catalog = _load(path, env, scalars)
        action = catalog.action(action_name)
        profile = HasuraProfile.for_version(hasura_version)
        request = _build(catalog, action, arguments, session, base_url, profile)
        document = webhook_transform_result(request)
        ok = not request.transform_errors
        if ok:
            document["hasura_payload"] = request.payload
        if reply_json is not None and ok:
            response = ActionResponse(status=status, body=json.dumps(reply).encode())
            verdict = judge(action, response, profile, catalog=catalog, request=request)
            answer: dict[str, Any] = {"status": status, "body": verdict.reply, "accepted": verdict.accepted}
            answer.update({"data": verdict.data} if verdict.accepted else {"errors": verdict.errors})
            document["response"] = answer
            ok = verdict.accepted
    except (MetadataError, InvalidArgument) as exc:
        _exit_with(exc)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    sys.exit(EXIT_OK if ok else EXIT_VIOLATIONS)
