"""Problem 2 of issue 13: a pull request must not get a failing feature past the gate by where
or how it stores it. The set of files checked depends on git and the organisation's config,
never on guesses a pull request can forge or on the machine's git working.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import FAILING_FEATURE, archlint, commit_all, git, init_repo

# Without the machine's git config: a global safe.directory = * would hide the dubious ownership.
PLAIN_GIT = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def checked_files(stdout: str) -> set[str]:
    report = json.loads(stdout)
    return {finding["file"] for finding in report["findings"]}


def check_json(
    repo: Path, user_cache: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return archlint("check", "--format", "json", *args, cwd=repo, user_cache=user_cache, env=env)


def test_a_bad_feature_inside_a_submodule_is_checked(tmp_path: Path, user_cache: Path) -> None:
    library = init_repo(tmp_path / "library")
    (library / "assistant").mkdir()
    (library / "assistant" / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(library)
    repo = init_repo(tmp_path / "checkout")
    (repo / "README.md").write_text("service\n")
    commit_all(repo)
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor/library")
    git(repo, "commit", "-q", "-m", "add the submodule")

    run = check_json(repo, user_cache, ".")

    assert run.returncode == 1, run.stderr
    assert checked_files(run.stdout) == {"vendor/library/assistant/ai-feature.yaml"}


def test_a_submodule_that_is_not_checked_out_stops_the_run(tmp_path: Path, user_cache: Path) -> None:
    library = init_repo(tmp_path / "library")
    (library / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(library)
    origin = init_repo(tmp_path / "origin")
    (origin / "README.md").write_text("service\n")
    commit_all(origin)
    git(origin, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor/library")
    git(origin, "commit", "-q", "-m", "add the submodule")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))  # without --recurse-submodules

    run = check_json(clone, user_cache, ".")

    assert run.returncode == 2
    assert "vendor/library: submodule is not checked out" in run.stderr
    # Excluding it is a decision someone made, not a silent skip.
    (clone / "archlint.toml").write_text('exclude = ["vendor/"]\n')
    assert check_json(clone, user_cache, "--require-files", ".").returncode == 1  # nothing else to check


@pytest.mark.parametrize("folder", ["service/.venv", "node_modules/assistant", "tools/env"])
def test_folders_that_look_like_environments_are_walked_in_git(
    repo: Path, user_cache: Path, folder: str
) -> None:
    (repo / folder).mkdir(parents=True)
    (repo / folder / "pyvenv.cfg").write_text("")  # an empty one was enough to hide the folder
    (repo / folder / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)

    run = check_json(repo, user_cache, ".")

    assert run.returncode == 1, run.stderr
    assert checked_files(run.stdout) == {f"{folder}/ai-feature.yaml"}


@pytest.mark.parametrize("folder", [".venv", "node_modules"])
def test_folders_that_look_like_environments_are_walked_outside_git(
    tmp_path: Path, user_cache: Path, folder: str
) -> None:
    tree = tmp_path / "unpacked"
    (tree / folder).mkdir(parents=True)
    (tree / folder / "pyvenv.cfg").write_text("")
    (tree / folder / "ai-feature.yaml").write_text(FAILING_FEATURE)

    run = check_json(tree, user_cache, ".")

    assert run.returncode == 1, run.stderr
    assert checked_files(run.stdout) == {f"{folder}/ai-feature.yaml"}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_git_refusing_a_dubious_owner_stops_the_run(repo: Path, user_cache: Path) -> None:
    (repo / "hidden").mkdir()
    (repo / "hidden" / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)
    for folder, subfolders, names in os.walk(repo):
        for name in [*subfolders, *names, "."]:
            os.lchown(os.path.join(folder, name), 65534, 65534)

    run = check_json(repo, user_cache, "--no-cache", ".", env=PLAIN_GIT)

    assert run.returncode == 2, run.stdout
    assert "git ls-files failed" in run.stderr and "dubious ownership" in run.stderr
    assert run.stdout == ""


def test_a_broken_repository_stops_the_run(tmp_path: Path, user_cache: Path) -> None:
    tree = tmp_path / "checkout"
    (tree / ".git").mkdir(parents=True)  # not a repository git accepts
    (tree / "ai-feature.yaml").write_text(FAILING_FEATURE)

    run = check_json(tree, user_cache, "--no-cache", ".", env=PLAIN_GIT)

    assert run.returncode == 2
    assert "git ls-files failed" in run.stderr and "not a git repository" in run.stderr


def test_a_missing_git_stops_the_run(repo: Path, user_cache: Path, tmp_path: Path) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)
    empty = tmp_path / "no-tools"
    empty.mkdir()

    run = check_json(repo, user_cache, "--no-cache", ".", env={"PATH": str(empty)})

    assert run.returncode == 2
    assert "cannot list the files of the git work tree" in run.stderr


@pytest.mark.parametrize(
    "name", ["ai-feature.YAML", "AI-Feature.yaml", "ai_feature.yaml", "svc.AI_FEATURE.yml"]
)
def test_feature_file_names_in_any_case_are_checked(repo: Path, user_cache: Path, name: str) -> None:
    (repo / "svc").mkdir()
    (repo / "svc" / name).write_text(FAILING_FEATURE)
    commit_all(repo)

    run = check_json(repo, user_cache, ".")

    assert run.returncode == 1, run.stderr
    assert checked_files(run.stdout) == {f"svc/{name}"}


def test_a_feature_under_another_name_is_a_finding(repo: Path, user_cache: Path) -> None:
    (repo / "features").mkdir()
    (repo / "features" / "assistant.yaml").write_text(FAILING_FEATURE)
    (repo / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    commit_all(repo)

    run = check_json(repo, user_cache, ".")

    assert run.returncode == 1, run.stderr
    (finding,) = json.loads(run.stdout)["findings"]
    assert (finding["rule"], finding["file"], finding["line"]) == ("SCH003", "features/assistant.yaml", 2)


def test_no_file_checked_warns_and_fails_when_files_are_required(repo: Path, user_cache: Path) -> None:
    (repo / "README.md").write_text("no features here\n")
    commit_all(repo)

    plain = archlint("check", ".", cwd=repo, user_cache=user_cache)
    flag = archlint("check", "--require-files", ".", cwd=repo, user_cache=user_cache)
    (repo / "archlint.toml").write_text("require-files = true\n")
    config = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert plain.returncode == 0
    assert "warning: 0 files checked" in plain.stderr
    assert flag.returncode == 1 and config.returncode == 1
    assert "0 files checked" in flag.stdout
