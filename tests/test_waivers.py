"""Waivers: time-limited, approved exceptions in the feature file; --no-waivers for audits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint import waivers
from archlint.cli import main
from archlint.finding import Finding, Severity
from archlint.loader import Path as DocPath

from .conftest import git_init

TODAY = "2026-06-01"  # waivers judge ISO days

# RAG001 fires (acl_filtering false on permissioned internal knowledge); nothing else does.
FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {{name: support, owner: platform}}
spec:
  problem: knowledge
  approach: rag
  knowledge: {{change_frequency: weekly, sensitivity: internal, per_user_permissions: true}}
  requirements: {{citations: true, hallucination_impact: high}}
  rag:
    retrieval: hybrid
    acl_filtering: false
    chunking: {{strategy: section}}
    top_k: 4
    index_refresh: daily
    freshness_monitoring: true
    retrieval_eval: {{dataset: evals/retrieval.jsonl}}
  evaluation: {{dataset: evals/answers.jsonl}}
  waivers:
{waivers}
"""


def waiver(rule: str = "RAG001", expires: str = "2999-12-31") -> str:
    return (
        f"    - rule: {rule}\n"
        "      reason: every document in this corpus is readable by all staff\n"
        "      approved_by: security@example.com\n"
        f"      expires: '{expires}'"
    )


def make(rule: str, name: str, severity: Severity, message: str, path: DocPath) -> Finding:
    return Finding(rule, name, severity, message, "f.yaml", ".".join(map(str, path)), 1, 1, "support")


def raw(rule: str = "RAG001", expires: str = "2026-06-30") -> dict[str, str]:
    return {"rule": rule, "reason": "accepted", "approved_by": "ciso", "expires": expires}


FINDING = make("RAG001", "rag-without-acl-filtering", Severity.ERROR, "no ACL", ("spec", "rag"))
KNOWN = {"RAG001", "RAG006", "FT001"}


# ---------------------------------------------------------------- waivers.apply


def test_a_valid_waiver_suppresses_with_its_justification() -> None:
    result = waivers.apply([FINDING, FINDING._replace(path="spec.rag.x")], [raw()], KNOWN, TODAY, make)
    assert [f.suppressed for f in result] == ["accepted (approved by ciso, expires 2026-06-30)"] * 2


def test_a_waiver_expiring_today_still_applies() -> None:
    (result,) = waivers.apply([FINDING], [raw(expires="2026-06-01")], KNOWN, TODAY, make)
    assert result.suppressed is not None


def test_an_expired_waiver_waives_nothing_and_is_reported() -> None:
    result = waivers.apply([FINDING], [raw(expires="2026-05-31")], KNOWN, TODAY, make)
    assert result[0] == FINDING
    assert (result[1].rule, result[1].path, result[1].severity) == (
        "WVR001",
        "spec.waivers.0.expires",
        Severity.ERROR,
    )
    assert "expired on 2026-05-31" in result[1].message


def test_an_unused_waiver_is_a_warning() -> None:
    result = waivers.apply([FINDING], [raw(rule="RAG006")], KNOWN, TODAY, make)
    assert result[0] == FINDING
    assert (result[1].rule, result[1].path, result[1].severity) == (
        "WVR002",
        "spec.waivers.0.rule",
        Severity.WARNING,
    )


def test_a_waiver_for_an_unknown_rule_is_an_error() -> None:
    result = waivers.apply([FINDING], [raw(rule="RAG999")], KNOWN, TODAY, make)
    assert result[0] == FINDING
    assert result[1].rule == "WVR003" and "RAG999" in result[1].message


def test_not_honoured_reports_the_finding_as_unwaived_but_still_checks_waivers() -> None:
    result = waivers.apply([FINDING], [raw(), raw(expires="2020-01-01")], KNOWN, TODAY, make, honour=False)
    assert result[0] == FINDING  # active
    # The waiver is still "used" (no WVR002); the expired one is still reported.
    assert [f.rule for f in result[1:]] == ["WVR001"]


# ---------------------------------------------------------------- through the command


@pytest.fixture
def feature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    git_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "ai-feature.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--isolated", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_waived_finding_is_shown_as_waived_and_passes(
    feature: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature.write_text(FEATURE.format(waivers=waiver()))
    code, out, _ = run(capsys, "ai-feature.yaml")
    assert code == 0
    assert out.splitlines()[0] == (
        "ai-feature.yaml:11:5: waived RAG001 rag.acl_filtering is false for internal knowledge "
        "(per_user_permissions: true), so retrieval can put documents into a user's answer that the user is "
        "not allowed to open. [waiver: every document in this corpus is readable by all staff "
        "(approved by security@example.com, expires 2999-12-31)]"
    )
    assert "0 errors, 0 warnings, 0 info, 1 waived" in out


@pytest.mark.parametrize("how", ["flag", "config"])
def test_no_waivers_reports_waived_findings_as_unwaived(
    feature: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    feature.write_text(FEATURE.format(waivers=waiver()))
    (feature.parent / "audit.toml").write_text("waivers = false\n")
    how_argv = ["--no-waivers"] if how == "flag" else ["--config", "audit.toml"]
    code, out, _ = run(capsys, *how_argv, "--format", "json", "ai-feature.yaml")
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["rule"] == "RAG001"
    assert finding["suppressed"] is False and finding["justification"] is None


def test_expired_waiver_fails_the_run_twice_over(feature: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feature.write_text(FEATURE.format(waivers=waiver(expires="2020-01-31")))
    code, out, _ = run(capsys, "ai-feature.yaml")
    assert code == 1
    assert "ai-feature.yaml:11:5: error RAG001" in out
    assert "ai-feature.yaml:22:7: error WVR001 waiver for RAG001 expired on 2020-01-31" in out


def test_unused_and_unknown_waivers_are_located(feature: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feature.write_text(FEATURE.format(waivers=waiver() + "\n" + waiver("FT001") + "\n" + waiver("ORG123")))
    code, out, _ = run(capsys, "ai-feature.yaml")
    assert code == 1  # WVR003 is an error
    assert "ai-feature.yaml:23:7: warning WVR002 waiver for FT001 is unused" in out
    assert "ai-feature.yaml:27:7: error WVR003 waiver names rule ORG123" in out


def test_ignoring_wvr_rules_is_possible(feature: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feature.write_text(FEATURE.format(waivers=waiver() + "\n" + waiver("FT001")))
    assert run(capsys, "--fail-on", "warning", "ai-feature.yaml")[0] == 1
    assert run(capsys, "--fail-on", "warning", "--ignore", "unused-waiver", "ai-feature.yaml")[0] == 0


def test_policy_errors_and_waiver_rules_cannot_be_waived() -> None:
    from archlint import waivers
    from archlint.finding import Finding, Severity

    def make(rule: str, name: str, severity: Severity, message: str, path: tuple[object, ...]) -> Finding:
        return Finding(rule, name, severity, message, "f.yaml", ".".join(map(str, path)), 1, 1)

    finding = make("POL001", "policy-evaluation-error", Severity.ERROR, "boom", ("spec",))
    entries = [
        {"rule": rule, "reason": "r", "approved_by": "a", "expires": "2999-01-01"}
        for rule in ("POL001", "WVR002")
    ]
    result = waivers.apply([finding], entries, {"POL001", "WVR002"}, "2026-01-01", make)
    assert result[0].suppressed is None
    assert [f.rule for f in result[1:]] == ["WVR003", "WVR003"]
    assert "cannot be waived" in result[1].message


# ------------------------------------------------ waivers that break the schema


# RAG005 (no chunking strategy) and RAG006 (top_k 20 without a reranker) fire as well as RAG001.
NOISY = FEATURE.replace("    chunking: {{strategy: section}}\n", "").replace("top_k: 4", "top_k: 20")


def _findings(tmp_path: Path, capsys: pytest.CaptureFixture[str], waivers_text: str) -> list[dict[str, str]]:
    path = tmp_path / "ai-feature.yaml"
    path.write_text(NOISY.format(waivers=waivers_text))
    main(["check", "--isolated", "--no-cache", "--format", "json", str(path)])
    findings: list[dict[str, str]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def test_a_waiver_missing_approved_by_does_not_hide_the_other_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incomplete = "    - rule: RAG005\n      reason: chunking is decided later\n      expires: '2999-12-31'"
    found = _findings(tmp_path, capsys, incomplete + "\n" + waiver("RAG001"))
    by_rule = {(f["rule"], f["path"], f["suppressed"]) for f in found}
    # The broken waiver is reported and waives nothing; the valid one still waives RAG001.
    assert ("SCH001", "spec.waivers.0", False) in by_rule
    assert any(f["rule"] == "RAG005" and not f["suppressed"] for f in found)
    assert any(f["rule"] == "RAG006" and not f["suppressed"] for f in found)
    assert any(f["rule"] == "RAG001" and f["suppressed"] for f in found)
    assert not any(f["rule"].startswith("WVR") for f in found)


def test_a_waivers_section_of_the_wrong_type_waives_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _findings(tmp_path, capsys, "    just-a-string")
    rules = {f["rule"] for f in found}
    assert {"SCH001", "RAG001", "RAG005", "RAG006"} <= rules
    assert all(not f["suppressed"] for f in found)


def test_a_schema_error_outside_the_waivers_still_stops_the_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ai-feature.yaml"
    path.write_text(NOISY.format(waivers=waiver("RAG001")).replace("top_k: 20", "top_k: many"))
    main(["check", "--isolated", "--no-cache", "--format", "json", str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert {f["rule"] for f in found} == {"SCH001"}
