"""Severity: every finding is an `error` (the run fails, exit 1) or a `warning` (shown and counted, the run passes).

Errors are what hurts a client or lets a caller past the contract: whatever Hasura turns into a client
error (`hasura_accepts`, `error_object`), a handler that accepts nothing (`accepts_valid`), strict type
breaks (`output_conforms`, a warning under `--no-strict`), a crash (5xx, no reply, a timeout) on any
request, a missing secret check (`enforces_secret`), and a 2xx to an input value the argument types
forbid (`INPUT_RULES`): the handler then works with values its own contract rules out.

Warnings by default (`LENIENT_RULES`): a 2xx to an adversarial request whose only defect is in the
envelope or is extra. Hasura never sends such a request, and a third party calling the handler
directly gains nothing from the leniency; `--adversarial-strict` makes them errors. A failure that
passed when its minimal request was replayed (`flaky`) is a warning too: the handler's state or
timing decides it, so the request alone does not reproduce it.
"""

from __future__ import annotations

from typing import Literal

from ._case import Case, Finding
from ._checks import Check

__all__ = ["INPUT_RULES", "LENIENT_RULES", "Severity", "severity_of"]

#: `error` fails the run (exit 1); `warning` is reported and counted apart, and the run still passes.
Severity = Literal["error", "warning"]

#: Adversarial rules whose 2xx is a warning by default, each with why it is harmless.
LENIENT_RULES: dict[str, str] = {
    "unknown_argument": "an argument the action does not declare is extra; ignoring it changes nothing the "
    "handler computes, and Hasura never sends one",
    "unknown_field": "a field an input object does not declare is extra; ignoring it changes nothing the "
    "handler computes, and Hasura never sends one",
    "wrong_action_name": "a handler serving one action at its own URL need not read `action.name`; Hasura "
    "always sends the right one",
    "missing_action_name": "a handler serving one action at its own URL need not read `action.name`; Hasura "
    "always sends it",
    "missing_session_variables": "a handler that does not use session variables does not miss them; Hasura "
    "always sends the object",
    "malformed_session_variables": "a handler that does not use session variables does not miss them; Hasura "
    "always sends an object of strings",
    "missing_request_query": "few handlers read `request_query`; Hasura sends it for every synchronous action",
}

#: Adversarial rules whose 2xx is an error: the handler works with an input value its argument types rule out.
INPUT_RULES: dict[str, str] = {
    "missing_required_argument": "a required argument is absent",
    "null_for_non_null": "null where the type is non-null",
    "wrong_type": "a value of the wrong JSON type",
    "int_out_of_range": "an Int outside 32 bits (or a bigint outside 64)",
    "non_integral_int": "a fraction where an integer is declared",
    "malformed_scalar": "a string that is not a valid value of its scalar",
    "unknown_enum_value": "a value the enum does not declare",
    "missing_required_field": "a required field of an input object is absent",
    "object_for_list": "an object where a list is declared",
    "list_for_object": "a list where an input object is declared",
    "missing_input": "no `input` at all, so no argument",
    "malformed_input": "`input` that is not an object",
    "not_json": "a body that is not JSON",
    "empty_body": "an empty body",
}


def severity_of(check: Check, finding: Finding, case: Case, *, strict: bool, adversarial_strict: bool) -> Severity:
    """The severity of `finding` on `case` under the run's `--no-strict` and `--adversarial-strict`."""
    if check.strict and not strict:
        return "warning"
    if finding.kind == "too_large":
        return "warning"  # our size cap, not the handler's fault nor Hasura's verdict
    violation = case.request.violation
    if (
        check.name == "rejects_invalid"
        and not adversarial_strict
        and violation in LENIENT_RULES
        and case.status_class == "2xx"
    ):
        return "warning"
    return "error"
