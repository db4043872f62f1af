"""`action-contract diff` as a user meets it: formats, --fail-on, exit codes, and git:REV:path sources."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from action_contract import CatalogDiff, Change, Impact, diff_catalogs, load_catalog
from action_contract._cli._main import main
from action_contract._diff._render import render_diff_markdown

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "fixtures" / "projects" / "shop"


def _edit(project: Path, file: str, old: str, new: str) -> None:
    path = project / "metadata" / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the shop project: `old` as is, `new` to edit."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(SHOP, old)
    shutil.copytree(SHOP, new)
    return old, new


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *args])
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_no_changes_exit_0(pair):
    old, new = pair
    code, out, err = _invoke(str(old), str(new))
    assert code == 0, out + err
    assert "No changes to the actions or their types." in out
    assert json.loads(_invoke(str(old), str(new), "--format", "json")[1]) == {"changes": []}


def test_handler_breaking_change_table_and_exit_1(pair):
    old, new = pair
    _edit(new, "actions.graphql", "cancelOrder(orderId: uuid!,", "cancelOrder(orderId: uuid,")
    code, out, err = _invoke(str(old), str(new))
    assert code == 1
    assert "  HANDLER    CLIENT     CHANGE" in out
    assert "  breaking   safe       actions.cancelOrder.args.orderId" in out
    assert "handler: 'orderId' may now arrive absent or null (Hasura forwards an omitted nullable" in out
    assert out.rstrip().endswith("1 change: 1 breaking for handlers, 0 breaking for clients, 0 dangerous, 0 safe")
    assert "breaking for handlers (--fail-on both)" in err


@pytest.mark.parametrize(
    ("fail_on", "expected"), [("both", 1), ("handler", 1), ("client", 0), ("none", 0)], ids=lambda v: str(v)
)
def test_fail_on_picks_the_side(pair, fail_on, expected):
    old, new = pair
    # A new non-null output field: the handler breaks (Hasura refuses its replies), clients do not.
    _edit(new, "actions.graphql", "  placedAt: timestamptz\n", "  placedAt: timestamptz\n  eta: String!\n")
    assert _invoke(str(old), str(new), "--fail-on", fail_on)[0] == expected


def test_client_only_breaking_change_fails_only_for_clients(pair):
    old, new = pair
    _edit(new, "actions.yaml", "    permissions:\n      - role: customer\n      - role: anonymous\n", "")
    assert _invoke(str(old), str(new), "--fail-on", "handler")[0] == 0
    code, out, _ = _invoke(str(old), str(new), "--fail-on", "client")
    assert code == 1
    assert "operations as role 'customer' fail: field 'quote' not found in type: 'query_root'" in out


def test_json_format(pair):
    old, new = pair
    _edit(new, "actions.graphql", "  PAID\n", "  PAID\n  REFUNDED\n")
    code, out, _ = _invoke(str(old), str(new), "--format", "json")
    assert code == 0  # dangerous for clients, safe for the handler: nothing breaks
    assert json.loads(out) == {
        "changes": [
            {
                "kind": "enum_value_added",
                "path": "types.OrderStatus.values.REFUNDED",
                "severity": "safe",
                "side": "handler",
                "message": "value REFUNDED added to enum OrderStatus: the handler may now return REFUNDED",
            },
            {
                "kind": "enum_value_added",
                "path": "types.OrderStatus.values.REFUNDED",
                "severity": "dangerous",
                "side": "client",
                "message": "value REFUNDED added to enum OrderStatus: clients may now receive REFUNDED, "
                "which code written before it does not handle",
            },
        ]
    }


def test_markdown_format_is_a_table_for_a_pull_request(pair):
    old, new = pair
    _edit(new, "actions.graphql", "  TOO_SLOW\n", "")
    _edit(new, "actions.yaml", "      timeout: 10\n", "      timeout: 3\n")
    code, out, _ = _invoke(str(old), str(new), "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "### action-contract diff"
    assert "**Breaking for clients.**" in lines
    header = lines.index("| Handler | Client | Change | Why |")
    rows = lines[header + 2 :]
    assert len(rows) == 2
    # Worst first: the enum value removed (client-breaking) before the shorter timeout (dangerous).
    assert rows[0].startswith("| ✅ safe | ❌ breaking | `types.CancelReason.values.TOO_SLOW`<br>")
    assert rows[1].startswith("| ⚠️ dangerous | ✅ safe | `actions.placeOrder`<br>timeout of 'placeOrder' shortened")
    assert all(row.count(" | ") == 3 for row in rows)


def test_markdown_escapes_table_breakers():
    change = Change(
        kind="header_changed",
        path="actions.a.headers.X",
        what="value <b>x|y</b>",
        handler=Impact("dangerous", "a | b"),
        client=Impact("safe", "ok"),
    )
    text = render_diff_markdown(CatalogDiff((change,)), "a", "b")
    row = text.splitlines()[-1]
    assert "value &lt;b&gt;x\\|y&lt;/b&gt;" in row
    assert "a \\| b" in row


def test_hasura_version_changes_the_verdict_on_a_removed_output_field(pair):
    old, new = pair
    _edit(new, "actions.graphql", "  placedAt: timestamptz\n", "")
    assert _invoke(str(old), str(new), "--fail-on", "handler")[0] == 0
    code, out, _ = _invoke(str(old), str(new), "--fail-on", "handler", "--hasura-version", "2.0")
    assert code == 1
    assert "unexpected fields in webhook response: placedAt" in out


def test_usage_and_metadata_errors_exit_2(pair, tmp_path):
    old, _ = pair
    code, _, err = _invoke(str(old), str(tmp_path / "nowhere"))
    assert code == 2
    assert "nowhere: error: no such file or directory" in err
    code, _, err = _invoke(str(old), str(ROOT / "fixtures" / "broken" / "many_problems"))
    assert code == 2
    assert "timeout value cannot be negative" in err
    code, _, err = _invoke(str(old), str(old), "--hasura-version", "banana")
    assert code == 2
    code, _, err = _invoke(str(old), str(old), "--fail-on", "everyone")
    assert code == 2
    assert "'everyone' is not one of" in err


# -- git:REV:path ----------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the shop project in `hasura/` and an export at the root, committed on main."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "ci@example.com")
    _git(root, "config", "user.name", "CI")
    shutil.copytree(SHOP, root / "hasura")
    shutil.copy(ROOT / "fixtures" / "metadata" / "export_v3.json", root / "export.json")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")
    monkeypatch.chdir(root)
    return root


def test_git_revision_against_the_working_tree(repo):
    _edit(repo / "hasura", "actions.graphql", "cancelOrder(orderId: uuid!,", "cancelOrder(orderId: uuid,")
    code, out, _ = _invoke("git:main:hasura", "hasura")
    assert code == 1
    assert out.startswith("Comparing git:main:hasura (Hasura CLI project (config v3), 5 actions) with hasura")
    assert "actions.cancelOrder.args.orderId" in out
    # The same path from the current directory, and a file inside the metadata directory.
    os.chdir(repo / "hasura")
    assert _invoke("git:main:./metadata", "metadata")[0] == 1
    os.chdir(repo)
    assert _invoke("git:HEAD:hasura/metadata/actions.yaml", "hasura")[0] == 1


def test_git_revisions_on_both_sides(repo):
    _edit(repo / "hasura", "actions.graphql", "  PAID\n", "  PAID\n  REFUNDED\n")
    _git(repo, "commit", "-q", "-am", "a value")
    code, out, _ = _invoke("git:HEAD~1:hasura", "git:HEAD:hasura", "--format", "json")
    assert code == 0
    assert [c["path"] for c in json.loads(out)["changes"]] == ["types.OrderStatus.values.REFUNDED"] * 2
    # A single-file export at a revision.
    assert _invoke("git:HEAD:export.json", "export.json") == (
        0,
        _invoke("export.json", "export.json")[1].replace("Comparing export.json", "Comparing git:HEAD:export.json"),
        "",
    )


def test_git_problems_name_the_revision(repo):
    _edit(repo / "hasura", "actions.yaml", "      timeout: 10\n", "      timeout: -1\n")
    _git(repo, "commit", "-q", "-am", "broken")
    code, _, err = _invoke("git:HEAD:hasura", "hasura")
    assert code == 2
    assert "git:HEAD:hasura/metadata/actions.yaml:" in err
    assert "timeout value cannot be negative" in err
    assert "action-contract-git-" not in err


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("git:main", "is not a git source: write git:REV:path"),
        ("git::hasura", "is not a git source"),
        ("git:nope:hasura", "git says: invalid object name 'nope'; fetch the revision first"),
        ("git:main:nowhere", "git says: path 'nowhere' does not exist in 'main'"),
    ],
)
def test_bad_git_specs_exit_2(repo, spec, said):
    code, _, err = _invoke(spec, "hasura")
    assert code == 2
    assert said in err


def test_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = _invoke("git:main:hasura", str(SHOP))
    assert code == 2
    assert "git says: not a git repository" in err


def test_a_real_process_reads_git_and_exits_1(repo):
    _edit(repo / "hasura", "actions.graphql", "  placedAt: timestamptz\n", "  placedAt: timestamptz!\n")
    done = subprocess.run(
        [sys.executable, "-m", "action_contract", "diff", "git:main:hasura", "hasura", "--format", "markdown"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert 'expecting not null value for field "placedAt"' in done.stdout


def test_library_and_cli_agree(pair):
    old, new = pair
    _edit(new, "actions.graphql", "  sku: String!\n", "  sku: ID!\n")
    diff = diff_catalogs(load_catalog(old), load_catalog(new))
    assert json.loads(_invoke(str(old), str(new), "--format", "json")[1]) == diff.to_json()
    (change,) = diff.changes
    assert (change.kind, change.handler.severity, change.client.severity) == (
        "input_field_type_changed",
        "breaking",
        "breaking",
    )


def test_the_readme_example_is_real_output(pair):
    old, new = pair
    _edit(new, "actions.graphql", "cancelOrder(orderId: uuid!,", "cancelOrder(orderId: uuid,")
    _edit(new, "actions.graphql", "  TOO_SLOW\n", "")
    _edit(new, "actions.yaml", "      timeout: 10\n", "      timeout: 5\n")
    code, out, _ = _invoke(str(old), str(new))
    assert code == 1
    # The README's tour and the manual's diff guide show it.
    for page in (ROOT / "README.md", ROOT / "docs" / "how-to" / "diff-pull-request.md"):
        text = page.read_text()
        example = text.split("$ action-contract diff git:origin/main:hasura hasura\n", 1)[1].split("```", 1)[0]
        # Everything but the first line, which names the sources.
        assert out.split("\n", 1)[1] == example.split("\n", 1)[1], page
