"""Hasura's checks of a decoded reply, release by release: 2xx bodies, 4xx error objects, output types.

Each function answers with a `Rejection` (Hasura's exact message and code, plus where in the body the
problem is) or None. Messages are quoted from the contract (§3.2, §3.4, §4.2); texts the contract
marks UNVERIFIED say so beside them. Which generation applies comes from `HasuraProfile`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._catalog._model import Catalog, EnumType, Field, InputObjectType, ObjectType, TypeRef
from .._catalog._scalars import BUILTIN_SCALARS, is_postgres
from .._generate._profiles import HasuraProfile

__all__ = ["Rejection", "check_error_object", "check_success", "is_custom_scalar", "json_kind", "unsupported_output"]

#: aeson's name of Hasura's error type, as aeson 2 prints it (contract §4.2).
ERROR_TYPE = "Hasura.GraphQL.Execute.Action.Types.ActionWebhookErrorResponse(ActionWebhookErrorResponse)"
_MIGHT_WANT = ", might want to check the action return type defined!"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """Why Hasura refuses a reply: its message and code, our reason key, and where in the body."""

    message: str
    reason: str
    code: str = "unexpected"
    #: Where in the reply body the problem is, for people (`$.id`, `$[2]`).
    path: str = "$"
    #: The `extensions.path` Hasura reports: `$` except for aeson decode errors, which carry their own.
    error_path: str = "$"


def json_kind(value: Any) -> str:
    """aeson's name for the kind of a JSON value: Object, Array, String, Number, Boolean or Null."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, str):
        return "String"
    return "Array" if isinstance(value, list) else "Object"


def is_custom_scalar(catalog: Catalog, name: str) -> bool:
    """Hasura's `isCustomScalar`: a Postgres scalar name, or no output fields and not a built-in (§3.2).

    Our Postgres names are a superset of `pgScalarTranslations`; the difference never matters here,
    because a type with no fields that is not built-in counts as custom anyway.
    """
    return is_postgres(name) or (not isinstance(catalog.types.get(name), ObjectType) and name not in BUILTIN_SCALARS)


def check_success(catalog: Catalog, output: TypeRef, body: Any, profile: HasuraProfile) -> Rejection | None:
    """Hasura's verdict on a 2xx body for `output`, or None when it accepts it."""
    base = catalog.types.get(output.base_name)
    fields = base.fields if isinstance(base, ObjectType) else ()
    rules = profile.reply_rules
    if rules == "recursive":
        return _recursive(catalog, output, body, "$", fields, profile)
    # Before v2.7 the body was decoded into Hasura's reply type first, and an array had to hold
    # objects; that decode error comes before any other check.
    if isinstance(body, list):
        for index, item in enumerate(body):
            if not isinstance(item, dict):
                return _element_not_object(item, f"$[{index}]")
    if rules == "scalars":
        return _scalars(output, body, fields, profile)
    return _objects(output, body, fields, profile)


def _element_not_object(item: Any, path: str) -> Rejection:
    # aeson decode of `[HashMap Name Value]`; the exact text is UNVERIFIED (contract §3.4).
    return Rejection(
        message=f"parsing HashMap failed, expected Object, but encountered {json_kind(item)}",
        reason="null_body" if item is None else "shape",
        code="parse-failed",
        path=path,
        error_path=path,
    )


def _recursive(
    catalog: Catalog, ref: TypeRef, value: Any, path: str, fields: tuple[Field, ...], profile: HasuraProfile
) -> Rejection | None:
    # `validateResponse` (contract §3.2), case by case in Hasura's order.
    name = ref.name
    if name is not None and is_custom_scalar(catalog, name):
        return None  # anything goes, even null for `!`
    if value is None:
        if ref.non_null:
            return Rejection(message="got null for the action webhook response", reason="null_body", path=path)
        return None
    if name is None:
        if not isinstance(value, list):
            return _shape("expecting array for the action webhook response", path)
        assert ref.of_type is not None  # a list reference always has an item type
        for index, item in enumerate(value):
            found = _recursive(catalog, ref.of_type, item, f"{path}[{index}]", fields, profile)
            if found is not None:
                return found
        return None
    if isinstance(value, bool):
        if name != "Boolean":
            return _shape(f"got scalar Boolean for the action webhook response, expecting {name}", path)
    elif isinstance(value, int | float):
        if name not in {"Int", "Float"}:
            # Since ≈v2.10 Hasura says "String" for a number here (sic); v2.7-v2.9 said "Number" (§3.2).
            kind = profile.number_mismatch_kind
            return _shape(f"got scalar {kind} for the action webhook response, expecting {name}", path)
    elif isinstance(value, str):
        if name not in {"String", "ID"}:
            return _shape(f"got scalar String for the action webhook response, expecting {name}", path)
    elif isinstance(value, list):
        return _shape(f"got array for the action webhook response, expecting {name}", path)
    else:
        if name in BUILTIN_SCALARS:
            return _shape(f"got object for the action webhook response, expecting {name}", path)
        return _object(value, fields, path, profile)
    return None


def _scalars(output: TypeRef, body: Any, fields: tuple[Field, ...], profile: HasuraProfile) -> Rejection | None:
    # v2.3-v2.6 (contract §3.4): one look at the top level; `<T>` keeps its list brackets
    # (`showGT'`), and only `String` took a string (an `ID` output did not).
    expected = output.name if output.name is not None else str(output.nullable())
    if body is None:
        if output.non_null:
            return Rejection(message="got null for the action webhook response", reason="null_body")
        return None
    if isinstance(body, bool):
        if expected != "Boolean":
            return _shape(f"got scalar Boolean for the action webhook response, expecting {expected}", "$")
    elif isinstance(body, int | float):
        if expected not in {"Int", "Float"}:
            return _shape(f"got scalar Number for the action webhook response, expecting {expected}", "$")
    elif isinstance(body, str):
        if expected != "String":
            return _shape(f"got scalar String for the action webhook response, expecting {expected}", "$")
    elif isinstance(body, list):
        if not output.is_list:
            return _shape("got array for the action webhook response" + _MIGHT_WANT, "$")
        return _each_object(body, fields, profile)
    else:
        # `isScalar` knew Int, Float, String and Boolean only: an object passed for an ID output.
        if output.is_list or expected in {"Int", "Float", "String", "Boolean"}:
            return _shape("got object for the action webhook response" + _MIGHT_WANT, "$")
        return _object(body, fields, "$", profile)
    return None


def _objects(output: TypeRef, body: Any, fields: tuple[Field, ...], profile: HasuraProfile) -> Rejection | None:
    # v1.2-v2.0 (`objects`) and v2.1-v2.2 (`nullable`), contract §3.4.
    nullable_era = profile.reply_rules == "nullable"
    if body is None and nullable_era:
        if output.non_null:
            what = "array" if output.is_list else "object"
            return Rejection(message=f"expecting {what} for action webhook response but got null", reason="null_body")
        # The v2.1 bug: a null body was validated as `{}`, so it passed only with no non-null field.
        return _object({}, fields, "$", profile)
    if not isinstance(body, dict | list):
        message = "expecting object or array of objects for action webhook response"
        if nullable_era:
            message = "expecting null, object or array of objects for action webhook response"
        reason = "null_body" if body is None else "shape"
        return Rejection(message=message, reason=reason, code="parse-failed")
    if isinstance(body, list):
        if not output.is_list:
            return _shape("expecting object for action webhook response but got array", "$")
        return _each_object(body, fields, profile)
    if output.is_list:
        return _shape("expecting array for action webhook response but got object", "$")
    return _object(body, fields, "$", profile)


def _each_object(items: list[Any], fields: tuple[Field, ...], profile: HasuraProfile) -> Rejection | None:
    for index, item in enumerate(items):
        found = _object(item, fields, f"$[{index}]", profile)
        if found is not None:
            return found
    return None


def _object(obj: dict[str, Any], fields: tuple[Field, ...], path: str, profile: HasuraProfile) -> Rejection | None:
    # `validateResponseObject`: top-level fields only, values never type-checked (contract §3.2).
    if profile.rejects_extra_response_fields:
        declared = {f.name for f in fields}
        # Hasura lists them in HashMap order (unspecified); we keep the body's order.
        extra = [key for key in obj if key not in declared]
        if extra:
            return Rejection(
                message="unexpected fields in webhook response: " + ", ".join(extra),
                reason="extra_fields",
                path=_join(path, extra[0]),
            )
    # Hasura walks the fields in HashMap order, so which bad field it names is unspecified; we
    # take declaration order so the verdict is stable.
    for field in fields:
        if not field.type.non_null:
            continue
        if field.name not in obj:
            return Rejection(
                message=f'field "{field.name}" expected in webhook response, but not found',
                reason="missing_field",
                path=_join(path, field.name),
            )
        if obj[field.name] is None:
            return Rejection(
                message=f'expecting not null value for field "{field.name}"',
                reason="null_field",
                path=_join(path, field.name),
            )
    return None


def _shape(message: str, path: str) -> Rejection:
    return Rejection(message=message, reason="shape", path=path)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}"


def check_error_object(body: Any, profile: HasuraProfile) -> Rejection | dict[str, Any]:
    """The client's GraphQL error for a 4xx body (contract §4.2), or the decode failure Hasura reports."""
    # aeson derives the decoder field by field (message, code, extensions). Texts for a wrong
    # type follow aeson 2's wording for every release: UNVERIFIED (contract §4.2).
    if not isinstance(body, dict):
        return _decode_error(f"parsing {ERROR_TYPE} failed, expected Object, but encountered {json_kind(body)}", "$")
    if "message" not in body:
        if profile.aeson_major == 1:
            return _decode_error("the key 'message' was not present", "$")  # aeson 1 via `formatMsg`
        return _decode_error(f'parsing {ERROR_TYPE} failed, key "message" not found', "$")
    message = body["message"]
    if not isinstance(message, str):
        return _decode_error(f"parsing Text failed, expected String, but encountered {json_kind(message)}", "$.message")
    code = body.get("code")
    if code is not None and not isinstance(code, str):
        return _decode_error(f"parsing Text failed, expected String, but encountered {json_kind(code)}", "$.code")
    # `extensions` (any JSON, null ≡ absent) replaces path and code entirely since v2.1; before,
    # the key was unknown to the decoder and ignored (contract §4.2, §10).
    extensions = body.get("extensions") if profile.honours_error_extensions else None
    if extensions is not None:
        return {"message": message, "extensions": extensions}
    return {"message": message, "extensions": {"path": "$", "code": "unexpected" if code is None else code}}


def _decode_error(message: str, path: str) -> Rejection:
    return Rejection(message=message, reason="invalid_error_object", code="parse-failed", path=path, error_path=path)


def unsupported_output(catalog: Catalog, output: TypeRef, profile: HasuraProfile) -> str | None:
    """What Hasura says when `profile`'s release refuses `output` as an action's output type, else None."""
    name = output.base_name
    base = catalog.types.get(name)
    kinds = profile.output_kinds
    if isinstance(base, EnumType | InputObjectType) or base is None:
        return _not_output_type(name, profile)
    if isinstance(base, ObjectType):
        if "nested_object" in kinds:
            return None
        for field in base.fields:
            if isinstance(catalog.types.get(field.type.base_name), ObjectType):
                # The v1.x text (contract §6.3); v2.0-v2.1 wording UNVERIFIED, assumed the same.
                return (
                    f'the type "{field.type.base_name}" of the field "{field.name}" in the object type '
                    f'"{name}" is object type which isn\'t allowed'
                )
        return None
    custom = is_custom_scalar(catalog, name)
    needed = "custom_scalar" if custom else "scalar"
    if needed not in kinds:
        if "scalar" not in kinds:
            return _not_output_type(name, profile)
        # No Hasura text is known for a custom scalar before v2.7: ours.
        return f'the type: "{name}" is a custom or Postgres scalar, allowed as an output type since v2.7'
    if output.is_list and "scalar_list" not in kinds:
        # No Hasura text is known for this either: ours.
        return f'the type: "{output}" is a list of scalars, allowed as an output type since v2.8'
    return None


def _not_output_type(name: str, profile: HasuraProfile) -> str:
    # Contract §6.3: the wording changed with the output types Hasura accepts.
    if profile.version < (2, 0, 0):
        return f"the type: {name} is not an object type defined in custom types"
    if "scalar" not in profile.output_kinds:
        return f'the type: "{name}" is not an object type defined in custom types'
    return f'the type: "{name}" is not an object or scalar type defined in custom types'
