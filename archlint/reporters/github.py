"""GitHub Actions workflow commands: one `::error|warning|notice` annotation per unwaived finding.

GitHub turns each line into an annotation on the file and line in the pull
request. Waived findings are accepted risks, so they are not annotated (the
SARIF and JSON reports still carry them as suppressed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..finding import Finding
    from ..report import Report

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    """Escape a command's message, as the Actions runner unescapes it."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a command property value (file, title): data escaping plus `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    properties = {
        "file": finding.file,
        "line": str(finding.line),
        "col": str(finding.column),
        "title": f"{finding.rule} {finding.name}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity.value]} {joined}::{escape_data(finding.message)}"


def report(report: Report, stream: TextIO) -> None:
    for finding in report.active:
        stream.write(annotation(finding) + "\n")
