"""The mock's examples file: fixed replies, replies matched on input, named replies and latency per action.

A frontend developer pins what the mock answers in a YAML or JSON file:

```yaml
placeOrder:
  latency: 100-300                  # ms for this action (a single value or a range)
  match:                            # the first entry whose values all equal the request's wins
    - input: {coupon: EXPIRED}
      status: 400
      body: {message: the coupon has expired, extensions: {code: coupon-expired}}
  replies:                          # otherwise one of these, picked by the request (same request, same reply)
    - {orderId: 3f2504e0-4f89-41d3-9a0c-0305e82c3301, status: PAID, total: 12.5, lines: []}
  examples:                         # named replies for `X-Mock-Scenario: out-of-stock`
    out-of-stock:
      status: 400
      body: {message: out of stock, extensions: {code: out-of-stock}}
  inputs:                           # known-good inputs, which `check --examples-file` sends first
    - {items: [{sku: TEA-42, quantity: 2}], coupon: WELCOME}
```

`reply: {...}` is the one-reply form of `replies`. Every reply is checked when the file loads, the way
Hasura would judge it (contract §3.2, §4.1) and strictly by the output type, so a mock never serves a
reply that a real handler could not: a broken example fails at start with its file, line and JSON path.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._catalog._inputs import read_inputs, read_source
from .._catalog._locations import Locations, Spot
from .._catalog._model import Action, Catalog
from .._errors import InvalidArgument, MetadataError, Problem
from .._hasura._judge import judge
from .._hasura._strict import strict_findings
from .._send._response import ActionResponse
from .._suggest import did_you_mean, short_json

__all__ = ["BUILTIN_SCENARIOS", "ActionExamples", "Examples", "Latency", "MatchRule", "Reply", "load_examples"]

#: The scenarios every action has; named examples may not reuse these names.
BUILTIN_SCENARIOS: tuple[str, ...] = ("success", "error", "timeout", "not-json", "server-error")

_WHAT = "the mock's examples file"
_KEYS = ("latency", "reply", "replies", "match", "examples", "inputs")
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:ms)?\s*(?:-\s*(\d+(?:\.\d+)?)\s*(?:ms)?)?\s*$")


@dataclass(frozen=True, slots=True)
class Latency:
    """A delay in milliseconds drawn uniformly from `low` to `high` (equal for a fixed delay)."""

    low: float
    high: float

    @classmethod
    def parse(cls, value: Any) -> Latency:
        """`50`, `"50ms"`, `"50-200"` or `"50ms-200ms"`; raises `InvalidArgument` with the accepted forms."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            low = high = float(value)
        else:
            match = _RANGE.match(value) if isinstance(value, str) else None
            if match is None:
                raise InvalidArgument(
                    f"expected a latency in milliseconds such as 50 or 50-200, found {json.dumps(value)}"
                )
            low = float(match.group(1))
            high = float(match.group(2) or match.group(1))
        if low < 0 or high < low:
            raise InvalidArgument(f"expected a latency range from low to high, found {low:g}-{high:g}")
        return cls(low, high)

    def __str__(self) -> str:
        return f"{self.low:g}ms" if self.low == self.high else f"{self.low:g}-{self.high:g}ms"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """A reply the mock sends as it is: status and JSON body."""

    status: int = 200
    body: Any = None
    #: Where it was written, for messages (`examples.yaml:12`).
    where: str = ""
    #: The body as compact JSON bytes, encoded once: the mock sends it on every matching call.
    encoded: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "encoded", json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchRule:
    """A reply for requests whose `input` (and `session_variables`) contain the given values."""

    input: Mapping[str, Any]
    session: Mapping[str, str]
    reply: Reply

    def matches(self, arguments: Mapping[str, Any], session: Mapping[str, Any]) -> bool:
        """True when every value given in the rule equals the request's (objects compare by their keys)."""
        return _contains(arguments, self.input) and _contains(session, self.session)


def _contains(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and _contains(actual[key], value) for key, value in wanted.items()
        )
    if isinstance(actual, bool) or isinstance(wanted, bool):
        # JSON equality: true is not 1.
        return isinstance(actual, bool) and isinstance(wanted, bool) and actual == wanted
    return bool(actual == wanted)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionExamples:
    """What the examples file says about one action."""

    latency: Latency | None = None
    match: tuple[MatchRule, ...] = ()
    replies: tuple[Reply, ...] = ()
    named: Mapping[str, Reply] | None = None
    #: Known-good `input` objects (`inputs:`), which `check --examples-file` sends first.
    inputs: tuple[Mapping[str, Any], ...] = ()

    def example(self, name: str) -> Reply | None:
        """The named example `name`, if there is one."""
        return (self.named or {}).get(name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Examples:
    """The whole examples file, by action name."""

    actions: Mapping[str, ActionExamples]
    source: str | None = None

    def get(self, action: str) -> ActionExamples | None:
        """The examples of `action`, if the file has any."""
        return self.actions.get(action)


def load_examples(path: str | os.PathLike[str], catalog: Catalog) -> Examples:
    """Read and check an examples file; raises `MetadataError` naming the file, line and JSON path of each problem."""
    file = str(path)
    data, locations, problems = read_source(path, _WHAT)
    checker = _Checker(catalog, file, locations, problems)
    examples = checker.read(data)
    if any(p.severity == "error" for p in problems):
        raise MetadataError(problems, source=file, what=_WHAT)
    return Examples(actions=examples, source=file)


class _Checker:
    def __init__(self, catalog: Catalog, file: str, locations: Locations, problems: list[Problem]) -> None:
        self.catalog = catalog
        self.file = file
        self.locations = locations
        self.problems = problems

    def error(self, obj: object, key: Any, message: str, hint: str | None = None) -> None:
        self.problems.append(
            self.locations.problem(obj, message, key=key, code="invalid-examples", hint=hint, fallback=Spot(self.file))
        )

    def read(self, data: Any) -> dict[str, ActionExamples]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.error(data, None, f"expected a mapping of action names to examples, found {short_json(data)}")
            return {}
        found: dict[str, ActionExamples] = {}
        for name, entry in data.items():
            action = self.catalog.actions.get(name)
            if action is None:
                self.error(
                    data,
                    name,
                    f"no action named {name!r} in {self.catalog.source or 'the metadata'}."
                    + did_you_mean(str(name), list(self.catalog.actions)),
                )
                continue
            examples = self.action(action, data, entry)
            if examples is not None:
                found[name] = examples
        return found

    def action(self, action: Action, parent: dict[str, Any], entry: Any) -> ActionExamples | None:
        if isinstance(entry, list):
            entry = {"replies": entry}
            self.locations.add(entry, self.locations.spot(parent, action.name) or Spot(self.file))
        if not isinstance(entry, dict):
            self.error(parent, action.name, f"expected a mapping with {', '.join(_KEYS)}, found {short_json(entry)}")
            return None
        for key in entry:
            if key not in _KEYS:
                self.error(
                    entry,
                    key,
                    f"unknown key {key!r} for action {action.name}." + did_you_mean(str(key), list(_KEYS)),
                    hint=f"Use {', '.join(_KEYS)}; a reply body goes under `reply:`.",
                )
        latency = None
        if "latency" in entry:
            try:
                latency = Latency.parse(entry["latency"])
            except InvalidArgument as error:
                self.error(entry, "latency", str(error))
        replies: list[Reply] = []
        if "reply" in entry:
            replies.append(self.reply(action, entry, "reply", 200, entry["reply"]))
        listed = entry.get("replies", [])
        if not isinstance(listed, list) or ("replies" in entry and not listed):
            self.error(entry, "replies", f"expected a non-empty list of reply bodies, found {short_json(listed)}")
        else:
            replies.extend(self.reply(action, listed, index, 200, body) for index, body in enumerate(listed))
        return ActionExamples(
            latency=latency,
            match=tuple(self.rules(action, entry)),
            replies=tuple(replies),
            named=self.named(action, entry),
            inputs=read_inputs(self.catalog, action, entry, self.error) if "inputs" in entry else (),
        )

    def rules(self, action: Action, entry: dict[str, Any]) -> list[MatchRule]:
        rules = entry.get("match", [])
        if not isinstance(rules, list):
            self.error(entry, "match", f"expected a list of {{input, status, body}} entries, found {short_json(rules)}")
            return []
        found = []
        for index, rule in enumerate(rules):
            reply = self.status_body(action, rules, index, rule, allowed=("input", "session_variables"))
            if reply is None:
                continue
            wanted = rule.get("input", {})
            session = rule.get("session_variables", {})
            if not isinstance(wanted, dict) or not isinstance(session, dict):
                self.error(rule, "input", "expected `input` and `session_variables` to be mappings of values")
                continue
            for name in wanted:
                if action.argument(name) is None:
                    self.error(
                        wanted,
                        name,
                        f"{action.name} has no argument {name!r}."
                        + did_you_mean(str(name), [a.name for a in action.arguments]),
                    )
            found.append(MatchRule(input=wanted, session={k.lower(): v for k, v in session.items()}, reply=reply))
        return found

    def named(self, action: Action, entry: dict[str, Any]) -> dict[str, Reply]:
        named = entry.get("examples", {})
        if not isinstance(named, dict):
            self.error(entry, "examples", f"expected a mapping of example names to replies, found {short_json(named)}")
            return {}
        found = {}
        for name, example in named.items():
            if name in BUILTIN_SCENARIOS:
                self.error(
                    named,
                    name,
                    f"{name!r} is a built-in scenario ({', '.join(BUILTIN_SCENARIOS)})",
                    hint="Give the example another name.",
                )
                continue
            reply = self.status_body(action, named, name, example, allowed=())
            if reply is not None:
                found[str(name)] = reply
        return found

    def status_body(
        self, action: Action, parent: Any, key: Any, entry: Any, *, allowed: tuple[str, ...]
    ) -> Reply | None:
        if not isinstance(entry, dict) or "body" not in entry:
            self.error(
                parent, key, f"expected a mapping with `body` (and `status`, default 200), found {short_json(entry)}"
            )
            return None
        for unknown in set(entry) - {"status", "body", *allowed}:
            self.error(entry, unknown, f"unknown key {unknown!r}; expected {', '.join(('status', 'body', *allowed))}")
        status = entry.get("status", 200)
        if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
            self.error(entry, "status", f"expected an HTTP status from 200 to 599, found {json.dumps(status)}")
            return None
        return self.reply(action, entry, "body", status, entry["body"])

    def reply(self, action: Action, parent: Any, key: Any, status: int, body: Any) -> Reply:
        spot = self.locations.spot(parent, key)
        reply = Reply(status=status, body=body, where=_where(spot, self.file))
        if status >= 500:
            return reply  # a chosen server error: Hasura reports it to the client as such (§3.1)
        if 300 <= status < 400:
            self.error(parent, key, f"status {status} is neither a success (2xx) nor an error (4xx, 5xx)")
            return reply
        verdict = judge(action, ActionResponse(status=status, body=reply.encoded), catalog=self.catalog)
        where_path = spot.path if spot else "$"
        if 200 <= status < 300:
            if not verdict.accepted:
                self.error(parent, key, f"Hasura would refuse this reply to {action.name}: {verdict.explanation}")
                return reply
            findings = strict_findings(self.catalog, action.output_type, body)
            for finding in findings[:5]:
                path = where_path + finding.path[1:]
                self.error(
                    parent,
                    key,
                    f"{path}: expected {finding.expected}, found {finding.found} "
                    f"(the output type of {action.name} is {action.output_type})",
                )
        elif verdict.reason != "handler_error":
            self.error(
                parent,
                key,
                f"a {status} reply must be an error object {{message, extensions?}}: {verdict.explanation}",
                hint='Write it as {"message": "...", "extensions": {"code": "..."}}.',
            )
        return reply


def _where(spot: Spot | None, file: str) -> str:
    if spot is None:
        return file
    return f"{spot.file}:{spot.line}" if spot.line is not None else f"{spot.file} {spot.path}"
