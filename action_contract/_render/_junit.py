"""`render_junit`: a `Report` as JUnit XML, one test case per action and check; warnings in the case's output."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from .._catalog._model import Catalog
from .._run._checks import registered_checks
from .._run._report import Report
from ._text import render_failure, replay_options

__all__ = ["render_junit"]

# Characters XML 1.0 cannot hold even escaped (control bytes of an ANSI-coloured crash page, U+FFFF...).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render_junit(report: Report, *, catalog: Catalog | None = None) -> str:
    """JUnit XML: one test case per action and check, failing with the failure's text."""
    metadata = report.source or "metadata"
    options: dict[str, Any] = {
        "catalog": catalog,
        "metadata": metadata,
        "target": report.target,
        **replay_options(report),
    }
    cases: dict[tuple[str, str], dict[str, Any]] = {}
    for result in report.results:
        names = result.checks or ()
        if result.skipped is not None:
            for check in (c.name for c in registered_checks().values() if result.group in c.groups):
                cases.setdefault((result.action, check), {"skipped": result.skipped, "failures": [], "time": 0.0})
            continue
        not_run = report.not_run()
        for check in names:
            why = not_run.get((result.action, check))
            entry = cases.setdefault((result.action, check), {"skipped": None, "failures": [], "time": 0.0})
            entry["skipped"] = f"not run: {why}" if why is not None else entry["skipped"]
            entry["time"] += result.elapsed / max(len(names), 1)
            entry["failures"] += [f for f in result.failures if f.check == check and f.fatal]
            entry.setdefault("warnings", []).extend(f for f in result.failures if f.check == check and not f.fatal)
    failed = sum(1 for e in cases.values() if e["failures"])
    skipped = sum(1 for e in cases.values() if e["skipped"])
    suite = ElementTree.Element(
        "testsuite",
        name="action-contract",
        tests=str(len(cases)),
        failures=str(failed),
        errors="0",
        skipped=str(skipped),
        time=f"{report.elapsed:.3f}",
    )
    for (action, check), entry in cases.items():
        case = ElementTree.SubElement(suite, "testcase", classname=action, name=check, time=f"{entry['time']:.3f}")
        if entry["skipped"]:
            ElementTree.SubElement(case, "skipped", message=_xml_text(entry["skipped"]))
        if entry.get("warnings"):
            # JUnit has no warnings: they go to the case's output, where CI shows them without failing it.
            out = ElementTree.SubElement(case, "system-out")
            out.text = _xml_text("\n\n".join(render_failure(w, **options) for w in entry["warnings"]))
        for failure in entry["failures"]:
            node = ElementTree.SubElement(
                case, "failure", message=_xml_text(failure.finding.title), type=_xml_text(failure.finding.kind)
            )
            node.text = _xml_text(render_failure(failure, **options))
    properties = ElementTree.Element("properties")
    ElementTree.SubElement(properties, "property", name="errors", value=str(sum(f.fatal for f in report.failures)))
    warnings = sum(not f.fatal for f in report.failures)
    ElementTree.SubElement(properties, "property", name="warnings", value=str(warnings))
    suite.insert(0, properties)  # properties come first in a testsuite
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
