"""`decide` never recommends an approach that `check` argues against (issue #14).

Each rule says in its policy whether its findings argue against the declared approach
(`argues_against_approach`: true, or a condition). For thousands of generated valid
features, the approach is set to the gates' recommendation and checked: no finding may
argue against it. Hypothesis runs derandomized, so CI sees the same examples every run,
and a failure prints the whole feature and the path through the gates.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archlint import decide
from archlint.check import check_documents, plan
from archlint.engine import arguing_against_approach
from archlint.loader import Document
from archlint.policies import load_catalog
from archlint.policy_tests import merge
from archlint.schema import validate
from archlint.settings import Settings

TODAY = datetime.date(2026, 11, 1)
CATALOG = load_catalog()
PARAMS: dict[str, Any] = {name: param.default for name, param in CATALOG.params.items()}
GATES = decide.builtin_gates(CATALOG.params)
PLAN = plan(CATALOG, Settings(today=TODAY))
SENSITIVITY = ["public", "internal", "confidential", "restricted"]


def _section(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


TOOLS = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["lookup", "refund", "send-email", "update-ticket"])},
        optional={
            "effect": st.sampled_from(["read", "write", "irreversible"]),
            "acts_as": st.sampled_from(["user", "service"]),
            "reaches": st.sampled_from(["internal", "external"]),
            "approval": st.sampled_from(["none", "human", "limit"]),
        },
    ),
    max_size=3,
)

FEATURES = st.fixed_dictionaries(
    {
        "apiVersion": st.just("archlint/v1"),
        "kind": st.just("AIFeature"),
        "metadata": st.just({"name": "generated", "owner": "team"}),
        "spec": st.fixed_dictionaries(
            {
                "problem": st.sampled_from(["knowledge", "behavior", "both"]),
                "approach": st.sampled_from(list(decide.APPROACHES)),
            },
            optional={
                "task": _section(
                    scope=st.sampled_from(["narrow", "open-ended"]),
                    output=st.sampled_from(["free-text", "styled-text", "structured"]),
                ),
                "knowledge": _section(
                    source=st.sampled_from(["corpus", "request", "mixed"]),
                    change_frequency=st.sampled_from(
                        ["realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "static"]
                    ),
                    corpus_tokens=st.sampled_from([0, 60_000, 100_000, 100_001, 4_000_000]),
                    per_user_permissions=st.booleans(),
                    sensitivity=st.sampled_from(SENSITIVITY),
                ),
                "inputs": _section(sensitivity=st.sampled_from(SENSITIVITY), untrusted_content=st.booleans()),
                "requirements": _section(
                    citations=st.booleans(),
                    hallucination_impact=st.sampled_from(["low", "medium", "high"]),
                    requests_per_day=st.sampled_from([0, 999, 1000, 50_000]),
                ),
                "prompting": _section(baseline_evaluated=st.booleans(), meets_quality_bar=st.booleans()),
                "fine_tuning": _section(
                    training_examples=st.sampled_from([0, 49, 50, 2000]),
                    eval_set=_section(examples=st.sampled_from([0, 1, 99, 300]), held_out=st.booleans()),
                ),
                "guardrails": _section(
                    output_checks=st.lists(
                        st.sampled_from(["schema", "source-match", "citation-check", "allowed-values"]),
                        unique=True,
                        max_size=2,
                    ),
                    human_review=st.sampled_from(["none", "sampled", "all"]),
                ),
                "tools": TOOLS,
                "governance": _section(external_model_api=st.booleans(), zero_data_retention=st.booleans()),
            },
        ),
    }
)


def fired(data: dict[str, Any]) -> set[str]:
    result = check_documents([Document(data, {})], "generated.ai-feature.yaml", PLAN)
    return {finding.rule for finding in result.findings}


def explain(data: dict[str, Any], decision: decide.Decision) -> str:
    path = "; ".join(f"gate {s.gate.number} {s.label}: {s.because}" for s in decision.steps)
    return f"\nfeature: {json.dumps(data, indent=1)}\npath: {path}"


@settings(max_examples=3000, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=FEATURES)
def test_no_rule_argues_against_the_recommended_approach(data: dict[str, Any]) -> None:
    assert validate(data) == []
    decision = decide.decide(data, GATES, PARAMS)
    moved = merge(data, {"spec": {"approach": decision.recommendation}})
    rules = fired(moved)
    arguing = arguing_against_approach(Document(moved, {}), CATALOG, sorted(rules), PARAMS)
    assert arguing == set(), f"{decision.recommendation}: {sorted(arguing)} argue against it" + explain(
        moved, decision
    )
    assert "POL001" not in rules, explain(moved, decision)
    # A flagged rule that still fires says something no approach changes: it fires under every one.
    for rule in CATALOG.rules:
        if rule.argues_against_approach and rule.id in rules:
            for other in decide.APPROACHES:
                assert rule.id in fired(merge(moved, {"spec": {"approach": other}})), (
                    f"{rule.id} fires under {decision.recommendation} but not under {other}, "
                    "so it argues against the approach" + explain(moved, decision)
                )


def test_the_flags_are_policy_data() -> None:
    flagged = {rule.id for rule in CATALOG.rules if rule.argues_against_approach}
    # The rules issue #14 names, and the ones like them.
    assert flagged >= {
        "RAG012", "HYB001", "RAG010", "GEN003", "FT001", "FT002", "FT010", "FT012",
        "FT013", "FT014", "GEN002", "DEC001",
    }  # fmt: skip
    # Rules about how an approach is built (or about agents and data) never argue against it.
    assert not flagged & {"RAG001", "RAG004", "FT005", "AGT001", "AGT003", "GEN004", "GEN005", "RAG013"}


def test_gen002_argues_only_when_facts_come_from_a_corpus() -> None:
    base = {
        "apiVersion": "archlint/v1",
        "kind": "AIFeature",
        "metadata": {"name": "clause-extractor", "owner": "legal"},
        "spec": {
            "problem": "behavior",
            "approach": "prompting",
            "requirements": {"hallucination_impact": "high"},
        },
    }
    corpus = Document(base, {})
    request = Document(merge(base, {"spec": {"knowledge": {"source": "request"}}}), {})
    assert "GEN002" in fired(corpus.data) and "GEN002" in fired(request.data)
    assert arguing_against_approach(corpus, CATALOG, ["GEN002"], PARAMS) == {"GEN002"}
    assert arguing_against_approach(request, CATALOG, ["GEN002"], PARAMS) == set()
