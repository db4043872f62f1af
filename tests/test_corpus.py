"""Every real-world metadata source in $ACTION_CONTRACT_CORPUS loads, except what Hasura itself rejects.

The expectations are those of the corpus README: the three projects Hasura refuses must fail with a
located error naming Hasura's reason, and Hasura's own metadata fixtures (tests-py) must produce the
success or the error their files record.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import graphql
import pytest
import yaml
from jsonschema import Draft202012Validator

from action_contract import (
    CallableTarget,
    Catalog,
    MetadataError,
    MockHandler,
    Settings,
    TypeRef,
    adversarial_requests,
    app_target,
    conforming_requests,
    diff_catalogs,
    edge_requests,
    load_catalog,
    render_json,
    render_text,
    run_contract,
)
from action_contract._catalog._json_schema import action_schemas
from action_contract._catalog._locations import Locations, Reporter
from action_contract._catalog._metadata_api import MetadataState, apply_calls
from action_contract._catalog._scalars import POSTGRES_SCALARS
from action_contract._catalog._yaml import load_yaml
from action_contract._executor._schema import ExecutorSchema
from action_contract._generate._sampling import draw_examples

CORPUS = os.environ.get("ACTION_CONTRACT_CORPUS")
pytestmark = pytest.mark.skipif(not CORPUS, reason="set ACTION_CONTRACT_CORPUS to the corpus folder")

# Project -> fragments every rejection must mention (Hasura's reasons, corpus README).
REJECTED = {
    "nself-org__nchat": ["not allowed in value_from_env: HASURA_GRAPHQL_", "$body.input"],
    "Malaikamadi__MamaCare": ["not allowed in value_from_env: HASURA_GRAPHQL_ADMIN_SECRET"],
    "banjeshp07__ai-agent-workflow-builder": ['key "output_type" not found'],
}
# Single sources Hasura refuses inside projects that load (a CLI export fixture the server never saw):
# a version 2 body must be an object, and a Kriti object literal has no trailing comma.
REJECTED_SOURCES = {
    "hasura__graphql-engine/cli/pkg/metadataobject/actions/testdata/export/t1/metadata.json": [
        "expected Object for a version 2 body, but encountered String",
        "response transform validation failed: 3:1: Parse Error: Unexpected token '}'.",
    ],
}


def hasura_rejects(source: Path) -> bool:
    """Whether Hasura refuses this corpus source (its project, or this one file)."""
    relative = source.relative_to(Path(CORPUS or "."))
    return relative.parts[0] in REJECTED or relative.as_posix() in REJECTED_SOURCES


TESTS_PY = "hasura__graphql-engine/server/tests-py/queries/actions"
# Fixtures copied from revisions older than the behaviour we model (contract §0): the newest Hasura
# accepts what they reject.
SUPERSEDED = {
    "nested-relation/create_sync_action_with_nested_output_and_nested_relation.yaml": (
        "relationships on nested action output types are allowed since v2.4.0 (commit 1eb7fe599)"
    ),
}


def _sources(root: Path) -> list[Path]:
    """Every project, metadata directory, export, migrations folder and SDL file below `root`."""
    found: set[Path] = set()
    for path in sorted(root.rglob("*")):
        if TESTS_PY in path.as_posix():
            continue
        if path.name in {"actions.yaml", "actions.graphql"}:
            directory = path.parent
            found.add(directory.parent if (directory.parent / "config.yaml").is_file() else directory)
        elif path.suffix == ".json" or path.name == "metadata.yaml":
            found.add(path)
        elif path.name == "up.yaml" and re.match(r"^\d+_", path.parent.name):
            found.add(path.parent.parent)
        elif (
            path.suffix == ".graphql"
            and not (path.parent / "actions.yaml").is_file()
            and path.name != "actions.graphql"
        ):
            found.add(path)
    return sorted(found)


def _ids() -> list[Any]:
    if not CORPUS:
        return []
    root = Path(CORPUS)
    return [pytest.param(p, id=str(p.relative_to(root))) for p in _sources(root)]


@pytest.mark.parametrize("source", _ids())
def test_corpus_source_loads_unless_hasura_rejects_it(source: Path) -> None:
    relative = source.relative_to(Path(CORPUS or "."))
    rejected = REJECTED.get(relative.parts[0]) or REJECTED_SOURCES.get(relative.as_posix())
    if rejected:
        with pytest.raises(MetadataError) as info:
            load_catalog(source)
        text = "\n".join(p.render() for p in info.value.errors)
        for fragment in rejected:
            assert fragment in text
        # Located: every error names its file, and a line or a JSON path.
        for problem in info.value.errors:
            assert problem.file and (problem.line or problem.json_path), problem.render()
    else:
        catalog = load_catalog(source)
        assert catalog.source_kind
        for action in catalog:
            assert action.output_type.base_name in catalog.types


@pytest.mark.parametrize("source", _ids())
def test_corpus_actions_get_requests_that_fit_their_contract(source: Path) -> None:
    catalog = _loadable(source)
    env = _stand_ins(catalog)
    options: dict[str, Any] = {"catalog": catalog, "base_url": "http://127.0.0.1:3000", "env": env}
    for action in catalog:
        validator = Draft202012Validator(action_schemas(catalog, action)["request"])
        requests = edge_requests(action.name, **options)
        requests += draw_examples(conforming_requests(action.name, **options), 3, seed_value=1)
        for request in requests:
            error = next(validator.iter_errors(request.payload), None)
            assert error is None, (action.name, error)
        for request in draw_examples(adversarial_requests(action.name, **options), 3, seed_value=1):
            assert request.violation


@pytest.mark.parametrize("source", _ids())
def test_corpus_actions_can_be_checked_end_to_end(source: Path) -> None:
    catalog = _loadable(source)
    env = _stand_ins(catalog)
    # Every kind of reply, in turn: the judge, the checks and the renderers must cope with all of them.
    replies = itertools.cycle([(400, {"message": "no"}), (200, {}), (200, [{}]), (200, None), (500, "x"), (200, "s")])
    settings = Settings(
        examples=3,
        adversarial_examples=3,
        secret_examples=1,
        database=None,
        seed=1,
        shrink=False,
        env=env,
        base_url="http://127.0.0.1:3000",
        workers=1,  # the replies come in turn from one shared cycle: one request at a time
    )
    with CallableTarget(lambda payload, headers: next(replies)) as target:
        report = run_contract(catalog, target, settings)
    assert {r.action for r in report.results} == set(catalog.actions)
    assert json.dumps(render_json(report, catalog=catalog))
    assert render_text(report, catalog=catalog)


@pytest.mark.parametrize("source", _ids())
def test_corpus_contract_holds_against_the_mock(source: Path) -> None:
    catalog = _loadable(source)
    env = _stand_ins(catalog)
    settings = Settings(
        examples=4, adversarial_examples=8, secret_examples=2, database=None, seed=2, env=env, in_process=True
    )
    with app_target(MockHandler(catalog, require_secret=True, env=env), kind="asgi") as target:
        report = run_contract(catalog, target, settings)
    # A request transform that fails on an input Hasura can send (`$body.input.x` for an absent optional
    # `x`) is the project's own bug: Hasura answers "Request Transformation Failed" and calls nothing.
    failures = [f for f in report.failures if not f.request.transform_errors]
    assert not failures, [(f.action, f.check, f.finding.title, f.request.to_json()) for f in failures][:3]
    for failure in report.failures:
        assert failure.check == "hasura_accepts" and failure.finding.title.startswith("Request Transformation Failed")
    transformed = {a.name for a in catalog if a.request_transform or a.response_transform}
    checked = {r.action for r in report.results if r.group == "conforming" and not r.skipped and r.cases}
    assert transformed <= checked


@pytest.mark.parametrize("source", _ids())
def test_corpus_transformed_actions_get_the_call_their_transform_makes(source: Path) -> None:
    catalog = _loadable(source)
    env = _stand_ins(catalog)
    for action in catalog:
        if action.request_transform is None:
            continue
        for request in edge_requests(action.name, catalog=catalog, env=env, base_url="http://127.0.0.1:3000"):
            assert request.untransformed is not None and request.payload is request.untransformed.payload
            if not request.transform_errors:
                assert request.url.startswith("http") and request.method


@pytest.mark.parametrize("source", _ids())
def test_corpus_requests_survive_graphql_through_the_executor(source: Path) -> None:
    # Real schemas through the executor: every conforming request, printed as an operation, must pass
    # Hasura's validation and reach the handler as the same payload (the route raises otherwise).
    catalog = _loadable(source)
    env = _stand_ins(catalog)
    settings = Settings(
        examples=4, adversarial=False, database=None, seed=2, env=env, in_process=True, via_graphql=True
    )
    with app_target(MockHandler(catalog, require_secret=True, env=env), kind="asgi") as target:
        report = run_contract(catalog, target, settings)
    # The project's own failing request transforms fail through GraphQL too, as in Hasura.
    failures = [f for f in report.failures if not f.request.transform_errors]
    assert not failures, [(f.action, f.check, f.finding.title, f.graphql) for f in failures][:3]


@pytest.mark.parametrize("source", _ids())
def test_corpus_diffs_agree_with_graphql_core(source: Path) -> None:
    # Real schemas through diff_catalogs: nothing changes against itself; removing every action breaks
    # clients only; loosening every argument and tightening every output breaks the handler only, and
    # graphql-core, which judges the client's side, finds nothing breaking either.
    catalog = _loadable(source)
    assert not diff_catalogs(catalog, catalog).changes
    if not len(catalog):
        return
    empty = dataclasses.replace(catalog, actions={})
    removed = diff_catalogs(catalog, empty)
    assert not removed.breaking("handler")
    assert {c.path for c in removed.breaking("client")} >= {f"actions.{name}" for name in catalog.actions}

    def loosened(ref: TypeRef) -> TypeRef:
        return ref.nullable()

    def tightened(ref: TypeRef) -> TypeRef:
        return dataclasses.replace(ref, non_null=True)

    changed = dataclasses.replace(
        catalog,
        actions={
            name: dataclasses.replace(
                action,
                arguments=tuple(dataclasses.replace(a, type=loosened(a.type)) for a in action.arguments),
                output_type=tightened(action.output_type),
            )
            for name, action in catalog.actions.items()
        },
    )
    result = diff_catalogs(catalog, changed)
    expected = {f"actions.{a.name}.args.{arg.name}" for a in catalog for arg in a.arguments if arg.type.non_null} | {
        f"actions.{a.name}.output" for a in catalog if not a.output_type.non_null
    }
    assert {c.path for c in result.breaking("handler")} == expected
    assert not result.breaking("client")
    old_schema, new_schema = ExecutorSchema(catalog), ExecutorSchema(changed)
    for role in old_schema.roles():
        assert graphql.find_breaking_changes(old_schema.for_role(role).schema, new_schema.for_role(role).schema) == []


def _loadable(source: Path) -> Catalog:
    """The source's catalog; the test is skipped for the projects Hasura itself rejects."""
    relative = source.relative_to(Path(CORPUS or "."))
    if relative.parts[0] in REJECTED or relative.as_posix() in REJECTED_SOURCES:
        pytest.skip("Hasura rejects this metadata")
    return load_catalog(source)


def _stand_ins(catalog: Any) -> dict[str, str]:
    # Real projects keep secrets and URLs in the environment; stand-ins let every action be called.
    env = {h.value_from_env: "secret" for a in catalog for h in a.headers if h.value_from_env}
    env.update((name, "value") for a in catalog for h in a.headers if h.value for name in _template_names(h.value))
    return env


def _template_names(text: str) -> list[str]:
    return re.findall(r"{{(.*?)}}", text)


def test_corpus_has_the_expected_sources() -> None:
    assert len(_ids()) >= 45


# -- Hasura's own metadata fixtures --------------------------------------------------------------


def _cases(directory: Path) -> list[Any]:
    params = []
    for file in sorted(directory.rglob("*.yaml")):
        if "setup" in file.name or "teardown" in file.name:
            continue
        document = yaml.safe_load(file.read_text())
        cases = document if isinstance(document, list) else [document]
        if any(isinstance(c, dict) and c.get("url") in {"/v1/query", "/v1/metadata"} for c in cases):
            params.append(pytest.param(file, id=str(file.relative_to(directory))))
    return params


def _fixture_ids() -> list[Any]:
    if not CORPUS or not (Path(CORPUS) / TESTS_PY).is_dir():
        return []
    return _cases(Path(CORPUS) / TESTS_PY)


def _apply_file(state: MetadataState, file: Path, locations: Locations) -> list[Any]:
    problems: list[Any] = []
    document = load_yaml(file.read_text(), file.name, locations, problems)
    apply_calls(state, document, Reporter(locations, problems), POSTGRES_SCALARS)
    return problems


def _normal(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.removeprefix("Inconsistent object: ")


@pytest.mark.parametrize("file", _fixture_ids())
def test_hasura_fixture_gives_the_recorded_verdict(file: Path) -> None:
    setups = [file.parent / n for n in ("schema_setup.yaml", "setup.yaml") if (file.parent / n).is_file()]
    state = MetadataState()
    locations = Locations()
    for setup in setups:
        assert [p.render() for p in _apply_file(state, setup, locations) if p.severity == "error"] == []
    problems: list[Any] = []
    document = load_yaml(file.read_text(), file.name, locations, problems)
    for case in document if isinstance(document, list) else [document]:
        if case.get("url") not in {"/v1/query", "/v1/metadata"}:
            continue
        before = len(problems)
        apply_calls(state, case["query"], Reporter(locations, problems), POSTGRES_SCALARS)
        errors = [p for p in problems[before:] if p.severity == "error"]
        superseded = file.relative_to(Path(CORPUS or ".") / TESTS_PY).as_posix() in SUPERSEDED
        if case["status"] == 200 or superseded:
            assert errors == [], case["description"]
            continue
        assert errors, f"{case['description']}: Hasura answers {case['status']}, we accepted the call"
        expected = _normal(str(case["response"]["error"]))
        ours = [_normal(p.hasura_message) for p in errors]
        best = max(difflib.SequenceMatcher(None, expected, o).ratio() for o in ours)
        # The fixtures span Hasura versions whose wording drifted ("start with ... for" became
        # "starting with ... in"), so the texts must agree closely, not to the letter.
        assert best >= 0.7, f"Hasura: {expected!r}\nours: {ours!r}"
