"""GitLab Code Quality report: a JSON array of issues for the merge request widget.

Severity mapping: info -> info, warning -> minor, error -> major, and an error
that stopped policy evaluation of a document (SCH001 schema violation, SCH002
invalid YAML) -> critical, because every other rule is silent on that document
until it is fixed. Waived findings are left out: Code Quality has no notion of
a suppressed issue, and an accepted risk is not a degradation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from .sarif import fingerprints

if TYPE_CHECKING:
    from ..finding import Finding
    from ..report import Report

SEVERITIES = {"info": "info", "warning": "minor", "error": "major"}
# Rules whose error blocks every policy rule on the document.
CRITICAL = frozenset({"SCH001", "SCH002"})


def severity(finding: Finding) -> str:
    if finding.severity.value == "error" and finding.rule in CRITICAL:
        return "critical"
    return SEVERITIES[finding.severity.value]


def issue(finding: Finding, fingerprint: str, security: bool = False) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": finding.rule,
        "description": f"{finding.rule} {finding.name}: {finding.message}",
        # Code Climate's categories; GitLab ignores them, other Code Climate readers want one.
        "categories": ["Security" if security else "Bug Risk"],
        "fingerprint": fingerprint,
        "severity": severity(finding),
        "location": {"path": finding.file, "lines": {"begin": finding.line}},
    }


def report(report: Report, stream: TextIO) -> None:
    # Fingerprints are computed over every finding, so an issue keeps its hash
    # whether or not another finding of the same identity is waived.
    findings = report.findings
    security = {rule.id for rule in report.rules if "security" in rule.tags}
    issues = [
        issue(finding, digest, finding.rule in security)
        for finding, digest in zip(findings, fingerprints(findings), strict=True)
        if finding.suppressed is None
    ]
    json.dump(issues, stream, indent=2)
    stream.write("\n")
