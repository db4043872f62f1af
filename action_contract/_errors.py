"""Errors raised by action-contract.

Our exception hierarchy::

    ActionContractError          base of everything we raise on purpose
    ├── MetadataError            Hasura metadata that cannot be loaded; carries every Problem found
    ├── TemplateError            a {{VAR}} in a handler or header that the environment cannot fill
    └── InvalidArgument          the library was called wrongly (also a TypeError)

A `Problem` is one located finding in metadata (file, line or JSON path, what Hasura says, how to fix
it). Loading collects all of them before it gives up, so one run shows every mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ActionContractError",
    "InvalidArgument",
    "MetadataError",
    "Problem",
    "TemplateError",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One finding in metadata: where it is, what Hasura would say, and what to do about it."""

    message: str
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None
    column: int | None = None
    json_path: str | None = None
    #: The object Hasura names in an inconsistency, e.g. 'action "createUser"'.
    subject: str | None = None
    #: Hasura's error code for this finding (`parse-failed`, `invalid-configuration`, ...), when it has one.
    code: str | None = None
    hint: str | None = None

    @property
    def where(self) -> str:
        """`file:line:column`, `file: $.json.path` or whatever part of that is known."""
        parts = []
        if self.file:
            place = self.file
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            parts.append(place)
        if self.json_path and self.line is None:
            parts.append(self.json_path)
        return " ".join(parts)

    @property
    def hasura_message(self) -> str:
        """The text Hasura itself reports for this finding (contract §6.3 wording)."""
        if self.subject and self.subject.startswith("action "):
            return f"Inconsistent object: in {self.subject}; {self.message}"
        if self.subject == "custom types":
            return f"Inconsistent object: validation for the given custom types failed because {self.message}"
        return self.message

    def render(self) -> str:
        """A readable multi-line rendering: `where: severity: [subject: ]message`, then the hint."""
        head = f"{self.where}: " if self.where else ""
        subject = f"{self.subject}: " if self.subject else ""
        text = f"{head}{self.severity}: {subject}{self.message}"
        if self.hint:
            text += "\n    " + self.hint.replace("\n", "\n    ")
        return text


class ActionContractError(Exception):
    """Base class of every error action-contract raises on purpose."""


class MetadataError(ActionContractError):
    """Hasura metadata that cannot be loaded; `problems` lists every error and warning found."""

    def __init__(
        self, problems: Iterable[Problem], *, source: str | None = None, what: str = "Hasura metadata"
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        #: What could not be loaded, for the summary line ("Hasura metadata", "the mock's examples file").
        self.what = what
        super().__init__(self._summary())

    @property
    def errors(self) -> Sequence[Problem]:
        """Only the problems of severity `error`."""
        return [p for p in self.problems if p.severity == "error"]

    def _summary(self) -> str:
        errors = self.errors
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        where = f" in {self.source}" if self.source else ""
        lines = [f"cannot load {self.what}{where}: {count}"]
        lines.extend(p.render() for p in errors)
        return "\n".join(lines)


class TemplateError(ActionContractError):
    """A `{{VAR}}` template that cannot be resolved; the message is Hasura's."""

    def __init__(self, message: str, *, variables: Sequence[str], code: str = "not-found") -> None:
        self.variables = tuple(variables)
        self.code = code
        super().__init__(message)


class InvalidArgument(ActionContractError, TypeError):
    """The library was called with arguments it cannot use."""
