"""Known-good inputs: the `inputs:` list per action in the examples file, checked against the argument types.

A handler with business rules (existing coupons, known ids) refuses nearly every generated input; the
inputs a user knows to be valid let a run reach what lies behind the rules. They live in the same file
as the mock's replies (one file describes an action's real data for both):

```yaml
validateCoupon:
  inputs:                 # each one an `input` object Hasura could send
    - {code: WELCOME10}
    - {code: SPRING25}
```

`load_inputs` reads only the `inputs:` lists (the mock reads and checks the rest); `input_problems` is the
check both use: unknown and missing arguments, and values that do not fit their GraphQL type.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._errors import InvalidArgument, MetadataError, Problem
from .._suggest import did_you_mean, short_json
from ._locations import Locations, Spot
from ._model import Action, Catalog, EnumType, Field, InputObjectType, ScalarType, TypeRef
from ._yaml import SourceProblem, load_json, load_yaml, register_json

__all__ = ["KnownInputs", "checked_inputs", "input_problems", "load_inputs", "read_source"]

#: Known-good `input` objects by action name.
KnownInputs = Mapping[str, Sequence[Mapping[str, Any]]]

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def read_source(path: str | os.PathLike[str], what: str) -> tuple[Any, Locations, list[Problem]]:
    """Read a YAML or JSON file with the line of every container; raises `MetadataError` when it cannot."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        problem = Problem(
            message=f"cannot read the examples file: {error.strerror}",
            file=file,
            code="not-found",
            hint="Pass --examples (or examples=) a YAML or JSON file that exists.",
        )
        raise MetadataError([problem], source=file, what=what) from None
    locations = Locations()
    problems: list[Problem] = []
    try:
        if file.endswith(".json"):
            data = load_json(text, file)
            register_json(data, file, locations)
        else:
            data = load_yaml(text, file, locations, problems)
    except SourceProblem as error:
        raise MetadataError([error.problem], source=file, what=what) from None
    return data, locations, problems


def load_inputs(path: str | os.PathLike[str], catalog: Catalog) -> dict[str, tuple[dict[str, Any], ...]]:
    """The known-good inputs of an examples file, by action; raises `MetadataError` naming file and line."""
    what = "the examples file"
    data, locations, problems = read_source(path, what)
    file = str(path)
    found: dict[str, tuple[dict[str, Any], ...]] = {}

    def error(obj: object, key: Any, message: str) -> None:
        problems.append(locations.problem(obj, message, key=key, code="invalid-examples", fallback=Spot(file)))

    if isinstance(data, dict):
        for name, entry in data.items():
            action = catalog.actions.get(name)
            if action is None:
                known = list(catalog.actions)
                error(
                    data,
                    name,
                    f"no action named {name!r} in {catalog.source or 'the metadata'}." + did_you_mean(str(name), known),
                )
            elif isinstance(entry, dict) and "inputs" in entry:
                found[name] = read_inputs(catalog, action, entry, error)
    elif data is not None:
        error(data, None, f"expected a mapping of action names to examples, found {short_json(data)}")
    if any(p.severity == "error" for p in problems):
        raise MetadataError(problems, source=file, what=what)
    return found


def read_inputs(catalog: Catalog, action: Action, entry: Mapping[str, Any], error: Any) -> tuple[dict[str, Any], ...]:
    """The `inputs:` list of one action's entry; `error(container, key, message)` reports each problem."""
    listed = entry.get("inputs")
    if not isinstance(listed, list) or not listed:
        error(entry, "inputs", f"expected a non-empty list of `input` objects, found {short_json(listed)}")
        return ()
    good: list[dict[str, Any]] = []
    for index, value in enumerate(listed):
        problems = input_problems(catalog, action, value)
        for problem in problems[:5]:
            error(listed, index, f"known-good input of {action.name}: {problem}")
        if not problems:
            good.append(value)
    return tuple(good)


def checked_inputs(catalog: Catalog, inputs: KnownInputs | None) -> dict[str, tuple[dict[str, Any], ...]]:
    """`Settings.inputs` checked: every action exists and every input fits; raises `InvalidArgument`."""
    found: dict[str, tuple[dict[str, Any], ...]] = {}
    if inputs is None:
        return found
    if not isinstance(inputs, Mapping):
        raise InvalidArgument(f"expected inputs= to map action names to lists of inputs, found {short_json(inputs)}")
    for name, listed in inputs.items():
        action = catalog.actions.get(name)
        if action is None:
            raise InvalidArgument(
                f"inputs= names no action of the catalog: {name!r}." + did_you_mean(str(name), list(catalog.actions))
            )
        if isinstance(listed, Mapping | str) or not isinstance(listed, Sequence):
            raise InvalidArgument(f"inputs[{name!r}]: expected a list of `input` objects, found {short_json(listed)}")
        for index, value in enumerate(listed):
            problems = input_problems(catalog, action, value)
            if problems:
                raise InvalidArgument(f"inputs[{name!r}][{index}]: {problems[0]}")
        found[name] = tuple(dict(value) for value in listed)
    return found


def input_problems(catalog: Catalog, action: Action, value: Any) -> list[str]:
    """What keeps `value` from being an `input` Hasura could send to `action` (empty when nothing does)."""
    if not isinstance(value, Mapping):
        return [f"expected an object of {action.name}'s arguments, found {short_json(value)}"]
    problems: list[str] = []
    _fields(catalog, action.arguments, value, "$", problems, f"{action.name} has no argument")
    return problems


def _fields(
    catalog: Catalog, fields: Sequence[Field], value: Mapping[str, Any], path: str, problems: list[str], unknown: str
) -> None:
    names = [f.name for f in fields]
    for key in value:
        if key not in names:
            problems.append(f"{path}: {unknown} {key!r}." + did_you_mean(str(key), names))
    for field in fields:
        where = f"{path}.{field.name}"
        if field.name not in value:
            if field.type.non_null:
                problems.append(f"{where}: missing; {field.type} is required")
            continue
        _value(catalog, field.type, value[field.name], where, problems)


def _value(catalog: Catalog, ref: TypeRef, value: Any, path: str, problems: list[str]) -> None:
    if value is None:
        if ref.non_null:
            problems.append(f"{path}: expected {ref}, found null")
        return
    if ref.of_type is not None:
        if not isinstance(value, list):
            # GraphQL would coerce it to a list of one; Hasura forwards the list, so write the list.
            problems.append(f"{path}: expected a list ({ref}), found {short_json(value)}")
            return
        for index, item in enumerate(value):
            _value(catalog, ref.of_type, item, f"{path}[{index}]", problems)
        return
    named = catalog.types.get(ref.base_name)
    if isinstance(named, InputObjectType):
        if not isinstance(value, Mapping):
            problems.append(f"{path}: expected an object of type {named.name}, found {short_json(value)}")
            return
        _fields(catalog, named.fields, value, path, problems, f"{named.name} has no field")
    elif isinstance(named, EnumType):
        if value not in named.value_names:
            choices = ", ".join(named.value_names)
            problems.append(f"{path}: expected a value of {named.name} ({choices}), found {short_json(value)}")
    elif isinstance(named, ScalarType) and named.origin == "builtin" and not _fits(named.name, value):
        problems.append(f"{path}: expected {named.name}, found {short_json(value)}")


def _fits(name: str, value: Any) -> bool:
    if name == "Int":
        return type(value) is int and _INT_MIN <= value <= _INT_MAX
    if name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "Boolean":
        return isinstance(value, bool)
    # String, and ID, which Hasura always forwards as a string (contract §1.5).
    return isinstance(value, str)
