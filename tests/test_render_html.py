"""`check --report-html`: one self-contained page with the matrix, the failures, charts and run data."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES

from action_contract import CallableTarget, GroupResult, Report, Settings, load_catalog, run_contract
from action_contract._cli._main import main
from action_contract._render._html import render_html

SHOP = FIXTURES / "projects" / "shop"


class _Page(HTMLParser):
    """Elements by tag, their attributes, and the text of elements with an id."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.attributes: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attributes.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


def _report(tmp_path: Path, app: str) -> tuple[int, str]:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main,
        [
            "check", str(SHOP), "--app", f"{FIXTURES / 'handlers' / 'faulty.py'}:{app}", "--examples", "10",
            "--adversarial-examples", "6", "--seed", "1", "-q", "--report-html", str(out),
        ],
    )  # fmt: skip
    return result.exit_code, out.read_text(encoding="utf-8")


def test_a_failing_run_shows_the_matrix_failures_first_and_each_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_WEBHOOK_SECRET", "s3cr3t-value")
    code, text = _report(tmp_path, "loose_types_app")
    assert code == 1
    page = _Page(text)
    assert "failure(s)" in text.split('id="verdict">', 1)[1].split("</div>", 1)[0]
    rows = re.findall(r'<tr data-action="([^"]+)">(.*?)</tr>', text)
    assert rows, "no matrix rows"
    first_failing = [name for name, cells in rows if 'class="cell failed"' in cells]
    assert first_failing and rows[0][0] == first_failing[0], "rows with failures come first"
    assert "output_conforms" in page.text
    # Each failure: expected vs found, the request and reply, curl and pytest reproductions with copy buttons.
    assert page.tags["details"] >= 1
    buttons = [a for tag, a in page.attributes if tag == "button" and "copy" in (a.get("class") or "")]
    ids = {a.get("id") for _, a in page.attributes}
    assert buttons and all(b["data-target"] in ids for b in buttons)
    assert "curl" in page.text and "def test_" in page.text
    # Request and reply read as they travel: a request line and headers, then the JSON pretty-printed.
    assert re.search(r"POST http://localhost:3000/\S+\nContent-Type: application/json\n", page.text)
    assert re.search(r"HTTP 200 · \d+\.\d ms\ncontent-length: \d+\n", page.text)
    assert '\n  "action": {\n    "name": "' in page.text
    # Secrets are redacted as in the text report.
    assert "s3cr3t-value" not in text


def test_per_action_counts_violations_and_a_latency_chart_with_the_timeout(tmp_path):
    code, text = _report(tmp_path, "accepts_anything_app")
    assert code == 1
    catalog = load_catalog(SHOP)
    for action in catalog:
        block = text.split(f'<div class="action" data-action="{action.name}">', 1)[1].split("</div>", 1)[0]
        assert "cases" in block
        assert f"timeout {action.timeout:g} s" in block
    assert "Violations tried:</b> " in text and "null_for_non_null (" in text
    assert text.count('<svg class="latency"') >= 3


def test_the_page_is_self_contained(tmp_path):
    _, text = _report(tmp_path, "loose_types_app")
    page = _Page(text)
    assert page.tags["link"] == 0 and page.tags["iframe"] == 0 and page.tags["img"] == 0
    for tag, attrs in page.attributes:
        assert not (tag == "script" and attrs.get("src")), "scripts are inline"
    assert "@import" not in text and "url(" not in text
    # Run metadata.
    for label in ("seed", "Hasura version profile", "duration", "action-contract", "options"):
        assert f"<dt>{label}</dt>" in text


def test_a_passing_run_says_so(tmp_path):
    out = tmp_path / "ok.html"
    result = CliRunner().invoke(
        main,
        [
            "check",
            str(SHOP),
            "--mock",
            "--examples",
            "5",
            "--adversarial-examples",
            "3",
            "-q",
            "--report-html",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'class="verdict pass"' in text and "No failures." in text
    assert 'class="cell failed"' not in text


def test_a_big_run_stays_under_2_mb(tmp_path):
    # 100 actions x 150 cases, each action with a real failure from a real run: the page stays small.
    catalog = load_catalog(SHOP)
    settings = Settings(examples=5, adversarial_examples=3, database=None, seed=1, in_process=True, shrink=False)
    with CallableTarget(lambda payload, headers: (200, {"wrong": True})) as target:
        real = run_contract(catalog, target, settings)
    failures = real.failures
    assert failures
    results = []
    for i in range(100):
        for group, cases in (("conforming", 100), ("adversarial", 40), ("secret", 10)):
            result = GroupResult(
                action=f"action{i}", group=group, cases=cases, checks=("hasura_accepts", "output_conforms")
            )
            result.latencies = [0.001 + (j % 37) / 1000 for j in range(cases)]
            result.violations = Counter({"wrong_type": cases // 2, "null_for_non_null": cases // 2})
            if group == "conforming":
                result.failures = [dataclasses.replace(f, action=f"action{i}") for f in failures[:2]]
            results.append(result)
    big = Report(results=results, seed=1, hasura_version="v2.45.0", elapsed=12.0, source=str(SHOP))
    text = render_html(big, catalog=catalog)
    assert len(text.encode()) < 2 * 1024 * 1024, len(text.encode())
    assert text.count('<svg class="latency"') == 100


def test_failures_are_open_and_warnings_folded(tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main,
        [
            "check", str(SHOP), "--app", f"{FIXTURES / 'handlers' / 'faulty.py'}:loose_types_app", "--examples", "10",
            "--adversarial-examples", "6", "--seed", "1", "-q", "--no-strict", "--report-html", str(out),
        ],
    )  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert result.exit_code == 0, result.output  # strict findings are warnings under --no-strict
    assert '<details class="failure"><summary class="warn">' in text
    assert '<details class="failure" open><summary class="warn">' not in text
    code, failing = _report(tmp_path, "loose_types_app")
    assert code == 1
    assert '<details class="failure" open><summary class="fail">' in failing
