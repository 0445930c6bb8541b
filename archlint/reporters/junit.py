"""JUnit XML: one testsuite per feature file, one testcase per rule evaluated on it.

A rule passes (no finding), fails (a `<failure>` with the message and every
`file:line:col` it fired at; `type` is the severity) or is skipped (all its
findings waived: the waiver's reason). When a file did not parse (SCH002) or a
document did not match the schema (SCH001), policy rules did not run on it, so
their testcases are skipped as "not evaluated" rather than shown as passing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..finding import Finding
    from ..report import FileResult, Report

# Engine rules whose findings mean policy rules were not evaluated (on some document of the file).
_BLOCKING = {"SCH002": "the file is not well-formed YAML", "SCH001": "a document does not match the schema"}
# Characters XML 1.0 cannot hold even escaped; a YAML "\x07" in a message must not break the report.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _safe(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def report(report: Report, stream: TextIO) -> None:
    names = {rule.id: rule.name for rule in report.rules}
    root = ET.Element("testsuites", {"name": "archlint"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in report.files:
        suite = _suite(result, names)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(_safe(ET.tostring(root, encoding="unicode")))
    stream.write("\n")


def _suite(result: FileResult, names: Mapping[str, str]) -> ET.Element:
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    blocked = next((rule for rule in _BLOCKING if rule in by_rule), None)
    suite = ET.Element("testsuite", {"name": result.file, "file": result.file})
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule in sorted(set(result.evaluated) | set(by_rule)):
        findings = by_rule.get(rule, [])
        name = names.get(rule) or (findings[0].name if findings else "")
        case = ET.SubElement(
            suite,
            "testcase",
            {"name": f"{rule} {name}".rstrip(), "classname": result.file, "file": result.file},
        )
        counts["tests"] += 1
        active = [finding for finding in findings if finding.suppressed is None]
        if active:
            counts["failures"] += 1
            _failure(case, active, findings)
        elif findings:
            counts["skipped"] += 1
            reasons = sorted({f"waived: {f.suppressed}" for f in findings})
            ET.SubElement(case, "skipped", {"message": "; ".join(reasons)})
        elif blocked is not None and not (blocked == "SCH001" and rule == "SCH002"):
            # SCH001 means the YAML parsed, so SCH002 genuinely passed.
            counts["skipped"] += 1
            reason = f"not evaluated: {_BLOCKING[blocked]} ({blocked})"
            ET.SubElement(case, "skipped", {"message": reason})
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _failure(case: ET.Element, active: Sequence[Finding], findings: Sequence[Finding]) -> None:
    first = active[0]
    message = first.message + (f" (and {len(active) - 1} more)" if len(active) > 1 else "")
    lines = [f"{f.file}:{f.line}:{f.column}: {f.severity.value} {f.rule} {f.message}" for f in active]
    lines += [
        f"{f.file}:{f.line}:{f.column}: waived {f.rule} {f.message} [waiver: {f.suppressed}]"
        for f in findings
        if f.suppressed is not None
    ]
    failure = ET.SubElement(case, "failure", {"message": message, "type": first.severity.value})
    failure.text = "\n".join(lines)
