"""`call_problems`: every way a webhook call differs from what Hasura sends an action's handler.

A mock handler must answer a call Hasura could never make as a careful handler would: with a 400
naming each broken rule. The rules: the payload has `action: {"name": ...}`, `input`,
`session_variables` and, since v2.1, `request_query` as a string or null; unknown keys are fine, a
newer Hasura may add some (contract §1.3). Session variables have lower-case `x-hasura-*` names,
string values and always the role (§1.4). `input` holds exactly the arguments, nothing filled in,
IDs as strings, enums as value names, Postgres scalars as the client wrote them, and lists as lists,
since Hasura wraps a single value in a list before it calls the handler (§1.5).

What `conforming_requests` generates has no problem, and each rule `adversarial_requests` breaks is
found at its `violation_path` (a property test holds the three together). Checks agree with the strict
input schema of `_json_schema` (`Int` takes `5.0`, as draft 2020-12 does) and read scalar schemas
through `_schema_subset`, without jsonschema (a development dependency). Each action's checks are
compiled once into closures, so a conforming call costs a few microseconds.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._catalog._model import Action, Catalog, EnumType, Field, InputObjectType, ScalarType, TypeRef
from .._catalog._scalars import int_range, json_schema_for_scalar, postgres_category, registered, registry_generation
from .._catalog._schema_subset import describe, valid
from .._errors import InvalidArgument
from .._suggest import did_you_mean, listed, short_json

__all__ = ["CallProblem", "CallValidator", "call_problems", "input_problems"]

#: The most problems reported for one call: enough to fix a request, short enough to read.
MAX_PROBLEMS = 20
_INPUT = "validation-failed"  # what Hasura answers for a bad argument (contract §1.5)
_PAYLOAD = "unexpected-payload"  # the envelope itself is wrong: no GraphQL request could cause it
_IDENTIFIER = re.compile(r"\w+")
_INT_LOW, _INT_HIGH = int_range("Int") or (-(2**31), 2**31 - 1)


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


def call_problems(catalog: Catalog, action: Action, payload: Any) -> list[CallProblem]:
    """Every way `payload` (parsed JSON) differs from what Hasura sends `action`'s handler; empty when Hasura could."""
    return _validator(catalog).problems(action, payload)


def input_problems(catalog: Catalog, action: Action, arguments: Any) -> list[CallProblem]:
    """Problems of the `input` object alone, against the action's arguments (paths start at `$.input`)."""
    return _validator(catalog).input_problems(action, arguments)


class _Full(Exception):
    """The report holds `MAX_PROBLEMS`: the walk stops there."""


class _Report(list[CallProblem]):
    def add(self, path: str, message: str, code: str = _INPUT) -> None:
        self.append(CallProblem(path=path, message=message, code=code))
        if len(self) >= MAX_PROBLEMS:
            raise _Full


#: Checks a value that is not null at a path; nulls are handled by the object or list around it.
_Check = Callable[[Any, str, _Report], None]


class CallValidator:
    """Checks webhook calls against one catalog; each action's checks are compiled on first use."""

    def __init__(self, catalog: Catalog) -> None:
        if not isinstance(catalog, Catalog):
            raise InvalidArgument(f"expected a Catalog from load_catalog(), found {type(catalog).__name__}")
        self.catalog = catalog
        self._generation = registry_generation()
        self._actions: dict[str, _ActionChecks] = {}
        self._named: dict[str, _Check] = {}
        # A mock server checks calls from several threads; compiling is the only part that writes.
        self._lock = threading.Lock()

    def problems(self, action: Action, payload: Any) -> list[CallProblem]:
        """Every way `payload` differs from what Hasura sends `action`'s handler, in document order."""
        return self._run(self._compiled(action).payload, payload)

    def input_problems(self, action: Action, arguments: Any) -> list[CallProblem]:
        """Problems of an `input` object alone (paths start at `$.input`)."""
        return self._run(self._compiled(action).input, arguments)

    @staticmethod
    def _run(check: Callable[[Any, _Report], None], value: Any) -> list[CallProblem]:
        report = _Report()
        with contextlib.suppress(_Full):  # the cap is reached: the problems so far are the answer
            check(value, report)
        return list(report)

    def _compiled(self, action: Action) -> _ActionChecks:
        if not isinstance(action, Action):
            raise InvalidArgument(f"expected an Action from the catalog, found {type(action).__name__}")
        compiled = self._actions.get(action.name)
        if compiled is not None and compiled.serves(action) and self._generation == registry_generation():
            return compiled
        with self._lock:
            if self._generation != registry_generation():
                # A scalar was registered since: its schema may change what is valid.
                self._actions.clear()
                self._named.clear()
                self._generation = registry_generation()
            compiled = self._actions.get(action.name)
            if compiled is None or not compiled.serves(action):
                compiled = _ActionChecks(action, self._members(action.arguments, "argument", action.name))
                self._actions[action.name] = compiled
        return compiled

    # -- compiling types into checks ------------------------------------------------------------

    def _members(self, fields: Sequence[Field], noun: str, owner: str) -> _Check:
        """The check of an object's keys (the object known to be a dict): unknown, present, null and missing."""
        checks = {f.name: (_child("", f.name), *self._ref(f.type)) for f in fields}
        missing = f"found nothing; {owner} requires it"
        required = [
            (f.name, _child("", f.name), f"expected a non-null {f.type.nullable()}, {missing}")
            for f in fields
            if f.type.non_null
        ]
        names = [f.name for f in fields]

        def members(value: dict[str, Any], path: str, report: _Report) -> None:
            for key, item in value.items():
                entry = checks.get(key)
                if entry is None:
                    report.add(_child(path, key), _unknown(noun, key, owner, names))
                elif item is not None:
                    entry[1](item, path + entry[0], report)
                elif entry[2]:
                    report.add(path + entry[0], entry[2])
            for name, suffix, message in required:
                if name not in value:
                    report.add(path + suffix, message)

        return members

    def _ref(self, ref: TypeRef) -> tuple[_Check, str]:
        """The check of `ref`'s non-null values, and the message for a null ("" when null is fine)."""
        check = self._list(ref) if ref.of_type is not None else self._named_check(ref.base_name)
        if not ref.non_null or self._null_allowed(ref):
            return check, ""
        return check, f"expected a non-null {ref.nullable()}, found null"

    def _list(self, ref: TypeRef) -> _Check:
        assert ref.of_type is not None  # only called for list references
        item, null_message = self._ref(ref.of_type)
        expected = f"expected a list {ref.nullable()}"

        def items(value: Any, path: str, report: _Report) -> None:
            if not isinstance(value, list):
                hint = "Hasura wraps a single value in a list before it calls the handler"
                report.add(path, f"{expected}, found {short_json(value)}; {hint}")
                return
            for index, element in enumerate(value):
                if element is not None:
                    item(element, f"{path}[{index}]", report)
                elif null_message:
                    report.add(f"{path}[{index}]", null_message)

        return items

    def _named_check(self, name: str) -> _Check:
        check = self._named.get(name)
        if check is None:
            named = self.catalog.types.get(name)
            if isinstance(named, InputObjectType):
                check = self._input_object(named)
            elif isinstance(named, EnumType):
                check = _enum(named)
            elif isinstance(named, ScalarType):
                check = _scalar(named)
            else:
                raise InvalidArgument(f"type {name!r} is not an input type in the catalog")
            self._named[name] = check
        return check

    def _input_object(self, named: InputObjectType) -> _Check:
        def check(value: Any, path: str, report: _Report) -> None:
            if isinstance(value, dict):
                members(value, path, report)
            else:
                report.add(
                    path, f"expected an object {named.name}, found {short_json(value)}{_hint(value, named.name)}"
                )

        # Registered before its fields compile, so a recursive field finds it; `check` reads
        # `members` when called, by which time it is bound.
        self._named[named.name] = check
        members = self._members(named.fields, "field", named.name)
        return check

    def _null_allowed(self, ref: TypeRef) -> bool:
        # As in `_strict`: only a registered scalar schema that accepts null lets null through a `!`.
        named = self.catalog.types.get(ref.name or "")
        if not isinstance(named, ScalarType) or registered(named.name) is None:
            return False
        schema = json_schema_for_scalar(named.name, named.origin)
        return bool(schema) and valid(schema, None)


# -- the envelope: action, input, session_variables, request_query (contract §1.3, §1.4) ---------------

_NO_ARGUMENTS = "Hasura sends {} when no arguments are given"
_ROLE_ALWAYS = "Hasura always sends at least x-hasura-role"
_SESSION = "$.session_variables"


class _ActionChecks:
    """The compiled checks of one action's calls: the envelope here, `input` through `arguments`."""

    __slots__ = ("action", "arguments", "by_key", "missing", "wanted")

    def __init__(self, action: Action, arguments: _Check) -> None:
        self.action = action
        self.arguments = arguments
        self.wanted = f'{{"name": {json.dumps(action.name)}}}'
        self.by_key: dict[str, Callable[[Any, _Report], None]] = {
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

    def payload(self, payload: Any, report: _Report) -> None:
        if not isinstance(payload, dict):
            found = short_json(payload)
            report.add("$", f"expected a JSON object with action, input and session_variables, found {found}", _PAYLOAD)
            return
        for key, value in payload.items():
            check = self.by_key.get(key)  # other keys are fine: a newer Hasura may send more
            if check is not None:
                check(value, report)
        for key, message in self.missing:
            if key not in payload:
                report.add("$." + key, message, _PAYLOAD)

    def action_object(self, value: Any, report: _Report) -> None:
        if not isinstance(value, dict):
            # Hasura's docs of Feb-May 2020 showed `"action": "<name>"`; every server sends an object (§1.3).
            hint = '; early Hasura docs showed "action" as a bare name, but Hasura sends an object'
            found = short_json(value) + (hint if isinstance(value, str) else "")
            report.add("$.action", f"expected {self.wanted}, found {found}", _PAYLOAD)
            return
        name = value.get("name", ...)
        if isinstance(name, str) and name == self.action.name:
            return
        found = "nothing" if name is ... else short_json(name)
        same = isinstance(name, str) and name.lower() == self.action.name.lower()
        hint = "; action names are case-sensitive" if same else ""
        report.add("$.action.name", f"expected {json.dumps(self.action.name)}, found {found}{hint}", _PAYLOAD)

    def input(self, value: Any, report: _Report) -> None:
        if isinstance(value, dict):
            self.arguments(value, "$.input", report)
        else:
            hint = f"; {_NO_ARGUMENTS}" if value is None or value == [] else ""
            message = f"expected an object of {self.action.name}'s arguments, found {short_json(value)}{hint}"
            report.add("$.input", message, _PAYLOAD)


def _session_variables(value: Any, report: _Report) -> None:
    if not isinstance(value, dict):
        report.add(_SESSION, f"expected an object of session variables, found {short_json(value)}", _PAYLOAD)
        return
    for key, item in value.items():
        path, name = _child(_SESSION, key), str(key)
        # Hasura case-folds the names and passes only x-hasura-* variables on (contract §1.4).
        if not name.lower().startswith("x-hasura-"):
            found = f"found {short_json(name)}; Hasura sends no other session variables"
            report.add(path, f"expected an x-hasura-* name, {found}", _PAYLOAD)
        elif name != name.lower():
            found = f"found {short_json(name)}; Hasura lower-cases session variable names"
            report.add(path, f"expected a lower-case name, {found}", _PAYLOAD)
        if not isinstance(item, str):
            found = f"found {short_json(item)}; Hasura sends every session variable as a string"
            report.add(path, f"expected a string, {found}", _PAYLOAD)
    if "x-hasura-role" not in value:
        report.add(f"{_SESSION}['x-hasura-role']", f"expected the role, found nothing; {_ROLE_ALWAYS}", _PAYLOAD)


def _request_query(value: Any, report: _Report) -> None:
    # A string for synchronous actions, null for asynchronous ones (contract §1.3).
    if value is not None and not isinstance(value, str):
        message = f"expected the client's GraphQL document as a string, or null, found {short_json(value)}"
        report.add("$.request_query", message, _PAYLOAD)


# -- leaf types (contract §1.5) -------------------------------------------------------------------------


def _int(value: Any, path: str, report: _Report) -> None:
    # An integral float counts, as in the strict input schema (draft 2020-12 `integer`) and `_strict`.
    if isinstance(value, bool) or not isinstance(value, int | float):
        report.add(path, f"expected Int, a 32-bit whole number, found {short_json(value)}{_hint(value, 'Int')}")
    elif isinstance(value, float) and not value.is_integer():
        report.add(path, f"expected Int, a 32-bit whole number, found {short_json(value)}")
    elif not _INT_LOW <= value <= _INT_HIGH:
        hint = f"; Int ranges from {_INT_LOW} to {_INT_HIGH}"
        report.add(path, f"expected Int, a 32-bit whole number, found {short_json(value)}{hint}")


def _float(value: Any, path: str, report: _Report) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        report.add(path, f"expected Float, a number, found {short_json(value)}{_hint(value, 'Float')}")
    elif isinstance(value, float) and not math.isfinite(value):
        report.add(path, f"expected Float, a finite number, found {short_json(value)}")


def _leaf(ok: Callable[[Any], bool], name: str, expected: str, hint: str = "") -> _Check:
    def check(value: Any, path: str, report: _Report) -> None:
        if not ok(value):
            report.add(path, f"expected {expected}, found {short_json(value)}{_hint(value, name) or hint}")

    return check


def _anything(value: Any, path: str, report: _Report) -> None:
    """Custom scalars and json/jsonb: Hasura forwards any JSON as given (contract §1.5)."""


_BUILTINS: dict[str, _Check] = {
    "Int": _int,
    "Float": _float,
    "String": _leaf(lambda value: isinstance(value, str), "String", "String"),
    # An ID written as a number in the query still reaches the handler as a string (contract §1.5).
    "ID": _leaf(lambda value: isinstance(value, str), "ID", "ID, a string", "; Hasura sends every ID as a string"),
    "Boolean": _leaf(lambda value: isinstance(value, bool), "Boolean", "Boolean, true or false"),
}


def _enum(named: EnumType) -> _Check:
    values = frozenset(named.value_names)
    expected = f"expected {named.name}, one of {listed([json.dumps(v) for v in named.value_names])}"

    def check(value: Any, path: str, report: _Report) -> None:
        if isinstance(value, str) and value in values:
            return
        # Enum values are case-sensitive, so `"red"` for `RED` is wrong but gets a suggestion.
        suggestion = did_you_mean(value, named.value_names) if isinstance(value, str) else ""
        report.add(
            path, f"{expected}, found {short_json(value)}{'.' + suggestion if suggestion else _hint(value, named.name)}"
        )

    return check


def _scalar(named: ScalarType) -> _Check:
    name = named.name
    if named.origin == "builtin" and registered(name) is None:
        return _BUILTINS[name]
    # Postgres scalars are checked by Hasura's parser but forwarded as written (contract §1.5).
    schema = json_schema_for_scalar(name, named.origin)
    return _leaf(lambda value: valid(schema, value), name, _what(name, schema)) if schema else _anything


def _what(name: str, schema: dict[str, Any]) -> str:
    # Examples read better than the schema's regular expressions; a registered schema speaks for itself.
    if registered(name) is not None:
        return describe(name, schema)
    category = postgres_category(name)
    if category in _EXAMPLES:
        return f"{name}, {_EXAMPLES[category]}"
    if schema == {"type": "string"}:
        return f"{name}, a string"
    if schema == {"type": "boolean"}:
        return f"{name}, true or false"
    return describe(name, schema)


_EXAMPLES = {
    "bigint": 'a whole number or a string of digits such as "9007199254740993"',
    "decimal": 'a number or a decimal string such as "12.50"',
    "timestamp": 'a date and time such as "2024-02-29T12:00:00"',
    "timestamptz": 'a date and time such as "2024-02-29T12:00:00Z"',
    "time": 'a time of day such as "12:30:00"',
    "timetz": 'a time of day such as "12:30:00+02:00"',
    "geo": 'a GeoJSON object such as {"type": "Point", "coordinates": [1, 2]}',
}


# -- message parts ------------------------------------------------------------------------------------


def _hint(value: Any, name: str) -> str:
    return f"; a list where one {name} belongs" if isinstance(value, list) else ""


def _child(path: str, key: Any) -> str:
    # Spelled as `adversarial_requests` spells its violation paths.
    return f"{path}.{key}" if isinstance(key, str) and _IDENTIFIER.fullmatch(key) else f"{path}[{key!r}]"


def _unknown(noun: str, key: Any, owner: str, names: list[str]) -> str:
    text = f"unknown {noun} {key!r} of {owner}"
    suggestion = did_you_mean(key, names) if isinstance(key, str) else ""
    if suggestion:
        return f"{text}.{suggestion}"
    return f"{text}; its {noun}s are {listed(names)}" if names else f"{text}; it has no {noun}s"


_VALIDATORS: dict[int, CallValidator] = {}
_VALIDATORS_LOCK = threading.Lock()


def _validator(catalog: Catalog) -> CallValidator:
    # One validator per catalog object (a Catalog cannot be weakly referenced); the last 16 are kept.
    validator = _VALIDATORS.get(id(catalog))
    if validator is not None and validator.catalog is catalog:
        return validator
    with _VALIDATORS_LOCK:
        validator = CallValidator(catalog)
        if len(_VALIDATORS) >= 16:
            del _VALIDATORS[next(iter(_VALIDATORS))]
        _VALIDATORS[id(catalog)] = validator
    return validator
