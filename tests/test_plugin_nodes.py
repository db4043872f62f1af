"""The plugin's items as pytest sees any collected file's: node ids, counts, --lf/--ff/--sw, JUnit, skips, selection."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ElementTree

import pytest
from conftest import FIXTURES

# Imported by this process, so pytester's in-process runs share one copy (PyYAML's C extension keeps the node
# classes of the first import).
import action_contract  # noqa: F401

GOOD = f"{FIXTURES / 'handlers' / 'shop.py'}:app"
FAULTY = FIXTURES / "handlers" / "faulty.py"
QUICK = ["--action-contract-examples=5", "--action-contract-adversarial-examples=5", "--action-contract-database=none"]
ACTIONS = "hasura/metadata/actions.yaml"
GROUPS = ("conforming", "adversarial", "secret")


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A user's repository: a Hasura project in hasura/, a unit test in tests/."""
    shutil.copytree(FIXTURES / "projects" / "shop", pytester.path / "hasura")
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_unit.py").write_text("def test_unit():\n    assert True\n")
    return pytester


def _contract(app: str = GOOD) -> list[str]:
    return ["--action-contract", "--action-contract-path=hasura", f"--action-contract-app={app}", *QUICK]


def test_node_ids_name_the_metadata_file_and_a_pasted_id_reruns_that_item(project: pytest.Pytester):
    listed = project.runpytest_inprocess("-p", "no:cacheprovider", *_contract(), "--collect-only", "-q", "hasura")
    assert f"{ACTIONS}::quote[conforming]" in listed.stdout.lines
    rerun = project.runpytest_inprocess("-p", "no:cacheprovider", *_contract(), f"{ACTIONS}::quote[conforming]")
    rerun.assert_outcomes(passed=1)


def test_counts_are_the_items_that_run(project: pytest.Pytester):
    header = project.runpytest_inprocess("-p", "no:cacheprovider", *_contract(), "--collect-only", "hasura")
    header.stdout.fnmatch_lines(["collected 15 items", "*15 tests collected*"])


def test_metadata_reached_through_a_link_is_collected_once(pytester: pytest.Pytester):
    # A repository that links its fixtures in: pytest walks the link, and the items must not come twice.
    (pytester.path / "fixtures").symlink_to(FIXTURES, target_is_directory=True)
    (pytester.path / "conftest.py").write_text("collect_ignore = ['fixtures/handlers', 'fixtures/ci']\n")
    listed = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--action-contract", "--action-contract-path=fixtures/projects/shop",
        f"--action-contract-app={GOOD}", *QUICK, "--collect-only", "-q", "-k", "placeOrder",
    )  # fmt: skip
    items = [line for line in listed.stdout.lines if "::placeOrder[" in line]
    assert items == [f"fixtures/projects/shop/metadata/actions.yaml::placeOrder[{g}]" for g in GROUPS]


def test_last_failed_and_failed_first_and_stepwise(project: pytest.Pytester):
    failing = _contract(f"{FAULTY}:envelope_app")
    first = project.runpytest_subprocess(*failing, "hasura")
    failed = first.parseoutcomes()["failed"]
    assert failed > 0
    again = project.runpytest_subprocess(*failing, "--lf", "hasura")
    again.assert_outcomes(failed=failed)
    assert "known failures not in selected tests" not in again.stdout.str()
    ordered = project.runpytest_subprocess(*failing, "--ff", "-v", "hasura")
    outcomes = [line.split()[1] for line in ordered.stdout.lines if line.startswith(ACTIONS + "::")]
    assert outcomes[:failed] == ["FAILED"] * failed
    # The first item fails: --sw stops there, and the next --sw run starts again at that item.
    project.runpytest_subprocess(*failing, "--sw", "hasura").assert_outcomes(failed=1)
    stepped = project.runpytest_subprocess(*failing, "--sw", "-v", "hasura")
    stepped.assert_outcomes(failed=1)
    stepped.stdout.fnmatch_lines(
        ["stepwise: skipping 0 already passed items*", f"{ACTIONS}::placeOrder?conforming? FAILED*"]
    )


def test_junit_classname_reads_like_a_collected_file(project: pytest.Pytester):
    junit = project.path / "junit.xml"
    project.runpytest_inprocess("-p", "no:cacheprovider", *_contract(), "-k", "quote", f"--junitxml={junit}", "hasura")
    classes = {case.get("classname") for case in ElementTree.parse(junit).getroot().iter("testcase")}
    assert classes == {"hasura.metadata.actions.yaml"}


def test_skips_point_at_the_action_in_the_metadata_file(project: pytest.Pytester):
    result = project.runpytest_inprocess("-p", "no:cacheprovider", *_contract(), "-rs", "-k", "quote", "hasura")
    result.assert_outcomes(passed=2, skipped=1)
    lines = (project.path / ACTIONS).read_text().splitlines()
    line = next(number for number, text in enumerate(lines, 1) if "quote" in text)
    result.stdout.fnmatch_lines([f"SKIPPED ?1? {ACTIONS}:{line}: *"])


def test_items_run_only_when_their_path_is_selected_or_none_is(project: pytest.Pytester):
    project.makeini(
        f"""
        [pytest]
        testpaths = tests
        action_contract = true
        action_contract_path = hasura
        action_contract_app = {GOOD}
        action_contract_examples = 3
        action_contract_adversarial_examples = 3
        action_contract_database = none
        """
    )
    project.runpytest_inprocess("-p", "no:cacheprovider", "tests/test_unit.py").assert_outcomes(passed=1)
    project.runpytest_inprocess("-p", "no:cacheprovider", "-k", "quote or unit").assert_outcomes(passed=3, skipped=1)
    project.runpytest_inprocess("-p", "no:cacheprovider", "hasura", "-k", "quote").assert_outcomes(passed=2, skipped=1)
