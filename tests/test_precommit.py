"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit.

`pre-commit try-repo` installs archlint from a git repository into a hook
environment (pip, from PyPI for the dependencies) and runs the hooks in a
consumer repository. The repository it installs from is a snapshot of this
checkout as it is on disk: try-repo on the checkout itself would leave out
files that are not committed yet. The first run is slow (it builds the
environment); PRE_COMMIT_HOME is shared by every test of the module so the
others reuse it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CLEAN_RAG_FEATURE

ROOT = Path(__file__).resolve().parent.parent

GOOD = CLEAN_RAG_FEATURE
# The index is refreshed quarterly for weekly-changing knowledge: RAG004 at line 13, column 5.
BAD = GOOD.replace("name: docs-search", "name: stale-search").replace(
    "index_refresh: daily", "index_refresh: quarterly"
)

POLICY = """apiVersion: archlint/v1
kind: PolicySet
metadata: {{name: org}}
base:
  apiVersion: archlint/v1
  kind: AIFeature
  metadata: {{name: base, owner: platform}}
  spec: {{problem: knowledge, approach: rag}}
rules:
  - id: ORG001
    name: no-prompting-only
    severity: warning
    summary: Prompting-only features need an architecture review first.
    condition: "spec.approach == 'prompting'"
    path: spec.approach
    message: approach is {{spec.approach}}
    rationale: r
    remediation: r
    references: [{{title: t, url: "https://example.org"}}]
    tests:
      fail:
        - overlay: {{spec: {{approach: {approach}}}}}
"""

GIT_IDENTITY = [
    "-c",
    "user.name=archlint tests",
    "-c",
    "user.email=tests@example.com",
    "-c",
    "commit.gpgsign=false",
]


def git(cwd: Path, *argv: str) -> None:
    subprocess.run(["git", *GIT_IDENTITY, *argv], cwd=cwd, check=True, capture_output=True, env=_env())


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(extra)
    return env


def commit_all(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding this checkout's files (tracked and untracked, not ignored)."""
    if shutil.which("git") is None:
        pytest.fail("pre-commit needs git, and git is not on PATH")
    target = tmp_path_factory.mktemp("archlint-hooks")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        env=_env(),
    )
    if listed.returncode == 0:
        for name in listed.stdout.decode().split("\0"):
            source = ROOT / name
            if name and source.is_file():  # a tracked file may have been deleted on disk
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    else:  # not a git checkout (an unpacked sdist): copy the tree
        shutil.copytree(
            ROOT,
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache", "build", "dist"),
        )
    git(target, "init", "-q")
    commit_all(target)
    return target


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def consumer(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "consumer"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    # Stops the search for a config file at the repository root.
    (repo / "archlint.toml").write_text('fail-on = "error"\n')
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    return repo


def try_repo(repo: Path, hooks_repo: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(hooks_repo),
            hook,
            "--all-files",
            "--color",
            "never",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=1200,
        env=_env(PRE_COMMIT_HOME=str(home)),
    )


def test_archlint_hook_passes_on_a_good_feature(
    tmp_path: Path, hooks_repo: Path, pre_commit_home: Path
) -> None:
    repo = consumer(
        tmp_path,
        {
            "ai-feature.yaml": GOOD,
            "services/search.ai-feature.yml": GOOD,
            "notes/other.yaml": "not: checked\n",
        },
    )
    result = try_repo(repo, hooks_repo, pre_commit_home, "archlint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "archlint" in result.stdout and "Passed" in result.stdout


def test_archlint_hook_fails_with_the_located_finding(
    tmp_path: Path, hooks_repo: Path, pre_commit_home: Path
) -> None:
    repo = consumer(tmp_path, {"ai-feature.yaml": GOOD, "services/stale.ai-feature.yaml": BAD})
    result = try_repo(repo, hooks_repo, pre_commit_home, "archlint")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "services/stale.ai-feature.yaml:13:5: error RAG004 " in result.stdout
    assert "ai-feature.yaml:" not in result.stdout.replace("services/stale.ai-feature.yaml:", "")


def test_archlint_policies_hook_runs_the_cases_of_policy_files(
    tmp_path: Path, hooks_repo: Path, pre_commit_home: Path
) -> None:
    repo = consumer(
        tmp_path,
        {
            "policies/good.yaml": POLICY.format(approach="prompting"),
            # The fail case describes a document the rule does not fire on.
            "platform/archlint-policies/bad.yaml": POLICY.replace("ORG001", "ORG002")
            .replace("no-prompting-only", "no-prompting-at-all")
            .format(approach="rag"),
            "config/other.yaml": "not: a policy\n",  # outside the hook's `files`
        },
    )
    result = try_repo(repo, hooks_repo, pre_commit_home, "archlint-policies")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL ORG002 fail[0]" in result.stdout
    assert "1 passed, 1 failed" in result.stdout  # both files in one run (require_serial)


def test_archlint_hook_honours_a_service_config_from_the_root(
    tmp_path: Path, hooks_repo: Path, pre_commit_home: Path
) -> None:
    # Issue 15, item 2: the hook runs from the root, and each file gets its nearest config.
    repo = consumer(
        tmp_path,
        {
            "services/faq-bot/ai-feature.yaml": BAD,
            "services/faq-bot/archlint.toml": 'extend = "../../archlint.toml"\nignore = ["RAG004"]\n',
            "services/search/ai-feature.yaml": BAD,
        },
    )
    result = try_repo(repo, hooks_repo, pre_commit_home, "archlint")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "services/search/ai-feature.yaml:13:5: error RAG004 " in result.stdout
    assert "services/faq-bot/ai-feature.yaml:" not in result.stdout
