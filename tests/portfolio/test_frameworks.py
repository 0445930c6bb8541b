"""The built-in rules' framework mappings: known controls, each backed by a cited, quoted source."""

from __future__ import annotations

import pytest

from archlint.policies import Rule, load_catalog
from archlint.portfolio import frameworks

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
