"""The decision engine (archlint/decide.py) and the built-in gates (archlint/gates.yaml)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archlint import decide
from archlint.check import check_documents, plan
from archlint.errors import PolicyError
from archlint.finding import Severity
from archlint.loader import Document, YamlError, load_all, read_file
from archlint.policies import Catalog, load_catalog
from archlint.policy_tests import merge
from archlint.schema import validate
from archlint.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TODAY = datetime.date(2026, 11, 1)

CATALOG = load_catalog()
PARAMS: dict[str, Any] = {name: param.default for name, param in CATALOG.params.items()}
GATES = decide.builtin_gates(CATALOG.params)

# A narrow, high-volume behavior feature that passes every gate: the gates recommend fine-tuning.
BASE: dict[str, Any] = {
    "apiVersion": "archlint/v1",
    "kind": "AIFeature",
    "metadata": {"name": "invoice-field-extractor", "owner": "finance-automation"},
    "spec": {
        "problem": "behavior",
        "approach": "fine-tuning",
        "task": {"scope": "narrow", "output": "structured"},
        "knowledge": {"change_frequency": "static", "corpus_tokens": 400_000, "per_user_permissions": False},
        "requirements": {"citations": False, "hallucination_impact": "medium", "requests_per_day": 30_000},
        "prompting": {"baseline_evaluated": True, "meets_quality_bar": False},
        "fine_tuning": {"training_examples": 2000, "eval_set": {"examples": 300, "held_out": True}},
    },
}

MINIMAL: dict[str, Any] = {
    "apiVersion": "archlint/v1",
    "kind": "AIFeature",
    "metadata": {"name": "minimal", "owner": "team"},
    "spec": {"problem": "behavior", "approach": "prompting"},
}


def walk(overlay: Mapping[str, Any], params: Mapping[str, Any] = PARAMS) -> decide.Decision:
    data = merge(BASE, overlay)
    assert validate(data) == [], validate(data)
    return decide.decide(data, GATES, params)


# ---------------------------------------------------------------------------- the gates as data


def test_the_eight_gates_of_the_issue_in_order() -> None:
    assert [(gate.number, gate.id) for gate in GATES.gates] == [
        (1, "context-first"),
        (2, "knowledge-dynamics"),
        (3, "knowledge-or-behavior"),
        (4, "prompting-first"),
        (5, "training-data"),
        (6, "narrow-or-format"),
        (7, "volume-and-budget"),
        (8, "both-needs"),
    ]
    assert GATES.params == (
        "context_window_tokens",
        "min_daily_requests_for_fine_tuning",
        "min_training_examples",
    )
    for gate in GATES.gates:
        assert gate.title and gate.question.endswith("?") and gate.why
        assert gate.outcomes[-1].when is None


def test_every_outcome_names_what_decided_it() -> None:
    for gate in GATES.gates:
        for outcome in gate.outcomes:
            assert outcome.label and outcome.because
            if gate.id != "both-needs":  # the last gate reads only the decision variables
                assert outcome.fields, (gate.id, outcome.label)


def test_every_question_fills_a_field_the_gates_read() -> None:
    read = {path for gate in GATES.gates for outcome in gate.outcomes for path in outcome.fields}
    for question in GATES.questions:
        assert question.field in read, question.id
    assert [q.id for q in GATES.questions][:1] == ["problem"]


# ---------------------------------------------------------------------------- one exit per gate

CASES: list[tuple[str, dict[str, Any], str, int]] = [
    ("base: every gate passed, behavior only", {}, "fine-tuning", 8),
    # gate 1
    (
        "small public corpus, knowledge problem: long context",
        {"spec": {"problem": "knowledge", "knowledge": {"corpus_tokens": 80_000}}},
        "prompting",
        1,
    ),
    (
        "corpus exactly the window (boundary)",
        {"spec": {"problem": "knowledge", "knowledge": {"corpus_tokens": 100_000}}},
        "prompting",
        1,
    ),
    (
        "one token over the window (boundary)",
        {"spec": {"problem": "knowledge", "knowledge": {"corpus_tokens": 100_001}}},
        "rag",
        3,
    ),
    (
        "small corpus but per-user permissions",
        {
            "spec": {
                "problem": "knowledge",
                "knowledge": {"corpus_tokens": 80_000, "per_user_permissions": True},
            }
        },
        "rag",
        3,
    ),
    (
        "small corpus, permissions not stated (assumed to differ per user)",
        {
            "spec": {
                "problem": "knowledge",
                "knowledge": {"corpus_tokens": 80_000, "per_user_permissions": None},
            }
        },
        "rag",
        3,
    ),
    (
        "small corpus but high-stakes answers",
        {
            "spec": {
                "problem": "knowledge",
                "knowledge": {"corpus_tokens": 80_000},
                "requirements": {"hallucination_impact": "high"},
            }
        },
        "rag",
        3,
    ),
    (
        "corpus size unknown",
        {"spec": {"problem": "knowledge", "knowledge": {"corpus_tokens": None}}},
        "rag",
        3,
    ),
    # gate 2
    (
        "weekly facts, knowledge problem",
        {"spec": {"problem": "knowledge", "knowledge": {"change_frequency": "weekly"}}},
        "rag",
        2,
    ),
    (
        "monthly is the slowest dynamic rate (boundary)",
        {"spec": {"problem": "knowledge", "knowledge": {"change_frequency": "monthly"}}},
        "rag",
        2,
    ),
    (
        "quarterly is not dynamic (boundary)",
        {"spec": {"problem": "knowledge", "knowledge": {"change_frequency": "quarterly"}}},
        "rag",
        3,
    ),
    (
        "fine-tuning path with weekly facts: hybrid",
        {"spec": {"knowledge": {"change_frequency": "weekly"}}},
        "hybrid",
        8,
    ),
    (
        "weekly facts but the corpus travels in the prompt",
        {"spec": {"problem": "both", "knowledge": {"change_frequency": "weekly", "corpus_tokens": 50_000}}},
        "hybrid",
        8,
    ),
    # gate 3
    ("both needs reach fine-tuning: hybrid", {"spec": {"problem": "both"}}, "hybrid", 8),
    ("citations required: hybrid", {"spec": {"requirements": {"citations": True}}}, "hybrid", 8),
    (
        "high-stakes behavior: hybrid",
        {"spec": {"requirements": {"hallucination_impact": "high"}}},
        "hybrid",
        8,
    ),
    # gate 4
    ("prompting not measured", {"spec": {"prompting": {"baseline_evaluated": False}}}, "prompting", 4),
    (
        "prompting not measured, knowledge need: rag",
        {"spec": {"problem": "both", "prompting": {"baseline_evaluated": False}}},
        "rag",
        4,
    ),
    ("prompting meets the bar", {"spec": {"prompting": {"meets_quality_bar": True}}}, "prompting", 4),
    (
        "measured, result not stated: the simpler approach is kept",
        {"spec": {"prompting": {"meets_quality_bar": None}}},
        "prompting",
        4,
    ),
    # gate 5
    (
        "49 examples, one under the minimum (boundary)",
        {"spec": {"fine_tuning": {"training_examples": 49}}},
        "prompting",
        5,
    ),
    (
        "50 examples is enough (boundary)",
        {"spec": {"fine_tuning": {"training_examples": 50}}},
        "fine-tuning",
        8,
    ),
    ("no evaluation set", {"spec": {"fine_tuning": {"eval_set": None}}}, "prompting", 5),
    (
        "evaluation set not held out",
        {"spec": {"fine_tuning": {"eval_set": {"held_out": False}}}},
        "prompting",
        5,
    ),
    (
        "too few examples with a knowledge need: rag",
        {"spec": {"problem": "both", "fine_tuning": {"training_examples": 10}}},
        "rag",
        5,
    ),
    # gate 6
    (
        "open-ended with free text",
        {"spec": {"task": {"scope": "open-ended", "output": "free-text"}}},
        "prompting",
        6,
    ),
    (
        "open-ended but structured output continues",
        {"spec": {"task": {"scope": "open-ended", "output": "structured"}}},
        "fine-tuning",
        8,
    ),
    (
        "open-ended with styled output stops: a tuned voice drifts (FT012)",
        {"spec": {"task": {"scope": "open-ended", "output": "styled-text"}}},
        "prompting",
        6,
    ),
    ("task shape not stated", {"spec": {"task": None}}, "prompting", 6),
    # gate 7
    (
        "one request under the volume threshold (boundary)",
        {"spec": {"requirements": {"requests_per_day": 999}}},
        "prompting",
        7,
    ),
    (
        "exactly the volume threshold (boundary)",
        {"spec": {"requirements": {"requests_per_day": 1000}}},
        "fine-tuning",
        8,
    ),
    ("volume not stated", {"spec": {"requirements": {"requests_per_day": None}}}, "prompting", 7),
    # facts in the request (issue #14): nothing to retrieve, refresh or train
    (
        "facts in the request for a knowledge problem: put them in the prompt",
        {"spec": {"problem": "knowledge", "knowledge": {"source": "request", "corpus_tokens": 4_000_000}}},
        "prompting",
        3,
    ),
    (
        "facts in the request, daily, cited, high-stakes: still fine-tuning for the behavior",
        {
            "spec": {
                "knowledge": {"source": "request", "change_frequency": "daily"},
                "requirements": {"citations": True, "hallucination_impact": "high"},
            }
        },
        "fine-tuning",
        8,
    ),
    (
        "both needs with the facts in the request: no hybrid",
        {"spec": {"problem": "both", "knowledge": {"source": "request"}}},
        "fine-tuning",
        8,
    ),
    # guardrails (issue #14): a person approving every output grounds high stakes
    (
        "high-stakes behavior, every output approved by a person",
        {"spec": {"requirements": {"hallucination_impact": "high"}, "guardrails": {"human_review": "all"}}},
        "fine-tuning",
        8,
    ),
    (
        "high-stakes behavior, sampled review is not enough",
        {
            "spec": {
                "requirements": {"hallucination_impact": "high"},
                "guardrails": {"human_review": "sampled"},
            }
        },
        "hybrid",
        8,
    ),
    (
        "small corpus, high stakes approved by a person: long context",
        {
            "spec": {
                "problem": "knowledge",
                "knowledge": {"corpus_tokens": 80_000},
                "requirements": {"hallucination_impact": "high"},
                "guardrails": {"human_review": "all"},
            }
        },
        "prompting",
        1,
    ),
    (
        "mixed facts, every output matched against the request",
        {
            "spec": {
                "knowledge": {"source": "mixed"},
                "requirements": {"hallucination_impact": "high"},
                "guardrails": {"output_checks": ["schema", "source-match"]},
            }
        },
        "fine-tuning",
        8,
    ),
]


@pytest.mark.parametrize(("overlay", "expected", "gate"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_recommendation_and_deciding_gate(overlay: dict[str, Any], expected: str, gate: int) -> None:
    decision = walk(overlay)
    assert (decision.recommendation, decision.deciding.gate.number) == (expected, gate)
    assert [step.gate.number for step in decision.steps] == list(range(1, gate + 1))
    assert all(step.recommendation is None for step in decision.steps[:-1])
    assert decision.deciding.recommendation == expected


def test_params_move_the_thresholds() -> None:
    assert walk({}, {**PARAMS, "min_daily_requests_for_fine_tuning": 50_000}).recommendation == "prompting"
    assert walk({}, {**PARAMS, "min_training_examples": 5000}).deciding.gate.number == 5
    small = {"spec": {"problem": "knowledge", "knowledge": {"corpus_tokens": 150_000}}}
    assert walk(small).recommendation == "rag"
    assert walk(small, {**PARAMS, "context_window_tokens": 200_000}).recommendation == "prompting"


# ---------------------------------------------------------------------------- explanations


def test_steps_show_the_values_that_decided_them() -> None:
    decision = walk({"spec": {"problem": "knowledge", "knowledge": {"change_frequency": "weekly"}}})
    first, second = decision.steps
    assert first.label == "does not fit"
    assert [(v.dotted, v.value, v.present) for v in first.fields] == [
        ("spec.knowledge.corpus_tokens", 400_000, True)
    ]
    assert "400,000 tokens" in first.because and "100,000" in first.because
    assert second.label == "changing"
    assert "weekly" in second.because
    assert decision.assumptions == ()
    assert not decision.agrees and decision.declared == "fine-tuning"


def test_absent_fields_are_reported_with_what_was_assumed() -> None:
    decision = decide.decide(MINIMAL, GATES, PARAMS)
    assert decision.recommendation == "prompting"
    assert decision.deciding.gate.id == "prompting-first"
    assumed = {value.dotted: value.value for value in decision.assumptions}
    assert assumed == {
        "spec.knowledge.corpus_tokens": None,  # no value assumed: size unknown
        "spec.knowledge.change_frequency": "static",
        "spec.requirements.citations": False,
        "spec.requirements.hallucination_impact": "medium",
        "spec.guardrails.human_review": "none",
        "spec.prompting.baseline_evaluated": False,
    }
    assert all(not value.present for value in decision.assumptions)
    notes = {value.dotted: value.assumption for value in decision.assumptions}
    assert notes["spec.knowledge.corpus_tokens"] is not None
    assert "unknown" in notes["spec.knowledge.corpus_tokens"].note


def test_a_present_field_is_never_reported_as_assumed() -> None:
    decision = decide.decide(merge(MINIMAL, {"spec": {"requirements": {"citations": False}}}), GATES, PARAMS)
    assert "spec.requirements.citations" not in {value.dotted for value in decision.assumptions}
    shown = {value.dotted: value for step in decision.steps for value in step.fields}
    assert shown["spec.requirements.citations"].present


def test_assumptions_do_not_touch_the_document() -> None:
    data = merge(MINIMAL, {"spec": {"knowledge": {"sensitivity": "public"}}})
    before = repr(data)
    decide.decide(data, GATES, PARAMS)
    assert repr(data) == before


def test_without_explain_the_recommendation_is_the_same() -> None:
    for _, overlay, _, _ in CASES:
        data = merge(BASE, overlay)
        full = decide.decide(data, GATES, PARAMS)
        quick = decide.decide(data, GATES, PARAMS, explain=False)
        assert (quick.recommendation, quick.deciding.gate) == (full.recommendation, full.deciding.gate)
        # The reason is kept only where DEC001 quotes it: a walk that disagrees with the file.
        assert quick.deciding.because == ("" if quick.agrees else full.deciding.because)
        if not quick.agrees:
            assert decide.finding_message(quick) == decide.finding_message(full)


# ---------------------------------------------------------------------------- any valid document

_OPTIONAL = st.none()


def _section(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


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
                    change_frequency=st.sampled_from(
                        ["realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "static"]
                    ),
                    corpus_tokens=st.sampled_from([0, 60_000, 100_000, 100_001, 4_000_000])
                    | st.integers(0, 10**7),
                    per_user_permissions=st.booleans(),
                ),
                "requirements": _section(
                    citations=st.booleans(),
                    hallucination_impact=st.sampled_from(["low", "medium", "high"]),
                    requests_per_day=st.sampled_from([0, 999, 1000, 50_000]) | st.integers(0, 10**6),
                ),
                "prompting": _section(baseline_evaluated=st.booleans(), meets_quality_bar=st.booleans()),
                "fine_tuning": _section(
                    training_examples=st.sampled_from([0, 49, 50, 2000]) | st.integers(0, 5000),
                    eval_set=_section(examples=st.sampled_from([0, 1, 300]), held_out=st.booleans()),
                ),
            },
        ),
    }
)

# Error rules about the fit of the approach itself: a document moved to the recommended approach
# must never fire them, or `decide` and `check` would contradict each other.
FIT_ERRORS = {"FT001", "FT002", "FT003", "FT004", "FT013", "GEN002"}
FIT_WARNINGS = {"FT010", "FT011", "FT014", "GEN003"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=FEATURES)
def test_any_valid_document_gets_a_recommendation_check_agrees_with(data: dict[str, Any]) -> None:
    assert validate(data) == []
    decision = decide.decide(data, GATES, PARAMS)
    assert decision.recommendation in decide.APPROACHES
    # The one-program-per-gate shortcut takes the same path as condition-by-condition evaluation.
    slow = GATES._replace(gates=tuple(g._replace(chooser=None) for g in GATES.gates))
    assert [s.outcome for s in decide.decide(data, slow, PARAMS).steps] == [s.outcome for s in decision.steps]
    moved = merge(data, {"spec": {"approach": decision.recommendation}})
    result = check_documents([Document(moved, {})], "generated", plan(CATALOG, Settings(today=TODAY)))
    fired = {finding.rule for finding in result.findings}
    assert not fired & (FIT_ERRORS | FIT_WARNINGS | {"DEC001", "POL001"}), (decision.recommendation, fired)


# ---------------------------------------------------------------------------- DEC001 in check


def check(data: dict[str, Any], **settings_: Any) -> list[Any]:
    the_plan = plan(CATALOG, Settings(today=TODAY, **settings_))
    return list(check_documents([Document(data, {})], "feature.yaml", the_plan).findings)


def test_dec001_names_the_recommendation_and_the_deciding_gate() -> None:
    findings = [
        f
        for f in check(merge(BASE, {"spec": {"knowledge": {"change_frequency": "weekly"}}}))
        if f.rule == "DEC001"
    ]
    assert len(findings) == 1
    finding = findings[0]
    assert finding.severity is Severity.INFO
    assert finding.name == "approach-differs-from-recommendation"
    assert finding.path == "spec.approach"
    assert finding.message.startswith("approach is fine-tuning, but the decision gates recommend hybrid")
    assert "gate 8 (Both needs present)" in finding.message


def test_dec001_is_quiet_when_the_approach_agrees() -> None:
    assert [f for f in check(BASE) if f.rule == "DEC001"] == []


def test_dec001_can_be_ignored_and_waived() -> None:
    differs = merge(BASE, {"spec": {"approach": "hybrid", "problem": "both"}})
    differs["spec"]["approach"] = "rag"
    assert any(f.rule == "DEC001" for f in check(differs))
    assert not any(f.rule == "DEC001" for f in check(differs, ignore=("DEC001",)))
    waiver = {"rule": "DEC001", "reason": "latency budget", "approved_by": "board", "expires": "2999-01-01"}
    waived = merge(differs, {"spec": {"waivers": [waiver]}})
    (finding,) = [f for f in check(waived) if f.rule == "DEC001"]
    assert finding.suppressed is not None and "latency budget" in finding.suppressed


def test_dec001_is_documented_in_the_catalog() -> None:
    rule = CATALOG.rule("DEC001")
    assert rule is not None and rule.engine and rule.severity is Severity.INFO
    assert rule.tests["pass"] and rule.tests["fail"]


# ---------------------------------------------------------------------------- the examples

# What a reader of the reading folder would recommend for each anti-pattern whose mistake is the
# approach itself; every other example keeps its declared approach.
ANTI_PATTERN_RECOMMENDATIONS = {
    "FT001": {"hybrid", "rag"},  # weekly or monthly facts trained into weights
    "FT002": {"rag"},  # fine-tuning to supply missing knowledge
    "FT003": {"prompting", "rag"},  # no held-out evaluation set: not yet
    "FT004": {"prompting", "rag"},  # too few examples: not yet
    "FT010": {"prompting", "rag"},  # low volume: better prompting pays off sooner
    "FT011": {"prompting", "rag"},  # prompting never measured
    "FT012": {"prompting", "rag"},  # open-ended chat in a tuned voice
    "FT013": {"hybrid", "rag"},  # citations need retrieval
    "FT014": {"prompting", "rag"},  # prompting already meets the bar
    "GEN002": {"rag", "hybrid"},  # high-stakes answers need grounding
    "GEN003": {"rag", "hybrid"},  # a knowledge gap too big for the prompt
    "HYB001": {"rag", "prompting", "fine-tuning"},  # hybrid without two problems
    "RAG010": {"prompting"},  # the corpus fits in context
    "RAG012": {"prompting", "fine-tuning"},  # retrieval for a behavior problem
    "DEC001": {"rag"},  # a weekly, permissioned price book pasted into the prompt
}


def _documents(path: Path) -> list[Document]:
    """The schema-valid documents of an example (none for the SCH001 and SCH002 files)."""
    try:
        documents = load_all(read_file(str(path)))
    except YamlError:
        return []
    return [document for document in documents if not validate(document.data)]


CLEAN_FILES = sorted((EXAMPLES / "clean").glob("*.ai-feature.yaml"))
ANTI_PATTERN_FILES = sorted((EXAMPLES / "anti-patterns").glob("*.ai-feature.yaml"))


@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: p.name)
def test_clean_examples_declare_the_recommended_approach(path: Path) -> None:
    documents = _documents(path)
    assert documents
    for document in documents:
        decision = decide.decide(document.data, GATES, PARAMS)
        assert decision.agrees, (decision.feature, decision.recommendation, decision.deciding.because)


@pytest.mark.parametrize("path", ANTI_PATTERN_FILES, ids=lambda p: p.name)
def test_anti_pattern_examples_get_the_recommendation_the_reading_gives(path: Path) -> None:
    rule = path.name.split("-", 1)[0]
    for document in _documents(path):
        decision = decide.decide(document.data, GATES, PARAMS)
        expected = ANTI_PATTERN_RECOMMENDATIONS.get(rule, {decision.declared})
        assert decision.recommendation in expected, (rule, decision.recommendation, decision.deciding.because)
        if rule in ANTI_PATTERN_RECOMMENDATIONS:
            assert not decision.agrees


def test_the_examples_cover_the_approach_anti_patterns() -> None:
    present = {path.name.split("-", 1)[0] for path in ANTI_PATTERN_FILES}
    assert set(ANTI_PATTERN_RECOMMENDATIONS) <= present
    assert len(CLEAN_FILES) >= 4


# ---------------------------------------------------------------------------- custom gates files

GATES_HEADER = """apiVersion: archlint/v1
kind: DecisionGates
metadata: {name: custom}
state: {knowledge: none}
assumptions:
  spec.requirements.requests_per_day: {value: 0, note: no volume declared}
"""


def gates(body: str, header: str = GATES_HEADER) -> decide.Gates:
    return decide.parse_gates(header + body, "custom-gates.yaml", CATALOG.params)


def test_an_organisation_can_use_its_own_gates() -> None:
    custom = gates(
        """gates:
  - id: volume
    title: Volume
    question: Is it busy?
    why: Busy features pay for tuning.
    outcomes:
      - when: spec.requirements.requests_per_day >= params.min_daily_requests_for_fine_tuning
        recommend: "'fine-tuning'"
        label: busy
        fields: [spec.requirements.requests_per_day]
        because: "{spec.requirements.requests_per_day} a day"
      - recommend: "'rag'"
        label: quiet
        fields: [spec.requirements.requests_per_day]
        because: quiet
"""
    )
    assert decide.decide(BASE, custom, PARAMS).recommendation == "fine-tuning"
    quiet = decide.decide(MINIMAL, custom, PARAMS)
    assert quiet.recommendation == "rag"
    (assumed,) = quiet.assumptions
    assert (assumed.dotted, assumed.value, assumed.present) == (
        "spec.requirements.requests_per_day",
        0,
        False,
    )


GATE = """gates:
  - id: only
    title: Only
    question: Only?
    why: Because.
    outcomes:
{outcomes}
"""
OTHERWISE = """      - recommend: "'rag'"
        label: otherwise
        fields: []
        because: otherwise
"""

BROKEN: list[tuple[str, str, str, str]] = [
    ("not YAML", GATES_HEADER, "gates: [", "invalid YAML"),
    ("schema: unknown key", GATES_HEADER, "gates: []\nextra: 1\n", "not a valid gates file"),
    (
        "an unknown field in fields",
        GATES_HEADER,
        GATE.format(outcomes=OTHERWISE.replace("fields: []", "fields: [spec.rag.topk]")),
        "'spec.rag.topk' is not a field",
    ),
    (
        "an unknown param",
        GATES_HEADER,
        GATE.format(
            outcomes="      - when: spec.problem == params.nope\n        label: x\n        fields: []\n"
            "        because: x\n" + OTHERWISE
        ),
        "unknown param 'nope'",
    ),
    (
        "an unknown decision variable",
        GATES_HEADER,
        GATE.format(
            outcomes="      - when: decision.nope == 'x'\n        label: x\n        fields: []\n"
            "        because: x\n" + OTHERWISE
        ),
        "unknown decision variable 'nope'",
    ),
    (
        "a CEL syntax error",
        GATES_HEADER,
        GATE.format(
            outcomes="      - when: spec.problem ==\n        label: x\n        fields: []\n"
            "        because: x\n" + OTHERWISE
        ),
        "CEL error",
    ),
    (
        "an outcome without when before the last",
        GATES_HEADER,
        GATE.format(outcomes=OTHERWISE + OTHERWISE),
        "only the last outcome may leave out 'when'",
    ),
    (
        "a when on the last outcome",
        GATES_HEADER,
        GATE.format(
            outcomes=OTHERWISE.replace("      - recommend", "      - when: 'true'\n        recommend")
        ),
        "takes no 'when'",
    ),
    (
        "a last gate that does not recommend",
        GATES_HEADER,
        GATE.format(outcomes="      - label: otherwise\n        fields: []\n        because: otherwise\n"),
        "every outcome of the last gate must recommend",
    ),
    (
        "set of an undeclared variable",
        GATES_HEADER,
        GATE.format(outcomes=OTHERWISE.replace("fields: []", "fields: []\n        set: {other: \"'x'\"}")),
        "'other' is not declared in state",
    ),
    (
        "an unknown placeholder",
        GATES_HEADER,
        GATE.format(outcomes=OTHERWISE.replace("because: otherwise", "because: '{spec.nope}'")),
        "{spec.nope} is not a field",
    ),
    (
        "an assumption of the wrong type",
        GATES_HEADER.replace("{value: 0,", "{value: lots,"),
        GATE.format(outcomes=OTHERWISE),
        "must be a whole number",
    ),
    (
        "an assumption outside spec",
        GATES_HEADER + "  metadata.owner: {value: me, note: x}\n",
        GATE.format(outcomes=OTHERWISE),
        "only fields under spec",
    ),
    (
        "a question with an invalid default",
        GATES_HEADER,
        GATE.format(outcomes=OTHERWISE)
        + "questions:\n  - {id: p, gate: only, field: spec.problem, ask: a, why: b, default: neither}\n",
        "default must be one of: knowledge, behavior, both",
    ),
    (
        "a question about a whole section",
        GATES_HEADER,
        GATE.format(outcomes=OTHERWISE)
        + "questions:\n  - {id: p, gate: only, field: spec.rag, ask: a, why: b}\n",
        "is not a single value",
    ),
    (
        "a question for an unknown gate",
        GATES_HEADER,
        GATE.format(outcomes=OTHERWISE)
        + "questions:\n  - {id: p, gate: nope, field: spec.problem, ask: a, why: b}\n",
        "no gate 'nope'",
    ),
]


@pytest.mark.parametrize(("header", "body", "message"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_broken_gates_file_is_a_located_policy_error(header: str, body: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        gates(body, header)
    assert message in caught.value.message
    assert caught.value.file == "custom-gates.yaml"
    assert caught.value.line is not None and caught.value.line >= 1


def test_questions_must_follow_the_order_of_the_gates() -> None:
    two = GATE.format(
        outcomes="      - when: 'false'\n        label: x\n        fields: []\n        because: x\n"
        "      - label: y\n        fields: []\n        because: y\n"
    )
    two += GATE.replace("id: only", "id: last").replace("gates:\n", "").format(outcomes=OTHERWISE)
    questions = (
        "questions:\n  - {id: a, gate: last, field: spec.problem, ask: a, why: b}\n"
        "  - {id: b, gate: only, field: spec.task.scope, ask: a, why: b}\n"
    )
    with pytest.raises(PolicyError, match="follow the order of their gates"):
        gates(two + questions)


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        (
            "      - recommend: \"'magic'\"\n        label: x\n        fields: []\n        because: x\n",
            "not one of",
        ),
        (
            "      - when: spec.rag.top_k > 1\n        recommend: \"'rag'\"\n        label: x\n"
            "        fields: []\n        because: x\n" + OTHERWISE,
            "gate only could not be evaluated",
        ),
        (
            "      - when: \"'yes'\"\n        recommend: \"'rag'\"\n        label: x\n        fields: []\n"
            "        because: x\n" + OTHERWISE,
            "not true or false",
        ),
    ],
    ids=["not an approach", "an unguarded absent field", "a condition that is not a boolean"],
)
def test_a_gate_that_fails_on_a_document_is_a_gate_error(outcome: str, message: str) -> None:
    custom = gates(GATE.format(outcomes=outcome))
    with pytest.raises(decide.GateError, match=message) as caught:
        decide.decide(MINIMAL, custom, PARAMS)
    assert caught.value.line is not None


def test_builtin_gates_are_loaded_once() -> None:
    assert decide.builtin_gates(CATALOG.params) is decide.builtin_gates(CATALOG.params)


def test_missing_params_make_the_builtin_gates_fail_loudly() -> None:
    narrow: Catalog = CATALOG._replace(params={})
    with pytest.raises(PolicyError, match="unknown param"):
        decide.builtin_gates(narrow.params)


def test_the_documented_gates_file_loads_and_decides() -> None:
    text = (ROOT / "docs" / "decide.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]
    (example,) = [block for block in blocks if "kind: DecisionGates" in block]
    documented = decide.parse_gates(example, "docs/decide.md", CATALOG.params)
    assert decide.decide(BASE, documented, PARAMS).recommendation == "fine-tuning"
    assert decide.decide(MINIMAL, documented, PARAMS).recommendation == "prompting"
