"""Adversarial requests: what a third party calling a handler directly could send, one broken rule each.

Hasura validates every input before it calls a handler (contract §1.5), but a handler's URL is
reachable without Hasura, so a handler must enforce the same rules itself. Each request starts as a
conforming one and breaks exactly one rule, named by `violation` and located by `violation_path`,
so a failure says which rule the handler did not enforce.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st

from .._catalog._model import Action, Catalog, EnumType, InputObjectType, ScalarType, TypeRef
from .._catalog._scalars import int_range, json_schema_for_scalar
from .._errors import InvalidArgument
from .._suggest import did_you_mean
from ._action_request import ActionRequest
from ._profiles import HasuraProfile
from ._requests import ClientHeadersOption, Generation, SessionOption, prepare_generation

__all__ = ["VIOLATIONS", "adversarial_requests", "applicable_violations"]

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

Step = tuple[Literal["key", "item"], str]


@dataclass(frozen=True, slots=True)
class _Site:
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


def adversarial_requests(
    action: Action | str,
    *,
    catalog: Catalog,
    violations: tuple[str, ...] | list[str] | None = None,
    hasura_version: str | HasuraProfile | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    session: SessionOption = None,
    client_headers: ClientHeadersOption = None,
) -> st.SearchStrategy[ActionRequest]:
    """Requests that break one rule each, tagged with `violation`; `violations` limits which rules.

    The other options are those of `conforming_requests`. Rules that cannot apply to the action
    (no Int argument, no secret header...) are skipped; see `VIOLATIONS` for the names.
    """
    generation = prepare_generation(
        action,
        catalog=catalog,
        hasura_version=hasura_version,
        base_url=base_url,
        env=env,
        session=session,
        client_headers=client_headers,
    )
    by_kind, applicable = _plan(catalog, generation)
    if violations is not None:
        unknown = [v for v in violations if v not in VIOLATIONS]
        if unknown:
            raise InvalidArgument(
                f"unknown violation {unknown[0]!r}{did_you_mean(unknown[0], list(VIOLATIONS))}"
                f" Known: {', '.join(VIOLATIONS)}"
            )
        applicable = [k for k in applicable if k in violations]
        if not applicable:
            raise InvalidArgument(
                f"none of the violations {', '.join(violations)} can apply to action {generation.action.name!r}"
            )
    return _adversarial(generation, generation.requests(), tuple(applicable), by_kind)


def applicable_violations(
    action: Action | str,
    *,
    catalog: Catalog,
    hasura_version: str | HasuraProfile | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    session: SessionOption = None,
    client_headers: ClientHeadersOption = None,
) -> tuple[str, ...]:
    """The rules of `VIOLATIONS` that can be broken for `action` (no `int_out_of_range` without an Int...)."""
    generation = prepare_generation(
        action,
        catalog=catalog,
        hasura_version=hasura_version,
        base_url=base_url,
        env=env,
        session=session,
        client_headers=client_headers,
    )
    return tuple(_plan(catalog, generation)[1])


def _plan(catalog: Catalog, generation: Generation) -> tuple[dict[str, list[_Site]], list[str]]:
    sites = _sites(catalog, generation.action, generation.values.uninhabited)
    by_kind: dict[str, list[_Site]] = {}
    for site in sites:
        for kind in _site_kinds(catalog, site):
            by_kind.setdefault(kind, []).append(site)
    applicable = [k for k in VIOLATIONS if k in by_kind or k in _ENVELOPE]
    if generation.call.secret_headers:
        applicable += ["missing_secret_header", "wrong_secret_header"]
    return by_kind, applicable


@st.composite
def _adversarial(
    draw: st.DrawFn,
    generation: Generation,
    conforming_requests: st.SearchStrategy[ActionRequest],
    kinds: tuple[str, ...],
    by_kind: dict[str, list[_Site]],
) -> ActionRequest:
    kind = draw(st.sampled_from(kinds))
    conforming = draw(conforming_requests)
    assert conforming.payload is not None
    payload = copy.deepcopy(dict(conforming.payload))
    if kind in by_kind:
        site = draw(st.sampled_from(by_kind[kind]))
        path, detail = _break_site(draw, generation, payload["input"], site, kind)
        return _tagged(conforming, payload, kind, path, detail)
    if kind in {"missing_secret_header", "wrong_secret_header"}:
        return _secret(draw, conforming, kind)
    return _envelope(draw, generation, conforming, payload, kind)


def _tagged(request: ActionRequest, payload: Any, kind: str, path: str, detail: str) -> ActionRequest:
    return dataclasses.replace(request, payload=payload, violation=kind, violation_path=path, violation_detail=detail)


# -- rules inside `input` -------------------------------------------------------------------------


def _sites(catalog: Catalog, action: Action, uninhabited: frozenset[str]) -> list[_Site]:
    sites: list[_Site] = []

    def walk(steps: tuple[Step, ...], refs: tuple[TypeRef, ...], seen: tuple[str, ...]) -> None:
        if refs[-1].base_name in uninhabited:
            return  # no value of this type exists to break (or to leave out)
        site = _Site(steps, refs)
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


def _scalar_json_types(scalar: ScalarType) -> set[str] | None:
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


def _site_kinds(catalog: Catalog, site: _Site) -> list[str]:
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
        if _scalar_json_types(named) is not None:
            kinds.append("wrong_type")
        if int_range(named.name) is not None:
            kinds += ["int_out_of_range", "non_integral_int"]
        if named.origin != "builtin" and named.name in _MALFORMED:
            kinds.append("malformed_scalar")
    return kinds


_WRONG_TYPES: dict[str, Any] = {"string": "42", "number": 42, "boolean": True, "object": {"value": 1}, "array": ["x"]}
_MALFORMED: dict[str, tuple[str, ...]] = {
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


def _bad_value(draw: st.DrawFn, catalog: Catalog, ref: TypeRef, kind: str, current: Any) -> tuple[Any, str]:
    named = catalog.types.get(ref.base_name)
    if kind == "null_for_non_null":
        return None, f"null where {ref} is required"
    if kind == "object_for_list":
        value = current[0] if isinstance(current, list) and current and isinstance(current[0], dict) else {}
        return value, f"an object where the list {ref} is expected"
    if kind == "list_for_object":
        return [current], f"a list where the input object {ref} is expected"
    if kind == "unknown_enum_value":
        assert isinstance(named, EnumType)
        values = named.value_names
        candidates = [v.lower() for v in values if v.lower() not in values] + ["NOT_A_" + values[0]]
        value = draw(st.sampled_from(candidates))
        return value, f"{value!r} is not a value of enum {named.name} ({', '.join(values)})"
    if kind == "int_out_of_range":
        low, high = int_range(ref.base_name) or (0, 0)
        value = draw(st.sampled_from([high + 1, low - 1, 2**53 + 1, -(10**20)]))
        return value, f"{value} is outside {ref.base_name}'s range {low}..{high}"
    if kind == "non_integral_int":
        value = draw(st.sampled_from([1.5, -0.5]))
        return value, f"{value} is not an integer, as {ref.base_name} requires"
    if kind == "malformed_scalar":
        value = draw(st.sampled_from(_MALFORMED[ref.base_name]))
        return value, f"{value!r} is not a valid {ref.base_name}"
    # wrong_type: a JSON type the scalar or enum never has.
    allowed: set[str] = {"string"}
    if isinstance(named, ScalarType):
        allowed = _scalar_json_types(named) or set()
    if allowed & {"integer", "number"}:
        allowed.add("number")  # a float in an integer is `non_integral_int`, not a wrong type
    value = draw(st.sampled_from([v for k, v in _WRONG_TYPES.items() if k not in allowed]))
    return value, f"{json.dumps(value)} where {ref.base_name} is expected"


def _break_site(
    draw: st.DrawFn, generation: Generation, arguments: dict[str, Any], site: _Site, kind: str
) -> tuple[str, str]:
    values = generation.values
    node: Any = arguments
    # Walk to the site's container, filling in whatever the conforming draw left out on the way.
    for index, ((step, name), ref) in enumerate(zip(site.steps, site.refs, strict=True)):
        last = index == len(site.steps) - 1
        key: Any = 0 if step == "item" else name
        if step == "item" and not node:
            node.append(_fresh(draw, values.present(ref)))
        elif step == "key" and node.get(name) is None and not (last and kind.startswith("missing_required")):
            node[name] = _fresh(draw, values.present(ref))
        if last:
            if kind.startswith("missing_required"):
                node.pop(name, None)
                noun = "argument" if len(site.steps) == 1 else "field"
                return site.path, f"required {noun} {name!r} ({ref}) left out"
            if kind == "unknown_field":
                extra = _unknown_name(draw, node[key])
                node[key][extra] = "unexpected"
                return f"{site.path}.{extra}", f"field {extra!r} is not in {ref.base_name}"
            bad, detail = _bad_value(draw, generation.catalog, ref, kind, node[key])
            node[key] = bad
            return site.path, detail
        if node[key] is None:
            node[key] = _fresh(draw, values.present(ref))
        node = node[key]
    raise AssertionError("a site always has at least one step")


def _fresh(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    # Strategies may hand out shared constants (`st.just([])`); never mutate those.
    return copy.deepcopy(draw(strategy))


def _unknown_name(draw: st.DrawFn, taken: Mapping[str, Any]) -> str:
    return draw(st.sampled_from([n for n in ("unexpectedField", "extra", "__proto__", "idd") if n not in taken]))


# -- rules of the envelope and the body -----------------------------------------------------------


def _envelope(
    draw: st.DrawFn, generation: Generation, request: ActionRequest, payload: dict[str, Any], kind: str
) -> ActionRequest:
    name = generation.action.name
    if kind == "unknown_argument":
        extra = _unknown_name(draw, payload["input"])
        payload["input"][extra] = "unexpected"
        return _tagged(request, payload, kind, f"$.input.{extra}", f"argument {extra!r} is not an argument of {name}")
    if kind == "wrong_action_name":
        others = [n for n in generation.catalog.actions if n != name]
        value = draw(st.sampled_from([*others[:3], name.upper() if name.upper() != name else name + "_", ""]))
        payload["action"] = {"name": value}
        return _tagged(request, payload, kind, "$.action.name", f"action name {value!r} instead of {name!r}")
    if kind == "missing_action_name":
        # `{}`, no `action` at all, or the bare name early Hasura docs showed (contract §1.3).
        variant = draw(st.sampled_from(["empty", "absent", "string"]))
        if variant == "absent":
            del payload["action"]
            return _tagged(request, payload, kind, "$.action", "no `action` in the body")
        payload["action"] = {} if variant == "empty" else name
        path = "$.action.name" if variant == "empty" else "$.action"
        return _tagged(
            request, payload, kind, path, f'`action` is {json.dumps(payload["action"])}, not {{"name": ...}}'
        )
    if kind in {"missing_input", "missing_session_variables"}:
        key = kind.removeprefix("missing_")
        del payload[key]
        return _tagged(request, payload, kind, f"$.{key}", f"no `{key}` in the body")
    if kind == "malformed_input":
        value = draw(st.sampled_from([None, [], "input", [payload["input"]]]))
        payload["input"] = value
        shape = "null" if value is None else f"a {type(value).__name__}"
        return _tagged(request, payload, kind, "$.input", f"`input` is {shape}, not an object")
    if kind == "malformed_session_variables":
        return _malformed_session(draw, request, payload)
    if kind == "empty_body":
        return dataclasses.replace(
            request, payload=None, raw_body=b"", violation=kind, violation_path="$", violation_detail="an empty body"
        )
    body = request.body
    # Cut-off JSON, a form post, XML, and JavaScript-style single quotes.
    truncated = body[: max(1, len(body) // 2)]
    raw = draw(st.sampled_from([truncated, b"action=" + name.encode(), b"<xml/>", b"{'input': {}}"]))
    return dataclasses.replace(
        request,
        payload=None,
        raw_body=raw,
        violation=kind,
        violation_path="$",
        violation_detail="a body that is not JSON",
    )


def _malformed_session(draw: st.DrawFn, request: ActionRequest, payload: dict[str, Any]) -> ActionRequest:
    session = dict(payload["session_variables"])
    variant = draw(st.sampled_from(["null", "list", "number", "uppercase", "no_role"]))
    path = "$.session_variables"
    if variant == "null":
        value: Any = None
    elif variant == "list":
        value = [session]
    elif variant == "number":
        session["x-hasura-user-id"] = 42
        value, path = session, "$.session_variables['x-hasura-user-id']"
    elif variant == "uppercase":
        role = session.pop("x-hasura-role")
        value = {"X-Hasura-Role": role, **session}
    else:
        session.pop("x-hasura-role")
        value = session
    payload["session_variables"] = value
    detail = {
        "null": "`session_variables` is null",
        "list": "`session_variables` is a list",
        "number": "session variable x-hasura-user-id is a number, not a string",
        "uppercase": "session variable names are not lower-case",
        "no_role": "no x-hasura-role among the session variables",
    }[variant]
    return _tagged(request, payload, "malformed_session_variables", path, detail)


def _secret(draw: st.DrawFn, request: ActionRequest, kind: str) -> ActionRequest:
    secrets = {name.lower() for name in request.secret_headers}
    if kind == "missing_secret_header":
        headers = tuple((n, v) for n, v in request.headers if n.lower() not in secrets)
        detail = "without " + ", ".join(request.secret_headers)
        path = ", ".join(request.secret_headers)
    else:
        target = draw(st.sampled_from(request.secret_headers))
        actual = request.header(target)
        wrong = draw(st.sampled_from([w for w in ("", "wrong-secret", "null", "x") if w != actual][:3]))
        headers = tuple((n, wrong if n.lower() == target.lower() else v) for n, v in request.headers)
        detail, path = f"header {target} with a wrong value {wrong!r}", target
    return dataclasses.replace(request, headers=headers, violation=kind, violation_path=path, violation_detail=detail)
