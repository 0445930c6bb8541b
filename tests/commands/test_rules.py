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
