"""The rules an adversarial request can break, and the sites in an action's `input` where each can be broken.

`VIOLATIONS` names every rule in the order they are tried; `plan` finds, for one action, the sites
where each rule inside `input` applies and which rules (of the envelope, the body and the secret
headers too) can be broken at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .._catalog._model import Action, Catalog, EnumType, InputObjectType, ScalarType, TypeRef
from .._catalog._scalars import int_range, json_schema_for_scalar
from ._requests import Generation

__all__ = ["MALFORMED", "VIOLATIONS", "Site", "Step", "plan", "scalar_json_types"]

#: Every rule an adversarial request can break, in the order they are tried.
VIOLATIONS: tuple[str, ...] = (
    "missing_required_argument",
    "null_for_non_null",
    "wrong_type",
    "int_out_of_range",
    "non_integral_int",
    "malformed_scalar",
    "unknown_enum_value",
    "unknown_argument",
    "unknown_field",
    "missing_required_field",
    "object_for_list",
    "list_for_object",
    "wrong_action_name",
    "missing_action_name",
    "missing_input",
    "malformed_input",
    "missing_session_variables",
    "malformed_session_variables",
    "not_json",
    "empty_body",
    "missing_secret_header",
    "wrong_secret_header",
)
_ENVELOPE = (
    "unknown_argument",
    "wrong_action_name",
    "missing_action_name",
    "missing_input",
    "malformed_input",
    "missing_session_variables",
    "malformed_session_variables",
    "not_json",
    "empty_body",
)
_SITE_DEPTH = 3  # input-object levels below the arguments where rules are broken

#: One step into `input`: a key of an object, or the first item of a list.
Step = tuple[Literal["key", "item"], str]


@dataclass(frozen=True, slots=True)
class Site:
    """A place in `input` where a value of type `ref` sits, reached through `steps`."""

    steps: tuple[Step, ...]
    refs: tuple[TypeRef, ...]  # the type at each step; the last one is the site's

    @property
    def ref(self) -> TypeRef:
        return self.refs[-1]

    @property
    def path(self) -> str:
        text = "$.input"
        for kind, name in self.steps:
            text += "[0]" if kind == "item" else (f".{name}" if re.fullmatch(r"\w+", name) else f"[{name!r}]")
        return text


def plan(catalog: Catalog, generation: Generation) -> tuple[dict[str, list[Site]], list[str]]:
    """The sites where each rule inside `input` can be broken, and every rule that applies, in `VIOLATIONS` order."""
    sites = _sites(catalog, generation.action, generation.values.uninhabited)
    by_kind: dict[str, list[Site]] = {}
    for site in sites:
        for kind in _site_kinds(catalog, site):
            by_kind.setdefault(kind, []).append(site)
    applicable = [k for k in VIOLATIONS if k in by_kind or k in _ENVELOPE]
    if generation.call.secret_headers:
        applicable += ["missing_secret_header", "wrong_secret_header"]
    return by_kind, applicable


def _sites(catalog: Catalog, action: Action, uninhabited: frozenset[str]) -> list[Site]:
    sites: list[Site] = []

    def walk(steps: tuple[Step, ...], refs: tuple[TypeRef, ...], seen: tuple[str, ...]) -> None:
        if refs[-1].base_name in uninhabited:
            return  # no value of this type exists to break (or to leave out)
        site = Site(steps, refs)
        sites.append(site)
        ref = refs[-1]
        if ref.of_type is not None:
            walk((*steps, ("item", "")), (*refs, ref.of_type), seen)
            return
        named = catalog.types.get(ref.base_name)
        if isinstance(named, InputObjectType) and named.name not in seen and len(seen) < _SITE_DEPTH:
            for field in named.fields:
                walk((*steps, ("key", field.name)), (*refs, field.type), (*seen, named.name))

    for argument in action.arguments:
        walk((("key", argument.name),), (argument.type,), ())
    return sites


def scalar_json_types(scalar: ScalarType) -> set[str] | None:
    """The JSON types a scalar's values may have, or None when any JSON is fine."""
    schema = json_schema_for_scalar(scalar.name, scalar.origin)
    options = schema.get("anyOf", [schema])
    kinds: set[str] = set()
    for option in options:
        kind = option.get("type")
        if kind is None:
            return None
        kinds.update([kind] if isinstance(kind, str) else kind)
    return kinds


def _site_kinds(catalog: Catalog, site: Site) -> list[str]:
    ref = site.ref
    kinds: list[str] = []
    if ref.non_null:
        kinds.append("null_for_non_null")
        if site.steps[-1][0] == "key":
            kinds.append("missing_required_argument" if len(site.steps) == 1 else "missing_required_field")
    if ref.is_list:
        return [*kinds, "object_for_list"]
    named = catalog.types.get(ref.base_name)
    if isinstance(named, InputObjectType):
        kinds += ["unknown_field", "list_for_object"]
    elif isinstance(named, EnumType):
        kinds += ["wrong_type", "unknown_enum_value"]
    elif isinstance(named, ScalarType):
        if scalar_json_types(named) is not None:
            kinds.append("wrong_type")
        if int_range(named.name) is not None:
            kinds += ["int_out_of_range", "non_integral_int"]
        if named.origin != "builtin" and named.name in MALFORMED:
            kinds.append("malformed_scalar")
    return kinds


#: Malformed strings for the Postgres scalars whose format Hasura checks (`malformed_scalar`).
MALFORMED: dict[str, tuple[str, ...]] = {
    "uuid": ("not-a-uuid", "3f2504e0-4f89-41d3-9a0c"),
    "date": ("31/12/2024", "2024-02-30"),
    "time": ("noon", "12h30"),
    "timetz": ("noon", "12h30 CET"),
    "timestamp": ("31/12/2024 10:00", "not a timestamp"),
    "timestamptz": ("31/12/2024 10:00", "not a timestamp"),
    "bigint": ("12abc", "1.5"),
    "int8": ("12abc", "1.5"),
    "numeric": ("12,50", "twelve"),
    "decimal": ("12,50", "twelve"),
}
