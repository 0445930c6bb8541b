"""Human-readable output: `path:line:col: SEVERITY RULE message`, grouped by file.

Under GitHub Actions (GITHUB_ACTIONS=true) the GitHub annotations follow the report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, TextIO

from ..inert import inert, inert_line

if TYPE_CHECKING:
    from ..report import Report


class Options(NamedTuple):
    """How `archlint check` asked the text to look (the other formats take none)."""

    colour: bool | None = None  # --color always/never; None: a terminal without NO_COLOR
    quiet: bool = False  # --quiet: the findings only, no summary or hint
    statistics: bool = False  # --statistics: a count per rule instead of each finding
    # --show-source: each checked file's lines, by the name reports give it
    sources: Mapping[str, Sequence[str]] | None = None


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


_PLAIN = Options()


def report(report: Report, stream: TextIO, options: Options = _PLAIN) -> None:
    colour = use_colour(stream) if options.colour is None else options.colour

    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    if options.statistics:
        for line in statistics(report):
            stream.write(line + "\n")
    for result in report.files if not options.statistics else ():
        for finding in result.findings:
            # Inert: what a repository wrote can neither start a CI command nor send escapes.
            location = f"{inert_line(finding.file)}:{finding.line}:{finding.column}:"
            message = inert(finding.message)
            severity = paint(finding.severity.value, finding.severity.value)
            line = f"{paint(location, 'bold')} {severity} {finding.rule} {message}"
            if finding.suppressed is not None:
                line = paint(
                    f"{location} waived {finding.rule} {message} [waiver: {inert(finding.suppressed)}]",
                    "dim",
                )
            stream.write(line + "\n")
            if options.sources is not None and finding.file in options.sources:
                from .frame import frame

                for row in frame(options.sources[finding.file], finding.line, finding.column):
                    stream.write(paint(row, "dim") + "\n")
    if options.quiet:
        _annotate(report, stream)
        return
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
    _annotate(report, stream)


def _annotate(report: Report, stream: TextIO) -> None:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # In a GitHub Actions job the default output also annotates the pull request.
        from . import github

        github.report(report, stream)


def statistics(report: Report) -> list[str]:
    """One line per rule that fired (waived findings left out), most frequent first:
    `count  RULE  severity  name`, as `ruff --statistics` prints them."""
    counts: dict[tuple[str, str, str], int] = {}
    for finding in report.active:
        key = (finding.rule, finding.severity.value, finding.name)
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(count)) for _, count in ordered), default=1)
    return [f"{count:>{width}}  {rule}  {severity:<7}  {name}" for (rule, severity, name), count in ordered]


def summary(report: Report) -> str:
    counts = report.counts()
    files = len(report.files)
    waived = len(report.findings) - len(report.active)
    from ..messages import plural

    parts = [plural(counts["error"], "error"), plural(counts["warning"], "warning"), f"{counts['info']} info"]
    text = f"{plural(files, 'file')} checked: " + ", ".join(parts)
    if waived:
        text += f", {waived} waived"
    baseline = report.extra.get("baseline")
    suppressed = baseline.get("suppressed") if isinstance(baseline, dict) else None
    if suppressed:
        text += f", {suppressed} suppressed by the baseline"
    return text
