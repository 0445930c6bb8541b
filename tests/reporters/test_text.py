"""The text reporter: golden output, and GitHub annotations under GITHUB_ACTIONS=true."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from archlint.check import Report

ROOT = Path(__file__).resolve().parents[2]
Render = Callable[[str, Report], str]


def test_text_golden(report: Report, render: Render, golden: Callable[[str, str], None]) -> None:
    golden("report.txt", render("text", report))


def test_no_annotations_outside_github_actions(report: Report, render: Render) -> None:
    assert not any(line.startswith("::") for line in render("text", report).splitlines())


def test_github_actions_adds_annotations_after_the_text(
    report: Report, render: Render, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = render("text", report)
    annotations = render("github", report)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert render("text", report) == plain + annotations
    assert annotations.count("\n") == len(report.active) > 0


def test_only_the_exact_value_true_turns_annotations_on(
    report: Report, render: Render, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert not any(line.startswith("::") for line in render("text", report).splitlines())


def test_cli_default_output_annotates_under_github_actions() -> None:
    feature = "tests/reporters/data/support-assistant.ai-feature.yaml"
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--isolated", feature],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert f"{feature}:13:5: error RAG001" in result.stdout  # the text report is still there
    assert (
        f"::error file={feature},line=13,col=5,title=RAG001 rag-without-acl-filtering::"
        "rag.acl_filtering is false" in "\n".join(lines)
    )


def test_summary_counts_of_one_are_singular() -> None:
    from archlint.check import FileResult, Report
    from archlint.finding import Finding, Severity
    from archlint.reporters.text import summary

    warning = Finding("TST002", "r", Severity.WARNING, "m", "a.yaml", "", 1, 1)
    error = warning._replace(rule="TST001", severity=Severity.ERROR)
    waived = error._replace(suppressed="ok")
    one = Report((FileResult("a.yaml", (warning, error, waived)),), ())
    assert summary(one) == "1 file checked: 1 error, 1 warning, 0 info, 1 waived"
    two = Report((FileResult("a.yaml", (warning, warning)), FileResult("b.yaml", ())), ())
    assert summary(two) == "2 files checked: 0 errors, 2 warnings, 0 info"
