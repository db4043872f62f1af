"""A Hasura CLI metadata directory: actions.graphql and actions.yaml merged as `hasura metadata apply` does.

The SDL defines each action's `type`, `arguments` and `output_type` and every custom type's fields;
actions.yaml adds `kind`, `handler`, `headers`, `forward_client_headers`, `timeout`, the transforms,
`permissions` and `comment`, and a type's `description` and `relationships` (contract §6.1). Where the
two files disagree the SDL wins, as in the CLI, and we warn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._errors import Problem
from ._graphql import SdlDocument, read_sdl
from ._locations import Locations, Reporter, Spot
from ._metadata_files import is_file, read_text
from ._shapes import read_list
from ._yaml import Include, load_yaml

__all__ = ["read_metadata_directory"]

# Keys the CLI copies from actions.yaml onto the SDL's action (`ActionConfig.Build`).
_FROM_YAML = (
    "kind",
    "handler",
    "forward_client_headers",
    "headers",
    "timeout",
    "request_transform",
    "response_transform",
)
_GROUPS = ("enums", "input_objects", "objects", "scalars")
_GROUP_WORDS = {"enums": "enum", "input_objects": "input", "objects": "type", "scalars": "scalar"}


def read_metadata_directory(
    directory: Path, shown: str, locations: Locations, problems: list[Problem]
) -> dict[str, Any]:
    """`{"actions": [...], "custom_types": {...}}` in Hasura's JSON form, built from the two files."""
    report = Reporter(locations, problems)
    sdl_path, yaml_path = directory / "actions.graphql", directory / "actions.yaml"
    sdl = SdlDocument()
    before = len(problems)
    if sdl_path.is_file():
        sdl_shown = f"{shown}/actions.graphql"
        sdl = read_sdl(read_text(sdl_path, sdl_shown), sdl_shown, locations, problems)
    # A syntax error leaves actions.graphql unread: comparing actions.yaml with it would only repeat that error.
    unreadable = any(p.message.startswith("malformed GraphQL") for p in problems[before:])
    yaml_doc: Any = {}
    if yaml_path.is_file():
        yaml_shown = f"{shown}/actions.yaml"
        yaml_doc = load_yaml(read_text(yaml_path, yaml_shown), yaml_shown, locations, problems) or {}
        yaml_doc = _follow_includes(yaml_doc, directory, shown, locations, problems)
    if unreadable:
        return {"actions": [], "custom_types": {}}
    if not isinstance(yaml_doc, dict):
        Reporter(locations, problems, Spot(f"{shown}/actions.yaml", None, None, "$")).error(
            yaml_doc, "expected actions.yaml to hold a mapping with `actions` and `custom_types`"
        )
        yaml_doc = {}

    sdl_actions: dict[str, dict[str, Any]] = {}
    for action in sdl.actions:
        name = action["name"]
        if name in sdl_actions:
            report.error(
                action,
                f'action with name "{name}" already exists',
                code="already-exists",
                hint="Each action is one field of Mutation or Query; remove or rename the second definition.",
            )
            continue
        sdl_actions[name] = action

    seen_in_yaml = set()
    for index, entry in enumerate(read_list(yaml_doc, "actions", report)):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            report.within(yaml_doc["actions"], index).error(
                entry, "expected {name: ..., definition: {...}} for an action in actions.yaml"
            )
            continue
        name = entry["name"]
        seen_in_yaml.add(name)
        target = sdl_actions.get(name)
        if target is None:
            report.error(
                entry,
                f"action {name} is not present in actions.graphql",
                key="name",
                hint=f"Add `{name}(...): Output` to `type Mutation` or `type Query` in actions.graphql, or "
                "remove this entry.",
            )
            continue
        _merge_action(target, entry, locations, report)

    for name, action in sdl_actions.items():
        if name not in seen_in_yaml:
            action["definition"]["handler"] = ""
            report.warn(
                action,
                f"action {name} is in actions.graphql but not in actions.yaml: it has no handler",
                subject=f'action "{name}"',
                hint="The Hasura CLI sends it with an empty handler, so every call fails. Add "
                f"`- name: {name}` with `definition: {{kind: synchronous, handler: ...}}` to actions.yaml.",
            )

    custom_types = _merge_custom_types(
        sdl, yaml_doc.get("custom_types"), locations, report.within(yaml_doc, "custom_types")
    )
    return {"actions": list(sdl_actions.values()), "custom_types": custom_types}


def _follow_includes(doc: Any, directory: Path, shown: str, locations: Locations, problems: list[Problem]) -> Any:
    if not isinstance(doc, dict):
        return doc
    for key in ("actions", "custom_types"):
        value = doc.get(key)
        if isinstance(value, Include):
            target = directory / value.path
            if is_file(target):
                target_shown = f"{shown}/{value.path}"
                doc[key] = load_yaml(read_text(target, target_shown), target_shown, locations, problems)
            else:
                Reporter(locations, problems).error(doc, f"!include {value.path}: no such file", key=key)
                doc[key] = None
    return doc


def _merge_action(target: dict[str, Any], entry: dict[str, Any], locations: Locations, report: Reporter) -> None:
    definition = target["definition"]
    raw_definition = entry.get("definition")
    from_yaml: dict[str, Any] = raw_definition if isinstance(raw_definition, dict) else {}
    subject = f'action "{target["name"]}"'
    for key in _FROM_YAML:
        if key in from_yaml:
            definition[key] = from_yaml[key]
            locations.add_key(definition, key, locations.spot(from_yaml, key))
    for key in ("permissions", "comment"):
        if key in entry:
            target[key] = entry[key]
            locations.add_key(target, key, locations.spot(entry, key))
    if "ignored_client_headers" in from_yaml:
        report.warn(
            from_yaml,
            "ignored_client_headers in actions.yaml is dropped by the Hasura CLI",
            key="ignored_client_headers",
            subject=subject,
            hint="Set it through the metadata API or a metadata export; the CLI's action format has no such key.",
        )
    # Some projects repeat the signature in actions.yaml; the CLI ignores it, so only warn on conflicts.
    for key in ("type", "output_type"):
        if key in from_yaml and _type_text(from_yaml[key]) != _type_text(definition.get(key, "mutation")):
            report.warn(
                from_yaml,
                f"actions.yaml says {key} {_type_text(from_yaml[key])!r} but actions.graphql says "
                f"{_type_text(definition.get(key, 'mutation'))!r}; actions.graphql wins",
                key=key,
                subject=subject,
                hint=f"Remove {key} from actions.yaml, or make the two agree.",
            )
    if "arguments" in from_yaml and from_yaml["arguments"] is not None:
        yaml_args = _signature(from_yaml["arguments"])
        sdl_args = _signature(definition.get("arguments") or [])
        if yaml_args != sdl_args:
            report.warn(
                from_yaml,
                f"actions.yaml lists arguments ({_show(yaml_args)}) but actions.graphql has ({_show(sdl_args)}); "
                "actions.graphql wins",
                key="arguments",
                subject=subject,
                hint="Remove `arguments` from actions.yaml, or make the two agree.",
            )


def _merge_custom_types(
    sdl: SdlDocument, raw_yaml: Any, locations: Locations, report: Reporter
) -> dict[str, list[dict[str, Any]]]:
    merged = sdl.custom_types
    if raw_yaml is None:
        return merged
    if not isinstance(raw_yaml, dict):
        report.error(raw_yaml, "expected a mapping for custom_types")
        return merged
    for group in _GROUPS:
        by_name = {t["name"]: t for t in merged[group]}
        for index, entry in enumerate(read_list(raw_yaml, group, report)):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                report.within(raw_yaml[group], index).error(
                    entry, f"expected {{name: ...}} for an entry of custom_types.{group}"
                )
                continue
            name = entry["name"]
            target = by_name.get(name)
            if target is None:
                elsewhere = [g for g in _GROUPS if any(t["name"] == name for t in merged[g])]
                report.warn(
                    entry,
                    f"custom type {name} is listed under {group} in actions.yaml but is not present in "
                    "actions.graphql" + (f" as {_GROUP_WORDS[group]} {name}" if elsewhere else ""),
                    key="name",
                    hint=(
                        f"actions.graphql defines it as `{_GROUP_WORDS[elsewhere[0]]} {name}`, which is what counts. "
                        if elsewhere
                        else ""
                    )
                    + f"`hasura metadata apply` stops here with: custom type {name} is not present in "
                    "actions.graphql. Remove the entry or add the type to actions.graphql.",
                )
                continue
            for key in ("description", "relationships"):
                if entry.get(key) is not None:
                    target[key] = entry[key]
                    locations.add_key(target, key, locations.spot(entry, key))
            if "fields" in entry and entry["fields"] is not None:
                yaml_fields = _signature(entry["fields"])
                sdl_fields = _signature(target.get("fields") or [])
                if yaml_fields != sdl_fields:
                    report.warn(
                        entry,
                        f"actions.yaml gives {name} the fields ({_show(yaml_fields)}) but actions.graphql has "
                        f"({_show(sdl_fields)}); actions.graphql wins",
                        key="fields",
                        hint="Remove `fields` from actions.yaml, or make the two agree.",
                    )
    return merged


def _type_text(value: Any) -> str:
    # An unquoted YAML `[Foo]` is a list; compare it as the GraphQL text it was meant to be.
    if isinstance(value, list) and len(value) == 1:
        return f"[{_type_text(value[0])}]"
    return str(value)


def _signature(items: Any) -> list[tuple[str, str]]:
    if not isinstance(items, list):
        return []
    return [(str(i.get("name")), _type_text(i.get("type")).replace(" ", "")) for i in items if isinstance(i, dict)]


def _show(signature: list[tuple[str, str]]) -> str:
    return ", ".join(f"{n}: {t}" for n, t in signature)
