"""Broken metadata: every problem reported, located, in Hasura's words, with a way out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from action_contract import MetadataError, Problem, load_catalog
from action_contract._run._checks import registered_checks

# fixture -> [(file suffix, line, fragment of the message)]
BROKEN = {
    "unknown_argument_type": [
        (
            "actions.graphql",
            2,
            'the type: "UserInpt" is not defined in custom types or it is not a scalar/enum/input_object',
        ),
    ],
    "forbidden_env_header": [
        (
            "actions.yaml",
            8,
            'env variables starting with "HASURA_GRAPHQL_" are not allowed in value_from_env: '
            "HASURA_GRAPHQL_ADMIN_SECRET",
        ),
    ],
    "missing_from_sdl": [("actions.yaml", 5, "action goodbye is not present in actions.graphql")],
    "malformed_yaml": [("actions.yaml", 5, "malformed YAML")],
    "malformed_sdl": [("actions.graphql", 2, "malformed GraphQL: Syntax Error")],
    "output_not_object": [
        ("actions.graphql", 2, 'the type: "Plan" is not an object or scalar type defined in custom types')
    ],
    "duplicate_types": [("actions.graphql", 9, 'duplicate type names: "Stats"')],
    "many_problems": [
        ("actions.graphql", 8, 'the type "Owner" for field "owner" in  object type "Out" does not exist'),
        ("actions.yaml", 4, "expected synchronous or asynchronous, but found sometimes"),
        ("actions.graphql", 2, 'the type: "Missing1" is not defined in custom types'),
        ("actions.yaml", 6, "timeout value cannot be negative"),
        ("actions.graphql", 3, 'the type: "Missing2" is not an object or scalar type defined in custom types'),
        ("actions.yaml", 9, "Parsing URL template failed"),
        ("actions.yaml", 11, "expecting only one of value or value_from_env keys"),
    ],
    "calls_with_errors.yaml": [
        ("calls_with_errors.yaml", 9, 'action with name "first" already exists'),
        ("calls_with_errors.yaml", 15, 'action with name "second" does not exist'),
        ("calls_with_errors.yaml", 22, 'permission for role: "user" is not defined on "first"'),
    ],
    "malformed.json": [("malformed.json", 3, "malformed JSON")],
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_metadata_reports_every_problem_where_it_is(fixtures, name):
    with pytest.raises(MetadataError) as info:
        load_catalog(fixtures / "broken" / name)
    found = [(p.file, p.line, p.message) for p in info.value.errors]
    assert len(found) == len(BROKEN[name]), "\n".join(p.render() for p in info.value.errors)
    for suffix, line, fragment in BROKEN[name]:
        assert any(f.endswith(suffix) and ln == line and fragment in m for f, ln, m in found), (
            f"{suffix}:{line} {fragment!r} not in {found}"
        )


def test_export_problems_carry_the_json_path(fixtures):
    with pytest.raises(MetadataError) as info:
        load_catalog(fixtures / "broken" / "export_without_output_type.json")
    (problem,) = info.value.errors
    assert problem.json_path == "$.metadata.actions[0].definition"
    assert problem.subject == 'action "triggerRun"'
    assert problem.hasura_message == 'Inconsistent object: in action "triggerRun"; key "output_type" not found'
    assert "output_type: MyOutput!" in (problem.hint or "")


def test_unknown_type_suggests_the_close_name(fixtures):
    with pytest.raises(MetadataError) as info:
        load_catalog(fixtures / "broken" / "unknown_argument_type")
    assert 'Did you mean "UserInput"?' in (info.value.errors[0].hint or "")


def test_error_message_summarises_and_renders_each_problem(fixtures):
    with pytest.raises(MetadataError) as info:
        load_catalog(fixtures / "broken" / "many_problems")
    text = str(info.value)
    assert text.splitlines()[
        0
    ] == "cannot load Hasura metadata in fixtures/broken/many_problems: 7 errors" or text.startswith(
        "cannot load Hasura metadata in"
    )
    assert text.count("error:") == 7


def test_problem_rendering():
    problem = Problem(message="boom", file="a.yaml", line=3, column=5, subject='action "x"', hint="do this")
    assert problem.render() == 'a.yaml:3:5: error: action "x": boom\n    do this'
    assert Problem(message="m", file="e.json", json_path="$.a[0]").where == "e.json $.a[0]"
    assert Problem(message="m", subject="custom types").hasura_message == (
        "Inconsistent object: validation for the given custom types failed because m"
    )


def test_no_user_facing_text_cites_a_document_users_do_not_have():
    # Messages, reports and the README explain Hasura's behaviour inline or link Hasura's docs.
    root = Path(__file__).resolve().parent.parent
    found = []
    for path in sorted((root / "action_contract").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        found += [
            f"{path.name}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "§" in node.value
            and id(node) not in docstrings
        ]
    found += [f"check {c.name}" for c in registered_checks().values() if "§" in c.doc]
    found += [
        f"README.md:{n}" for n, line in enumerate((root / "README.md").read_text().splitlines(), 1) if "§" in line
    ]
    assert found == []
