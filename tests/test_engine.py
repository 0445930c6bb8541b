"""Rules evaluated on documents: findings, messages, locations, evaluation errors."""

from __future__ import annotations

from pathlib import Path

from archlint.check import check_text, plan
from archlint.policies import load_catalog
from archlint.settings import Settings

FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata:
  name: triage
  owner: support
spec:
  problem: behavior
  approach: fine-tuning
  fine_tuning:
    training_examples: 0
"""

POLICY = """apiVersion: archlint/v1
kind: PolicySet
metadata: {name: org}
params:
  divisor: {default: 0, description: a threshold that makes the division fail}
rules:
  - id: ORG001
    name: divides
    severity: warning
    summary: s
    condition: "100 / params.divisor > 1"
    path: spec.fine_tuning.training_examples
    message: m
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
  - id: ORG002
    name: unguarded
    severity: warning
    summary: s
    condition: "spec.rag.top_k > 3"
    path: spec.rag.top_k
    message: m
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
  - id: ORG003
    name: templated
    severity: info
    summary: s
    condition: "true"
    path: spec.fine_tuning.training_examples
    message: >-
      {spec.fine_tuning.training_examples} examples, min {params.min_training_examples}, rag {spec.rag.top_k}
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
"""


def run(
    tmp_path: Path, feature: str = FEATURE, settings: Settings | None = None
) -> list[tuple[str, str, int, int, str]]:
    policy = tmp_path / "org.yaml"
    policy.write_text(POLICY)
    catalog = load_catalog([str(policy)])
    result = check_text(feature, "ai-feature.yaml", plan(catalog, settings or Settings()))
    return [(f.rule, f.path, f.line, f.column, f.message) for f in result.findings]


def test_evaluation_errors_become_located_findings(tmp_path: Path) -> None:
    findings = run(tmp_path)
    errors = [f for f in findings if f[0] == "POL001"]
    assert (
        "POL001",
        "spec.fine_tuning.training_examples",
        10,
        5,
        "rule ORG001 could not be evaluated on this document: divide by zero",
    ) in errors
    # ORG002 points at spec.rag.top_k; rag is absent so the finding sits on spec.
    assert any(f[1] == "spec.rag.top_k" and (f[2], f[3]) == (6, 1) and "ORG002" in f[4] for f in errors)


def test_message_placeholders_render_values_and_absence(tmp_path: Path) -> None:
    findings = run(tmp_path)
    assert (
        "ORG003",
        "spec.fine_tuning.training_examples",
        10,
        5,
        "0 examples, min 50, rag (not set)",
    ) in findings


def test_params_from_settings_override_defaults(tmp_path: Path) -> None:
    findings = run(tmp_path, settings=Settings(params={"divisor": 10}))
    assert not any(f[0] == "POL001" and "ORG001" in f[4] for f in findings)
    assert any(f[0] == "ORG001" for f in findings)


def test_builtin_rules_point_at_fields_and_parents(tmp_path: Path) -> None:
    findings = run(tmp_path)
    ft004 = [f for f in findings if f[0] == "FT004"]
    assert ft004 and (ft004[0][2], ft004[0][3]) == (10, 5)
    ft003 = [f for f in findings if f[0] == "FT003"]
    assert ft003 and ft003[0][1] == "spec.fine_tuning.eval_set" and (ft003[0][2], ft003[0][3]) == (9, 3)


def test_schema_invalid_document_gets_only_schema_findings(tmp_path: Path) -> None:
    findings = run(tmp_path, FEATURE.replace("approach: fine-tuning", "approach: finetuning"))
    assert {f[0] for f in findings} == {"SCH001"}
    assert findings[0][1:4] == ("spec.approach", 8, 3)


def test_each_document_of_a_multi_document_file_is_checked(tmp_path: Path) -> None:
    second = FEATURE.replace("name: triage", "name: second").replace("approach: fine-tuning", "approach: rag")
    findings = run(tmp_path, FEATURE + "---\n" + second)
    lines = {f[2] for f in findings if f[0] == "FT004"}
    assert lines == {10}
    assert any(f[0] == "RAG012" and f[2] > 11 for f in findings)


def test_a_long_list_in_a_message_shows_its_first_items(tmp_path: Path) -> None:
    tools = "".join(f"    - {{name: tool-{n}, effect: irreversible}}\n" for n in range(25))
    feature = FEATURE.replace("  fine_tuning:\n    training_examples: 0\n", "  tools:\n" + tools)
    catalog = load_catalog()
    result = check_text(feature, "ai-feature.yaml", plan(catalog, Settings()))
    (message,) = [f.message for f in result.findings if f.rule == "AGT001"]
    assert "tool-0, tool-1, " in message and "tool-9, and 15 more (effect irreversible)" in message
    assert "tool-10" not in message
