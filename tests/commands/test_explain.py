from __future__ import annotations

import json

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
