"""MkDocs hooks: the reference pages that are generated from the code, so they cannot drift from it.

A page asks for a generated part with a marker on a line of its own:

- `<!-- generated: checks -->`: every registered check, from `action_contract.registered_checks()`;
- `<!-- generated: pytest-options -->`: every `--action-contract-*` option and ini key, from the plugin.

The violation rules page is written by hand (each rule needs a sentence the code does not hold), and the
build fails when its table does not name exactly `action_contract.VIOLATIONS`, in that order. Every page
fails the build when its prose cites a section sign: the manual explains Hasura in its own words.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import action_contract
import pytest_plugin

try:
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File
except ImportError:  # the tests read this module without MkDocs installed; only MkDocs calls the hooks
    PluginError = RuntimeError  # type: ignore[assignment,misc]

ROOT = Path(__file__).resolve().parent.parent
# The screenshots live with the fixtures (tests/screenshots.py writes them there, the README shows them);
# the pages show the same files under assets/screenshots/, added to the build rather than copied.
SCREENSHOTS = ROOT / "fixtures" / "screenshots"
MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.MULTILINE)
# Docstrings cite the notes the code was written from; readers of the manual do not have them.
_CITATION = re.compile(r"\s*\([^()]{0,160}§[^()]{0,40}\)")
_GROUP_WORDS = {
    "conforming": "requests Hasura could send",
    "adversarial": "requests that break one rule",
    "secret": "requests without the secret headers",
}


def _paragraphs(doc: str) -> str:
    text = _CITATION.sub("", doc)
    return "\n".join(line.strip() for line in text.strip().splitlines())


def checks_markdown() -> str:
    """One section per registered check: what it reads, whether it is strict, and its docstring."""
    parts = []
    for name, check in action_contract.registered_checks().items():
        reads = ", ".join(f"`{group}` ({_GROUP_WORDS[group]})" for group in check.groups)
        scope = "all conforming replies of an action, once per run" if check.scope == "action" else "each reply"
        strict = "yes: `--no-strict` reports its failures as warnings" if check.strict else "no"
        parts.append(
            f"## `{name}`\n\n"
            f"| reads | judges | strict |\n| --- | --- | --- |\n| {reads} | {scope} | {strict} |\n\n"
            f"{_paragraphs(check.function.__doc__ or '')}\n"
        )
    return "\n".join(parts)


def pytest_options_markdown() -> str:
    """A table of the plugin's options: the flag, the ini key, the `check` option it matches, and the help."""
    kinds = {"string": " VALUE", "bool": "", "linelist": " VALUE"}
    rows = [
        "| pytest option | ini key | `check` option | what it does |",
        "| --- | --- | --- | --- |",
        "| `--action-contract` | `action_contract` | | Turn the contract tests on (ini: true/false). |",
    ]
    for suffix, kind, text in pytest_plugin.OPTIONS:
        key = "action_contract_" + suffix.replace("-", "_")
        cli = "`PATH` (argument)" if suffix == "path" else f"`--{suffix}`"
        repeat = " Repeatable (ini: one per line)." if kind == "linelist" else ""
        rows.append(
            f"| `--action-contract-{suffix}{kinds[kind]}` | `{key}` | {cli} | {text.replace('|', '&#124;')}{repeat} |"
        )
    rows.append("| `--junitxml FILE` | | `--junit-xml` | pytest's own option (one test case per item). |")
    rows.append("| `-q` | | `--quiet` | pytest's own option. |")
    return "\n".join(rows) + "\n"


GENERATORS = {"checks": checks_markdown, "pytest-options": pytest_options_markdown}


def violation_rule_problems(markdown: str) -> list[str]:
    """What is wrong with the rule table of the violations page (empty when it names every rule, in order)."""
    listed = re.findall(r"^\| `([a-z_]+)` \|", markdown, flags=re.MULTILINE)
    if listed == list(action_contract.VIOLATIONS):
        return []
    missing = [v for v in action_contract.VIOLATIONS if v not in listed]
    unknown = [v for v in listed if v not in action_contract.VIOLATIONS]
    problems = [f"missing rule {name!r}" for name in missing] + [f"unknown rule {name!r}" for name in unknown]
    return problems or ["the rules are not in the order of action_contract.VIOLATIONS"]


def render(markdown: str, source: str) -> str:
    """The page with its generated parts filled in; PluginError for an unknown marker or a bad page."""

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        if name not in GENERATORS:
            raise PluginError(f"{source}: unknown marker {match[0]!r}; known: {', '.join(GENERATORS)}")
        return GENERATORS[name]()

    result = MARKER.sub(fill, markdown)
    if source.endswith("reference/violations.md"):
        problems = violation_rule_problems(result)
        if problems:
            raise PluginError(f"{source}: the rule table does not match VIOLATIONS: {'; '.join(problems)}")
    # Fenced blocks quote real output, which may cite what the code was written from; prose may not.
    prose = re.sub(r"^```.*?^```$", "", result, flags=re.MULTILINE | re.DOTALL)
    if "§" in prose:
        raise PluginError(f"{source}: cites a section sign; explain the fact in the page's own words")
    return result


def on_files(files: Any, config: Any) -> Any:
    """MkDocs: add the screenshots from fixtures/screenshots/ as assets/screenshots/NAME.png."""
    for shot in sorted(SCREENSHOTS.glob("*.png")):
        files.append(File.generated(config, f"assets/screenshots/{shot.name}", abs_src_path=str(shot)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs: fill in each page's generated parts."""
    return render(markdown, page.file.src_uri)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs: docstrings rendered into the API reference drop their citations, and must cite nothing else."""
    html = _CITATION.sub("", html)
    if "Sentinel.UNSET" in html:  # mkdocs-click's table style cannot read click 8.3's unset defaults
        raise PluginError(f"{page.file.src_uri}: a default rendered as Sentinel.UNSET; use mkdocs-click's plain style")
    if "§" in re.sub(r"<pre.*?</pre>", "", html, flags=re.DOTALL):
        cited = "; ".join(re.sub(r"<[^>]+>", "", m) for m in re.findall(r".{0,80}§.{0,20}", html))
        raise PluginError(f"{page.file.src_uri}: a rendered docstring cites a section sign: {cited}")
    return html
