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
compiled once into closures, so a conforming call costs a few microseconds: the envelope's checks
are in `_envelope`, the leaf values' in `_leaf_checks`, the problems and their report in `_problems`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .._catalog._model import Action, Catalog, EnumType, Field, InputObjectType, ScalarType, TypeRef
from .._catalog._scalars import json_schema_for_scalar, registered, registry_generation
from .._catalog._schema_subset import valid
from .._errors import InvalidArgument
from .._suggest import did_you_mean, listed, short_json
from ._envelope import ActionChecks
from ._leaf_checks import enum_check, scalar_check
from ._problems import CallProblem, Check, Full, Report, child_path, list_hint

__all__ = ["CallProblem", "CallValidator", "call_problems", "input_problems"]


def call_problems(catalog: Catalog, action: Action, payload: Any) -> list[CallProblem]:
    """Every way `payload` (parsed JSON) differs from what Hasura sends `action`'s handler; empty when Hasura could."""
    return _validator(catalog).problems(action, payload)


def input_problems(catalog: Catalog, action: Action, arguments: Any) -> list[CallProblem]:
    """Problems of the `input` object alone, against the action's arguments (paths start at `$.input`)."""
    return _validator(catalog).input_problems(action, arguments)


class CallValidator:
    """Checks webhook calls against one catalog; each action's checks are compiled on first use."""

    def __init__(self, catalog: Catalog) -> None:
        if not isinstance(catalog, Catalog):
            raise InvalidArgument(f"expected a Catalog from load_catalog(), found {type(catalog).__name__}")
        self.catalog = catalog
        self._generation = registry_generation()
        self._actions: dict[str, ActionChecks] = {}
        self._named: dict[str, Check] = {}
        # A mock server checks calls from several threads; compiling is the only part that writes.
        self._lock = threading.Lock()

    def problems(self, action: Action, payload: Any) -> list[CallProblem]:
        """Every way `payload` differs from what Hasura sends `action`'s handler, in document order."""
        return self._run(self._compiled(action).payload, payload)

    def input_problems(self, action: Action, arguments: Any) -> list[CallProblem]:
        """Problems of an `input` object alone (paths start at `$.input`)."""
        return self._run(self._compiled(action).input, arguments)

    @staticmethod
    def _run(check: Callable[[Any, Report], None], value: Any) -> list[CallProblem]:
        report = Report()
        with contextlib.suppress(Full):  # the cap is reached: the problems so far are the answer
            check(value, report)
        return list(report)

    def _compiled(self, action: Action) -> ActionChecks:
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
                compiled = ActionChecks(action, self._members(action.arguments, "argument", action.name))
                self._actions[action.name] = compiled
        return compiled

    # -- compiling types into checks ------------------------------------------------------------

    def _members(self, fields: Sequence[Field], noun: str, owner: str) -> Check:
        """The check of an object's keys (the object known to be a dict): unknown, present, null and missing."""
        checks = {f.name: (child_path("", f.name), *self._ref(f.type)) for f in fields}
        missing = f"found nothing; {owner} requires it"
        required = [
            (f.name, child_path("", f.name), f"expected a non-null {f.type.nullable()}, {missing}")
            for f in fields
            if f.type.non_null
        ]
        names = [f.name for f in fields]

        def members(value: dict[str, Any], path: str, report: Report) -> None:
            for key, item in value.items():
                entry = checks.get(key)
                if entry is None:
                    report.add(child_path(path, key), _unknown(noun, key, owner, names))
                elif item is not None:
                    entry[1](item, path + entry[0], report)
                elif entry[2]:
                    report.add(path + entry[0], entry[2])
            for name, suffix, message in required:
                if name not in value:
                    report.add(path + suffix, message)

        return members

    def _ref(self, ref: TypeRef) -> tuple[Check, str]:
        """The check of `ref`'s non-null values, and the message for a null ("" when null is fine)."""
        check = self._list(ref) if ref.of_type is not None else self._named_check(ref.base_name)
        if not ref.non_null or self._null_allowed(ref):
            return check, ""
        return check, f"expected a non-null {ref.nullable()}, found null"

    def _list(self, ref: TypeRef) -> Check:
        assert ref.of_type is not None  # only called for list references
        item, null_message = self._ref(ref.of_type)
        expected = f"expected a list {ref.nullable()}"

        def items(value: Any, path: str, report: Report) -> None:
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

    def _named_check(self, name: str) -> Check:
        check = self._named.get(name)
        if check is None:
            named = self.catalog.types.get(name)
            if isinstance(named, InputObjectType):
                check = self._input_object(named)
            elif isinstance(named, EnumType):
                check = enum_check(named)
            elif isinstance(named, ScalarType):
                check = scalar_check(named)
            else:
                raise InvalidArgument(f"type {name!r} is not an input type in the catalog")
            self._named[name] = check
        return check

    def _input_object(self, named: InputObjectType) -> Check:
        def check(value: Any, path: str, report: Report) -> None:
            if isinstance(value, dict):
                members(value, path, report)
            else:
                report.add(
                    path, f"expected an object {named.name}, found {short_json(value)}{list_hint(value, named.name)}"
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
