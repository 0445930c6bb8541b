"""JUnit XML: a suite per file, a testcase per rule that fired, read by real JUnit parsers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

import junitparser

from archlint.check import FileResult, Report
from archlint.finding import Finding, Severity

Render = Callable[[str, Report], str]
MakeReport = Callable[[Sequence[str]], Report]
DATA = "tests/reporters/data"


def test_junit_golden(report: Report, render: Render, golden: Callable[[str, str], None]) -> None:
    golden("report.junit.xml", render("junit", report))


def suites(xml: str) -> dict[str, junitparser.TestSuite]:
    document = junitparser.JUnitXml.fromstring(xml)
    return {suite.name: suite for suite in document}


def cases(suite: junitparser.TestSuite) -> dict[str, junitparser.TestCase]:
    return {case.name.split()[0]: case for case in suite}


def test_junitparser_reads_one_suite_per_file_and_one_case_per_rule_that_fired(
    report: Report, render: Render
) -> None:
    by_name = suites(render("junit", report))
    assert list(by_name) == [result.file for result in report.files]
    for result in report.files:
        fired = {finding.rule for finding in result.findings}
        assert set(cases(by_name[result.file])) == fired | {"other"}
        assert by_name[result.file].tests == len(fired) + 1


def test_failures_below_the_threshold_passes_and_skips(render: Render, report: Report) -> None:
    support = cases(suites(render("junit", report))[f"{DATA}/support-assistant.ai-feature.yaml"])
    (failure,) = support["TST001"].result
    assert isinstance(failure, junitparser.Failure)
    assert failure.message.startswith("rag.acl_filtering is false")
    assert failure.type == "error"
    assert f"{DATA}/support-assistant.ai-feature.yaml:13:5: error TST001" in failure.text
    (skipped,) = support["TST004"].result
    assert isinstance(skipped, junitparser.Skipped)
    assert skipped.message.startswith("waived: Labelling starts next sprint")
    # A warning and an info finding under --fail-on error: reported, not failures.
    for rule, severity in (("TST002", "warning"), ("TST003", "info")):
        assert support[rule].is_passed
        assert f"{severity} {rule} " in support[rule].system_out
    assert "SCH001" in support["other"].system_out  # ran and did not fire


def test_the_fail_threshold_decides_what_fails(make_report: MakeReport, render: Render) -> None:
    report = make_report(["support-assistant.ai-feature.yaml"])
    for fail_on, failing in (
        (Severity.ERROR, {"TST001"}),
        (Severity.WARNING, {"TST001", "TST002"}),
        (Severity.INFO, {"TST001", "TST002", "TST003"}),
    ):
        (suite,) = suites(render("junit", report._replace(fail_on=fail_on))).values()
        failed = {
            case.name.split()[0]
            for case in suite
            if any(isinstance(r, junitparser.Failure) for r in case.result)
        }
        assert failed == failing
        assert suite.failures == len(failing)


def test_rules_that_could_not_run_are_skipped_not_passed(render: Render, report: Report) -> None:
    by_name = suites(render("junit", report))
    broken = cases(by_name[f"{DATA}/invalid-yaml.ai-feature.yaml"])
    assert isinstance(broken["SCH002"].result[0], junitparser.Failure)
    assert broken["other"].is_skipped
    assert "not evaluated" in broken["other"].result[0].message
    schema = cases(by_name[f"{DATA}/schema-error.ai-feature.yaml"])
    assert schema["other"].is_skipped
    (failure,) = schema["SCH001"].result
    assert failure.message.endswith("(and 2 more)")
    assert failure.text.count("\n") == 2  # every location listed


def test_standard_library_parser_and_totals(render: Render, report: Report) -> None:
    root = ET.fromstring(render("junit", report))
    assert root.tag == "testsuites"
    for key in ("tests", "failures", "skipped", "errors"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "-1")) for s in root.iter("testsuite"))
    assert int(root.get("tests", "0")) == len(list(root.iter("testcase")))
    assert int(root.get("failures", "0")) == len(list(root.iter("failure")))
    assert int(root.get("skipped", "0")) == len(list(root.iter("skipped")))
    failing_rules = {
        (result.file, finding.rule)
        for result in report.files
        for finding in result.findings
        if finding.suppressed is None and finding.severity.rank >= report.fail_on.rank
    }
    assert int(root.get("failures", "0")) == len(failing_rules)


def test_a_waived_and_an_active_finding_of_one_rule_fail_and_list_both(render: Render) -> None:
    active = Finding("TST002", "context-pollution", Severity.WARNING, "top_k 20", "a.yaml", "spec", 3, 1)
    waived = active._replace(line=9, message="top_k 30", suppressed="accepted (approved by x)")
    xml = render(
        "junit", Report((FileResult("a.yaml", (active, waived), (), ("TST002",)),), (), Severity.WARNING)
    )
    (case,) = suites(xml)["a.yaml"]
    (failure,) = case.result
    assert failure.message == "top_k 20"
    assert "a.yaml:9:1: waived TST002 top_k 30 [waiver: accepted (approved by x)]" in failure.text


def test_characters_xml_cannot_hold_do_not_break_the_report(render: Render) -> None:
    finding = Finding("TST001", "r", Severity.ERROR, 'bell \x07 and <tag> & "q"', "a.yaml", "", 1, 1)
    xml = render("junit", Report((FileResult("a.yaml", (finding,), (), ("TST001",)),), ()))
    (case,) = suites(xml)["a.yaml"]
    assert case.result[0].message == 'bell \\x07 and <tag> & "q"'
    ET.fromstring(xml)


def test_empty_report_is_an_empty_testsuites(render: Render) -> None:
    root = ET.fromstring(render("junit", Report((), ())))
    assert (root.tag, root.get("tests"), len(root)) == ("testsuites", "0", 0)
