"""GitHub workflow-command annotations: format, escaping, severities, waivers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from archlint.check import FileResult, Report
from archlint.finding import Finding, Severity
from archlint.reporters.github import annotation, escape_data, escape_property

Render = Callable[[str, Report], str]


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Read a workflow command the way the Actions runner does (actions/runner ActionCommand)."""
    assert line.startswith("::")
    head, _, data = line[2:].partition("::")
    command, _, props = head.partition(" ")

    def unescape(value: str) -> str:
        for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            value = value.replace(escaped, raw)
        return value

    properties = dict(pair.split("=", 1) for pair in props.split(",")) if props else {}
    return command, {key: unescape(value) for key, value in properties.items()}, unescape(data)


def test_github_golden(report: Report, render: Render, golden: Callable[[str, str], None]) -> None:
    golden("report.github.txt", render("github", report))


def test_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext%3A a%2C b"


def test_annotation_round_trips_through_the_runner_parser() -> None:
    finding = Finding(
        "TST002",
        "context-pollution",
        Severity.WARNING,
        "top_k is 20, above 8: 100%\nof them",
        "features/a,b:c.ai-feature.yaml",
        "spec.rag.top_k",
        14,
        5,
    )
    command, properties, message = parse(annotation(finding))
    assert command == "warning"
    assert properties == {
        "file": "features/a,b:c.ai-feature.yaml",
        "line": "14",
        "col": "5",
        "title": "TST002 context-pollution",
    }
    assert message == "top_k is 20, above 8: 100%\nof them"
    assert "\n" not in annotation(finding)


@pytest.mark.parametrize(
    ("severity", "command"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")],
)
def test_severity_picks_the_command(severity: Severity, command: str) -> None:
    finding = Finding("TST001", "rule", severity, "m", "a.yaml", "spec", 1, 1)
    assert annotation(finding).startswith(f"::{command} file=a.yaml,line=1,col=1,title=TST001 rule::")


def test_waived_findings_are_not_annotated(report: Report, render: Render) -> None:
    lines = render("github", report).splitlines()
    assert len(lines) == len(report.active) == len(report.findings) - 1
    assert not any(parse(line)[1]["title"].startswith("TST004") for line in lines)


def test_no_findings_no_output(render: Render) -> None:
    clean = Report((FileResult("a.ai-feature.yaml", ()),), ())
    assert render("github", clean) == ""
