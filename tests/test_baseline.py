"""Baselines: --write-baseline records findings by fingerprint, --baseline reports only new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint import baseline
from archlint.baseline import Entry
from archlint.check import FileResult
from archlint.cli import main
from archlint.errors import UsageError
from archlint.finding import Finding, Severity

from .conftest import git_init

FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {{name: {name}, owner: platform}}
spec:
  problem: knowledge
  approach: rag
  knowledge: {{change_frequency: weekly, sensitivity: internal, per_user_permissions: true}}
  requirements: {{citations: true, hallucination_impact: high}}
  rag:
    retrieval: hybrid
    acl_filtering: {acl}
    chunking: {{strategy: section}}
    top_k: {top_k}
    reranker: false
    index_refresh: daily
    freshness_monitoring: true
    retrieval_eval: {{dataset: evals/retrieval.jsonl}}
  evaluation: {{dataset: evals/answers.jsonl}}
"""


def feature(name: str = "support", acl: bool = False, top_k: int = 4) -> str:
    return FEATURE.format(name=name, acl=str(acl).lower(), top_k=top_k)


def finding(rule: str, file: str = "a/ai-feature.yaml", **changes: object) -> Finding:
    base = Finding(rule, rule.lower(), Severity.ERROR, f"{rule} fired", file, "spec.rag", 3, 5, "support")
    return base._replace(**changes)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--isolated", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    git_init(tmp_path)  # the repo root that display paths are relative to
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- pure functions


def test_entries_are_sorted_and_round_trip() -> None:
    findings = [finding("RAG006", file="b/ai-feature.yaml"), finding("RAG001"), finding("FT001")]
    text = baseline.dumps(baseline.entries_for(findings))
    data = json.loads(text)
    assert data["version"] == baseline.VERSION
    assert [(e["file"], e["rule"]) for e in data["findings"]] == [
        ("a/ai-feature.yaml", "FT001"),
        ("a/ai-feature.yaml", "RAG001"),
        ("b/ai-feature.yaml", "RAG006"),
    ]
    assert set(data["findings"][0]) == {"rule", "file", "path", "fingerprint", "message"}
    assert baseline.parse(text) == baseline.entries_for(findings)


def test_waived_findings_are_not_recorded_or_matched() -> None:
    waived = finding("RAG001", suppressed="accepted (approved by x, expires 2999-01-01)")
    assert baseline.entries_for([waived]) == []
    entries = [baseline.entry(waived._replace(suppressed=None))]
    new, matched, stale = baseline.split([waived], entries)
    assert new == [waived] and matched == [] and stale == entries


def test_fingerprint_survives_moved_lines_and_new_messages() -> None:
    old = finding("RAG006", line=10, message="top_k is 12")
    moved = old._replace(line=40, column=9, message="top_k is 16")
    new, matched, stale = baseline.split([moved], [baseline.entry(old)])
    assert (new, matched, stale) == ([], [moved], [])


def test_each_entry_matches_one_finding() -> None:
    # Two schema problems at the same path share a fingerprint; one entry hides only one of them.
    first = finding("SCH001", message="'problem' is required")
    second = finding("SCH001", message="'approach' is required")
    new, matched, _ = baseline.split([first, second], [baseline.entry(first)])
    assert len(new) == 1 and len(matched) == 1


def test_an_entry_matches_only_its_own_file_and_a_copy_does_not_steal_it() -> None:
    original = finding("RAG001", file="a/ai-feature.yaml")
    entries = [baseline.entry(original)]
    # Issue 13: a moved (or replaced) file needs a new baseline; see tests/security/test_baseline_paths.py.
    renamed = original._replace(file="b/ai-feature.yaml")
    assert baseline.split([renamed], entries) == ([renamed], [], entries)
    # The copy (same feature name, another file) comes first in sort order, yet the
    # original keeps its entry and the copy's finding is reported as new.
    copy = original._replace(file="0/ai-feature.yaml")
    new, matched, stale = baseline.split([copy, original], entries)
    assert new == [copy] and matched == [original] and stale == []


def test_apply_removes_matched_findings_and_keeps_stale_entries() -> None:
    kept = finding("RAG006")
    hidden = finding("RAG001")
    gone = Entry("FT001", "a/ai-feature.yaml", "spec.knowledge", "support:FT001:spec.knowledge", "old")
    files = [FileResult("a/ai-feature.yaml", (hidden, kept))]
    outcome = baseline.apply(files, [baseline.entry(hidden), gone], "base.json")
    assert outcome.files[0].findings == (kept,)
    assert outcome.matched == 1
    assert outcome.stale == (gone,)
    assert outcome.extra()["baseline"]["stale"][0]["fingerprint"] == gone.fingerprint
    notices = "\n".join(outcome.notices())
    assert "1 finding recorded in base.json not reported" in notices
    assert "a/ai-feature.yaml: FT001 spec.knowledge [support:FT001:spec.knowledge]" in notices


def test_entries_of_files_not_checked_are_stale_only_when_the_file_is_gone() -> None:
    checked = FileResult("a/ai-feature.yaml", ())
    elsewhere = baseline.entry(finding("RAG001", file="b/ai-feature.yaml", feature="other"))
    here = baseline.entry(finding("RAG006"))
    outcome = baseline.apply([checked], [elsewhere, here], "base.json", exists=lambda file: True)
    assert outcome.stale == (here,)
    outcome = baseline.apply([checked], [elsewhere, here], "base.json", exists=lambda file: False)
    assert outcome.stale == (elsewhere, here)


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ('{"version": 1,', "invalid JSON", 1),
        ("[]", "not an archlint baseline", None),
        ('{"version": 2, "findings": []}', "baseline version 2 is not supported", None),
        ('{"version": 1, "findings": {}}', "'findings' must be a list", None),
        ('{"version": 1, "findings": [{"rule": "RAG001"}]}', "findings[0] must be an object", None),
    ],
)
def test_bad_baseline_is_a_located_usage_error(text: str, fragment: str, line: int | None) -> None:
    with pytest.raises(UsageError) as caught:
        baseline.parse(text, "base.json")
    assert caught.value.file == "base.json"
    assert fragment in caught.value.message
    assert caught.value.line == line
    assert caught.value.exit_code == 2


# ---------------------------------------------------------------- the command


def test_write_baseline_records_findings_and_exits_zero(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "ai-feature.yaml").write_text(feature(acl=False, top_k=12))
    code, out, err = run(capsys, ".", "--write-baseline", "base.json")
    assert code == 0
    assert "RAG001" in out and "RAG006" in out  # the report still shows what was recorded
    assert "wrote baseline base.json (2 entries)" in err
    data = json.loads((repo / "base.json").read_text())
    assert data["version"] == 1
    assert {(e["rule"], e["file"], e["path"], e["fingerprint"]) for e in data["findings"]} == {
        ("RAG001", "ai-feature.yaml", "spec.rag.acl_filtering", "support:RAG001:spec.rag.acl_filtering"),
        ("RAG006", "ai-feature.yaml", "spec.rag.top_k", "support:RAG006:spec.rag.top_k"),
    }


def test_baseline_hides_recorded_findings_even_when_lines_move(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = repo / "ai-feature.yaml"
    target.write_text(feature(acl=False))
    run(capsys, ".", "--write-baseline", "base.json")
    target.write_text("# a comment\n# another\n" + feature(acl=False))
    code, out, err = run(capsys, ".", "--baseline", "base.json")
    assert code == 0
    assert "RAG001" not in out
    assert "0 errors" in out
    assert "1 finding recorded in base.json not reported" in err


def test_baseline_reports_new_findings_and_fails(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = repo / "ai-feature.yaml"
    target.write_text(feature(acl=True, top_k=12))
    run(capsys, ".", "--write-baseline", "base.json")
    target.write_text(feature(acl=False, top_k=12))
    code, out, _ = run(capsys, ".", "--baseline", "base.json")
    assert code == 1
    assert "ai-feature.yaml:11:5: error RAG001" in out
    assert "RAG006" not in out


def test_stale_entries_are_listed_but_do_not_fail(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = repo / "ai-feature.yaml"
    target.write_text(feature(acl=False, top_k=12))
    run(capsys, ".", "--write-baseline", "base.json")
    target.write_text(feature(acl=True, top_k=12))  # RAG001 fixed
    code, out, err = run(capsys, ".", "--baseline", "base.json", "--format", "json")
    assert code == 0
    assert "1 baseline entry no longer occurs" in err
    assert "ai-feature.yaml: RAG001 spec.rag.acl_filtering" in err
    assert "--write-baseline base.json" in err
    payload = json.loads(out)
    assert payload["findings"] == []
    assert payload["baseline"]["matched"] == 1
    assert [e["rule"] for e in payload["baseline"]["stale"]] == ["RAG001"]


def test_checking_some_files_does_not_call_the_others_stale(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pre-commit names only the changed files.
    (repo / "a.ai-feature.yaml").write_text(feature(name="a", acl=False))
    (repo / "b.ai-feature.yaml").write_text(feature(name="b", acl=False))
    run(capsys, ".", "--write-baseline", "base.json")
    code, _, err = run(capsys, "a.ai-feature.yaml", "--baseline", "base.json")
    assert code == 0
    assert "no longer occur" not in err
    (repo / "b.ai-feature.yaml").unlink()
    code, _, err = run(capsys, "a.ai-feature.yaml", "--baseline", "base.json")
    assert code == 0
    assert "1 baseline entry no longer occurs" in err
    assert "b.ai-feature.yaml: RAG001" in err


def test_fail_on_still_applies_to_new_findings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = repo / "ai-feature.yaml"
    target.write_text(feature(acl=False))
    run(capsys, ".", "--write-baseline", "base.json")
    target.write_text(feature(acl=False, top_k=12))  # adds a warning
    assert run(capsys, ".", "--baseline", "base.json")[0] == 0
    assert run(capsys, ".", "--baseline", "base.json", "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--baseline", "missing.json"], "missing.json: baseline file does not exist"),
        (["--baseline", "broken.json"], "broken.json:1:2: invalid JSON"),
        (
            ["--baseline", "broken.json", "--write-baseline", "x.json"],
            "--baseline and --write-baseline cannot be combined",
        ),
        (["--write-baseline", "folder"], "folder: cannot write baseline"),
    ],
)
def test_baseline_errors_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    (repo / "ai-feature.yaml").write_text(feature())
    (repo / "broken.json").write_text("{oops")
    (repo / "folder").mkdir()
    code, _, err = run(capsys, ".", *argv)
    assert code == 2
    assert f"archlint: error: {fragment}" in err
