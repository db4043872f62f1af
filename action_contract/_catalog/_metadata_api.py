"""Metadata API calls (`create_action`, `set_custom_types`, `bulk`, ...) applied as Hasura applies them.

Each call is checked against the state built so far, with Hasura's messages (contract §6.3); a call
that fails leaves the state unchanged (a failing `bulk` rolls back all of its calls), and the next
calls go on so that one run reports every problem. Calls that do not concern actions (`run_sql`,
`track_table`, ...) are counted and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._actions import read_action
from ._custom_types import read_custom_types
from ._locations import Reporter
from ._model import NamedType

__all__ = ["MetadataState", "apply_calls", "resolved_types"]

_ACTION_CALLS = {
    "create_action",
    "update_action",
    "drop_action",
    "create_action_permission",
    "drop_action_permission",
    "set_custom_types",
    "replace_metadata",
    "clear_metadata",
    "bulk",
}


@dataclass
class MetadataState:
    """Actions (raw JSON, by name, in creation order) and custom types (raw JSON) as Hasura holds them."""

    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    custom_types: Any = None
    applied: int = 0
    skipped: int = 0
    #: The resolved custom types, kept until `custom_types` changes (a migration may create
    #: thousands of actions against the same types).
    resolved: tuple[Any, dict[str, NamedType]] | None = None


def resolved_types(state: MetadataState, report: Reporter, postgres: frozenset[str]) -> dict[str, NamedType]:
    """The state's custom types, resolved once per change of `custom_types` (a copy for each caller)."""
    if state.resolved is None or state.resolved[0] is not state.custom_types:
        scratch = Reporter(report.locations, [], report.fallback)
        state.resolved = (state.custom_types, read_custom_types(state.custom_types, scratch, postgres))
    # read_action adds the Postgres scalars it meets, so each action gets its own copy.
    return dict(state.resolved[1])


def apply_calls(state: MetadataState, calls: Any, report: Reporter, postgres: frozenset[str]) -> None:
    """Apply a list of calls (or one call, or a `bulk`) to `state`, reporting every failure."""
    if isinstance(calls, dict):
        calls = [calls]
    if not isinstance(calls, list):
        report.error(calls, "expected a metadata API call {type, args} or a list of them")
        return
    for index, call in enumerate(calls):
        _apply(state, call, report.within(calls, index), postgres)


def _apply(state: MetadataState, call: Any, report: Reporter, postgres: frozenset[str]) -> bool:
    if not isinstance(call, dict) or not isinstance(call.get("type"), str):
        report.error(
            call,
            'expected a metadata API call with a "type" and "args"',
            hint="e.g. {type: create_action, args: {...}}",
        )
        return False
    kind = call["type"]
    if kind not in _ACTION_CALLS:
        state.skipped += 1
        return True
    args = call.get("args")
    errors_before = report.error_count
    if kind == "bulk":
        snapshot = (dict(state.actions), state.custom_types)
        ok = True
        for index, inner in enumerate(args if isinstance(args, list) else []):
            ok = _apply(state, inner, report.within(args, index), postgres) and ok
        if not isinstance(args, list):
            report.error(call, "expected Array for the args of bulk", key="args")
            ok = False
        if not ok:  # Hasura runs a bulk in one transaction
            state.actions, state.custom_types = snapshot
        return ok
    if not isinstance(args, dict) and kind != "clear_metadata":
        report.error(call, f"expected Object for the args of {kind}", key="args")
        return False
    handler = _HANDLERS[kind]
    handler(state, args, call, report, postgres)
    ok = report.error_count == errors_before
    if ok:
        state.applied += 1
    return ok


def _missing_action(name: Any, args: dict[str, Any], key: str, report: Reporter) -> None:
    report.error(args, f'action with name "{name}" does not exist', key=key, code="not-exists")


def _name(args: dict[str, Any], key: str) -> Any:
    # A name that is not a string (a list, say) names no action; it must not be used as a dict key.
    value = args.get(key)
    return value if isinstance(value, str) else repr(value)


def _create_action(state: MetadataState, args: Any, call: Any, report: Reporter, postgres: frozenset[str]) -> None:
    name = _name(args, "name")
    if name in state.actions:
        report.error(args, f'action with name "{name}" already exists', key="name", code="already-exists")
        return
    candidate = {k: v for k, v in args.items() if k in {"name", "definition", "comment"}}
    report.locations.copy(candidate, args)
    candidate["permissions"] = []
    if read_action(candidate, report, resolved_types(state, report, postgres), postgres) is not None:
        state.actions[str(name)] = candidate


def _update_action(state: MetadataState, args: Any, call: Any, report: Reporter, postgres: frozenset[str]) -> None:
    name = _name(args, "name")
    if name not in state.actions:
        _missing_action(name, args, "name", report)
        return
    # The whole definition and the comment are replaced; permissions are kept (contract §6.3).
    candidate = {k: v for k, v in args.items() if k in {"name", "definition", "comment"}}
    report.locations.copy(candidate, args)
    candidate["permissions"] = state.actions[name].get("permissions") or []
    if read_action(candidate, report, resolved_types(state, report, postgres), postgres) is not None:
        state.actions[name] = candidate


def _drop_action(state: MetadataState, args: Any, call: Any, report: Reporter, postgres: frozenset[str]) -> None:
    name = _name(args, "name")
    if name not in state.actions:
        _missing_action(name, args, "name", report)
        return
    del state.actions[name]


def _create_permission(state: MetadataState, args: Any, call: Any, report: Reporter, postgres: frozenset[str]) -> None:
    name, role = _name(args, "action"), args.get("role")
    if name not in state.actions:
        _missing_action(name, args, "action", report)
        return
    permissions = list(state.actions[name].get("permissions") or [])
    if any(isinstance(p, dict) and p.get("role") == role for p in permissions):
        report.error(
            args, f'permission for role "{role}" is already defined on "{name}"', key="role", code="already-exists"
        )
        return
    entry = {"role": role}
    if args.get("comment") is not None:
        entry["comment"] = args["comment"]
    state.actions[name] = {**state.actions[name], "permissions": [*permissions, entry]}


def _drop_permission(state: MetadataState, args: Any, call: Any, report: Reporter, postgres: frozenset[str]) -> None:
    name, role = _name(args, "action"), args.get("role")
    permissions = list((state.actions.get(name) or {}).get("permissions") or [])
    if not any(isinstance(p, dict) and p.get("role") == role for p in permissions):
        report.error(args, f'permission for role: "{role}" is not defined on "{name}"', key="role", code="not-exists")
        return
    state.actions[name] = {**state.actions[name], "permissions": [p for p in permissions if p.get("role") != role]}


def _set_custom_types(state: MetadataState, args: Any, call: Any, report: Reporter, postgres: frozenset[str]) -> None:
    errors_before = report.error_count
    types = read_custom_types(args, report, postgres)
    # Existing actions must stay consistent with the new types, or Hasura refuses the change.
    for raw in state.actions.values():
        read_action(raw, report, dict(types), postgres)
    if report.error_count == errors_before:
        state.custom_types = args


def _replace_metadata(state: MetadataState, args: Any, call: Any, report: Reporter, postgres: frozenset[str]) -> None:
    metadata = args["metadata"] if isinstance(args.get("metadata"), dict) else args
    errors_before = report.error_count
    new = MetadataState(custom_types=metadata.get("custom_types"))
    types = read_custom_types(new.custom_types, report.within(metadata, "custom_types"), postgres)
    raw_actions = metadata.get("actions") or []
    for index, raw in enumerate(raw_actions if isinstance(raw_actions, list) else []):
        if read_action(raw, report.within(raw_actions, index), types, postgres) is not None and isinstance(raw, dict):
            new.actions[str(raw["name"])] = raw
    if report.error_count == errors_before:
        state.actions, state.custom_types = new.actions, new.custom_types


def _clear_metadata(state: MetadataState, args: Any, call: Any, report: Reporter, postgres: frozenset[str]) -> None:
    state.actions, state.custom_types = {}, None


_HANDLERS = {
    "create_action": _create_action,
    "update_action": _update_action,
    "drop_action": _drop_action,
    "create_action_permission": _create_permission,
    "drop_action_permission": _drop_permission,
    "set_custom_types": _set_custom_types,
    "replace_metadata": _replace_metadata,
    "clear_metadata": _clear_metadata,
}
