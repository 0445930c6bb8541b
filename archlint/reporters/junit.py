"""JUnit XML: one testsuite per feature file, one testcase per rule that fired on it.

A rule that fired is a testcase that fails (a `<failure>` with the first message
and every `file:line:col` it fired at; `type` is the severity) when a finding is
at or above the run's fail threshold (`--fail-on`), passes with the findings in
`<system-out>` when all are below it, and is skipped when all its findings are
waived. The rules that ran and did not fire share one passing testcase, "other
rules", that names them; when a file did not parse (SCH002) or a document did
not match the schema outside its waivers (SCH001), that testcase is skipped as
"not evaluated" instead. A file of 37 rules reads as a few testcases, and the
failures are exactly what fails the run.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..finding import Finding, Severity
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
        suite = _suite(result, names, report.threshold(result.file))
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(_safe(ET.tostring(root, encoding="unicode")))
    stream.write("\n")


def _blocked(findings: Sequence[Finding]) -> str | None:
    """Why the policy rules did not run on (some document of) the file, or None."""
    for finding in findings:
        if finding.rule == "SCH002":
            return "SCH002"
    for finding in findings:
        # Schema errors confined to the waivers do not stop the rules.
        if finding.rule == "SCH001" and not finding.path.startswith("spec.waivers"):
            return "SCH001"
    return None


def _suite(result: FileResult, names: Mapping[str, str], fail_on: Severity) -> ET.Element:
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    blocked = _blocked(result.findings)
    suite = ET.Element("testsuite", {"name": result.file, "file": result.file})
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    def case(name: str) -> ET.Element:
        counts["tests"] += 1
        return ET.SubElement(suite, "testcase", {"name": name, "classname": result.file, "file": result.file})

    for rule in sorted(by_rule):
        findings = by_rule[rule]
        testcase = case(f"{rule} {names.get(rule) or findings[0].name}".rstrip())
        active = [finding for finding in findings if finding.suppressed is None]
        failing = [finding for finding in active if finding.severity.rank >= fail_on.rank]
        if failing:
            counts["failures"] += 1
            _failure(testcase, failing, findings)
        elif active:
            # Below the fail threshold: reported, not a failure (the run's exit code agrees).
            lines = [f"below --fail-on {fail_on.value}:", *_lines(findings)]
            ET.SubElement(testcase, "system-out").text = "\n".join(lines)
        else:
            counts["skipped"] += 1
            reasons = sorted({f"waived: {f.suppressed}" for f in findings})
            ET.SubElement(testcase, "skipped", {"message": "; ".join(reasons)})
    others = sorted(set(result.evaluated) - set(by_rule))
    if blocked is not None:
        counts["skipped"] += 1
        reason = f"{len(others)} other rules not evaluated: {_BLOCKING[blocked]} ({blocked})"
        ET.SubElement(case("other rules"), "skipped", {"message": reason})
    elif others or not by_rule:
        # The rules that ran and did not fire, as one passing testcase rather than one each.
        testcase = case("other rules")
        ET.SubElement(testcase, "system-out").text = (
            f"evaluated, did not fire: {', '.join(others)}" if others else "no finding"
        )
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _lines(findings: Sequence[Finding]) -> list[str]:
    return [
        f"{f.file}:{f.line}:{f.column}: {f.severity.value} {f.rule} {f.message}"
        if f.suppressed is None
        else f"{f.file}:{f.line}:{f.column}: waived {f.rule} {f.message} [waiver: {f.suppressed}]"
        for f in findings
    ]


def _failure(case: ET.Element, active: Sequence[Finding], findings: Sequence[Finding]) -> None:
    first = active[0]
    message = first.message + (f" (and {len(active) - 1} more)" if len(active) > 1 else "")
    lines = _lines(active) + _lines([f for f in findings if f not in active])
    failure = ET.SubElement(case, "failure", {"message": message, "type": first.severity.value})
    failure.text = "\n".join(lines)
