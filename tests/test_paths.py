"""Display paths: relative to the repository root, else the current directory, with forward slashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archlint import paths


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "svc" / "deep").mkdir(parents=True)
    return tmp_path / "repo"


@pytest.mark.parametrize(
    ("cwd", "path", "expected"),
    [
        ("", "ai-feature.yaml", "ai-feature.yaml"),
        ("", "svc/deep/ai-feature.yaml", "svc/deep/ai-feature.yaml"),
        ("svc", "ai-feature.yaml", "svc/ai-feature.yaml"),
        ("svc/deep", "../ai-feature.yaml", "svc/ai-feature.yaml"),
        ("svc", "./deep/../ai-feature.yaml", "svc/ai-feature.yaml"),
        ("", "..x.ai-feature.yaml", "..x.ai-feature.yaml"),  # a name, not a way out of the root
    ],
)
def test_a_file_in_the_repository_is_named_from_its_root(
    repository: Path, cwd: str, path: str, expected: str
) -> None:
    assert paths.display(path, str(repository / cwd) if cwd else str(repository)) == expected


def test_a_file_outside_the_repository_keeps_its_absolute_path(repository: Path) -> None:
    outside = repository.parent / "elsewhere" / "ai-feature.yaml"
    assert paths.display(str(outside), str(repository / "svc")) == outside.as_posix()
    assert paths.display("../../elsewhere/ai-feature.yaml", str(repository / "svc")) == outside.as_posix()


def test_without_a_repository_names_are_relative_to_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "plain" / "svc").mkdir(parents=True)
    folder = str(tmp_path / "plain")
    assert paths.display(os.path.join("svc", "ai-feature.yaml"), folder) == "svc/ai-feature.yaml"
    assert paths.display(os.path.join(folder, "svc", "ai-feature.yaml"), folder) == "svc/ai-feature.yaml"


def test_inside_follows_links_before_judging(repository: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (repository / "in").symlink_to(repository / "svc", target_is_directory=True)
    (repository / "out").symlink_to(outside, target_is_directory=True)
    (repository / "dangling").symlink_to(tmp_path / "missing")
    root = str(repository)
    assert paths.inside(str(repository / "svc" / "deep"), root)
    assert paths.inside(str(repository / "in" / "ai-feature.yaml"), root)
    assert paths.inside(root, root)
    assert not paths.inside(str(repository / "out" / "ai-feature.yaml"), root)
    assert not paths.inside(str(repository / "dangling"), root)
    assert not paths.inside(str(repository / ".." / "repo-sibling"), root)
    assert not paths.inside("/", root)


def test_escapes_is_only_for_paths_written_inside(repository: Path, tmp_path: Path) -> None:
    (repository / "out").symlink_to(tmp_path, target_is_directory=True)
    root = str(repository)
    assert paths.escapes(str(repository / "out"), root)
    assert not paths.escapes(str(repository / "svc"), root)
    assert not paths.escapes(str(tmp_path / "reports"), root)  # written outside: the caller's choice


def test_repository_root_is_the_git_root_or_the_folder(repository: Path, tmp_path: Path) -> None:
    assert paths.repository_root(str(repository / "svc" / "deep")) == str(repository)
    (tmp_path / "loose").mkdir()
    assert paths.repository_root(str(tmp_path / "loose")) == str(tmp_path / "loose")
    assert paths.repository_root(str(tmp_path / "loose" / "x.yaml")) == str(tmp_path / "loose")
