"""The one module that imports graphql-core: actions.graphql (SDL) to Hasura's JSON metadata form.

This does what the Hasura CLI does on `metadata apply` (contract §6.1): the file is *parsed*, not built
into a schema, so repeated `type Mutation { ... }` blocks and undeclared Postgres scalars are fine.
Fields of every `Mutation` block (or `extend type Mutation`) become mutation actions, fields of `Query`
blocks query actions; `input`, `enum`, `scalar` and other `type` definitions become custom types. An
object type called `Subscription` is an ordinary custom type: Hasura actions have no subscription root.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSyntaxError, parse
from graphql.language import ast

from .._errors import Problem
from ._locations import Locations, Spot
from ._sdl import read_plain_sdl

__all__ = ["SdlDocument", "read_sdl"]

_ROOTS = {"Mutation": "mutation", "Query": "query"}


class SdlDocument:
    """What one actions.graphql holds, in Hasura's JSON metadata shapes."""

    __slots__ = ("actions", "custom_types")

    def __init__(self) -> None:
        self.actions: list[dict[str, Any]] = []
        self.custom_types: dict[str, list[dict[str, Any]]] = {
            "scalars": [],
            "enums": [],
            "input_objects": [],
            "objects": [],
        }


def read_sdl(text: str, file: str, locations: Locations, problems: list[Problem], *, fast: bool = True) -> SdlDocument:
    """Parse actions.graphql; syntax errors and unsupported definitions become Problems.

    Plain SDL goes through the fast reader in `_sdl`; anything else (or `fast=False`) through
    graphql-core, which words warnings and syntax errors.
    """
    result = SdlDocument()
    if not text.strip():
        return result  # the CLI writes an empty actions.graphql for projects without actions
    plain = read_plain_sdl(text, file, locations) if fast else None
    if plain is not None:
        result.actions, result.custom_types = plain
        return result
    try:
        document = parse(text)
    except RecursionError:
        problems.append(
            Problem(
                message="malformed GraphQL: nested too deeply to read",
                file=file,
                json_path="$",
                code="parse-failed",
                hint="Real schemas nest list types two or three levels deep; remove the extra brackets.",
            )
        )
        return result
    except GraphQLSyntaxError as exc:
        location = exc.locations[0] if exc.locations else None
        problems.append(
            Problem(
                message=f"malformed GraphQL: {exc.message}",
                file=file,
                line=location.line if location else None,
                column=location.column if location else None,
                code="parse-failed",
                hint="actions.graphql must be GraphQL SDL: `type Mutation { name(arg: Type!): Output }` "
                "plus the input, enum, scalar and object types it uses.",
            )
        )
        return result
    reader = _Reader(file, locations, problems, result)
    try:
        for definition in document.definitions:
            reader.definition(definition)
    except RecursionError:
        problems.append(
            Problem(
                message="GraphQL type nested too deeply to read",
                file=file,
                json_path="$",
                code="parse-failed",
                hint="Real schemas nest list types two or three levels deep; remove the extra brackets.",
            )
        )
    return result


class _Reader:
    __slots__ = ("file", "locations", "problems", "result")

    def __init__(self, file: str, locations: Locations, problems: list[Problem], result: SdlDocument):
        self.file = file
        self.locations = locations
        self.problems = problems
        self.result = result

    def spot(self, node: ast.Node) -> Spot:
        token = node.loc.start_token if node.loc else None
        return Spot(self.file, token.line if token else None, token.column if token else None)

    def record(self, value: dict[str, Any], node: ast.Node) -> dict[str, Any]:
        self.locations.add(value, self.spot(node))
        return value

    def problem(self, node: ast.Node, message: str, hint: str | None = None, severity: str = "error") -> None:
        spot = self.spot(node)
        self.problems.append(
            Problem(
                message=message,
                severity="warning" if severity == "warning" else "error",
                file=spot.file,
                line=spot.line,
                column=spot.column,
                code="parse-failed",
                hint=hint,
            )
        )

    def definition(self, node: ast.DefinitionNode) -> None:
        if isinstance(node, (ast.ObjectTypeDefinitionNode, ast.ObjectTypeExtensionNode)) and (
            node.name.value in _ROOTS
        ):
            for field in node.fields or ():
                self.action(field, _ROOTS[node.name.value])
        elif isinstance(node, ast.ObjectTypeDefinitionNode):
            self.object_type(node)
        elif isinstance(node, ast.InputObjectTypeDefinitionNode):
            self.input_object(node)
        elif isinstance(node, ast.EnumTypeDefinitionNode):
            self.enum(node)
        elif isinstance(node, ast.ScalarTypeDefinitionNode):
            scalar = {"name": node.name.value, "description": _description(node)}
            self.result.custom_types["scalars"].append(self.record(_without_none(scalar), node))
        elif isinstance(node, (ast.TypeExtensionNode, _IGNORED)):
            # The CLI keeps only scalar, enum, input and object definitions and the root fields
            # (cli-ext `getAllTypesFromSdl`); everything else silently disappears on apply.
            kind = type(node).__name__.removesuffix("Node")
            self.problem(
                node,
                f"{_KIND_NAMES.get(kind, kind)} {node.name.value} is ignored by the Hasura CLI",
                "Hasura action types are scalars, enums, inputs and object types only; "
                + (
                    "write the fields into the type definition itself."
                    if isinstance(node, ast.TypeExtensionNode)
                    else "this definition has no effect (objects may still say `implements`)."
                ),
                severity="warning",
            )
        else:
            kind = type(node).__name__.removesuffix("Node")
            self.problem(
                node,
                f"{_KIND_NAMES.get(kind, kind)} definitions are not allowed in actions.graphql",
                "actions.graphql holds `type Mutation`/`type Query` fields and the `type`, `input`, `enum` "
                "and `scalar` definitions they use; remove this definition.",
            )

    def enum(self, node: ast.EnumTypeDefinitionNode) -> None:
        values = [
            self.record(
                _without_none(
                    {
                        "value": value.name.value,
                        "description": _description(value),
                        "is_deprecated": True if _deprecated(value) else None,
                    }
                ),
                value,
            )
            for value in node.values or ()
        ]
        enum = {"name": node.name.value, "description": _description(node), "values": values}
        self.result.custom_types["enums"].append(self.record(_without_none(enum), node))

    def action(self, field: ast.FieldDefinitionNode, action_type: str) -> None:
        arguments = [self.argument(arg) for arg in field.arguments or ()]
        definition: dict[str, Any] = self.record({"type": action_type, "output_type": _print_type(field.type)}, field)
        if arguments:
            definition["arguments"] = arguments
        action: dict[str, Any] = {"name": field.name.value, "definition": definition}
        if _description(field):
            action["description"] = _description(field)
        self.result.actions.append(self.record(action, field))

    def argument(self, node: ast.InputValueDefinitionNode) -> dict[str, Any]:
        if node.default_value is not None:
            self.problem(
                node,
                f"default value of {node.name.value!r} is ignored: Hasura metadata has no default values",
                "Hasura never fills in defaults for action arguments or input fields; the handler must "
                "treat an absent value itself. Remove `= ...` to silence this warning.",
                severity="warning",
            )
        value = {"name": node.name.value, "type": _print_type(node.type), "description": _description(node)}
        return self.record(_without_none(value), node)

    def input_object(self, node: ast.InputObjectTypeDefinitionNode) -> None:
        fields = [self.argument(f) for f in node.fields or ()]
        value = {"name": node.name.value, "description": _description(node), "fields": fields}
        self.result.custom_types["input_objects"].append(self.record(_without_none(value), node))

    def object_type(self, node: ast.ObjectTypeDefinitionNode) -> None:
        fields = []
        for field in node.fields or ():
            if field.arguments:
                self.problem(
                    field,
                    f"arguments of {node.name.value}.{field.name.value} are ignored by the Hasura CLI",
                    "Fields of action output types take no arguments; remove `(...)` from this field.",
                    severity="warning",
                )
            entry = {"name": field.name.value, "type": _print_type(field.type), "description": _description(field)}
            fields.append(self.record(_without_none(entry), field))
        value: dict[str, Any] = {"name": node.name.value, "description": _description(node), "fields": fields}
        self.result.custom_types["objects"].append(self.record(_without_none(value), node))


_IGNORED = (ast.InterfaceTypeDefinitionNode, ast.UnionTypeDefinitionNode, ast.DirectiveDefinitionNode)

_KIND_NAMES = {
    "SchemaDefinition": "schema",
    "ObjectTypeExtension": "extend type",
    "InputObjectTypeExtension": "extend input",
    "EnumTypeExtension": "extend enum",
    "ScalarTypeExtension": "extend scalar",
    "InterfaceTypeExtension": "extend interface",
    "UnionTypeExtension": "extend union",
    "InterfaceTypeDefinition": "interface",
    "UnionTypeDefinition": "union",
    "DirectiveDefinition": "directive",
    "OperationDefinition": "operation",
    "FragmentDefinition": "fragment",
}


def _print_type(node: ast.TypeNode) -> str:
    if isinstance(node, ast.NonNullTypeNode):
        return _print_type(node.type) + "!"
    if isinstance(node, ast.ListTypeNode):
        return "[" + _print_type(node.type) + "]"
    assert isinstance(node, ast.NamedTypeNode)
    return node.name.value


def _description(node: Any) -> str | None:
    description = getattr(node, "description", None)
    return description.value.strip() if description is not None else None


def _deprecated(node: ast.EnumValueDefinitionNode) -> bool:
    return any(d.name.value == "deprecated" for d in node.directives or ())


def _without_none(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None}
