"""Which scalar names exist without being declared, and what JSON each one carries.

Hasura lets metadata use the GraphQL built-ins and any Postgres base type of its databases without
declaring them (contract §6.2; Hasura's "Postgres scalars in custom types" note). We cannot ask the
database, so we know the Postgres core types, the usual extension types and Hasura's own aliases
(`pgScalarTranslations`); anything else can be declared as `scalar X` in actions.graphql or passed
as an extra scalar name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "BUILTIN_SCALARS",
    "POSTGRES_SCALARS",
    "Registered",
    "int_range",
    "is_builtin",
    "is_postgres",
    "json_schema_for_scalar",
    "postgres_category",
    "register",
    "registered",
    "registry_generation",
]

BUILTIN_SCALARS: frozenset[str] = frozenset({"Int", "Float", "String", "Boolean", "ID"})

# Names valid as GraphQL names only: "double precision" and the like can never appear in a type.
_INTEGERS = {"smallint": 16, "int2": 16, "integer": 32, "int4": 32, "int": 32, "serial": 32}
_BIG_INTEGERS = {"bigint", "int8", "bigserial"}
_FLOATS = {"real", "float4", "float8", "numeric", "decimal", "money"}
_STRINGS = {
    "text", "citext", "varchar", "bpchar", "char", "character", "name", "xml", "bit", "varbit",
    "inet", "cidr", "macaddr", "macaddr8", "tsvector", "tsquery", "ltree", "lquery", "ltxtquery",
    "interval", "oid", "pg_lsn", "txid_snapshot", "jsonpath", "point", "line", "lseg", "box", "path",
    "polygon", "circle", "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
    "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange",
    "datemultirange", "raster", "box2d", "box3d", "hstore", "regclass", "regtype", "regproc",
}  # fmt: skip
# ISO 8601 texts as Postgres reads them: the offset is optional for every type (a timestamptz
# without one is read in the session time zone; a timestamp ignores one), so RFC 3339's
# `date-time` format would be stricter than Postgres.
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
_OFFSET = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
_TEMPORAL = {
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "pattern": f"^{_TIME}{_OFFSET}$"},
    "timetz": {"type": "string", "pattern": f"^{_TIME}{_OFFSET}$"},
    "timestamp": {"type": "string", "pattern": f"^{_DATE}([T ]{_TIME}{_OFFSET})?$"},
    "timestamptz": {"type": "string", "pattern": f"^{_DATE}([T ]{_TIME}{_OFFSET})?$"},
}
_ANY_JSON = {"json", "jsonb"}
_GEO = {"geometry", "geography"}
_OTHER = {"boolean", "bool", "bytea"}

POSTGRES_SCALARS: frozenset[str] = frozenset(
    set(_INTEGERS) | _BIG_INTEGERS | _FLOATS | _STRINGS | set(_TEMPORAL) | {"uuid"} | _ANY_JSON | _GEO | _OTHER
)

_INT32 = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}


def is_builtin(name: str) -> bool:
    """True for `Int`, `Float`, `String`, `Boolean` and `ID`."""
    return name in BUILTIN_SCALARS


def is_postgres(name: str) -> bool:
    """True for the Postgres type names we accept without a declaration."""
    return name in POSTGRES_SCALARS


def postgres_category(name: str) -> str | None:
    """How values of Postgres type `name` look: `int`, `bigint`, `decimal`, `bool`, `json`, `geo`, `bytea`,
    the name itself for uuid and the date/time types, or `text`; None for a name that is not Postgres."""
    if name in _INTEGERS:
        return "int"
    if name in _BIG_INTEGERS:
        return "bigint"
    if name in _FLOATS:
        return "decimal"
    if name in {"boolean", "bool"}:
        return "bool"
    if name in _ANY_JSON:
        return "json"
    if name in _GEO:
        return "geo"
    if name == "bytea" or name == "uuid" or name in _TEMPORAL:
        return name
    if name in _STRINGS:
        return "text"
    return None


def int_range(name: str) -> tuple[int, int] | None:
    """The bounds of an integer scalar with a fixed width (`Int`, `smallint`, `integer`...), else None."""
    bits = 32 if name == "Int" else _INTEGERS.get(name)
    if bits is None:
        return None
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


@dataclass(frozen=True, slots=True)
class Registered:
    """A user's own values for a scalar: a Hypothesis strategy and, optionally, its JSON Schema."""

    strategy: Any
    json_schema: dict[str, Any] | None


_REGISTERED: dict[str, Registered] = {}
_GENERATION = [0]


def register(name: str, strategy: Any, json_schema: dict[str, Any] | None) -> None:
    """Record a user's scalar values (validated by the public `register_scalar`)."""
    _REGISTERED[name] = Registered(strategy, json_schema)
    _GENERATION[0] += 1


def registered(name: str) -> Registered | None:
    """The registration for `name`, if any."""
    return _REGISTERED.get(name)


def registry_generation() -> int:
    """A number that changes on every registration, so compiled strategies know when to rebuild."""
    return _GENERATION[0]


def json_schema_for_scalar(name: str, origin: str) -> dict[str, Any]:
    """The strict JSON Schema of one scalar's values (custom scalars take any JSON)."""
    own = _REGISTERED.get(name)
    if own is not None and own.json_schema is not None:
        return dict(own.json_schema)
    # Hasura parses a Postgres type name as that Postgres type even when metadata declares a
    # custom scalar of the same name (`mkArgumentInputFieldParser` looks Postgres up first).
    if origin == "custom" and name not in POSTGRES_SCALARS:
        return {}
    if origin == "builtin":
        return dict(_BUILTIN_SCHEMAS[name])
    if name in _INTEGERS:
        bits = _INTEGERS[name]
        return {"type": "integer", "minimum": -(2 ** (bits - 1)), "maximum": 2 ** (bits - 1) - 1}
    if name in _BIG_INTEGERS:
        # Hasura accepts and forwards bigint as a number or as a numeric string (contract §1.5).
        return {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?[0-9]+$"}]}
    if name in _FLOATS:
        return {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}]}
    if name in _TEMPORAL:
        return dict(_TEMPORAL[name])
    if name == "uuid":
        return {"type": "string", "format": "uuid"}
    if name in _ANY_JSON:
        return {}
    if name in {"boolean", "bool"}:
        return {"type": "boolean"}
    if name in _GEO:
        return {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}
    if name in _STRINGS or name == "bytea":
        return {"type": "string"}
    return {}


_BUILTIN_SCHEMAS: dict[str, dict[str, Any]] = {
    "Int": _INT32,
    "Float": {"type": "number"},
    "String": {"type": "string"},
    "Boolean": {"type": "boolean"},
    # GraphQL serialises ID as a string, and Hasura always sends ID inputs as strings (contract §1.5).
    "ID": {"type": "string"},
}
