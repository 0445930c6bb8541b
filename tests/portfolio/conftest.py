from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archlint.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
TODAY = "2026-12-01"


def report(tmp_path: Path, *args: str, fmt: str = "json") -> str:
    """Run `archlint report` and return what it wrote."""
    out = tmp_path / f"report.{fmt}"
    assert main(["report", "--isolated", "--today", TODAY, "--format", fmt, "-o", str(out), *args]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def examples_portfolio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report(tmp_path_factory.mktemp("examples"), str(EXAMPLES)))
    return data


HOSTILE_FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata:
  name: <script>alert('name')</script>
  owner: <img src=x onerror="alert('owner')">
  description: </textarea></script><script>alert('description')</script>
  labels: {"<b>key</b>": "<i>value</i>", team: "\\" onmouseover=\\"alert(1)"}
spec:
  problem: knowledge
  approach: rag
  waivers:
    - rule: RAG002
      reason: <script>alert('reason')</script>
      approved_by: <svg onload=alert('approver')>
      expires: 2099-01-01
"""
