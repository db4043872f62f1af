"""The GraphQL schema Hasura would serve for a catalog's actions, built as SDL for graphql-core.

Tests use it to prove that generated inputs are values graphql-core accepts for the argument types
and that `request_query` documents parse and validate.
"""

from __future__ import annotations

from graphql import GraphQLSchema, build_schema

from action_contract import Catalog, EnumType, InputObjectType, ObjectType, ScalarType


def hasura_schema(catalog: Catalog) -> GraphQLSchema:
    lines: list[str] = []
    for named in catalog.types.values():
        if isinstance(named, ScalarType) and named.origin != "builtin":
            lines.append(f"scalar {named.name}")
        elif isinstance(named, EnumType):
            lines.append(f"enum {named.name} {{ {' '.join(named.value_names)} }}")
        elif isinstance(named, InputObjectType | ObjectType):
            keyword = "input" if isinstance(named, InputObjectType) else "type"
            fields = " ".join(f"{f.name}: {f.type}" for f in named.fields)
            lines.append(f"{keyword} {named.name} {{ {fields} }}")
    if "uuid" not in catalog.types:
        lines.append("scalar uuid")
    roots: dict[str, list[str]] = {"query": [], "mutation": []}
    for action in catalog:
        arguments = ", ".join(f"{a.name}: {a.type}" for a in action.arguments)
        signature = f"({arguments})" if arguments else ""
        output = "uuid!" if action.is_async else str(action.output_type)
        roots[action.type].append(f"{action.name}{signature}: {output}")
    lines.append("type Query { " + " ".join(roots["query"] or ["_placeholder: Boolean"]) + " }")
    if roots["mutation"]:
        lines.append("type Mutation { " + " ".join(roots["mutation"]) + " }")
    # assume_valid: graphql-core refuses input types with no finite value (`Loop { next: Loop! }`),
    # which Hasura accepts; the generators never build one, so the schema serves the tests as is.
    return build_schema("\n".join(lines), assume_valid=True)
