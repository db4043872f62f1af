"""One action: Hasura's `ActionDefinition` JSON read and resolved against the custom types.

Parsing follows Hasura's FromJSON instances (defaults: `arguments` [], `headers` [], `type` mutation,
`kind` synchronous, `timeout` 30, `forward_client_headers` false); resolution follows `resolveAction`
(contract §6.3): argument types must be scalars, enums or input objects, the output an object or
scalar, relationships only on top-level scalar fields (sync) and never beside nested objects (async).
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from typing import Any

from .._suggest import suggestion
from ._locations import Reporter
from ._model import (
    DEFAULT_IGNORED_CLIENT_HEADERS,
    DEFAULT_TIMEOUT,
    Action,
    Argument,
    EnumType,
    Header,
    InputObjectType,
    NamedType,
    ObjectType,
    Permission,
    ScalarType,
)
from ._shapes import read_bool, read_list, read_name, read_object, read_str, read_type
from ._templates import is_env_name, template_variables
from ._transforms import check_transforms

__all__ = ["read_action"]

_FORBIDDEN_ENV_PREFIX = "HASURA_GRAPHQL_"


def read_action(
    raw: Any, report: Reporter, types: MutableMapping[str, NamedType], postgres_scalars: frozenset[str]
) -> Action | None:
    """Read and resolve one `{name, definition, comment, permissions}`; None when it has errors."""
    if not isinstance(raw, dict):
        report.error(raw, "expected Object for an action", hint="An action is {name: ..., definition: {...}}.")
        return None
    failed_before = report.error_count
    name = read_name(raw, "name", report, "an action")
    subject = f'action "{name}"'
    definition = read_object(raw, "definition", report, required=True)
    if definition is None or name is None:
        return None

    action_type = read_str(definition, "type", report) or "mutation"
    if action_type not in {"mutation", "query"}:
        report.error(definition, f"expected mutation or query, but found {action_type}", key="type", subject=subject)
        action_type = "mutation"
    kind = _read_kind(definition, report, subject, action_type)

    arguments = []
    for index, raw_arg in enumerate(read_list(definition, "arguments", report)):
        if not isinstance(raw_arg, dict):
            report.error(definition["arguments"], "expected Object for an argument", key=index, subject=subject)
            continue
        arg_name = read_name(raw_arg, "name", report, "an argument")
        ref = read_type(raw_arg, "type", report, subject=subject)
        if arg_name is None or ref is None:
            continue
        _check_input_type(raw_arg, ref.base_name, report, subject, types, postgres_scalars)
        arguments.append(Argument(name=arg_name, type=ref, description=read_str(raw_arg, "description", report)))
    duplicates = sorted({a.name for a in arguments if sum(b.name == a.name for b in arguments) > 1})
    if duplicates:
        report.error(definition, f"duplicate arguments: {', '.join(duplicates)}", key="arguments", subject=subject)

    output = None
    if definition.get("output_type") is None:
        report.error(
            definition,
            'key "output_type" not found',
            subject=subject,
            hint="Every action needs output_type: the GraphQL type its handler returns, e.g. output_type: MyOutput!",
        )
    else:
        output = read_type(definition, "output_type", report, subject=subject)
    if output is not None:
        _check_output_type(definition, output.base_name, kind, report, subject, types, postgres_scalars)

    handler = read_str(definition, "handler", report, required=True)
    if handler is not None:
        _check_handler(definition, handler, report, subject)
    headers = _read_headers(definition, report, subject)
    timeout = _read_timeout(definition, report, subject)
    ignored = read_list(definition, "ignored_client_headers", report)
    if "ignored_client_headers" in definition and not all(isinstance(h, str) for h in ignored):
        report.error(definition, "expected a list of header names", key="ignored_client_headers", subject=subject)
    permissions = _read_permissions(raw, report, subject)
    request_transform = read_object(definition, "request_transform", report)
    response_transform = read_object(definition, "response_transform", report)
    check_transforms(definition, report, subject)

    if report.error_count > failed_before or output is None:
        return None
    assert handler is not None
    return Action(
        name=name,
        type="query" if action_type == "query" else "mutation",
        kind=kind,
        arguments=tuple(arguments),
        output_type=output,
        handler=handler,
        headers=tuple(headers),
        forward_client_headers=read_bool(definition, "forward_client_headers", report),
        ignored_client_headers=(
            tuple(str(h) for h in ignored) if "ignored_client_headers" in definition else DEFAULT_IGNORED_CLIENT_HEADERS
        ),
        timeout=timeout,
        request_transform=request_transform,
        response_transform=response_transform,
        permissions=tuple(permissions),
        comment=read_str(raw, "comment", report),
        description=read_str(raw, "description", report),
    )


def _read_kind(definition: dict[str, Any], report: Reporter, subject: str, action_type: str) -> Any:
    kind = definition.get("kind")
    if action_type == "query" or kind is None:
        return "synchronous"  # Hasura reads `kind` for mutations only; queries are always synchronous
    if kind == "":
        report.warn(
            definition,
            'kind "" on a mutation; treated as synchronous',
            key="kind",
            subject=subject,
            hint="Write kind: synchronous (or asynchronous) explicitly.",
        )
        return "synchronous"
    if not isinstance(kind, str) or kind not in {"synchronous", "asynchronous"}:
        found = kind if isinstance(kind, str) else repr(kind)
        report.error(
            definition, f"expected synchronous or asynchronous, but found {found}", key="kind", subject=subject
        )
        return "synchronous"
    return kind


def _check_input_type(
    raw_arg: dict[str, Any],
    base: str,
    report: Reporter,
    subject: str,
    types: MutableMapping[str, NamedType],
    postgres_scalars: frozenset[str],
) -> None:
    # Hasura looks Postgres scalars up first, then the declared input types (`resolveAction`).
    if base in postgres_scalars:
        types.setdefault(base, ScalarType(name=base, origin="postgres"))
        return
    if isinstance(types.get(base), (ScalarType, EnumType, InputObjectType)):
        return
    candidates = [n for n, t in types.items() if isinstance(t, (ScalarType, EnumType, InputObjectType))]
    found = types.get(base)
    report.error(
        raw_arg,
        f'the type: "{base}" is not defined in custom types or it is not a scalar/enum/input_object',
        key="type",
        subject=subject,
        code="invalid-configuration",
        hint=(
            f'"{base}" is an object type; arguments need an input type (input {base}Input {{ ... }}).'
            if isinstance(found, ObjectType)
            else suggestion(base, candidates)
            + f"Define `input {base}`, `enum {base}` or `scalar {base}` in actions.graphql."
        ),
    )


def _check_output_type(
    definition: dict[str, Any],
    base: str,
    kind: str,
    report: Reporter,
    subject: str,
    types: MutableMapping[str, NamedType],
    postgres_scalars: frozenset[str],
) -> None:
    if base in postgres_scalars:
        types.setdefault(base, ScalarType(name=base, origin="postgres"))
        return
    found = types.get(base)
    if isinstance(found, ScalarType):
        return
    if not isinstance(found, ObjectType):
        candidates = [n for n, t in types.items() if isinstance(t, (ObjectType, ScalarType))]
        report.error(
            definition,
            f'the type: "{base}" is not an object or scalar type defined in custom types',
            key="output_type",
            subject=subject,
            code="invalid-configuration",
            hint=(
                f'"{base}" is an {"enum" if isinstance(found, EnumType) else "input object"}; outputs must be '
                f"object types (type {base}Output {{ ... }}) or scalars."
                if found is not None
                else suggestion(base, candidates) + f"Define `type {base} {{ ... }}` in actions.graphql."
            ),
        )
        return
    nested = [f.name for f in found.fields if isinstance(types.get(f.type.base_name), ObjectType)]
    if kind == "asynchronous":
        if found.relationships and nested:
            report.error(
                definition,
                "Async action relations cannot be used with object fields: " + ", ".join(f'"{n}"' for n in nested),
                key="output_type",
                subject=subject,
                code="constraint-error",
            )
        return
    bad = [r.name for r in found.relationships if any(k in nested for k in r.field_mapping)]
    if bad:
        report.error(
            definition,
            "Relationships cannot be defined with nested object fields: " + ", ".join(f'"{n}"' for n in bad),
            key="output_type",
            subject=subject,
            code="constraint-error",
        )


def _check_handler(definition: dict[str, Any], handler: str, report: Reporter, subject: str) -> None:
    try:
        names = template_variables(handler)
    except ValueError as exc:
        report.error(definition, str(exc), key="handler", subject=subject)
        return
    kriti = [n for n in names if not is_env_name(n.strip())]
    if kriti:
        # Hasura reads `{{...}}` in a handler as an environment variable name, so a Kriti expression
        # can never resolve and the action stays inconsistent.
        report.error(
            definition,
            "Value for environment variables not found: " + ", ".join(kriti),
            key="handler",
            subject=subject,
            code="invalid-configuration",
            hint="Handler URLs take only {{ENV_VAR}} templates. To build the URL from the request, keep a "
            "plain handler and add request_transform: {url: '{{$base_url}}/...'}.",
        )
    if any(n != n.strip() for n in names):
        report.warn(
            definition,
            "a template variable has spaces inside the braces; Hasura looks the name up with the spaces",
            key="handler",
            subject=subject,
            hint="Write {{VAR}}, not {{ VAR }}.",
        )


def _read_headers(definition: dict[str, Any], report: Reporter, subject: str) -> list[Header]:
    headers = []
    raw_headers = read_list(definition, "headers", report)
    for index, raw in enumerate(raw_headers):
        if not isinstance(raw, dict):
            report.error(raw_headers, "expected Object for a header", key=index, subject=subject)
            continue
        name = read_str(raw, "name", report, required=True)
        value = raw.get("value")
        from_env = raw.get("value_from_env")
        if value is not None and from_env is not None:
            report.error(raw, "expecting only one of value or value_from_env keys", subject=subject)
            continue
        if value is None and from_env is None:
            report.error(raw, "expecting value or value_from_env keys", subject=subject)
            continue
        if from_env is not None:
            if not isinstance(from_env, str):
                report.error(raw, "expected String for 'value_from_env'", key="value_from_env", subject=subject)
                continue
            if from_env.startswith(_FORBIDDEN_ENV_PREFIX):
                report.error(
                    raw,
                    'env variables starting with "HASURA_GRAPHQL_" are not allowed in value_from_env: ' + from_env,
                    key="value_from_env",
                    subject=subject,
                    code="parse-failed",
                    hint="Hasura keeps its own settings (admin secret, database URL, JWT secret) away from "
                    "webhooks. Copy the value into another variable, e.g. "
                    f"ACTION_{from_env.removeprefix(_FORBIDDEN_ENV_PREFIX)}, and use that name.",
                )
                continue
        elif not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        if name is not None:
            headers.append(Header(name=name, value=value, value_from_env=from_env))
    return headers


def _read_timeout(definition: dict[str, Any], report: Reporter, subject: str) -> int:
    value = definition.get("timeout")
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        report.error(definition, f"expected Int for timeout, but found {value!r}", key="timeout", subject=subject)
        return DEFAULT_TIMEOUT
    # .inf, .nan and numbers past Int64 are what Hasura's Int parser calls out of bounds.
    if not math.isfinite(value) or value != int(value) or value > 2**63 - 1:
        report.error(
            definition, f"{value} is out of bounds", key="timeout", subject=subject, hint="timeout is whole seconds."
        )
        return DEFAULT_TIMEOUT
    if value < 0:
        report.error(definition, "timeout value cannot be negative", key="timeout", subject=subject)
        return DEFAULT_TIMEOUT
    return int(value)


def _read_permissions(raw: dict[str, Any], report: Reporter, subject: str) -> list[Permission]:
    permissions = []
    seen = set()
    raw_permissions = read_list(raw, "permissions", report)
    for index, entry in enumerate(raw_permissions):
        role = read_str(entry, "role", report, required=True) if isinstance(entry, dict) else None
        if role is None:
            if not isinstance(entry, dict):
                report.error(
                    raw_permissions, "expected Object {role: ...} for a permission", key=index, subject=subject
                )
            continue
        if role in seen:
            report.error(
                entry,
                f'permission for role "{role}" is already defined on "{subject[8:-1]}"',
                subject=subject,
                code="already-exists",
            )
            continue
        seen.add(role)
        permissions.append(Permission(role=role, comment=read_str(entry, "comment", report)))
    return permissions
