"""Kriti templates, parsed once and evaluated many times (Hasura's transform language).

A *full* template (a transform body) is any Kriti expression. A *string* template (URL, query
parameters, header values, form fields) is the text Hasura wraps in double quotes before parsing,
so its result is always a string and its error columns count that added quote, as Hasura's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._kriti_ast import KritiCrash, KritiError, Node, Span
from ._kriti_eval import evaluate
from ._kriti_functions import STANDARD_FUNCTIONS, KritiFunction, session_functions
from ._kriti_parser import parse
from ._kriti_values import encode

__all__ = [
    "STANDARD_FUNCTIONS",
    "KritiCrash",
    "KritiError",
    "KritiTemplate",
    "Span",
    "encode",
    "parse_template",
    "session_functions",
]


@dataclass(frozen=True, slots=True)
class KritiTemplate:
    """A parsed template: its text as written in metadata and its syntax tree."""

    text: str
    #: True for a string template (the text is wrapped in double quotes before parsing).
    string: bool
    node: Node = field(compare=False, repr=False)

    def render(self, scope: Mapping[str, Any], functions: Mapping[str, KritiFunction] = STANDARD_FUNCTIONS) -> Any:
        """The template's value with `scope` bound; raises KritiError, or KritiCrash where Hasura crashes."""
        return evaluate(self.node, scope, functions)


def parse_template(text: str, *, string: bool = False) -> KritiTemplate:
    """Parse `text` as Hasura does (`string=True`: wrapped in quotes first); raises KritiError."""
    source = f'"{text}"' if string else text
    return KritiTemplate(text, string, parse(source))
