"""Rule cases with `files`: data written into a temporary folder that is the case's repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.errors import PolicyError
from archlint.policies import load_catalog, load_files
from archlint.policy_tests import default_plan, run_cases
from archlint.resources import builtin_policy_files

POLICY = """apiVersion: archlint/v1
kind: PolicySet
metadata: {{name: with-files}}
rules:
  - id: ZZZ001
    name: never-fires
    severity: info
    summary: A rule whose cases carry files.
    condition: "false"
    path: spec.problem
    message: never
    rationale: r
    remediation: r
    references: [{{title: t, url: "https://example.org"}}]
    tests:
      pass:
        - document:
            apiVersion: archlint/v1
            kind: AIFeature
            metadata: {{name: a, owner: b}}
            spec: {{problem: behavior, approach: fine-tuning, fine_tuning: {{data: {{train: t.jsonl}}}}}}
          files:
            {name}: "{{}}\\n"
"""


def test_every_evidence_case_passes_and_writes_nothing_outside_its_folder(tmp_path: Path) -> None:
    catalog = load_catalog()
    sets = [policy_set for policy_set in catalog.sets if policy_set.name == "evidence"]
    results = list(run_cases(catalog, sets, default_plan(catalog)))
    assert len(results) >= 20
    assert [result.label for result in results if not result.ok] == []


@pytest.mark.parametrize("name", ["../escape.jsonl", "/tmp/absolute.jsonl"])
def test_a_case_file_outside_the_case_folder_is_refused(tmp_path: Path, name: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.format(name=name), encoding="utf-8")
    files = [(path, True) for path in builtin_policy_files()] + [(str(policy), False)]
    catalog = load_files(files)
    sets = [policy_set for policy_set in catalog.sets if policy_set.name == "with-files"]
    with pytest.raises(PolicyError, match="must be a path inside the case's folder"):
        list(run_cases(catalog, sets, default_plan(catalog)))
    assert not (tmp_path / "escape.jsonl").exists()
