"""Rendering a `Report`: live progress, the text report and JSON (JUnit XML is in `_junit`).

Every renderer redacts secret header values (see `_reproduce`); the requests themselves are kept
as sent. Bodies are cut to a readable length in text, kept whole (up to a cap) in JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from .._catalog._model import Catalog
from .._run._checks import registered_checks
from .._run._report import Failure, GroupResult, Report
from .._run._workers import RunStatus
from .._send._response import ActionResponse
from ._coverage import coverage_lines
from ._redact import redact_data, redact_text, secret_values
from ._reproduce import curl_command, pytest_snippet, redacted_headers, secret_sources

__all__ = ["Progress", "render_failure", "render_json", "render_text", "replay_options"]

_BODY_TEXT = 1200
_BODY_JSON = 64 * 1024


_BEAT = 5.0  # seconds between progress lines off a terminal


class Progress:
    """Live progress per action: a redrawn line on a terminal, one plain line per group in CI."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self._drawn = 0
        self._beat = time.monotonic()
        self._noted = False

    def __call__(self, result: GroupResult, done: bool) -> None:
        if result.skipped is not None:
            # A whole action skipped is news; no secret to enforce or --no-adversarial is not.
            if result.group == "conforming":
                self._draw(f"{result.action} · skipped: {result.skipped}", end=True)
            return
        failures = sum(1 for f in result.failures if f.fatal) if done else None
        if not done:
            if self.live and result.cases % 5 == 1:
                failing = f" · {result.failing_cases} failing" if result.failing_cases else ""
                self._draw(f"  {result.action} · {result.group} · {result.cases} cases{failing}")
            return
        mark = "ok" if result.passed else f"FAILED ({failures} failure{'s' * (failures != 1)})"
        warnings = sum(1 for f in result.failures if not f.fatal)
        if warnings:
            mark += f", {warnings} warning{'s' * (warnings != 1)}"
        self._draw(
            f"{result.action} · {result.group} · {result.cases} cases · {result.elapsed:.2f}s · {mark}", end=True
        )

    def heartbeat(self, status: RunStatus) -> None:
        """How the run goes: redrawn on a terminal, a line every 5 s elsewhere (CI would print nothing for minutes)."""
        if status.slow_note is not None and not self._noted:
            self._noted = True
            self._draw(f"note: {status.slow_note}", end=True)
        now = time.monotonic()
        if not self.live and now - self._beat < _BEAT:
            return
        self._beat = now
        line = (
            f"… {status.groups_done}/{status.groups} groups · {status.cases} cases · "
            f"{status.failures} failure{'s' * (status.failures != 1)} · slowest reply {status.slowest:.2f}s"
        )
        self._draw(line, end=not self.live)

    def _draw(self, line: str, *, end: bool = False) -> None:
        if self.live:
            self.stream.write("\r" + line.ljust(self._drawn) + ("\n" if end else ""))
            self._drawn = 0 if end else len(line)
        elif end:
            self.stream.write(line + "\n")
        self.stream.flush()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"


def _body_text(body: bytes, limit: int) -> str:
    try:
        text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        text = body.decode("utf-8", errors="replace")
    return _cut(text, limit)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def render_failure(
    failure: Failure,
    *,
    catalog: Catalog | None,
    metadata: str,
    target: str,
    hasura_version: str | None = None,
    exclude_checks: Sequence[str] = (),
) -> str:
    """One failure as text: the check, expected vs found, Hasura's verdict, the request, the reply, reproductions."""
    finding, request, response = failure.finding, failure.request, failure.response
    label = "FAIL" if failure.fatal else "WARN"
    lines = [f"{label} {failure.action} · {finding.check} · {finding.kind}", f"  {finding.title}"]
    lines.append(f"  expected: {finding.expected}")
    lines.append(f"  found:    {finding.found}")
    lines += [f"  note:     {note}" for note in failure.notes]
    if finding.path:
        lines.append(f"  at:       {finding.path}")
    if failure.hasura_error is not None and failure.graphql is None:  # else the whole GraphQL reply is below
        lines.append("  Hasura tells the client:")
        lines.append(_indent(json.dumps(failure.hasura_error, ensure_ascii=False, indent=2), "    "))
    if failure.explanation:
        lines.append(f"  why: {failure.explanation}")
    if failure.note:
        lines.append(f"  note: {failure.note}")
    if failure.graphql is not None:
        lines.append("  the client's GraphQL operation:")
        lines.append(_indent(str(failure.graphql["query"])))
        if failure.graphql.get("variables"):
            lines.append(_indent("variables: " + json.dumps(failure.graphql["variables"], ensure_ascii=False)))
        lines.append("  the client gets:")
        lines.append(_indent(json.dumps(failure.graphql["response"], ensure_ascii=False, indent=2)))
    sources = secret_sources(catalog, request)
    lines.append(f"  request ({'minimal' if failure.group != 'secret' else 'as sent'}):")
    lines.append(f"    {request.method} {request.url}")
    lines += [f"    {name}: {value}" for name, value in redacted_headers(request, sources)]
    lines.append(_indent(_body_text(request.body, _BODY_TEXT)))
    if response.failure is not None:
        lines.append(f"  reply: none after {response.elapsed * 1000:.0f} ms: {response.failure.detail}")
    else:
        lines.append(f"  reply: {response.status} in {response.elapsed * 1000:.0f} ms")
        lines += [f"    {name}: {value}" for name, value in response.headers]
        lines.append(_indent(_body_text(response.body, _BODY_TEXT)) if response.body else "    (empty body)")
    if failure.replay is not None:
        lines.append(f"  reply when replayed: {_status_line(failure.replay)}")
    reproduce = _reproductions(failure, sources, metadata, target, hasura_version, exclude_checks)
    lines.append("  reproduce with curl:")
    lines.append("    " + reproduce["curl"])
    lines.append("  reproduce with pytest:")
    lines.append(_indent(reproduce["pytest"]))
    return redact_text("\n".join(lines), secret_values(catalog, request, sources))


def _status_line(response: ActionResponse) -> str:
    if response.failure is not None:
        return f"none after {response.elapsed * 1000:.0f} ms: {response.failure.detail}"
    return f"{response.status} in {response.elapsed * 1000:.0f} ms"


def render_summary(report: Report) -> str:
    """The actions x checks table and a one-line total."""
    checks = list(registered_checks())
    # (fatal, warnings) per action and check, summed over the groups the check ran on.
    rows: dict[str, dict[str, tuple[int, int]]] = {}
    for result in report.results:
        row = rows.setdefault(result.action, {})
        if result.skipped is not None:
            continue
        for check in result.checks:
            fatal, warned = row.get(check, (0, 0))
            fatal += sum(1 for f in result.failures if f.check == check and f.fatal)
            warned += sum(1 for f in result.failures if f.check == check and not f.fatal)
            row[check] = (fatal, warned)
    not_run = report.not_run()
    used = [c for c in checks if any(c in row for row in rows.values()) or any(c == k for _, k in not_run)]
    header = ["action", *used]
    table = [header] + [
        [action, *("not run" if (action, c) in not_run else _cell(row.get(c)) for c in used)]
        for action, row in rows.items()
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in table]
    lines += _not_run_lines(not_run)
    failures = [f for f in report.failures if f.fatal]
    warnings = [f for f in report.failures if not f.fatal]
    skipped = sum(1 for r in report.results if r.skipped is not None)
    verdict = "the contract holds" if report.passed else f"{len(failures)} failure{'s' * (len(failures) != 1)}"
    total = f"{verdict}; {report.cases} cases in {report.elapsed:.1f}s"
    if warnings:
        total += f", {len(warnings)} warning{'s' * (len(warnings) != 1)}"
    if skipped:
        total += f", {skipped} group{'s' * (skipped != 1)} skipped"
    stopped = [f"{r.action} · {r.group}: {r.stopped}" for r in report.results if r.stopped and r.skipped is None]
    lines += ["", "stopped early:", *(f"  {line}" for line in stopped)] if stopped else []
    if report.interrupted:
        total += "; INTERRUPTED: groups not run are marked interrupted"
    total += f" (seed {report.seed}, Hasura {report.hasura_version})" if report.seed is not None else ""
    return "\n".join([*lines, "", total])


def _not_run_lines(not_run: Mapping[tuple[str, str], str]) -> list[str]:
    """`not run: ACTION: CHECK, CHECK: why` for each action and reason."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for (action, check), why in not_run.items():
        grouped.setdefault((action, why), []).append(check)
    return [f"not run: {action}: {', '.join(checks)}: {why}" for (action, why), checks in grouped.items()]


def _cell(counts: tuple[int, int] | None) -> str:
    if counts is None:
        return "-"
    fatal, warned = counts
    return f"FAIL {fatal}" if fatal else f"warn {warned}" if warned else "ok"


def render_text(report: Report, *, catalog: Catalog | None = None) -> str:
    """The whole text report: each failure, then the summary table."""
    metadata = report.source or "metadata"
    parts = [
        render_failure(f, catalog=catalog, metadata=metadata, target=report.target, **replay_options(report))
        for f in sorted(report.failures, key=lambda f: not f.fatal)
    ]
    coverage = coverage_lines(report)
    if coverage:
        parts.append("\n".join(coverage))
    parts.append(render_summary(report))
    return "\n\n".join(parts) + "\n"


def _reproductions(
    failure: Failure,
    sources: Mapping[str, str],
    metadata: str,
    target: str,
    hasura_version: str | None,
    exclude_checks: Sequence[str],
) -> dict[str, str]:
    request, check = failure.request, failure.finding.check
    return {
        "curl": curl_command(request, sources),
        "pytest": pytest_snippet(
            request,
            sources,
            check=check,
            metadata=metadata,
            target=target,
            hasura_version=hasura_version,
            exclude_checks=exclude_checks,
        ),
    }


def replay_options(report: Report) -> dict[str, Any]:
    """What `render_failure` needs of the report to write a reproduction that judges as the run did."""
    return {"hasura_version": report.hasura_version, "exclude_checks": tuple(report.options.get("exclude_checks", ()))}


def _latency(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "max": ordered[-1],
    }


def failure_json(
    failure: Failure,
    *,
    catalog: Catalog | None,
    metadata: str,
    target: str,
    hasura_version: str | None = None,
    exclude_checks: Sequence[str] = (),
) -> dict[str, Any]:
    """One failure as data, with the same content as the text report."""
    request, response, finding = failure.request, failure.response, failure.finding
    sources = secret_sources(catalog, request)
    request_data = request.to_json()
    request_data["headers"] = dict(redacted_headers(request, sources))
    request_data["method"] = request.method
    reply = _reply_json(response)
    data = {
        "action": failure.action,
        "group": failure.group,
        "check": finding.check,
        "kind": finding.kind,
        "fatal": failure.fatal,
        "severity": failure.severity,
        "flaky": failure.flaky,
        "note": failure.note,
        "replay": None if failure.replay is None else _reply_json(failure.replay),
        "title": finding.title,
        "expected": finding.expected,
        "found": finding.found,
        "path": finding.path,
        "hasura_error": failure.hasura_error,
        "explanation": failure.explanation,
        "graphql": _redacted_graphql(failure.graphql, sources),
        "request": request_data,
        "response": reply,
        "reproduce": _reproductions(failure, sources, metadata, target, hasura_version, exclude_checks),
        "notes": list(failure.notes),
    }
    return dict(redact_data(data, secret_values(catalog, request, sources)))


def _reply_json(response: ActionResponse) -> dict[str, Any]:
    reply: dict[str, Any] = {"status": response.status, "elapsed": response.elapsed}
    if response.failure is not None:
        reply["transport_failure"] = {"kind": response.failure.kind, "detail": response.failure.detail}
    else:
        reply["headers"] = [[n, v] for n, v in response.headers]
        reply["body"] = response.body[:_BODY_JSON].decode("utf-8", errors="replace")
        reply["body_truncated"] = len(response.body) > _BODY_JSON
    return reply


def render_json(report: Report, *, catalog: Catalog | None = None) -> dict[str, Any]:
    """The report as data: `{"passed", "seed", "hasura_version", ..., "results", "failures"}`."""
    metadata = report.source or "metadata"
    return {
        "passed": report.passed,
        "interrupted": report.interrupted,
        "seed": report.seed,
        "hasura_version": report.hasura_version,
        "elapsed": report.elapsed,
        "cases": report.cases,
        "options": report.options,
        "results": [
            {
                "action": r.action,
                "group": r.group,
                "skipped": r.skipped,
                "cases": r.cases,
                "checks": list(r.checks),
                "passed": r.passed,
                "statuses": dict(r.statuses),
                "violations": dict(r.violations),
                "latency": _latency(r.latencies),
                "elapsed": r.elapsed,
                "not_run": r.not_run(),
                "coverage": r.coverage.to_json() if r.coverage is not None else None,
                "stopped": r.stopped,
                "interrupted": r.interrupted,
            }
            for r in report.results
        ],
        "failures": [
            failure_json(f, catalog=catalog, metadata=metadata, target=report.target, **replay_options(report))
            for f in report.failures
        ],
    }


def _redacted_graphql(graphql: Mapping[str, Any] | None, sources: Mapping[str, str]) -> dict[str, Any] | None:
    if graphql is None:
        return None
    data = dict(graphql)
    data["headers"] = {
        name: "***" if name.lower() in sources else value for name, value in graphql.get("headers", {}).items()
    }
    return data
