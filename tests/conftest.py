from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Reports must not depend on the machine running the tests.
    for name in ("GITHUB_ACTIONS", "FORCE_COLOR", "CI_PROJECT_DIR", "ARCHLINT_ORG_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/reporters/golden/) from the current output instead of comparing",
    )


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("ARCHLINT_QUIET", "1")


# A clean RAG feature: no finding of any severity. Tests derive broken variants from it.
CLEAN_RAG_FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {name: docs-search, owner: platform}
spec:
  problem: knowledge
  approach: rag
  knowledge: {change_frequency: weekly, sensitivity: public, corpus_tokens: 900000, exact_identifiers: false}
  requirements: {citations: true, hallucination_impact: medium, latency_p95_ms: 3000}
  rag:
    retrieval: hybrid
    chunking: {strategy: section}
    top_k: 4
    index_refresh: daily
    freshness_monitoring: true
    retrieval_eval: {dataset: evals/retrieval.jsonl}
  evaluation: {dataset: evals/answers.jsonl}
"""


def archlint_command() -> list[str]:
    return [sys.executable, "-m", "archlint"]


def run_check_json(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`archlint check --format json ARGS` in a fresh process, on this checkout's code."""
    return subprocess.run(
        [*archlint_command(), "check", "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def git_init(path: Path) -> None:
    """Make `path` a real (empty) git work tree: a folder walk inside one asks git, and a bare
    `.git` folder that git refuses makes the walk fail (exit 2), as it must."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True, capture_output=True)
