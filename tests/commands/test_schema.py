from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "name"), [([], "ai-feature.v1.schema.json"), (["--policy"], "policy.v1.schema.json")]
)
def test_prints_the_published_schema(argv: list[str], name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", *argv]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((ROOT / "schemas" / name).read_text())
