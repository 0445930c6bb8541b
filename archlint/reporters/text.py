"""Human-readable output: `path:line:col: SEVERITY RULE message`, grouped by file.

Under GitHub Actions (GITHUB_ACTIONS=true) the GitHub annotations follow the report.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..report import Report

_COLOURS = {
    "error": "\033[31m",
    "warning": "\033[33m",
    "info": "\033[36m",
    "dim": "\033[2m",
    "bold": "\033[1m",
}
_RESET = "\033[0m"


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def report(report: Report, stream: TextIO) -> None:
    colour = use_colour(stream)

    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    for result in report.files:
        for finding in result.findings:
            location = f"{finding.file}:{finding.line}:{finding.column}:"
            severity = paint(finding.severity.value, finding.severity.value)
            line = f"{paint(location, 'bold')} {severity} {finding.rule} {finding.message}"
            if finding.suppressed is not None:
                line = paint(
                    f"{location} waived {finding.rule} {finding.message} [waiver: {finding.suppressed}]",
                    "dim",
                )
            stream.write(line + "\n")
    stream.write(summary(report) + "\n")
    # Point at the most severe finding first: that is the one to read about.
    worst = max(report.active, key=lambda f: f.severity.rank, default=None)
    first = worst.rule if worst is not None else None
    if first is not None:
        stream.write(
            paint(
                f"Run `archlint explain {first}` (or any rule id) to see why and what to do instead.", "dim"
            )
            + "\n"
        )
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # In a GitHub Actions job the default output also annotates the pull request.
        from . import github

        github.report(report, stream)


def summary(report: Report) -> str:
    counts = report.counts()
    files = len(report.files)
    waived = len(report.findings) - len(report.active)
    parts = [
        f"{counts[name]} {name}{'' if counts[name] == 1 else 's'}" for name in ("error", "warning", "info")
    ]
    parts[-1] = parts[-1].replace("infos", "info")
    text = f"{files} file{'' if files == 1 else 's'} checked: " + ", ".join(parts)
    if waived:
        text += f", {waived} waived"
    baseline = report.extra.get("baseline")
    suppressed = baseline.get("suppressed") if isinstance(baseline, dict) else None
    if suppressed:
        text += f", {suppressed} suppressed by the baseline"
    return text
