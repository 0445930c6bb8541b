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

pytestmark = pytest.mark.slow  # builds a hook environment; `pytest -m "not slow"` skips the module

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
    git(target, "init", "-q", "-b", "main")  # docs pin `rev: main`
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


def try_repo(
    repo: Path, hooks_repo: Path, home: Path, hook: str, *options: str
) -> subprocess.CompletedProcess[str]:
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
            *options,
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


KYVERNO = """apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-labels
spec:
  validationFailureAction: Enforce
  rules:
    - name: check-team
      match: {any: [{resources: {kinds: [Pod]}}]}
"""


def test_archlint_policies_hook_skips_yaml_that_is_not_an_archlint_policy(
    tmp_path: Path, hooks_repo: Path, pre_commit_home: Path
) -> None:
    repo = consumer(
        tmp_path,
        {
            "deploy/policies/require-labels.yaml": KYVERNO,
            "policies/good.yaml": POLICY.format(approach="prompting"),
        },
    )
    result = try_repo(repo, hooks_repo, pre_commit_home, "archlint-policies", "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 0 failed" in result.stdout
    # Only the Kyverno policy changed: nothing of ours to test, and not the built-ins instead.
    (repo / "policies/good.yaml").unlink()
    git(repo, "add", "-A")
    result = try_repo(repo, hooks_repo, pre_commit_home, "archlint-policies", "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no archlint policy files among the 1 given" in result.stdout


def test_archlint_policies_hook_still_reports_a_broken_archlint_policy(
    tmp_path: Path, hooks_repo: Path, pre_commit_home: Path
) -> None:
    broken = POLICY.format(approach="prompting").replace("rules:", "rules: [")  # a YAML error
    repo = consumer(tmp_path, {"policies/broken.yaml": broken})
    result = try_repo(repo, hooks_repo, pre_commit_home, "archlint-policies")
    assert result.returncode == 1, result.stdout + result.stderr  # pre-commit's own code for a failed hook
    assert "exit code: 2" in result.stdout
    assert "policies/broken.yaml:10:3: invalid YAML" in result.stdout


def _docs_pre_commit_config(hooks_repo: Path) -> str:
    """The .pre-commit-config.yaml snippet of docs/ci.md, as written, pointed at the local copy."""
    text = (ROOT / "docs" / "ci.md").read_text()
    block = text.split("```yaml\n# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    assert "rev: main" in block
    return block.replace("https://github.com/your-org/archlint", str(hooks_repo))


ORG_POLICY = """apiVersion: archlint/v1
kind: PolicySet
metadata: {name: org}
base:
  apiVersion: archlint/v1
  kind: AIFeature
  metadata: {name: base, owner: platform}
  spec: {problem: knowledge, approach: rag}
rules:
  - id: ORG001
    name: rag-needs-review
    severity: SEVERITY
    summary: RAG features need an architecture review.
    condition: "spec.approach == 'rag'"
    path: spec.approach
    message: approach is {spec.approach}
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
    tests:
      pass:
        - overlay: {spec: {approach: prompting}}
      fail:
        - overlay: {spec: {approach: rag}}
"""


def commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`git commit` of everything, through the installed pre-commit hook."""
    git(repo, "add", "-A")
    return subprocess.run(
        ["git", *GIT_IDENTITY, "commit", "-m", "change"],
        cwd=repo,
        stdout=subprocess.PIPE,
        text=True,
        timeout=1200,
        env=_env(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never"),
        stderr=subprocess.STDOUT,  # git runs the hook with its output on stderr
    )


def test_a_new_policy_rechecks_features_nobody_touched_and_warnings_show_on_passing_commits(
    tmp_path: Path, hooks_repo: Path, pre_commit_home: Path
) -> None:
    repo = consumer(tmp_path, {"services/search/ai-feature.yaml": GOOD})
    (repo / ".pre-commit-config.yaml").write_text(_docs_pre_commit_config(hooks_repo))
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo,
        check=True,
        capture_output=True,
        env=_env(PRE_COMMIT_HOME=str(pre_commit_home)),
    )
    first = commit(repo, pre_commit_home)
    assert first.returncode == 0, first.stdout

    # A policy and the config naming it: no feature file changes, yet the feature now fails.
    (repo / "policies").mkdir()
    (repo / "policies" / "org.yaml").write_text(ORG_POLICY.replace("SEVERITY", "error"))
    (repo / "archlint.toml").write_text('fail-on = "error"\npolicy-paths = ["policies/"]\n')
    second = commit(repo, pre_commit_home)
    assert second.returncode != 0, second.stdout
    assert "archlint (whole repository)" in second.stdout
    assert "services/search/ai-feature.yaml:6:3: error ORG001 approach is rag" in second.stdout

    # As a warning the commit passes, and `verbose: true` shows the finding and the summary.
    (repo / "policies" / "org.yaml").write_text(ORG_POLICY.replace("SEVERITY", "warning"))
    third = commit(repo, pre_commit_home)
    assert third.returncode == 0, third.stdout
    assert "services/search/ai-feature.yaml:6:3: warning ORG001 approach is rag" in third.stdout
    assert "1 file checked: 0 errors, 1 warning, 0 info" in third.stdout


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
