"""Building the broken requests: a conforming request changed to break exactly one rule, tagged with it.

`break_site` breaks a rule at a site inside `input`, `envelope` one of the envelope or the body, and
`secret` one of the secret headers; `tagged` records the rule, its JSON path and what was done.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Collection
from typing import Any

from hypothesis import strategies as st

from .._catalog._model import Catalog, EnumType, InputObjectType, ScalarType, TypeRef
from .._catalog._scalars import int_range
from ._action_request import ActionRequest
from ._requests import Generation
from ._violations import MALFORMED, Site, scalar_json_types

__all__ = ["break_site", "envelope", "secret", "tagged"]


def tagged(request: ActionRequest, payload: Any, kind: str, path: str, detail: str) -> ActionRequest:
    """`request` with `payload`, tagged with the rule `kind` it breaks, where (`path`) and how (`detail`)."""
    return dataclasses.replace(request, payload=payload, violation=kind, violation_path=path, violation_detail=detail)


# -- rules inside `input` -------------------------------------------------------------------------


_WRONG_TYPES: dict[str, Any] = {"string": "42", "number": 42, "boolean": True, "object": {"value": 1}, "array": ["x"]}


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
        candidates = [v.lower() for v in values if v.lower() not in values]
        candidates += [c for c in ("NOT_A_" + values[0], "NOT_A_VALUE_" + values[0]) if c not in values][:1]
        value = draw(st.sampled_from(candidates))
        return value, f"{value!r} is not a value of enum {named.name} ({', '.join(values)})"
    if kind == "int_out_of_range":
        low, high = int_range(ref.base_name) or (0, 0)
        # 2**53 + 1 is out of range for Int but a fine bigint: keep only values outside this range.
        value = draw(st.sampled_from([v for v in (high + 1, low - 1, 2**53 + 1, -(10**20)) if not low <= v <= high]))
        return value, f"{value} is outside {ref.base_name}'s range {low}..{high}"
    if kind == "non_integral_int":
        value = draw(st.sampled_from([1.5, -0.5]))
        return value, f"{value} is not an integer, as {ref.base_name} requires"
    if kind == "malformed_scalar":
        value = draw(st.sampled_from(MALFORMED[ref.base_name]))
        return value, f"{value!r} is not a valid {ref.base_name}"
    # wrong_type: a JSON type the scalar or enum never has.
    allowed: set[str] = {"string"}
    if isinstance(named, ScalarType):
        allowed = scalar_json_types(named) or set()
    if allowed & {"integer", "number"}:
        allowed.add("number")  # a float in an integer is `non_integral_int`, not a wrong type
    value = draw(st.sampled_from([v for k, v in _WRONG_TYPES.items() if k not in allowed]))
    return value, f"{json.dumps(value)} where {ref.base_name} is expected"


def break_site(
    draw: st.DrawFn, generation: Generation, arguments: dict[str, Any], site: Site, kind: str
) -> tuple[str, str, dict[str, Any]]:
    """Break rule `kind` at `site` in `arguments` (in place); the JSON path, what was done, and the arguments
    just before the break (the parents the conforming draw left out filled in): the request with the
    violation undone, against which a failure is confirmed."""
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
                undone = copy.deepcopy(arguments)
                node.pop(name, None)
                noun = "argument" if len(site.steps) == 1 else "field"
                return site.path, f"required {noun} {name!r} ({ref}) left out", undone
            if node[key] is None and kind in {"unknown_field", "list_for_object", "object_for_list"}:
                # A nullable list item or field the conforming draw made null: these rules change a value.
                node[key] = _fresh(draw, values.present(ref))
            undone = copy.deepcopy(arguments)
            if kind == "unknown_field":
                named = generation.catalog.types.get(ref.base_name)
                declared = {f.name for f in named.fields} if isinstance(named, InputObjectType) else set()
                extra = _unknown_name(draw, {*node[key], *declared})
                node[key][extra] = "unexpected"
                return f"{site.path}.{extra}", f"field {extra!r} is not in {ref.base_name}", undone
            bad, detail = _bad_value(draw, generation.catalog, ref, kind, node[key])
            node[key] = bad
            return site.path, detail, undone
        if node[key] is None:
            node[key] = _fresh(draw, values.present(ref))
        node = node[key]
    raise AssertionError("a site always has at least one step")


def _fresh(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    # Strategies may hand out shared constants (`st.just([])`); never mutate those.
    return copy.deepcopy(draw(strategy))


def _unknown_name(draw: st.DrawFn, taken: Collection[str]) -> str:
    # Never a name the type declares, even one the conforming draw left out: that would be no violation.
    names = [n for n in ("unexpectedField", "extra", "__proto__", "idd") if n not in taken]
    return draw(st.sampled_from(names or ["unexpectedField_" + str(len(taken))]))


# -- rules of the envelope and the body -----------------------------------------------------------


def envelope(
    draw: st.DrawFn, generation: Generation, request: ActionRequest, payload: dict[str, Any], kind: str
) -> ActionRequest:
    """`request` with rule `kind` of the envelope (`action`, `input`, `session_variables`) or the body broken."""
    name = generation.action.name
    if kind == "unknown_argument":
        extra = _unknown_name(draw, {*payload["input"], *(a.name for a in generation.action.arguments)})
        payload["input"][extra] = "unexpected"
        return tagged(request, payload, kind, f"$.input.{extra}", f"argument {extra!r} is not an argument of {name}")
    if kind == "wrong_action_name":
        # A name no action at this handler has: another action's name is right for the handler that
        # serves both (two mutations at one URL, as in Hasura's own async tests).
        here = _handler_key(generation.action.handler)
        taken = {n for n, a in generation.catalog.actions.items() if _handler_key(a.handler) == here}
        others = [n for n in generation.catalog.actions if n not in taken]
        near = [n for n in (name.upper(), name + "_", name + "__") if n not in taken]
        value = draw(st.sampled_from([*others[:3], near[0], ""]))
        payload["action"] = {"name": value}
        return tagged(request, payload, kind, "$.action.name", f"action name {value!r} instead of {name!r}")
    if kind == "missing_action_name":
        # `{}`, no `action` at all, or the bare name early Hasura docs showed (contract §1.3).
        variant = draw(st.sampled_from(["empty", "absent", "string"]))
        if variant == "absent":
            del payload["action"]
            return tagged(request, payload, kind, "$.action", "no `action` in the body")
        payload["action"] = {} if variant == "empty" else name
        path = "$.action.name" if variant == "empty" else "$.action"
        return tagged(request, payload, kind, path, f'`action` is {json.dumps(payload["action"])}, not {{"name": ...}}')
    if kind in {"missing_input", "missing_session_variables"}:
        key = kind.removeprefix("missing_")
        del payload[key]
        return tagged(request, payload, kind, f"$.{key}", f"no `{key}` in the body")
    if kind == "malformed_input":
        value = draw(st.sampled_from([None, [], "input", [payload["input"]]]))
        payload["input"] = value
        shape = "null" if value is None else f"a {type(value).__name__}"
        return tagged(request, payload, kind, "$.input", f"`input` is {shape}, not an object")
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


def _handler_key(handler: str) -> str:
    return handler.strip().rstrip("/").lower()


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
    return tagged(request, payload, "malformed_session_variables", path, detail)


def secret(draw: st.DrawFn, request: ActionRequest, kind: str) -> ActionRequest:
    """`request` without its secret headers, or with one of them holding a wrong value."""
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
