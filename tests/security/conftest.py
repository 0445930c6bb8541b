"""Real git repositories, real symbolic links, and archlint run as a pull request's CI runs it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ..conftest import ROOT, archlint_command

# A feature that fails the gate: per-user permissions, retrieval without ACL filtering (RAG001, an error).
FAILING_FEATURE = """\
apiVersion: archlint/v1
kind: AIFeature
metadata: {name: stock-checker, owner: retail}
spec:
  problem: knowledge
  approach: rag
  knowledge: {change_frequency: daily, per_user_permissions: true}
  rag: {retrieval: hybrid, acl_filtering: false, top_k: 4}
"""


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run git in `repo`; fail the test when it fails."""
    return subprocess.run(
        ["git", "-c", "user.name=pr-author", "-c", "user.email=pr@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit_all(repo: Path, message: str = "pull request") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository (the checkout a CI job runs in)."""
    return init_repo(tmp_path / "checkout")


@pytest.fixture
def user_cache(tmp_path: Path) -> Path:
    """This user's cache home (the per-user key lives there), outside the checkout."""
    return tmp_path / "user-cache"


def archlint(
    *args: str, cwd: Path, user_cache: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`archlint ARGS` in a fresh process, as CI runs it (this checkout's code)."""
    return subprocess.run(
        [*archlint_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(user_cache), **(env or {})},
    )
