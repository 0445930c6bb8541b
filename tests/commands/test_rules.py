from __future__ import annotations

import json

import pytest

from archlint.cli import main


def test_table_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--isolated"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].endswith(" rules")
    row = next(line for line in lines if line.startswith("FT004 "))
    assert row.split()[:3] == ["FT004", "too-few-training-examples", "error"]


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    ids = [rule["id"] for rule in rules]
    assert "RAG001" in ids and len(ids) == len(set(ids))
    assert all(rule["source"] == "builtin" for rule in rules)


def test_framework_lists_controls_with_their_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--isolated", "--framework", "owasp-llm-2025"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "OWASP Top 10 for LLM Applications 2025"
    start = lines.index("LLM08  Vector and Embedding Weaknesses")
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        block.append(line.split()[0])
    assert "RAG001" in block
    assert "informative" in lines[-1] and "legal" in lines[-1]


def test_framework_json_and_unknown_framework(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--isolated", "--framework", "nist-ai-rmf-1.0", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    controls = {c["id"]: [r["id"] for r in c["rules"]] for c in payload["controls"]}
    assert "FT003" in controls["MEASURE 2.5"] and payload["informative"] is True
    assert main(["rules", "--isolated", "--framework", "iso-42001"]) == 2
    assert "unknown framework" in capsys.readouterr().err


def test_json_carries_each_rules_mappings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--isolated", "--format", "json"]) == 0
    rules = {rule["id"]: rule for rule in json.loads(capsys.readouterr().out)}
    assert rules["RAG001"]["mappings"]["owasp-llm-2025"] == ["LLM08", "LLM02"]
    assert rules["RAG003"]["mappings"] == {}
