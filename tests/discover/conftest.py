"""Helpers for the discover tests: real git repositories in temporary folders, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {{name: {name}, owner: team}}
spec:
  problem: {problem}
  approach: {approach}
{extra}"""


def feature(name: str, approach: str = "prompting", extra: str = "", problem: str = "behavior") -> str:
    return FEATURE.format(name=name, approach=approach, extra=extra, problem=problem)


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "-c",
            "protocol.file.allow=always",
            *args,
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )


MakeRepo = Callable[..., Path]


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    def make(files: Mapping[str, str], *, in_git: bool = True, name: str = "repo") -> Path:
        root = tmp_path / name
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        root.mkdir(exist_ok=True)
        if in_git:
            git(root, "init", "-q")
            git(root, "add", "-A")
        return root

    return make


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_COLOR": "1"}
    environment.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "archlint", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
