"""`Case` and `Finding`: what a check reads (one exchange with a handler) and what it reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .._catalog._model import Action, Catalog
from .._generate._action_request import ActionRequest
from .._hasura._judge import Verdict
from .._send._response import ActionResponse

__all__ = ["GROUPS", "Case", "Finding", "Group"]

#: The three kinds of requests a run sends to each action.
Group = Literal["conforming", "adversarial", "secret"]
GROUPS: tuple[Group, ...] = ("conforming", "adversarial", "secret")


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One exchange with a handler: the request, the reply and Hasura's verdict; what a check reads."""

    catalog: Catalog = field(repr=False)
    action: Action = field(repr=False)
    group: Group
    request: ActionRequest
    response: ActionResponse
    verdict: Verdict
    #: With `--via-graphql`: the client's operation (`query`, `variables`, `headers`) and Hasura's reply
    #: to it (`response`); None when the request went to the handler directly.
    graphql: Mapping[str, Any] | None = field(default=None, hash=False)

    @property
    def status_class(self) -> str:
        """`2xx`, `4xx`, `5xx`... of the reply, or `no reply` after a transport failure."""
        if self.response.status is None:
            return "no reply"
        return f"{self.response.status // 100}xx"

    def body_json(self) -> Any:
        """The reply body as JSON, decoded once by the judge (None when it is not JSON)."""
        return self.verdict.reply


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """What a check found wrong: expected vs found, where, and a key for de-duplication."""

    check: str
    #: The kind of failure; failures of one action and check are de-duplicated on it.
    kind: str
    title: str
    expected: str
    found: str
    #: JSON path into the reply (`$.lines[0].price`), the request (`$.input.items`), or None.
    path: str | None = None
