"""The built-in catalog matches the product's published table, and every policy's own cases pass."""

from __future__ import annotations

import pytest

from archlint.policies import load_catalog
from archlint.policy_tests import CaseResult, default_plan, run_cases

CATALOG_TABLE = """
FT001 fine-tuning-for-dynamic-knowledge error
FT002 fine-tuning-for-missing-knowledge error
FT003 fine-tuning-without-eval-set error
FT004 too-few-training-examples error
FT005 thin-training-set warning
FT006 synthetic-training-data warning
FT007 no-retraining-plan warning
FT008 no-rollback-path warning
FT009 no-forgetting-check warning
FT010 low-volume-fine-tuning warning
FT011 prompting-not-tried-first warning
FT012 open-ended-fine-tuning warning
FT013 fine-tuning-cannot-cite error
FT014 prompting-already-sufficient warning
RAG001 rag-without-acl-filtering error
RAG002 no-retrieval-eval warning
RAG003 dense-only-for-exact-identifiers warning
RAG004 index-staler-than-knowledge error
RAG005 no-chunking-strategy warning
RAG006 context-pollution warning
RAG007 sensitive-context-to-external-model error
RAG008 third-party-store-not-allowed error
RAG009 low-latency-without-cache info
RAG010 corpus-fits-in-context info
RAG011 no-freshness-monitoring warning
RAG012 rag-for-behavior-problem warning
HYB001 hybrid-without-two-problems warning
GEN001 no-task-evaluation warning
GEN002 ungrounded-high-impact-answers error
GEN003 prompting-for-large-knowledge-gap warning
AGT001 irreversible-tool-without-approval error
AGT002 service-account-over-per-user-data error
AGT003 lethal-trifecta error
AGT004 untrusted-input-drives-writes warning
RAG013 shared-cache-over-per-user-data error
GEN004 small-evaluation-set warning
GEN005 sensitive-data-to-external-model error
WVR001 expired-waiver error
WVR002 unused-waiver warning
WVR003 waiver-for-unknown-rule error
SCH001 schema-violation error
SCH002 invalid-yaml error
"""

# Rules added beyond the table, documented in docs/rules.md.
ADDED = {
    "POL001": ("policy-evaluation-error", "error"),
    "WVR004": ("waiver-not-allowed", "error"),  # issue 13: the organisation's waiver policy
    "SCH003": ("unnamed-feature-file", "error"),  # issue 13: a feature file under another name
}

PARAMS = {
    "min_training_examples": 50,
    "recommended_training_examples": 500,
    "max_top_k": 8,
    "low_latency_ms": 500,
    "context_window_tokens": 100000,
    "min_daily_requests_for_fine_tuning": 1000,
    "min_eval_examples": 100,
}

CATALOG = load_catalog()


def table() -> dict[str, tuple[str, str]]:
    rows = [line.split() for line in CATALOG_TABLE.strip().splitlines()]
    return {rule_id: (name, severity) for rule_id, name, severity in rows}


def test_catalog_matches_the_published_table() -> None:
    loaded = {rule.id: (rule.name, rule.severity.value) for rule in CATALOG.rules}
    expected = table() | ADDED
    assert {k: v for k, v in loaded.items() if k in expected} == expected
    extra = set(loaded) - set(expected)
    # DEC001, the evidence rules (issue 17) and the DSC rules of archlint discover (issue 18) are
    # specified in their own issues and documented in docs/rules.md.
    evidence = {"EVD001", "EVD002", "EVD003", "EVD004", "EVD005", "EVD006"}
    assert extra <= {"DEC001", "DSC001", "DSC002", "DSC003", "DSC004"} | evidence, (
        f"undocumented rules: {extra}"
    )


def test_params_have_the_published_defaults() -> None:
    defaults = {name: param.default for name, param in CATALOG.params.items()}
    assert {k: defaults.get(k) for k in PARAMS} == PARAMS


def test_every_rule_is_explained_with_sources() -> None:
    for rule in CATALOG.rules:
        assert len(rule.rationale.split()) >= 40, f"{rule.id}: rationale too thin"
        assert rule.remediation.strip(), rule.id
        assert rule.references, rule.id
        assert all(ref.url.startswith("https://") for ref in rule.references), rule.id


def _cases() -> list[CaseResult]:
    return list(run_cases(CATALOG, list(CATALOG.sets), default_plan(CATALOG)))


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case.label)
def test_policy_case(case: CaseResult) -> None:
    details = [f"{f.rule} {f.path}: {f.message}" for f in case.findings]
    assert case.ok, f"{case.label}: findings were {details}"


def test_every_rule_has_both_kinds_of_case() -> None:
    for rule in CATALOG.rules:
        assert rule.tests["pass"], rule.id
        # POL001 fires only on a broken policy: tests/test_engine.py covers it.
        assert rule.tests["fail"] or rule.id == "POL001", rule.id
