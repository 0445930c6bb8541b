"""The built-in rules' framework mappings: known controls, each backed by a cited, quoted source."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.cli import main
from archlint.policies import Rule, load_catalog
from archlint.portfolio import frameworks

from ..conftest import CLEAN_RAG_FEATURE

# Where each framework's own text lives: a mapping must cite it.
SOURCES = {
    "owasp-llm-2025": "https://genai.owasp.org/llmrisk/",
    "nist-ai-rmf-1.0": "https://nvlpubs.nist.gov/",
}
RULES = [rule for rule in load_catalog().rules if rule.mappings]


def test_the_rules_the_issue_names_are_mapped() -> None:
    mapped = {rule.id: dict(rule.mappings) for rule in RULES}
    assert set(mapped["RAG001"]["owasp-llm-2025"]) >= {"LLM08", "LLM02"}
    for rule in ("RAG007", "GEN005"):
        assert "LLM02" in mapped[rule]["owasp-llm-2025"]
    assert mapped["GEN002"]["owasp-llm-2025"] == ("LLM09",)
    for rule in ("AGT001", "AGT002", "AGT003", "AGT004"):
        assert "LLM06" in mapped[rule]["owasp-llm-2025"]
    assert {"AGT003", "AGT004"} <= {r for r, m in mapped.items() if "LLM01" in m.get("owasp-llm-2025", ())}
    for rule in ("GEN001", "GEN004", "FT003"):
        assert all(c.startswith("MEASURE 2.") for c in mapped[rule]["nist-ai-rmf-1.0"])


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_mapping_names_a_known_control_and_cites_it(rule: Rule) -> None:
    for framework, controls in rule.mappings:
        assert framework in frameworks.FRAMEWORKS
        for control in controls:
            assert control in frameworks.FRAMEWORKS[framework].controls
            cited = [
                r
                for r in rule.references
                if r.url.startswith(SOURCES[framework])
                and r.supports
                and r.quote
                and (framework != "nist-ai-rmf-1.0" or control in r.quote)
            ]
            assert cited, f"{rule.id} maps to {control} without a quoted reference to the framework"


CUSTOM_POLICY = """apiVersion: archlint/v1
kind: PolicySet
metadata: {name: acme}
rules:
  - id: ACME001
    name: acme-needs-citations
    severity: error
    summary: Answers must cite.
    condition: "spec.?requirements.?citations.orValue(false) != true"
    path: spec.requirements.citations
    message: citations are off
    tags: [acme]
    mappings:
      acme-ai-standard: [AI-7]
      owasp-llm-2025: [LLM09]
    rationale: Internal standard AI-7.
    remediation: Turn citations on.
    references:
      - {title: ACME AI standard, url: "https://example.com/ai-standard"}
    tests:
      fail:
        - document: {apiVersion: archlint/v1, kind: AIFeature, metadata: {name: a, owner: b},
                     spec: {problem: knowledge, approach: rag}}
"""


def test_custom_policies_carry_mappings_to_any_framework(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "acme.yaml"
    policy.write_text(CUSTOM_POLICY, encoding="utf-8")
    assert main(["rules", "--isolated", "--policies", str(policy), "--framework", "acme-ai-standard"]) == 0
    out = capsys.readouterr().out
    assert [line.split() for line in out.splitlines()[:3]] == [
        ["acme-ai-standard"],
        ["AI-7"],
        ["ACME001", "acme-needs-citations"],
    ]
    assert main(["rules", "--isolated", "--policies", str(policy), "--framework", "owasp-llm-2025"]) == 0
    assert "ACME001" in capsys.readouterr().out
    (tmp_path / "f.ai-feature.yaml").write_text(CLEAN_RAG_FEATURE, encoding="utf-8")
    page = tmp_path / "report.html"
    args = ["report", "--isolated", "--policies", str(policy), str(tmp_path), "-o", str(page)]
    assert main(args) == 0
    html = page.read_text(encoding="utf-8")
    assert 'data-framework="acme-ai-standard"' in html


@pytest.mark.parametrize(
    ("mappings", "problem"),
    [("{OWASP LLM: [LLM01]}", "OWASP LLM"), ("{owasp-llm-2025: LLM01}", "array"), ("{x: ['<b>']}", "<b>")],
)
def test_malformed_mappings_are_policy_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mappings: str, problem: str
) -> None:
    policy = tmp_path / "acme.yaml"
    text = CUSTOM_POLICY.replace(
        "mappings:\n      acme-ai-standard: [AI-7]\n      owasp-llm-2025: [LLM09]", f"mappings: {mappings}"
    )
    policy.write_text(text, encoding="utf-8")
    assert main(["rules", "--isolated", "--policies", str(policy)]) == 2
    err = capsys.readouterr().err
    assert "acme.yaml" in err and "Traceback" not in err
