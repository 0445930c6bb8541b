"""Issue 13, item 6 (baselines): a feature fixed and replaced by a new violating file with the
same `metadata.name` in another path inherited the old baseline entry. Now an entry matches
findings of its own file path only (a moved file needs a new baseline), and a run that a
baseline changed says how many findings it suppressed, in the text summary and in JSON.

Each test runs the real command in a real git repository, as a pull request would change it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Violates RAG001 (no acl filtering with per-user permissions) at spec.rag.acl_filtering.
FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {name: support-search, owner: platform}
spec:
  problem: knowledge
  approach: rag
  knowledge: {change_frequency: weekly, sensitivity: internal, per_user_permissions: true}
  requirements: {citations: true, hallucination_impact: high}
  rag:
    retrieval: hybrid
    acl_filtering: false
    chunking: {strategy: section}
    top_k: 4
    index_refresh: daily
    freshness_monitoring: true
    retrieval_eval: {dataset: evals/retrieval.jsonl}
  evaluation: {dataset: evals/answers.jsonl}
"""
BASELINE = ".archlint-baseline.json"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def archlint(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(repo.parent / "user-cache")}
    return subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--isolated", "--no-cache", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose baseline records the one finding of services/search/ai-feature.yaml."""
    root = tmp_path / "repo"
    (root / "services" / "search").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.org")
    git(root, "config", "user.name", "dev")
    (root / "services" / "search" / "ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    written = archlint(root, "--write-baseline", BASELINE, ".")
    assert written.returncode == 0, written.stderr
    entries = json.loads((root / BASELINE).read_text(encoding="utf-8"))["findings"]
    assert [(e["file"], e["rule"]) for e in entries] == [("services/search/ai-feature.yaml", "RAG001")]
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "baseline")
    return root


def test_a_new_file_with_the_old_feature_name_does_not_inherit_the_entry(repo: Path) -> None:
    # The pull request: the baselined feature is fixed (deleted), and a new violating file
    # with the same metadata.name appears in another path.
    git(repo, "rm", "-q", "services/search/ai-feature.yaml")
    (repo / "services" / "helpdesk").mkdir(parents=True)
    (repo / "services" / "helpdesk" / "ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    git(repo, "add", "-A")

    result = archlint(repo, "--baseline", BASELINE, ".")

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "services/helpdesk/ai-feature.yaml:11:5: error RAG001" in result.stdout
    assert "suppressed" not in result.stdout
    # The old entry is stale: its file is gone.
    assert "1 baseline entry no longer occurs" in result.stderr
    assert "services/search/ai-feature.yaml: RAG001 spec.rag.acl_filtering" in result.stderr


def test_a_moved_file_needs_a_new_baseline(repo: Path) -> None:
    (repo / "services" / "helpdesk").mkdir(parents=True)
    git(repo, "mv", "services/search/ai-feature.yaml", "services/helpdesk/ai-feature.yaml")

    result = archlint(repo, "--baseline", BASELINE, ".")
    assert result.returncode == 1
    assert "services/helpdesk/ai-feature.yaml:11:5: error RAG001" in result.stdout

    rewritten = archlint(repo, "--write-baseline", BASELINE, ".")
    assert rewritten.returncode == 0
    again = archlint(repo, "--baseline", BASELINE, ".")
    assert again.returncode == 0, again.stdout
    assert again.stdout.startswith(
        "1 file checked: 0 errors, 0 warnings, 0 info, 1 suppressed by the baseline"
    )


def test_a_run_the_baseline_changed_says_how_many_findings_it_suppressed(repo: Path) -> None:
    (repo / "services" / "search" / "second.ai-feature.yaml").write_text(
        FEATURE.replace("support-search", "second-search"), encoding="utf-8"
    )

    text = archlint(repo, "--baseline", BASELINE, ".")
    report = archlint(repo, "--baseline", BASELINE, "--format", "json", ".")

    assert text.returncode == report.returncode == 1  # the second file's finding is new
    summary = [line for line in text.stdout.splitlines() if " checked: " in line]
    assert summary == ["2 files checked: 1 error, 0 warnings, 0 info, 1 suppressed by the baseline"]
    data = json.loads(report.stdout)
    assert data["baseline"]["suppressed"] == data["baseline"]["matched"] == 1
    assert data["baseline"]["file"] == BASELINE


def test_a_run_without_a_baseline_or_that_it_did_not_change_says_nothing_of_it(repo: Path) -> None:
    (repo / "services" / "search" / "ai-feature.yaml").write_text(
        FEATURE.replace("acl_filtering: false", "acl_filtering: true"), encoding="utf-8"
    )
    result = archlint(repo, "--baseline", BASELINE, ".")
    plain = archlint(repo, ".")

    assert result.returncode == plain.returncode == 0
    assert "suppressed" not in result.stdout and "suppressed" not in plain.stdout
    assert (
        json.loads(archlint(repo, "--baseline", BASELINE, "--format", "json", ".").stdout)["baseline"][
            "suppressed"
        ]
        == 0
    )


def test_a_baseline_written_before_keeps_its_format(repo: Path) -> None:
    """Version 1 files (the same fields) are read as they are: only the matching is stricter."""
    data = json.loads((repo / BASELINE).read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert set(data["findings"][0]) == {"rule", "file", "path", "fingerprint", "message"}
    result = archlint(repo, "--baseline", BASELINE, ".")
    assert result.returncode == 0
    assert "1 suppressed by the baseline" in result.stdout
