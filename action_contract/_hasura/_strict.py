"""`strict_findings`: where a reply breaks the declared output type in ways Hasura lets through.

Hasura checks only the top level of a 2xx reply (contract §3.2); a typed client reads the rest. This
walker checks every value against the declared type, all the way down, and agrees with the strict
JSON Schema of `_json_schema` on what is valid (a property test holds the two together). It is
hand-written so it runs without jsonschema, which is a development dependency only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .._catalog._model import Catalog, EnumType, ObjectType, ScalarType, TypeRef
from .._catalog._scalars import int_range, is_postgres, json_schema_for_scalar, registered, registry_generation
from .._catalog._schema_subset import describe, valid
from .._errors import InvalidArgument
from .._suggest import listed, short_json

__all__ = ["StrictFinding", "strict_findings"]

_INT_LOW, _INT_HIGH = int_range("Int") or (-(2**31), 2**31 - 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class StrictFinding:
    """One place where a reply breaks its declared type: where, what was expected and found, which rule."""

    #: JSON path into the reply body, e.g. `$.lines[2].quantity`.
    path: str
    expected: str
    #: The value found, as short JSON (`"abc"`, `1.5`, `null`), or `missing` for an absent key.
    found: str
    #: One of non_null, scalar_kind, int_range, integral, finite, enum, list, object, postgres_scalar.
    rule: str

    def to_json(self) -> dict[str, str]:
        """`{"path", "rule", "expected", "found"}`."""
        return {"path": self.path, "rule": self.rule, "expected": self.expected, "found": self.found}

    def __str__(self) -> str:
        # The rule's name (`integral`, `scalar_kind`) is for machines (to_json); `expected` says it in words.
        return f"{self.path}: expected {self.expected}, found {self.found}"


def strict_findings(catalog: Catalog, ref: TypeRef, value: Any, path: str = "$") -> list[StrictFinding]:
    """Every place where `value` breaks type `ref` strictly (empty when it conforms)."""
    walker = _Walker(catalog)
    walker.walk(ref, value, path)
    return walker.findings


class _Walker:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.findings: list[StrictFinding] = []

    def add(self, path: str, expected: str, value: Any, rule: str, *, missing: bool = False) -> None:
        found = "missing" if missing else short_json(value)
        self.findings.append(StrictFinding(path=path, expected=expected, found=found, rule=rule))

    def walk(self, ref: TypeRef, value: Any, path: str) -> None:
        if value is None:
            if ref.non_null and not self.null_allowed(ref):
                self.add(path, f"a non-null {ref.nullable()}", value, "non_null")
            return
        if ref.of_type is not None:
            if not isinstance(value, list):
                self.add(path, f"a list {ref.nullable()}", value, "list")
                return
            for index, item in enumerate(value):
                self.walk(ref.of_type, item, f"{path}[{index}]")
            return
        name = ref.base_name
        named = self.catalog.types.get(name)
        if isinstance(named, ObjectType):
            if not isinstance(value, dict):
                self.add(path, f"an object {name}", value, "list" if isinstance(value, list) else "object")
                return
            # Keys the type does not declare are no finding: Hasura ignores them (contract §3.2).
            for field in named.fields:
                if field.name in value:
                    self.walk(field.type, value[field.name], f"{path}.{field.name}")
                elif field.type.non_null:
                    self.add(
                        f"{path}.{field.name}", f"a non-null {field.type.nullable()}", None, "non_null", missing=True
                    )
        elif isinstance(named, EnumType):
            if not (isinstance(value, str) and value in named.value_names):
                self.add(path, f"{name}, one of {listed(named.value_names)}", value, _rule(value, "enum"))
        elif isinstance(named, ScalarType):
            self.scalar(named, value, path)
        else:
            raise InvalidArgument(f"type {name!r} is not an output type in the catalog")

    def null_allowed(self, ref: TypeRef) -> bool:
        # Only a registered scalar schema can let null through a `!` (the JSON Schema keeps it as is).
        if ref.name is None or registered(ref.name) is None:
            return False
        named = self.catalog.types.get(ref.name)
        schema = _schema(named.name, named.origin, registry_generation()) if isinstance(named, ScalarType) else {}
        return bool(schema) and valid(schema, None)

    def scalar(self, named: ScalarType, value: Any, path: str) -> None:
        name = named.name
        if named.origin == "builtin" and registered(name) is None:
            self.builtin(name, value, path)
            return
        schema = _schema(name, named.origin, registry_generation())
        if schema and not valid(schema, value):
            rule = "postgres_scalar" if is_postgres(name) else "scalar_kind"
            self.add(path, describe(name, schema), value, _rule(value, rule))

    def builtin(self, name: str, value: Any, path: str) -> None:
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if name == "Int":
            if not is_number:
                self.add(path, "Int, a whole number", value, _rule(value, "scalar_kind"))
            elif isinstance(value, float) and not math.isfinite(value):
                self.add(path, "Int, a finite whole number", value, "finite")
            elif isinstance(value, float) and not value.is_integer():
                self.add(path, "Int, a whole number", value, "integral")
            elif not _INT_LOW <= value <= _INT_HIGH:
                self.add(path, f"Int, 32-bit: {_INT_LOW} to {_INT_HIGH}", value, "int_range")
        elif name == "Float":
            if not is_number:
                self.add(path, "Float, a number", value, _rule(value, "scalar_kind"))
            elif isinstance(value, float) and not math.isfinite(value):
                self.add(path, "Float, a finite number", value, "finite")
        elif name == "Boolean":
            if not isinstance(value, bool):
                self.add(path, "Boolean, true or false", value, _rule(value, "scalar_kind"))
        elif not isinstance(value, str):
            # ID too: GraphQL serialises an ID as a string, so `5` where an ID belongs is a finding
            # even though Hasura passes it on and many clients cope.
            what = "ID, a string (GraphQL serialises IDs as strings)" if name == "ID" else "String"
            self.add(path, what, value, _rule(value, "scalar_kind"))


def _rule(value: Any, rule: str) -> str:
    # A list where a single value belongs is the `list` rule, whatever the single type.
    return "list" if isinstance(value, list) else rule


@lru_cache(maxsize=512)
def _schema_cached(name: str, origin: str, generation: int) -> str:
    return json.dumps(json_schema_for_scalar(name, origin))


def _schema(name: str, origin: str, generation: int) -> dict[str, Any]:
    # Compiled once per scalar and registry generation; the text form keeps the cache immutable.
    return json.loads(_schema_cached(name, origin, generation))  # type: ignore[no-any-return]
