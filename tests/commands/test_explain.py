from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint.cli import main
from archlint.policies import load_catalog

RULES = [rule.id for rule in load_catalog().rules]


@pytest.mark.parametrize("rule_id", RULES)
def test_every_rule_explains_itself(rule_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--isolated", rule_id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{rule_id} ")
    for section in ("What it checks", "Why", "What to do instead", "Passes", "References"):
        assert f"\n{section}" in out, section
    assert "https://" in out


def test_by_name_and_lowercase(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "too-few-training-examples"]) == 0
    by_name = capsys.readouterr().out
    assert main(["explain", "ft004"]) == 0
    assert capsys.readouterr().out == by_name


def test_unknown_rule_lists_close_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "FT04"]) == 2
    err = capsys.readouterr().err
    assert "unknown rule 'FT04'; did you mean" in err and "FT004" in err


def test_json_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "RAG001", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["id"] == "RAG001" and payload["references"] and payload["failing_example"]
    assert main(["explain", "RAG001", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# RAG001 rag-without-acl-filtering")


# --- evidence: each reference's claim and quote, the params a rule reads (issue 16) ---------------


def test_text_shows_supports_quote_and_the_params_with_how_to_change_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "--isolated", "RAG006"]) == 0
    out = capsys.readouterr().out
    params = out[out.index("\nParameters\n") : out.index("\nReferences\n")]
    assert "max_top_k = 8" in params
    assert "Why this default: archlint's default: no source gives a maximum." in " ".join(params.split())
    assert "--param max_top_k=VALUE" in params and "[tool.archlint.params]" in params
    references = out[out.index("\nReferences\n") :]
    assert references.count("Supports: ") == 2 and references.count('Quote: "') == 2


def test_a_rule_that_reads_no_param_has_no_parameters_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--isolated", "RAG001"]) == 0
    assert "\nParameters\n" not in capsys.readouterr().out


def test_markdown_shows_the_same_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--isolated", "FT004", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "\n## Parameters\n" in out and "- `min_training_examples` (default `50`)" in out
    assert "**Why this default:** archlint's default, a floor by design" in out
    assert "**Change it:** `--param min_training_examples=VALUE`" in out
    assert "  - **Supports:** " in out and '  - **Quote:** "The minimum number of examples' in out


def test_json_carries_references_evidence_and_params(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--isolated", "DEC001", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert all(ref["supports"] and ref["quote"] for ref in payload["references"])
    # DEC001 reads its thresholds through the decision gates
    names = {param["name"] for param in payload["params"]}
    assert names == {"context_window_tokens", "min_training_examples", "min_daily_requests_for_fine_tuning"}
    volume = next(p for p in payload["params"] if p["name"] == "min_daily_requests_for_fine_tuning")
    assert volume["default"] == 1000 and volume["rationale"].startswith("archlint's default")
    assert volume["change"]["cli"] == "--param min_daily_requests_for_fine_tuning=VALUE"


CUSTOM = """\
apiVersion: archlint/v1
kind: PolicySet
metadata: {name: org}
params:
  max_chunks: {default: 3, description: Most chunks allowed.}
rules:
  - id: ORG001
    name: org-rule
    severity: warning
    summary: s
    condition: "spec.?rag.?top_k.orValue(0) > params.max_chunks"
    path: spec.rag.top_k
    message: m
    rationale: r
    remediation: r
    references: [{title: Our wiki, url: "https://example.org"}]
    tests:
      fail:
        - document: {apiVersion: archlint/v1, kind: AIFeature, metadata: {name: a, owner: b},
                     spec: {problem: knowledge, approach: rag, rag: {top_k: 9}}}
"""


def test_a_custom_rule_without_evidence_still_explains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "org.yaml"
    policy.write_text(CUSTOM, encoding="utf-8")
    assert main(["explain", "--isolated", "--policies", str(policy), "ORG001", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["references"] == [
        {"title": "Our wiki", "url": "https://example.org", "supports": None, "quote": None}
    ]
    assert payload["params"] == [
        {
            "name": "max_chunks",
            "default": 3,
            "description": "Most chunks allowed.",
            "rationale": None,
            "change": {"cli": "--param max_chunks=VALUE", "config": "[params] max_chunks = VALUE"},
        }
    ]
    # and `archlint test` accepts it: the evidence fields are required of built-in rules only
    assert main(["test", "--isolated", str(policy)]) == 0


def test_explain_shows_framework_mappings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "RAG001", "--isolated"]) == 0
    text = capsys.readouterr().out
    assert "Framework mappings (informative, not legal advice)" in text
    assert "  owasp-llm-2025: LLM08, LLM02" in text
    assert main(["explain", "RAG001", "--isolated", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["mappings"] == {"owasp-llm-2025": ["LLM08", "LLM02"]}
    assert main(["explain", "RAG003", "--isolated", "--format", "markdown"]) == 0
    assert "Framework mappings" not in capsys.readouterr().out
