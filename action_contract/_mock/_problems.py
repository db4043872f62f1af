"""`CallProblem`: one way a webhook call breaks the contract, the report that collects them, and their paths.

A report stops at `MAX_PROBLEMS`; a `Check` adds to it what is wrong with one value at one path.
Paths are spelled as `adversarial_requests` spells its violation paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "INPUT_CODE",
    "MAX_PROBLEMS",
    "PAYLOAD_CODE",
    "CallProblem",
    "Check",
    "Full",
    "Report",
    "child_path",
    "list_hint",
]

#: The most problems reported for one call: enough to fix a request, short enough to read.
MAX_PROBLEMS = 20
INPUT_CODE = "validation-failed"  # what Hasura answers for a bad argument (contract §1.5)
PAYLOAD_CODE = "unexpected-payload"  # the envelope itself is wrong: no GraphQL request could cause it
_IDENTIFIER = re.compile(r"\w+")


@dataclass(frozen=True, slots=True, kw_only=True)
class CallProblem:
    """One way a webhook call breaks the contract: where, what, and the error code to answer with."""

    #: JSON path into the body: `$.action.name`, `$.input.items[0].quantity`, `$.session_variables['x-hasura-role']`.
    path: str
    #: `expected <what>, found <value as short JSON>`, plus a hint when one helps; never repeats the path.
    message: str
    #: `extensions.code` for the reply: `validation-failed` inside `input`, `unexpected-payload` elsewhere.
    code: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class Full(Exception):
    """The report holds `MAX_PROBLEMS`: the walk stops there."""


class Report(list[CallProblem]):
    def add(self, path: str, message: str, code: str = INPUT_CODE) -> None:
        self.append(CallProblem(path=path, message=message, code=code))
        if len(self) >= MAX_PROBLEMS:
            raise Full


#: Checks a value that is not null at a path; nulls are handled by the object or list around it.
Check = Callable[[Any, str, Report], None]


def list_hint(value: Any, name: str) -> str:
    return f"; a list where one {name} belongs" if isinstance(value, list) else ""


def child_path(path: str, key: Any) -> str:
    # Spelled as `adversarial_requests` spells its violation paths.
    return f"{path}.{key}" if isinstance(key, str) and _IDENTIFIER.fullmatch(key) else f"{path}[{key!r}]"
