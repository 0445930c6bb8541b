"""Machine-readable output: one JSON object with every finding, waived ones marked."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from .. import __version__

if TYPE_CHECKING:
    from ..finding import Finding
    from ..report import Report


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "path": finding.path,
        "feature": finding.feature,
        "document": finding.document,
        "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed is not None,
        "justification": finding.suppressed,
    }


def report(report: Report, stream: TextIO) -> None:
    payload = {
        "version": __version__,
        "summary": {
            **report.counts(),
            "files": len(report.files),
            "waived": len(report.findings) - len(report.active),
        },
        "findings": [finding_dict(finding) for finding in report.findings],
        **report.extra,
    }
    json.dump(payload, stream, indent=2)
    stream.write("\n")
