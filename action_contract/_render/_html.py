"""The contract run as one self-contained HTML page: no network needed to open it.

Built from the same data as the JSON report (so secrets are redacted the same way), plus the raw
latencies for the charts. CSS and the little JavaScript (copy buttons) are inline; charts are SVG.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
from collections.abc import Mapping, Sequence
from importlib import metadata as importlib_metadata
from typing import Any

from .._catalog._model import Catalog
from .._run._checks import registered_checks
from .._run._report import GroupResult, Report
from ._coverage import coverage_html
from ._text import render_json

__all__ = ["render_html"]

_BINS = 24
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
header .verdict{font-size:16px;margin-top:4px}.pass{color:#1a7f37}.fail{color:#cf222e}.warn{color:#9a6700}
header .pass{color:#7ee2a0}header .fail{color:#ff9b9b}
main{padding:16px 24px;max-width:1200px}section{background:#fff;border:1px solid #d8dde4;border-radius:6px;
padding:12px 16px;margin:0 0 16px}h2{font-size:17px;margin:4px 0 10px}h3{font-size:15px;margin:10px 0 6px}
table{border-collapse:collapse}td,th{border:1px solid #d8dde4;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.cell{text-align:center;white-space:nowrap}
td.failed{background:#ffebe9}td.passed{background:#dafbe1}td.skipped{background:#f6f8fa;color:#57606a}
td.warned{background:#fff8c5}pre{background:#f6f8fa;border:1px solid #d8dde4;border-radius:4px;padding:8px;
overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.repro{position:relative}.repro pre{padding-right:64px}
.copy{position:absolute;top:6px;right:6px;font-size:12px;cursor:pointer}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dt{font-weight:600}dd{margin:0}
details>summary{cursor:pointer;font-weight:600}.muted{color:#57606a}svg text{font:11px system-ui,sans-serif}
"""
_JS = """
document.querySelectorAll('button.copy').forEach(function(b){b.addEventListener('click',function(){
var text=document.getElementById(b.dataset.target).textContent;
function done(){b.textContent='copied';setTimeout(function(){b.textContent='copy'},1500)}
if(navigator.clipboard){navigator.clipboard.writeText(text).then(done,function(){fallback(text);done()})}
else{fallback(text);done()}})});
function fallback(text){var t=document.createElement('textarea');t.value=text;document.body.appendChild(t);
t.select();try{document.execCommand('copy')}catch(e){}document.body.removeChild(t)}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def render_html(report: Report, *, catalog: Catalog | None = None) -> str:
    """The whole report as one HTML page: matrix, failures with reproductions, per-action charts, run data."""
    data = render_json(report, catalog=catalog)
    failures = data["failures"]
    title = "the contract holds" if report.passed else f"{sum(f['fatal'] for f in failures)} failure(s)"
    warned = sum(not f["fatal"] for f in failures)
    title += f", {warned} warning(s)" if warned else ""
    verdict_class = "pass" if report.passed else "fail"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>action-contract: {_e(title)}</title><style>{_CSS}</style></head><body>",
        f'<header><h1>action-contract report</h1><div class="verdict {verdict_class}" id="verdict">{_e(title)}; '
        f"{report.cases} cases in {report.elapsed:.1f}s</div></header><main>",
        _matrix(report),
        _failures(failures),
        coverage_html(report),
        _actions(report, catalog),
        _run(report),
        f"</main><script>{_JS}</script></body></html>",
    ]
    return "\n".join(parts)


def _matrix(report: Report) -> str:
    not_run = report.not_run()
    checks = [
        c for c in registered_checks() if any(c in r.checks for r in report.results) or any(c == k for _, k in not_run)
    ]
    rows: dict[str, dict[str, list[int]]] = {}  # action -> check -> [cases, fatal, warnings]
    skipped: dict[str, list[str]] = {}
    for result in report.results:
        row = rows.setdefault(result.action, {})
        if result.skipped is not None:
            skipped.setdefault(result.action, []).append(f"{result.group}: {result.skipped}")
            continue
        for check in result.checks:
            cell = row.setdefault(check, [0, 0, 0])
            cell[0] += result.cases
            cell[1] += sum(1 for f in result.failures if f.check == check and f.fatal)
            cell[2] += sum(1 for f in result.failures if f.check == check and not f.fatal)
    order = sorted(rows, key=lambda a: (-sum(c[1] for c in rows[a].values()), -sum(c[2] for c in rows[a].values())))
    head = "".join(f"<th>{_e(c)}</th>" for c in checks)
    lines = [
        '<section id="matrix"><h2>Actions &times; checks</h2>',
        f"<table><thead><tr><th>action</th>{head}</tr></thead><tbody>",
    ]
    for action in order:
        cells = []
        for check in checks:
            counts = rows[action].get(check)
            if (action, check) in not_run:
                why = _e(not_run[action, check])
                cells.append(f'<td class="cell skipped" title="{why}">not run<br><small>{why}</small></td>')
                continue
            if counts is None:
                cells.append('<td class="cell skipped" title="not run">skipped</td>')
                continue
            cases, fatal, warned = counts
            state, text = (
                ("failed", f"failed {fatal}")
                if fatal
                else ("warned", f"warning {warned}")
                if warned
                else ("passed", "passed")
            )
            cells.append(f'<td class="cell {state}" title="{cases} cases">{text}<br><small>{cases} cases</small></td>')
        note = "".join(f'<br><small class="muted">{_e(s)}</small>' for s in skipped.get(action, []))
        lines.append(f'<tr data-action="{_e(action)}"><th>{_e(action)}{note}</th>{"".join(cells)}</tr>')
    lines.append("</tbody></table></section>")
    return "\n".join(lines)


def _failures(failures: Sequence[Mapping[str, Any]]) -> str:
    if not failures:
        return '<section id="failures"><h2>Failures</h2><p class="pass">No failures.</p></section>'
    lines = [f'<section id="failures"><h2>Failures ({len(failures)})</h2>']
    for n, failure in enumerate(sorted(failures, key=lambda f: not f["fatal"])):
        severity = "failure" if failure["fatal"] else "warning"
        lines.append(
            # Failures open, warnings (strict findings under --no-strict) folded: the page leads with what fails.
            f'<details class="failure"{" open" if failure["fatal"] else ""}>'
            f'<summary class="{"fail" if failure["fatal"] else "warn"}">'
            f"{_e(failure['action'])} · {_e(failure['check'])} · {_e(failure['title'])} ({severity})</summary>"
        )
        facts = [
            ("group", failure["group"]),
            ("kind", failure["kind"]),
            ("path", failure["path"]),
            ("expected", failure["expected"]),
            ("found", failure["found"]),
            ("note", failure.get("note")),
        ]
        lines.append(
            "<dl>" + "".join(f"<dt>{k}</dt><dd>{_e(v)}</dd>" for k, v in facts if v not in (None, "")) + "</dl>"
        )
        if failure.get("explanation"):
            lines.append(f"<p>{_e(failure['explanation'])}</p>")
        if failure.get("hasura_error") is not None:
            lines.append("<h3>What Hasura tells the client</h3>" + _pre(failure["hasura_error"]))
        if failure.get("graphql") is not None:
            lines.append("<h3>The client's operation and Hasura's reply</h3>" + _pre(failure["graphql"]))
        lines.append("<h3>Minimal request</h3>" + _pre(_http_request(failure["request"])))
        lines.append("<h3>Reply</h3>" + _pre(_http_reply(failure["response"])))
        if failure.get("replay") is not None:
            lines.append("<h3>Reply when replayed</h3>" + _pre(_http_reply(failure["replay"])))
        for kind, text in failure["reproduce"].items():
            target = f"repro-{n}-{kind}"
            lines.append(
                f'<h3>Reproduce with {_e(kind)}</h3><div class="repro"><button class="copy" data-target="{target}">'
                f'copy</button><pre id="{target}">{_e(text)}</pre></div>'
            )
        lines.append("</details>")
    lines.append("</section>")
    return "\n".join(lines)


def _http_request(request: Any) -> Any:
    """The request as it travels: `POST url`, headers, then the payload pretty-printed."""
    if not isinstance(request, Mapping) or "payload" not in request:
        return request
    headers = request.get("headers") or {}
    lines = [f"POST {request.get('url', '')}", *(f"{name}: {value}" for name, value in headers.items())]
    return "\n".join(lines) + "\n\n" + json.dumps(request["payload"], indent=2, ensure_ascii=False)


def _http_reply(reply: Any) -> Any:
    """The reply as it came: status and time, headers, then the body (pretty-printed when it is JSON)."""
    if not isinstance(reply, Mapping) or "status" not in reply:
        return reply
    elapsed = reply.get("elapsed")
    took = f" · {elapsed * 1000:.1f} ms" if isinstance(elapsed, (int, float)) else ""
    failed = reply.get("transport_failure")
    if failed:
        return f"no reply{took}: {failed.get('kind')}: {failed.get('detail')}"
    lines = [f"HTTP {reply['status']}{took}", *(f"{name}: {value}" for name, value in reply.get("headers") or [])]
    body = reply.get("body", "")
    with contextlib.suppress(TypeError, ValueError):  # not JSON (or cut short): shown as it came
        body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    if reply.get("body_truncated"):
        body += "\n… (cut short: the reply is longer)"
    return "\n".join(lines) + "\n\n" + body


def _pre(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    return f"<pre>{_e(text)}</pre>"


def _actions(report: Report, catalog: Catalog | None) -> str:
    by_action: dict[str, list[GroupResult]] = {}
    for result in report.results:
        by_action.setdefault(result.action, []).append(result)
    override = report.options.get("timeout")
    lines = ['<section id="actions"><h2>Actions</h2>']
    for action, results in by_action.items():
        timeout = float(override) if override else None
        if timeout is None and catalog is not None and action in catalog.actions:
            timeout = float(catalog.actions[action].timeout)
        groups = ", ".join(f"{r.group}: {'skipped' if r.skipped is not None else f'{r.cases} cases'}" for r in results)
        violations: dict[str, int] = {}
        for r in results:
            for name, count in r.violations.items():
                violations[name] = violations.get(name, 0) + count
        tried = ", ".join(f"{_e(k)} ({v})" for k, v in sorted(violations.items())) or "none"
        latencies = [x for r in results for x in r.latencies]
        lines.append(
            f'<div class="action" data-action="{_e(action)}"><h3>{_e(action)}</h3>'
            f"<p>{_e(groups)}</p><p><b>Violations tried:</b> {tried}</p>{_chart(latencies, timeout)}</div>"
        )
    lines.append("</section>")
    return "\n".join(lines)


def _chart(latencies: Sequence[float], timeout: float | None) -> str:
    """A histogram of response times (ms) with the action's timeout marked, as inline SVG."""
    if not latencies:
        return '<p class="muted">No replies timed.</p>'
    width, height, left, bottom = 560, 150, 40, 28
    top = max(latencies)
    shown_timeout = timeout is not None and timeout <= top * 1.5
    span = max(top, timeout if shown_timeout and timeout else 0.0) or 1e-6
    counts = [0] * _BINS
    for value in latencies:
        counts[min(_BINS - 1, int(value / span * _BINS))] += 1
    peak = max(counts)
    bar = (width - left) / _BINS
    parts = [
        f'<svg class="latency" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="response times of {len(latencies)} replies">'
    ]
    for i, count in enumerate(counts):
        if count:
            h = (height - bottom - 10) * count / peak
            parts.append(
                f'<rect x="{left + i * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                f'fill="#4c7bd9"><title>{count} replies</title></rect>'
            )
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#57606a"/>')
    for fraction in (0, 0.5, 1):
        x = left + fraction * (width - left)
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{_ms(span * fraction)}</text>')
    parts.append(f'<text x="4" y="14">{peak}</text>')
    if timeout is not None:
        if shown_timeout:
            x = left + timeout / span * (width - left)
            parts.append(
                f'<line class="timeout" x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - bottom}" stroke="#cf222e" '
                f'stroke-dasharray="4 3"/><text x="{x - 4:.1f}" y="14" text-anchor="end" fill="#cf222e">'
                f"timeout {timeout:g} s</text>"
            )
        else:
            parts.append(
                f'<text class="timeout" x="{width - 4}" y="14" text-anchor="end" fill="#cf222e">'
                f"timeout {timeout:g} s →</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.0f} ms" if ms >= 10 or ms == 0 else f"{ms:.{max(1, 1 - math.floor(math.log10(ms)))}f} ms"


def _run(report: Report) -> str:
    try:
        version = importlib_metadata.version("action-contract")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "unknown"
    facts = [
        ("seed", report.seed if report.seed is not None else "derandomized"),
        ("Hasura version profile", report.hasura_version),
        ("metadata", report.source or ""),
        ("target", report.target),
        ("duration", f"{report.elapsed:.2f} s"),
        ("cases", report.cases),
        ("action-contract", version),
        ("options", json.dumps(report.options, ensure_ascii=False, default=str)),
    ]
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
    return f'<section id="run"><h2>Run</h2><dl>{rows}</dl></section>'
