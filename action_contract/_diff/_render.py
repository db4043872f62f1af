"""A `CatalogDiff` as text for people, markdown for a pull request, or JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ._values import RANK, SIDES, CatalogDiff, Change, Side

__all__ = ["render_diff_json", "render_diff_markdown", "render_diff_table", "summary"]

_MARK = {"breaking": "❌ breaking", "dangerous": "⚠️ dangerous", "safe": "✅ safe"}


def _ordered(diff: CatalogDiff) -> list[Change]:
    """Worst first; within a severity, in the diff's order (actions, then types, by name)."""
    return sorted(diff.changes, key=lambda c: -RANK[c.severity])


def summary(diff: CatalogDiff) -> str:
    """`5 changes: 2 breaking for handlers, 1 breaking for clients, 1 dangerous, 1 safe`."""
    if not diff.changes:
        return "no changes"
    parts = [f"{diff.count(side, 'breaking')} breaking for {side}s" for side in SIDES]
    dangerous = sum(1 for c in diff.changes if c.severity == "dangerous")
    safe = sum(1 for c in diff.changes if c.severity == "safe")
    total = len(diff.changes)
    counts = ", ".join([*parts, f"{dangerous} dangerous", f"{safe} safe"])
    return f"{total} change{'s' if total != 1 else ''}: {counts}"


def render_diff_table(diff: CatalogDiff, old: str, new: str) -> str:
    """A readable table: one block per change, worst first, then the summary line."""
    lines = [f"Comparing {old} with {new}", ""]
    if not diff.changes:
        return "\n".join([*lines, "No changes to the actions or their types."])
    lines.append(f"  {'HANDLER':<10} {'CLIENT':<10} CHANGE")
    for change in _ordered(diff):
        lines.append(f"  {change.handler.severity:<10} {change.client.severity:<10} {change.path}")
        indent = " " * 24
        lines.append(f"{indent}{change.what}")
        for side in SIDES:
            label = f"{side}:".ljust(9)
            lines.append(f"{indent}{label}{change.impact(side).reason}")
    lines += ["", summary(diff)]
    return "\n".join(lines)


def render_diff_markdown(diff: CatalogDiff, old: str, new: str, *, fail_on: Sequence[Side] = SIDES) -> str:
    """A markdown report for a pull request comment or a CI job summary."""
    lines = ["### action-contract diff", "", f"`{_cell(old)}` → `{_cell(new)}`: {summary(diff)}", ""]
    if not diff.changes:
        return "\n".join(lines)
    breaking = [side for side in fail_on if diff.breaking(side)]
    if breaking:
        lines += [f"**Breaking for {' and '.join(f'{s}s' for s in breaking)}.**", ""]
    lines += ["| Handler | Client | Change | Why |", "| --- | --- | --- | --- |"]
    for change in _ordered(diff):
        why = "<br>".join(f"**{side}:** {_cell(change.impact(side).reason)}" for side in SIDES)
        lines.append(
            f"| {_MARK[change.handler.severity]} | {_MARK[change.client.severity]} "
            f"| `{_cell(change.path)}`<br>{_cell(change.what)} | {why} |"
        )
    return "\n".join(lines)


def render_diff_json(diff: CatalogDiff) -> str:
    """`{"changes": [{kind, path, severity, side, message}]}`, two entries per change (handler first)."""
    return json.dumps(diff.to_json(), indent=2, ensure_ascii=False)


def _cell(text: str) -> str:
    # A table cell: no pipes (they end the cell), no raw HTML (GitHub would render it), one line.
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
