"""Custom types: Hasura's `custom_types` JSON read and validated as `set_custom_types` does.

Validation follows `validateCustomTypeDefinitions` (contract §6.3) with its exact reasons: duplicate
type names, duplicate enum values and fields, field types that do not exist (note Hasura's double
space in "in  object type"), arguments on object fields, and relationship field mappings. Postgres
scalars are looked up last, after declared types, exactly as Hasura does for custom-type fields.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .._suggest import did_you_mean, suggestion
from ._locations import Reporter
from ._model import (
    EnumType,
    EnumValue,
    Field,
    InputObjectType,
    NamedType,
    ObjectType,
    Relationship,
    ScalarType,
    TypeRef,
    uninhabited_inputs,
)
from ._scalars import BUILTIN_SCALARS
from ._shapes import read_bool, read_list, read_name, read_object, read_str, read_type

__all__ = ["CUSTOM_TYPES", "read_custom_types"]

CUSTOM_TYPES = "custom types"  # the subject Hasura's messages name


def _dquote_list(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in sorted(names))


def read_custom_types(raw: Any, report: Reporter, postgres_scalars: frozenset[str]) -> dict[str, NamedType]:
    """All named types usable by actions: built-ins, declared types and the Postgres scalars used."""
    types: dict[str, NamedType] = {name: ScalarType(name=name, origin="builtin") for name in sorted(BUILTIN_SCALARS)}
    if raw is None:
        return types
    if not isinstance(raw, dict):
        report.error(
            raw, "expected Object for custom_types", hint="custom_types holds input_objects, objects, scalars, enums."
        )
        return types
    scalars = [s for s in read_list(raw, "scalars", report) if isinstance(s, dict)]
    enums = [e for e in read_list(raw, "enums", report) if isinstance(e, dict)]
    inputs = [i for i in read_list(raw, "input_objects", report) if isinstance(i, dict)]
    objects = [o for o in read_list(raw, "objects", report) if isinstance(o, dict)]

    declared = [(d, read_name(d, "name", report, "a custom type")) for d in scalars + enums + inputs + objects]
    counts = Counter(name for _, name in declared if name)
    duplicates = sorted(name for name, n in counts.items() if n > 1)
    if duplicates:
        first = next(d for d, name in reversed(declared) if name in duplicates)
        report.error(
            first,
            f"duplicate type names: {_dquote_list(duplicates)}",
            subject=CUSTOM_TYPES,
            code="invalid-configuration",
            hint="Each type name may be defined once across scalars, enums, input objects and objects.",
        )

    for definition in scalars:
        name = definition.get("name")
        if isinstance(name, str):
            # A declared scalar named like a built-in stays the built-in (Hasura's customScalarParser).
            description = read_str(definition, "description", report)
            types[name] = ScalarType(
                name=name, origin="builtin" if name in BUILTIN_SCALARS else "custom", description=description
            )
    for definition in enums:
        enum = _read_enum(definition, report)
        if enum is not None:
            types.setdefault(enum.name, enum)

    scalar_names = {n for n, t in types.items() if isinstance(t, ScalarType)}
    enum_names = {n for n, t in types.items() if isinstance(t, EnumType)}
    input_names = {d.get("name") for d in inputs if isinstance(d.get("name"), str)}
    object_names = {d.get("name") for d in objects if isinstance(d.get("name"), str)}
    used_postgres: set[str] = set()

    def field_type_exists(ref: TypeRef, allowed: set[Any]) -> bool:
        base = ref.base_name
        if base in allowed:
            return True
        if base in postgres_scalars:
            used_postgres.add(base)
            return True
        return False

    input_field_types = scalar_names | enum_names | input_names
    object_field_types = scalar_names | enum_names | object_names
    for definition in inputs:
        name = definition.get("name")
        fields = _read_fields(definition, report, "input object", name)
        for field, raw_field in fields:
            if not field_type_exists(field.type, input_field_types):
                _missing_type(
                    report, raw_field, field.type.base_name, field.name, "input object", name, types, input_names
                )
        if isinstance(name, str) and name not in types:
            types[name] = InputObjectType(
                name=name, fields=tuple(f for f, _ in fields), description=read_str(definition, "description", report)
            )

    without_values = uninhabited_inputs(types)
    for definition in inputs:
        name = definition.get("name")
        if isinstance(name, str) and name in without_values:
            report.warn(
                definition,
                f'input object "{name}" has no finite value: each one must contain another through non-null '
                "fields, so no client can send one and an argument of this type can only be null or left out",
                subject=CUSTOM_TYPES,
                hint="Make one field on the cycle nullable or a list.",
            )

    for definition in objects:
        name = definition.get("name")
        fields = _read_fields(definition, report, "object", name)
        for field, raw_field in fields:
            if raw_field.get("arguments") is not None:
                report.error(
                    raw_field,
                    f'the object "{name}" can\'t have arguments',
                    subject=CUSTOM_TYPES,
                    code="invalid-configuration",
                    hint="Fields of action output types cannot take arguments; remove `(...)` from this field.",
                )
            if not field_type_exists(field.type, object_field_types):
                _missing_type(report, raw_field, field.type.base_name, field.name, "object", name, types, object_names)
        relationships = _read_relationships(definition, report, name, {f.name: f for f, _ in fields})
        duplicate_fields = [
            n for n, c in Counter([f.name for f, _ in fields] + [r.name for r in relationships]).items() if c > 1
        ]
        if duplicate_fields:
            report.error(
                definition,
                f'the object "{name}" has duplicate fields: {_dquote_list(duplicate_fields)}',
                subject=CUSTOM_TYPES,
                code="invalid-configuration",
            )
        if isinstance(name, str) and name not in types:
            types[name] = ObjectType(
                name=name,
                fields=tuple(f for f, _ in fields),
                relationships=tuple(relationships),
                description=read_str(definition, "description", report),
            )

    for name in sorted(used_postgres):
        types.setdefault(name, ScalarType(name=name, origin="postgres"))
    return types


def _read_enum(definition: dict[str, Any], report: Reporter) -> EnumType | None:
    name = definition.get("name")
    values = []
    for raw in read_list(definition, "values", report):
        value = read_name(raw, "value", report, "an enum value") if isinstance(raw, dict) else None
        if value is not None:
            values.append(
                EnumValue(
                    value=value,
                    description=read_str(raw, "description", report),
                    is_deprecated=read_bool(raw, "is_deprecated", report),
                )
            )
    if not values:
        report.error(
            definition,
            f'the enum type "{name}" has no values',
            subject=CUSTOM_TYPES,
            hint="Hasura requires at least one value; list them in actions.graphql: enum X { A B }.",
        )
    duplicates = [v for v, c in Counter(v.value for v in values).items() if c > 1]
    if duplicates:
        report.error(
            definition,
            f'the enum type "{name}" has duplicate values: {_dquote_list(duplicates)}',
            subject=CUSTOM_TYPES,
            code="invalid-configuration",
        )
    if not isinstance(name, str):
        return None
    return EnumType(name=name, values=tuple(values), description=read_str(definition, "description", report))


def _read_fields(
    definition: dict[str, Any], report: Reporter, what: str, type_name: Any
) -> list[tuple[Field, dict[str, Any]]]:
    fields = []
    raw_fields = read_list(definition, "fields", report)
    if not raw_fields:
        report.error(
            definition,
            f'the {what} "{type_name}" has no fields',
            subject=CUSTOM_TYPES,
            hint="Hasura requires at least one field.",
        )
    for raw in raw_fields:
        if not isinstance(raw, dict):
            report.error(raw_fields, f"expected Object for a field of {what} {type_name!r}", key=raw_fields.index(raw))
            continue
        name = read_name(raw, "name", report, "a field")
        ref = read_type(raw, "type", report, subject=CUSTOM_TYPES)
        if name is not None and ref is not None:
            fields.append((Field(name=name, type=ref, description=read_str(raw, "description", report)), raw))
    if what == "input object":
        duplicates = [n for n, c in Counter(f.name for f, _ in fields).items() if c > 1]
        if duplicates:
            report.error(
                definition,
                f'the input object "{type_name}" has duplicate fields: {_dquote_list(duplicates)}',
                subject=CUSTOM_TYPES,
                code="invalid-configuration",
            )
    return fields


def _missing_type(
    report: Reporter,
    raw_field: dict[str, Any],
    base: str,
    field: str,
    what: str,
    type_name: Any,
    types: dict[str, NamedType],
    same_kind: set[Any],
) -> None:
    candidates = [n for n in types if not isinstance(types[n], (InputObjectType, ObjectType))]
    candidates += [n for n in same_kind if isinstance(n, str)]
    report.error(
        raw_field,
        f'the type "{base}" for field "{field}" in  {what} type "{type_name}" does not exist',
        key="type",
        subject=CUSTOM_TYPES,
        code="invalid-configuration",
        hint=suggestion(base, candidates)
        + f"Declare it in actions.graphql (`scalar {base}` for an opaque JSON value), or pass it as an "
        "extra Postgres scalar if your database defines it.",
    )


def _read_relationships(
    definition: dict[str, Any], report: Reporter, type_name: Any, fields: dict[str, Field]
) -> list[Relationship]:
    relationships = []
    raw_list = read_list(definition, "relationships", report)
    sources = {repr(r.get("source", "default")) for r in raw_list if isinstance(r, dict)}
    if len(sources) > 1:
        report.error(
            definition,
            f'the object "{type_name}" has relationships refers to tables in multiple sources',
            subject=CUSTOM_TYPES,
            code="invalid-configuration",
        )
    for raw in raw_list:
        if not isinstance(raw, dict):
            continue
        name = read_name(raw, "name", report, "a relationship")
        kind = read_str(raw, "type", report, required=True)
        if kind is not None and kind not in {"object", "array"}:
            report.error(raw, f"expected object or array, but found {kind}", key="type")
            kind = None
        table = raw.get("remote_table")
        if isinstance(table, str):
            remote = ("public", table)
        elif isinstance(table, dict) and isinstance(table.get("name"), str):
            remote = (str(table.get("schema") or "public"), table["name"])
        else:
            report.error(raw, 'key "remote_table" not found or not a table name', key="remote_table")
            continue
        mapping = read_object(raw, "field_mapping", report, required=True) or {}
        for field_name in mapping:
            field = fields.get(field_name)
            if field is None:
                report.error(
                    mapping,
                    f'the field "{field_name}" for relationship "{name}" in object type "{type_name}" does not exist',
                    key=field_name,
                    subject=CUSTOM_TYPES,
                    code="invalid-configuration",
                    hint=did_you_mean(str(field_name), list(fields)).strip() or None,
                )
            elif field.type.is_list:
                report.error(
                    mapping,
                    f'the type of the field "{field_name}" for relationship "{name}" in object type '
                    f'"{type_name}" is a list type',
                    key=field_name,
                    subject=CUSTOM_TYPES,
                    code="invalid-configuration",
                )
        if name is not None and kind is not None:
            relationships.append(
                Relationship(
                    name=name,
                    type="object" if kind == "object" else "array",
                    remote_table=remote,
                    field_mapping={str(k): str(v) for k, v in mapping.items()},
                    source=str(raw.get("source") or "default"),
                )
            )
    return relationships
