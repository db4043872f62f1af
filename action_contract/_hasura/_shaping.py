"""What the client gets from an accepted reply, for a selection set or every declared field (contract §3.3).

Hasura copies field values verbatim (no coercion), emits the selected fields in selection order, keyed
by alias (with every field: declaration order), reads nested objects by following the data, and
never emits relationship fields from the reply: those come from the database.
"""

from __future__ import annotations

from typing import Any

from .._catalog._model import Catalog, ObjectType, TypeRef
from .._generate._profiles import HasuraProfile
from ._rules import is_custom_scalar

__all__ = ["Selection", "shape"]

#: A selection set: (response key, field name, nested selection) in selection order; None selects
#: every declared field. The field name `__typename` gives the object type's name.
Selection = tuple[tuple[str, str, "Selection | None"], ...]

_OMIT = object()


def shape(
    catalog: Catalog, output: TypeRef, body: Any, profile: HasuraProfile, selection: Selection | None = None
) -> Any:
    """The `data` value Hasura returns for an accepted `body` of type `output` (every field, or `selection`)."""
    base = catalog.types.get(output.base_name)
    if not isinstance(base, ObjectType) or is_custom_scalar(catalog, output.base_name):
        return body  # scalar and custom-scalar outputs: the raw JSON (`makeActionResponseNoRelations`)
    # Outputs with relationships were read through Postgres `jsonb_to_record` before ≈v2.19, which
    # gives null for a missing key where the plain path omitted it (contract §3.3).
    shaper = _Shaper(catalog, profile, null_missing=profile.null_for_missing_fields or bool(base.relationships))
    if isinstance(body, list):
        # Only the top level is walked: an inner array (`[[T]]`) is copied as is, like Hasura.
        return [shaper.object(base, item, selection) if isinstance(item, dict) else item for item in body]
    if isinstance(body, dict):
        return shaper.object(base, body, selection)
    return body


class _Shaper:
    def __init__(self, catalog: Catalog, profile: HasuraProfile, *, null_missing: bool) -> None:
        self.catalog = catalog
        self.null_missing = null_missing
        self.keep_nulls = profile.keeps_nested_nulls

    def object(self, named: ObjectType, data: dict[str, Any], selection: Selection | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        chosen = selection if selection is not None else tuple((f.name, f.name, None) for f in named.fields)
        for key, name, inner in chosen:
            if name == "__typename":
                out[key] = named.name
                continue
            field = named.field(name)
            nested = self.catalog.types.get(field.type.base_name) if field is not None else None
            if isinstance(nested, ObjectType):
                # A nested object field: a missing key or a value that is no object, array or null
                # is left out of the result (contract §3.3). Looked up by field name: that Hasura
                # reads an aliased nested object by its alias is UNVERIFIED, so not copied.
                value = self.nested(nested, data[name], inner) if name in data else _OMIT
                if value is not _OMIT:
                    out[key] = value
            elif name in data:
                out[key] = data[name]  # scalars and enums: verbatim, never coerced
            elif self.null_missing:
                out[key] = None
        return out

    def nested(self, named: ObjectType, value: Any, selection: Selection | None) -> Any:
        if isinstance(value, dict):
            return self.object(named, value, selection)
        if isinstance(value, list):
            # Elements other than objects, arrays and null are dropped silently.
            items = (self.nested(named, item, selection) for item in value)
            return [item for item in items if item is not _OMIT]
        if value is None:
            # v2.0-v2.6 dropped a nested typed null (#8237).
            return None if self.keep_nulls else _OMIT
        return _OMIT
