"""The JSON reporter: golden output over the fixed report."""

from __future__ import annotations

import json
from collections.abc import Callable

from archlint.check import Report

Render = Callable[[str, Report], str]


def test_json_golden(report: Report, render: Render, golden: Callable[[str, str], None]) -> None:
    golden("report.json", render("json", report))


def test_json_keeps_waived_findings_marked(report: Report, render: Render) -> None:
    payload = json.loads(render("json", report))
    waived = [finding for finding in payload["findings"] if finding["suppressed"]]
    assert [finding["rule"] for finding in waived] == ["TST004"]
    assert waived[0]["justification"].startswith("Labelling starts next sprint")
    assert payload["summary"]["waived"] == 1
