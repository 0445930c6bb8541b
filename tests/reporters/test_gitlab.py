"""GitLab Code Quality: required fields, unique fingerprints, the severity mapping, waivers."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from archlint.check import FileResult, Report
from archlint.finding import Finding, Severity
from archlint.reporters.gitlab import severity

Render = Callable[[str, Report], str]


def test_gitlab_golden(report: Report, render: Render, golden: Callable[[str, str], None]) -> None:
    golden("report.gitlab.json", render("gitlab", report))


def test_every_issue_has_the_fields_gitlab_reads(report: Report, render: Render) -> None:
    issues = json.loads(render("gitlab", report))
    assert isinstance(issues, list)
    assert len(issues) == len(report.active)
    for issue, finding in zip(issues, report.active, strict=True):
        assert issue["check_name"] == finding.rule
        assert finding.message in issue["description"]
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"] == {"path": finding.file, "lines": {"begin": finding.line}}
        assert isinstance(issue["fingerprint"], str)
        assert issue["fingerprint"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_waived_findings_are_left_out(report: Report, render: Render) -> None:
    issues = json.loads(render("gitlab", report))
    assert "TST004" not in {issue["check_name"] for issue in issues}


@pytest.mark.parametrize(
    ("rule", "level", "expected"),
    [
        ("TST003", Severity.INFO, "info"),
        ("TST002", Severity.WARNING, "minor"),
        ("TST001", Severity.ERROR, "major"),
        ("SCH001", Severity.ERROR, "critical"),
        ("SCH002", Severity.ERROR, "critical"),
        ("SCH001", Severity.WARNING, "minor"),  # a config severity override wins
    ],
)
def test_severity_mapping(rule: str, level: Severity, expected: str) -> None:
    assert severity(Finding(rule, "n", level, "m", "a.yaml", "", 1, 1)) == expected


def test_fingerprints_stay_unique_when_identities_collide(render: Render) -> None:
    # Two schema errors at one path of one feature share feature + rule + path.
    first = Finding("SCH001", "schema-violation", Severity.ERROR, "a", "x.yaml", "spec", 3, 1, "f")
    second = first._replace(message="b", line=4)
    issues = json.loads(render("gitlab", Report((FileResult("x.yaml", (first, second)),), ())))
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


def test_security_tagged_rules_are_security_issues(report: Report, render: Render) -> None:
    categories = {issue["check_name"]: issue["categories"] for issue in json.loads(render("gitlab", report))}
    assert categories["TST001"] == ["Security"]
    assert categories["TST002"] == ["Bug Risk"]


def test_no_findings_is_an_empty_array(render: Render) -> None:
    assert json.loads(render("gitlab", Report((), ()))) == []
