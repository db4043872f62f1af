"""Coverage in the reports: per action, how many conforming requests got past the handler's rules.

The text report adds a few lines under the summary table, the HTML report a table; the JSON report
carries `Coverage.to_json()` in each conforming result.
"""

from __future__ import annotations

import html

from .._run._coverage import Coverage
from .._run._report import Report

__all__ = ["coverage_html", "coverage_lines", "enum_summary"]


def _covered(report: Report) -> list[tuple[str, Coverage]]:
    return [(r.action, r.coverage) for r in report.results if r.coverage is not None and r.coverage.requests]


def enum_summary(coverage: Coverage) -> list[str]:
    """Per enum argument: the values that reached a 2xx, and those sent that never did."""
    parts = []
    for path, sent in coverage.enum_values.items():
        if not sent:
            continue
        succeeded = coverage.enum_successes.get(path, [])
        never = [value for value in sent if value not in succeeded]
        text = f"{path.removeprefix('$.')}: 2xx with {', '.join(succeeded) or 'none'}"
        if never:
            text += f" (never with {', '.join(never)})"
        parts.append(text)
    return parts


def coverage_lines(report: Report) -> list[str]:
    """The coverage lines of the text report (none when no conforming group ran)."""
    covered = _covered(report)
    if not covered:
        return []
    width = max(len(action) for action, _ in covered)
    lines = ["coverage (conforming requests that got a 2xx):"]
    for action, coverage in covered:
        shapes = f"{coverage.shapes} reply shape{'s' * (coverage.shapes != 1)}"
        line = f"  {action.ljust(width)}  {coverage.successes}/{coverage.requests} ({coverage.share:.0%}) · {shapes}"
        lines.append(" · ".join([line, *enum_summary(coverage)]))
        advice = coverage.advice()
        if advice is not None:
            lines.append(f"  {' ' * width}  under 10%: {advice}")
    return lines


def coverage_html(report: Report) -> str:
    """The coverage section of the HTML report."""
    covered = _covered(report)
    if not covered:
        return ""
    rows = []
    for action, coverage in covered:
        low = ' class="warned"' if coverage.low else ""
        enums = "<br>".join(html.escape(part) for part in enum_summary(coverage)) or "&ndash;"
        advice = coverage.advice()
        note = f'<div class="muted">{html.escape(advice)}</div>' if advice else ""
        rows.append(
            f'<tr data-action="{html.escape(action)}"><td>{html.escape(action)}</td>'
            f"<td{low}>{coverage.successes}/{coverage.requests} ({coverage.share:.0%}){note}</td>"
            f"<td>{coverage.shapes}</td><td>{enums}</td></tr>"
        )
    return (
        '<section id="coverage"><h2>Coverage</h2>'
        "<p>Conforming requests that got past the handler's rules (a 2xx reply).</p>"
        "<table><tr><th>action</th><th>2xx</th><th>reply shapes</th><th>enum values with a 2xx</th></tr>"
        + "".join(rows)
        + "</table></section>"
    )
