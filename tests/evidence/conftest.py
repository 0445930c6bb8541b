"""A real repository (git init) with a feature file and its data files, and a way to check it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from archlint.cli import main

FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {{name: ticket-triage, owner: support}}
spec:
  problem: behavior
  approach: fine-tuning
  fine_tuning:
{fine_tuning}
{rest}
"""


def chat(user: str, answer: str = "shipping") -> str:
    return json.dumps(
        {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]}
    )


def lines(*records: str) -> str:
    return "".join(record + "\n" for record in records)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return folder


Write = Callable[..., Path]


@pytest.fixture
def write(repo: Path) -> Write:
    """write(fine_tuning=YAML lines, rest=YAML, files={path: text or bytes}) -> the feature file."""

    def make(fine_tuning: str = "", rest: str = "", files: dict[str, str | bytes] | None = None) -> Path:
        for name, content in (files or {}).items():
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        body = "\n".join(f"    {line}" for line in fine_tuning.strip("\n").splitlines()) or "    method: lora"
        feature = repo / "ai-feature.yaml"
        feature.write_text(FEATURE.format(fine_tuning=body, rest=rest), encoding="utf-8")
        return feature

    return make


Check = Callable[..., tuple[int, list[dict[str, Any]]]]


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str]) -> Check:
    """check(*extra arguments) -> (exit code, EVD findings as JSON), only EVD rules selected."""

    def run(*argv: str, select: str = "EVD") -> tuple[int, list[dict[str, Any]]]:
        capsys.readouterr()
        code = main(["check", "--format", "json", "--select", select, *argv, "ai-feature.yaml"])
        out = capsys.readouterr().out
        return code, json.loads(out)["findings"]

    return run
