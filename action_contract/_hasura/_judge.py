"""`judge`: what Hasura does with a handler's reply, exactly, under a version profile.

The single place that knows Hasura's order of checks (contract §3.1): transport, response transform,
JSON decoding (before the status is looked at), then the 2xx path (§3.2), the 4xx path (§4) or an
internal error for any other status. The release-specific texts live in `_hasura_rules`, the debug
block in `_hasura_internal`, the client's `data` in `_shaping`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._catalog._model import Action, Catalog, TypeRef
from .._catalog._transform_apply import TransformFailure
from .._catalog._transforms import response_transform_of
from .._errors import InvalidArgument
from .._generate._action_request import ActionRequest
from .._generate._profiles import HasuraProfile
from .._send._response import ActionResponse, TransportFailure
from ._internal import aeson_decode_error, http_exception, internal_block, request_role, resolved_url
from ._rules import Rejection, check_error_object, check_success, unsupported_output
from ._shaping import shape
from ._transform_reply import transformed_reply

__all__ = ["Verdict", "check_supported", "decode_reply", "judge"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """Hasura's answer to one reply: the client's `data`, or the exact GraphQL error, and why."""

    #: Hasura returns data to the client.
    accepted: bool
    #: When accepted: what the client gets with every field selected (contract §3.3).
    data: Any = None
    #: When not accepted: the GraphQL error object exactly as Hasura returns it, `internal` included
    #: only when the profile shows it to the caller's role (contract §4.3).
    error: Mapping[str, Any] | None = None
    #: A stable key of the decision, for de-duplicating failures (see `judge`).
    reason: str
    #: Where in the reply body the problem is (`$.id`, `$[2]`).
    path: str = "$"
    #: What Hasura saw, why it decided so, and what to change in the handler.
    explanation: str
    #: The reply body as Hasura decoded it, so checks need not decode it again (None when it is not JSON).
    reply: Any = None

    @property
    def errors(self) -> list[Mapping[str, Any]]:
        """The GraphQL `errors` list the client sees: empty when accepted."""
        return [] if self.error is None else [self.error]


def judge(
    action: Action,
    response: ActionResponse,
    profile: HasuraProfile | None = None,
    *,
    catalog: Catalog,
    request: ActionRequest | None = None,
) -> Verdict:
    """Hasura's verdict on `response` to a call of `action` (`request`, if given, supplies the role and payload).

    `reason` is one of "ok", "request_transform", "transport:<kind>", "unread:too_large" (our size cap, no
    verdict), "response_transform", "not_json", "unexpected_status", "null_body", "shape", "missing_field",
    "null_field", "extra_fields", "handler_error" and "invalid_error_object". Raises `InvalidArgument`
    when the profile's release would refuse the action's output type, so no reply could be judged.
    """
    profile = profile or HasuraProfile()
    check_supported(catalog, action, profile)
    verdict = _Judge(action, response, profile, catalog, request).run()
    if response.crash is not None:  # an in-process app raised: the 500 says nothing of why, so we do
        explanation = f"{verdict.explanation} Called in-process, {response.crash}.".strip()
        verdict = dataclasses.replace(verdict, explanation=explanation)
    return verdict


def check_supported(catalog: Catalog, action: Action, profile: HasuraProfile) -> None:
    """Raise `InvalidArgument` when `profile`'s release refuses `action`'s output type (naming the fix)."""
    refused = unsupported_output(catalog, action.output_type, profile)
    if refused is None:
        return
    first = _first_supporting(catalog, [action.output_type])
    every = _first_supporting(catalog, [a.output_type for a in catalog])
    pick = (
        f"Hasura {first} is the first release that supports output type {action.output_type}"
        if first is not None
        else f"no release supports output type {action.output_type}"
    )
    if every is not None:
        pick += f"; pass --hasura-version {every.lstrip('v').rsplit('.', 1)[0]} or newer for every action here"
    raise InvalidArgument(f"Hasura {profile.label} refuses action {action.name!r}: {refused}. {pick}")


_UNREACHED = "Start the handler, or send to where it runs with --url (or call a Python app in-process with --app)."
#: What to do about each kind of transport failure (`{timeout}`: the action's timeout in seconds).
_TRANSPORT_ADVICE = {
    "dns": _UNREACHED,
    "refused": _UNREACHED,
    "connect_timeout": "Check that the handler's host is reachable from here, or send to it with --url.",
    "timeout": "Make the handler answer within the action's timeout ({timeout} s).",
    "invalid_url": "Fix the handler URL in the metadata, or send to where the handler runs with --url.",
}
_BROKEN_REPLY = "The handler closed the connection or broke off its reply; its log says why."


def _first_supporting(catalog: Catalog, output_types: list[TypeRef]) -> str | None:
    """The label of the oldest release that accepts each of `output_types` as an action's output, if any does."""
    for minor in range(100):
        profile = HasuraProfile.for_version(f"2.{minor}")
        if all(unsupported_output(catalog, ref, profile) is None for ref in output_types):
            return profile.label
        if profile.label == HasuraProfile().label:
            break
    return None


def decode_reply(body: bytes) -> tuple[bool, Any, str]:
    """Decode a body as Hasura's aeson would: `(ok, value, why_not)`.

    Strict UTF-8 and strict JSON: unlike Python's `json`, aeson rejects NaN and Infinity; duplicate
    keys keep the last value in both.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return False, None, f"not UTF-8 (byte {error.start})"
    try:
        return True, json.loads(text, parse_constant=_no_constant), ""
    except json.JSONDecodeError as error:
        return False, None, f"{error.msg} at line {error.lineno} column {error.colno}"
    except ValueError as error:  # NaN / Infinity
        return False, None, str(error)
    except RecursionError:
        return False, None, "nested deeper than action-contract can read (Hasura itself would read it)"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Judge:
    def __init__(
        self,
        action: Action,
        response: ActionResponse,
        profile: HasuraProfile,
        catalog: Catalog,
        request: ActionRequest | None,
    ) -> None:
        self.action = action
        self.response = response
        self.profile = profile
        self.catalog = catalog
        self.request = request
        self.show_internal = profile.shows_internal(request_role(request))

    def run(self) -> Verdict:
        response = self.response
        if self.request is not None and self.request.transform_errors:
            return self.transform_failed("Request", list(self.request.transform_errors))
        if response.failure is not None:
            return self.transport(response.failure)
        if response.status is None:
            raise InvalidArgument("an ActionResponse needs a status or a transport failure")
        transform = response_transform_of(self.action)
        if transform is not None:
            try:
                body = transformed_reply(transform, response, self.request)
            except TransformFailure as failure:
                return self.transform_failed("Response", failure.errors)
        else:
            ok, body, why = decode_reply(response.body)
            if not ok:
                return self.not_json(why)
        status = response.status
        if 200 <= status <= 299:
            return self.success(body)
        if 400 <= status <= 499:
            return self.client_error(body)
        # §3.1 item 4: 1xx, 3xx (redirects not followed) and 5xx, whatever the body.
        internal = f"expecting 2xx or 4xx status code, but found {status}"
        return self.reject(
            "internal error",  # code `unexpected` (contract §3.1 item 4, §4.4)
            reason="unexpected_status",
            internal_error=internal,
            body=body,
            reply=body,
            explanation=(
                f"Status {status} is neither 2xx nor 4xx, so Hasura reports an internal error and ignores the "
                'body. Answer 2xx with the output, or 4xx with {"message": ...} for an error the client should see.'
            ),
        )

    # -- the steps of §3.1 ----------------------------------------------------------------------

    def transport(self, failure: TransportFailure) -> Verdict:
        url = resolved_url(self.action, self.catalog, self.request)
        timeout = self.request.timeout if self.request is not None else float(self.action.timeout)
        if failure.kind == "too_large":
            # Our cap, not Hasura's: no Hasura verdict exists for a body we did not read.
            return Verdict(
                accepted=False,
                reason="unread:too_large",
                explanation=(
                    f"The {failure.detail}. Hasura has no such cap and would read and judge the whole body; "
                    "this run could not, so it says nothing about what Hasura does with it."
                ),
            )
        else:
            explanation = (
                f"No complete HTTP reply: {failure.detail}. Hasura reports any transport failure as "
                f'"http exception when calling webhook". {_TRANSPORT_ADVICE.get(failure.kind, _BROKEN_REPLY)}'
            ).replace("{timeout}", str(self.action.timeout))
        return self.reject(
            "http exception when calling webhook",  # contract §5
            reason=f"transport:{failure.kind}",
            internal_error=http_exception(failure, url, timeout, self.profile),
            body=None,
            explanation=explanation,
        )

    def transform_failed(self, side: str, errors: list[Any]) -> Verdict:
        # The error list itself is `internal` here, shown under the same rule as any internal block.
        extensions: dict[str, Any] = {"path": "$", "code": "unexpected"}
        if self.show_internal:
            extensions["internal"] = errors
        first = errors[0] if errors else {}
        where = "no handler was called" if side == "Request" else "after the handler answered"
        return Verdict(
            accepted=False,
            error={"message": f"{side} Transformation Failed", "extensions": extensions},
            reason=f"{side.lower()}_transform",
            explanation=(
                f"The action's {side.lower()}_transform failed ({where}): {first.get('error_code')}: "
                f"{first.get('message')}. Hasura reports this to the client; make the template handle this "
                "input (for an optional field, `$body.input?.field` gives null instead of an error)."
            ),
        )

    def not_json(self, why: str) -> Verdict:
        raw = self.response.body.decode("utf-8", errors="replace")  # `bsToTxt`: lenient
        internal = self.profile.invalid_json_prefix + aeson_decode_error(self.response.body)
        return self.reject(
            "not a valid json response from webhook",  # contract §3.1 item 3
            reason="not_json",
            internal_error=internal,
            body=raw,
            explanation=(
                f"The body is not JSON ({why or 'empty'}). Hasura decodes the body before it looks at the status "
                f"({self.response.status}), so every reply, errors included, must be a JSON document."
            ),
        )

    def success(self, body: Any) -> Verdict:
        rejection = check_success(self.catalog, self.action.output_type, body, self.profile)
        if rejection is not None:
            return self.rejected_body(rejection, body)
        return Verdict(
            accepted=True,
            data=shape(self.catalog, self.action.output_type, body, self.profile),
            reply=body,
            reason="ok",
            explanation=(
                f"Hasura accepts this {self.response.status} reply for output type {self.action.output_type}. "
                "It checks only the top-level shape and non-null fields; see the strict findings for the rest."
            ),
        )

    def client_error(self, body: Any) -> Verdict:
        parsed = check_error_object(body, self.profile)
        if isinstance(parsed, Rejection):
            return self.rejected_body(parsed, body)
        code = parsed["extensions"].get("code") if isinstance(parsed["extensions"], Mapping) else None
        return Verdict(
            accepted=False,
            error=parsed,  # no `internal` on a well-formed error object (contract §4.2)
            reply=body,
            reason="handler_error",
            explanation=(
                f"A well-formed {self.response.status} error object: Hasura passes the handler's message"
                + (f" and code {code!r}" if code is not None else "")
                + " to the client. A legitimate business error, if the request deserved one."
            ),
        )

    # -- helpers --------------------------------------------------------------------------------

    def rejected_body(self, rejection: Rejection, body: Any) -> Verdict:
        return self.reject(
            rejection.message,
            reason=rejection.reason,
            code=rejection.code,
            error_path=rejection.error_path,
            path=rejection.path,
            internal_error="unexpected response",
            body=body,
            reply=body,
            explanation=_explain(rejection, self.action),
        )

    def reject(
        self,
        message: str,
        *,
        reason: str,
        internal_error: Any,
        body: Any,
        explanation: str,
        code: str = "unexpected",
        error_path: str = "$",
        path: str = "$",
        reply: Any = None,
    ) -> Verdict:
        # `encodeGQLErr`: path and code, then `internal` when the caller may see it (§4.3).
        extensions: dict[str, Any] = {"path": error_path, "code": code}
        if self.show_internal:
            response = self.response if self.response.failure is None else None
            extensions["internal"] = internal_block(
                internal_error,
                action=self.action,
                catalog=self.catalog,
                profile=self.profile,
                request=self.request,
                response=response,
                body=body,
            )
        return Verdict(
            accepted=False,
            error={"message": message, "extensions": extensions},
            reason=reason,
            path=path,
            explanation=explanation,
            reply=reply,
        )


def _explain(rejection: Rejection, action: Action) -> str:
    output = action.output_type
    where = f" at {rejection.path}" if rejection.path != "$" else ""
    if rejection.reason == "invalid_error_object":
        return (
            f'A 4xx reply must be a JSON object with a string "message" (optional string "code", any '
            f'"extensions"); Hasura could not decode this one{where} and reports a parse failure instead.'
        )
    if rejection.reason == "missing_field":
        return f"The non-null field{where} is missing. Hasura refuses the reply; always send it for {output}."
    if rejection.reason == "null_field":
        return f"The non-null field{where} is null. Hasura refuses the reply; send a value for it."
    if rejection.reason == "extra_fields":
        return (
            "This Hasura release refuses keys the output type does not declare (ignored since v2.1); "
            f"send only the fields of {output}."
        )
    if rejection.reason == "null_body":
        return f"The reply{where} is null where {output} allows none. Send a value, or make the type nullable."
    return f"The reply{where} does not have the shape of {output}. Send a value of the declared output type."
