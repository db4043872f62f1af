"""Which scalar names exist without being declared, and what JSON each one carries.

Hasura lets metadata use the GraphQL built-ins and any Postgres base type of its databases without
declaring them (contract §6.2; Hasura's "Postgres scalars in custom types" note). We cannot ask the
database, so we know the Postgres core types, the usual extension types and Hasura's own aliases
(`pgScalarTranslations`); anything else can be declared as `scalar X` in actions.graphql or passed
as an extra scalar name.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILTIN_SCALARS", "POSTGRES_SCALARS", "is_builtin", "is_postgres", "json_schema_for_scalar"]

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
_FORMATTED = {
    "uuid": "uuid",
    "date": "date",
    "time": "time",
    "timetz": "time",
    "timestamp": "date-time",
    "timestamptz": "date-time",
}
_ANY_JSON = {"json", "jsonb"}
_GEO = {"geometry", "geography"}
_OTHER = {"boolean", "bool", "bytea"}

POSTGRES_SCALARS: frozenset[str] = frozenset(
    set(_INTEGERS) | _BIG_INTEGERS | _FLOATS | _STRINGS | set(_FORMATTED) | _ANY_JSON | _GEO | _OTHER
)

_INT32 = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}


def is_builtin(name: str) -> bool:
    """True for `Int`, `Float`, `String`, `Boolean` and `ID`."""
    return name in BUILTIN_SCALARS


def is_postgres(name: str) -> bool:
    """True for the Postgres type names we accept without a declaration."""
    return name in POSTGRES_SCALARS


def json_schema_for_scalar(name: str, origin: str) -> dict[str, Any]:
    """The strict JSON Schema of one scalar's values (custom scalars take any JSON)."""
    if origin == "custom":
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
    if name in _FORMATTED:
        return {"type": "string", "format": _FORMATTED[name]}
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
