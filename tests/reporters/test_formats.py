"""Every registered format, end to end: repo-relative forward-slash paths, deterministic output."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from archlint.check import Report
from archlint.reporters import REPORTERS

from ..conftest import git_init

Render = Callable[[str, Report], str]
FEATURE = (Path(__file__).parent / "data" / "support-assistant.ai-feature.yaml").read_text(encoding="utf-8")


def test_the_ci_formats_are_registered() -> None:
    assert {"text", "json", "sarif", "github", "junit", "gitlab"} <= set(REPORTERS)


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_paths_are_relative_to_the_repository_root(fmt: str, tmp_path: Path) -> None:
    git_init(tmp_path)
    folder = tmp_path / "services" / "support"
    folder.mkdir(parents=True)
    (folder / "ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--isolated", "--format", fmt, "./ai-feature.yaml"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "services/support/ai-feature.yaml" in result.stdout
    assert str(tmp_path) not in result.stdout


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_output_is_deterministic(fmt: str, report: Report, render: Render) -> None:
    assert render(fmt, report) == render(fmt, report)
