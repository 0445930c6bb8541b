from __future__ import annotations

import fnmatch
import os
from pathlib import Path

import pytest

from archlint.discovery import FEATURE_PATTERNS, discover, is_feature_file


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ai-feature.yaml", True),
        ("ai-feature.yml", True),
        ("billing.ai-feature.yaml", True),
        ("billing.ai-feature.yml", True),
        ("ai-feature.yaml.bak", False),
        ("feature.yaml", False),
        # Case does not matter, and `_` reads as `-` (issue 13: these were never checked).
        ("ai-feature.YAML", True),
        ("AI-Feature.yaml", True),
        ("ai_feature.yaml", True),
        ("billing.AI_Feature.YML", True),
        ("ai feature.yaml", False),
    ],
)
def test_feature_file_names(name: str, expected: bool) -> None:
    assert is_feature_file(name) is expected


@pytest.mark.parametrize(
    "name",
    [
        ".ai-feature.yaml",
        "a.b.ai-feature.yml",
        "AI-FEATURE.YAML",
        "ai-feature.yamlx",
        "xai-feature.yaml",
        "ai-feature.yml.ai-feature.yaml",
        "ai-feature",
        "",
    ],
)
def test_feature_file_names_are_those_the_patterns_match(name: str) -> None:
    folded = name.lower().replace("_", "-")
    assert is_feature_file(name) is any(fnmatch.fnmatchcase(folded, p) for p in FEATURE_PATTERNS)


HOOK_NAMES = [
    "ai-feature.yaml",
    "svc/billing.ai-feature.yml",
    "AI-Feature.YAML",
    "deep/ai_feature.yaml",
    "x.AI_FEATURE.yml",
    "ai-feature.yaml.bak",
    "xai-feature.yaml",
    "feature.yaml",
    "ai-feature/notes.yaml",
]


@pytest.mark.parametrize("path", HOOK_NAMES)
def test_the_pre_commit_hook_passes_the_files_discovery_finds(path: str) -> None:
    import re

    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    (files,) = re.findall(r"^- id: archlint\n(?:  .*\n)*?  files: (.*)$", hooks, re.MULTILINE)
    assert bool(re.search(files, path)) is is_feature_file(path.rsplit("/", 1)[-1])


@pytest.mark.parametrize("pattern", ["legacy", "legacy/", "*/legacy/*", "old.ai-feature.yaml"])
def test_exclude_patterns(tmp_path: Path, pattern: str) -> None:
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "ai-feature.yaml").write_text("")
    (tmp_path / "old.ai-feature.yaml").write_text("")
    (tmp_path / "ai-feature.yaml").write_text("")
    found = {Path(p).relative_to(tmp_path).as_posix() for p in discover([str(tmp_path)], exclude=[pattern])}
    assert "ai-feature.yaml" in found
    excluded = {"legacy/ai-feature.yaml"} if "legacy" in pattern else {"old.ai-feature.yaml"}
    assert not found & excluded


def test_include_adds_file_name_globs(tmp_path: Path) -> None:
    (tmp_path / "svc.arch.yaml").write_text("")
    assert list(discover([str(tmp_path)])) == []
    assert [Path(p).name for p in discover([str(tmp_path)], include=["*.arch.yaml"])] == ["svc.arch.yaml"]


def _ignoring_repo(tree: Path, git_dir: Path | None = None) -> dict[str, str]:
    """A git work tree at `tree` ignoring `generated/`, with the environment that selects it."""
    import subprocess

    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    command = ["git", "init", "-q", str(tree)]
    if git_dir is not None:
        command = ["git", f"--git-dir={git_dir}", f"--work-tree={tree}", "init", "-q"]
        env |= {"GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(tree)}
    tree.mkdir(exist_ok=True)
    subprocess.run(command, check=True, env=env)
    (tree / ".gitignore").write_text("generated/\n")
    (tree / "generated").mkdir()
    (tree / "generated" / "ai-feature.yaml").write_text("")
    (tree / "ai-feature.yaml").write_text("")
    return env


def test_a_work_tree_found_from_a_subfolder_skips_ignored_files(tmp_path: Path) -> None:
    _ignoring_repo(tmp_path)
    assert list(discover([str(tmp_path)])) == [str(tmp_path / "ai-feature.yaml")]


def test_a_work_tree_named_by_git_dir_skips_ignored_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No `.git` above the folder, but GIT_DIR/GIT_WORK_TREE make it a work tree for git."""
    env = _ignoring_repo(tmp_path / "tree", git_dir=tmp_path / "meta.git")
    assert not (tmp_path / "tree" / ".git").exists()
    monkeypatch.setenv("GIT_DIR", env["GIT_DIR"])
    monkeypatch.setenv("GIT_WORK_TREE", env["GIT_WORK_TREE"])
    assert list(discover([str(tmp_path / "tree")])) == [str(tmp_path / "tree" / "ai-feature.yaml")]


def test_outside_a_work_tree_git_is_not_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("git started outside a work tree")

    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    monkeypatch.setattr(subprocess, "run", refuse)
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "ai-feature.yaml").write_text("")
    (tmp_path / "ai-feature.yaml").write_text("")
    assert len(list(discover([str(tmp_path)]))) == 2  # nothing ignores anything here


def test_a_walk_outside_git_skips_the_runs_cache_folder_by_path_not_name(tmp_path: Path) -> None:
    for folder in ("cache", ".archlint_cache"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "ai-feature.yaml").write_text("")
    found = {
        Path(p).relative_to(tmp_path).as_posix()
        for p in discover([str(tmp_path)], cache=str(tmp_path / "cache"))
    }
    assert found == {".archlint_cache/ai-feature.yaml"}
