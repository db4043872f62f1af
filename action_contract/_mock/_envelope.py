"""`ActionChecks`: the compiled checks of one action's calls, and of their envelope (contract §1.3, §1.4).

The payload has `action: {"name": ...}`, `input`, `session_variables` and, since v2.1,
`request_query` as a string or null; unknown keys are fine, a newer Hasura may add some. Session
variables have lower-case `x-hasura-*` names, string values and always the role. `input` is checked
by the action's compiled argument check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .._catalog._model import Action
from .._suggest import short_json
from ._problems import PAYLOAD_CODE, Check, Report, child_path

__all__ = ["ActionChecks", "media_type_problem"]

_NO_ARGUMENTS = "Hasura sends {} when no arguments are given"
_ROLE_ALWAYS = "Hasura always sends at least x-hasura-role"
_SESSION = "$.session_variables"


class ActionChecks:
    """The compiled checks of one action's calls: the envelope here, `input` through `arguments`."""

    __slots__ = ("action", "arguments", "by_key", "missing", "wanted")

    def __init__(self, action: Action, arguments: Check) -> None:
        self.action = action
        self.arguments = arguments
        self.wanted = f'{{"name": {json.dumps(action.name)}}}'
        self.by_key: dict[str, Callable[[Any, Report], None]] = {
            "action": self.action_object,
            "input": self.input,
            "session_variables": _session_variables,
            "request_query": _request_query,
        }
        # Not `request_query`: Hasura before v2.1 does not send it (contract §1.3).
        self.missing = (
            ("action", f"expected {self.wanted}, found nothing"),
            ("input", f"expected an object of {action.name}'s arguments, found nothing; {_NO_ARGUMENTS}"),
            ("session_variables", f"expected an object of session variables, found nothing; {_ROLE_ALWAYS}"),
        )

    def serves(self, action: Action) -> bool:
        return self.action is action or self.action == action

    def payload(self, payload: Any, report: Report) -> None:
        if not isinstance(payload, dict):
            found = short_json(payload)
            report.add(
                "$", f"expected a JSON object with action, input and session_variables, found {found}", PAYLOAD_CODE
            )
            return
        for key, value in payload.items():
            check = self.by_key.get(key)  # other keys are fine: a newer Hasura may send more
            if check is not None:
                check(value, report)
        for key, message in self.missing:
            if key not in payload:
                report.add("$." + key, message, PAYLOAD_CODE)

    def action_object(self, value: Any, report: Report) -> None:
        if not isinstance(value, dict):
            # Hasura's docs of Feb-May 2020 showed `"action": "<name>"`; every server sends an object (§1.3).
            hint = '; early Hasura docs showed "action" as a bare name, but Hasura sends an object'
            found = short_json(value) + (hint if isinstance(value, str) else "")
            report.add("$.action", f"expected {self.wanted}, found {found}", PAYLOAD_CODE)
            return
        name = value.get("name", ...)
        if isinstance(name, str) and name == self.action.name:
            return
        found = "nothing" if name is ... else short_json(name)
        same = isinstance(name, str) and name.lower() == self.action.name.lower()
        hint = "; action names are case-sensitive" if same else ""
        report.add("$.action.name", f"expected {json.dumps(self.action.name)}, found {found}{hint}", PAYLOAD_CODE)

    def input(self, value: Any, report: Report) -> None:
        if isinstance(value, dict):
            self.arguments(value, "$.input", report)
        else:
            hint = f"; {_NO_ARGUMENTS}" if value is None or value == [] else ""
            message = f"expected an object of {self.action.name}'s arguments, found {short_json(value)}{hint}"
            report.add("$.input", message, PAYLOAD_CODE)


def _session_variables(value: Any, report: Report) -> None:
    if not isinstance(value, dict):
        report.add(_SESSION, f"expected an object of session variables, found {short_json(value)}", PAYLOAD_CODE)
        return
    for key, item in value.items():
        path, name = child_path(_SESSION, key), str(key)
        # Hasura case-folds the names and passes only x-hasura-* variables on (contract §1.4).
        if not name.lower().startswith("x-hasura-"):
            found = f"found {short_json(name)}; Hasura sends no other session variables"
            report.add(path, f"expected an x-hasura-* name, {found}", PAYLOAD_CODE)
        elif name != name.lower():
            found = f"found {short_json(name)}; Hasura lower-cases session variable names"
            report.add(path, f"expected a lower-case name, {found}", PAYLOAD_CODE)
        if not isinstance(item, str):
            found = f"found {short_json(item)}; Hasura sends every session variable as a string"
            report.add(path, f"expected a string, {found}", PAYLOAD_CODE)
    if "x-hasura-role" not in value:
        report.add(f"{_SESSION}['x-hasura-role']", f"expected the role, found nothing; {_ROLE_ALWAYS}", PAYLOAD_CODE)


def _request_query(value: Any, report: Report) -> None:
    # A string for synchronous actions, null for asynchronous ones (contract §1.3).
    if value is not None and not isinstance(value, str):
        message = f"expected the client's GraphQL document as a string, or null, found {short_json(value)}"
        report.add("$.request_query", message, PAYLOAD_CODE)


def media_type_problem(action: Action, content_type: str) -> str | None:
    """Why a call with this Content-Type is not one Hasura makes to `action`'s handler, or None."""
    media = content_type.partition(";")[0].strip().lower()
    # Hasura POSTs JSON with `Content-Type: application/json`; a request transform may send another type.
    if not media or media == "application/json" or action.request_transform is not None:
        return None
    return (
        f"expected Content-Type: application/json, as Hasura sends to {action.name}'s handler, found {media!r}; "
        "send the body as JSON (curl: -H 'Content-Type: application/json')"
    )
