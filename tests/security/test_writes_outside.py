"""Problem 1 of issue 13: a pull request must not make archlint write outside the file it means.

The attacks commit symbolic links where archlint writes (its cache folder and the markers in
it, the report named by --output) and check that the file the link points at is untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archlint import cache

from .conftest import FAILING_FEATURE, archlint, commit_all, git


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file of the CI runner's outside the checkout, which the attack aims at."""
    path = tmp_path / "runner-home" / "victim.txt"
    path.parent.mkdir()
    path.write_text("the runner's own file\n")
    return path


def test_a_committed_gitignore_link_in_the_cache_folder_is_not_followed(
    repo: Path, user_cache: Path, victim: Path
) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / ".archlint_cache").mkdir()
    (repo / ".archlint_cache" / ".gitignore").symlink_to(victim)
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1, run.stderr  # the gate still fails on the feature
    assert victim.read_text() == "the runner's own file\n"
    # A cache folder the repository tracks is left alone, with a notice.
    assert "notice: cannot use the cache folder" in run.stderr
    assert "is tracked by git" in run.stderr
    assert (repo / ".archlint_cache" / ".gitignore").is_symlink()
    assert [p.name for p in (repo / ".archlint_cache").iterdir()] == [".gitignore"]  # nothing added
    assert git(repo, "status", "--porcelain").stdout == ""


def test_a_planted_link_in_an_untracked_cache_folder_is_replaced_not_followed(
    repo: Path, user_cache: Path, victim: Path
) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)
    (repo / ".archlint_cache").mkdir()  # not committed: planted by someone with write access
    (repo / ".archlint_cache" / ".gitignore").symlink_to(victim)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1, run.stderr
    assert victim.read_text() == "the runner's own file\n"
    marker = repo / ".archlint_cache" / ".gitignore"
    assert not marker.is_symlink() and marker.read_text() == "# Created by archlint.\n*\n"


def test_a_dangling_cachedir_tag_link_does_not_create_its_target(
    repo: Path, user_cache: Path, tmp_path: Path
) -> None:
    target = tmp_path / "runner-home" / "created-by-archlint"
    target.parent.mkdir()
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / ".archlint_cache").mkdir()
    (repo / ".archlint_cache" / "CACHEDIR.TAG").symlink_to(target)
    commit_all(repo)

    archlint("check", ".", cwd=repo, user_cache=user_cache)
    git(repo, "rm", "-q", "-r", "--cached", ".archlint_cache")  # even once untracked
    git(repo, "commit", "-q", "-m", "untrack")
    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1, run.stderr
    assert not target.exists() and not target.is_symlink()
    assert not (repo / ".archlint_cache" / "CACHEDIR.TAG").is_symlink()


def test_a_cache_folder_that_is_a_link_is_refused(repo: Path, user_cache: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "runner-home" / "elsewhere"
    elsewhere.mkdir(parents=True)
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / ".archlint_cache").symlink_to(elsewhere, target_is_directory=True)
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1, run.stderr
    assert list(elsewhere.iterdir()) == []
    assert "cannot use the cache folder" in run.stderr and "is a symbolic link" in run.stderr


def test_a_cache_dir_named_on_the_command_line_that_is_a_link_is_refused(
    repo: Path, user_cache: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "cache-link").symlink_to(elsewhere, target_is_directory=True)
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)

    run = archlint("check", "--cache-dir", str(tmp_path / "cache-link"), ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1
    assert list(elsewhere.iterdir()) == []
    assert "is a symbolic link; running without cache" in run.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_cache_folder_of_another_user_is_refused(repo: Path, user_cache: Path) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    folder = repo / ".archlint_cache"
    folder.mkdir()
    os.chown(folder, 65534, 65534)  # nobody

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1
    assert "belongs to another user" in run.stderr
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("fmt", ["junit", "sarif", "text"])
def test_a_committed_report_link_is_replaced_not_followed(
    repo: Path, user_cache: Path, victim: Path, fmt: str
) -> None:
    # docs/ci.md's GitLab and Jenkins recipes: --format junit --output archlint-junit.xml
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "archlint-junit.xml").symlink_to(victim)
    commit_all(repo)

    output = ("--output", "archlint-junit.xml")
    run = archlint("check", "--format", fmt, *output, ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1, run.stderr
    assert victim.read_text() == "the runner's own file\n"
    report = repo / "archlint-junit.xml"
    assert not report.is_symlink()
    assert "stock-checker" in report.read_text() or "ai-feature.yaml" in report.read_text()
    assert [p.name for p in repo.iterdir() if p.name.endswith(".tmp")] == []


def test_a_report_folder_linked_out_of_the_repository_is_refused(
    repo: Path, user_cache: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "runner-home" / "reports"
    outside.mkdir(parents=True)
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "reports").symlink_to(outside, target_is_directory=True)
    commit_all(repo)

    run = archlint(
        "check", "--format", "junit", "--output", "reports/junit.xml", ".", cwd=repo, user_cache=user_cache
    )

    assert run.returncode == 2
    assert "leads out of the repository" in run.stderr
    assert list(outside.iterdir()) == []


def test_a_baseline_link_is_replaced_not_followed(repo: Path, user_cache: Path, victim: Path) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "archlint-baseline.json").symlink_to(victim)
    commit_all(repo)

    baseline = ("--write-baseline", "archlint-baseline.json")
    run = archlint("check", *baseline, ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 0, run.stderr
    assert victim.read_text() == "the runner's own file\n"
    assert not (repo / "archlint-baseline.json").is_symlink()


def test_cache_files_are_written_by_rename_never_through_a_link(
    tmp_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A link planted under the name of a cache entry: replaced, nothing written through it.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    store = cache.open_store(str(tmp_path / "cache"))
    assert store is not None
    entry = os.path.join(store.base, "catalog-x.json")
    os.symlink(victim, entry)
    store.save(entry, b"{}")
    assert victim.read_text() == "the runner's own file\n"
    assert not os.path.islink(entry)
    assert store.load(entry) == b"{}"


def test_only_the_cache_folder_changes_in_a_fresh_checkout(repo: Path, user_cache: Path) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)
    archlint("check", ".", cwd=repo, user_cache=user_cache)
    # The cache folder ignores itself: the checkout stays clean.
    assert git(repo, "status", "--porcelain", "--ignored").stdout == "!! .archlint_cache/\n"


@pytest.mark.parametrize(
    ("command", "fmt"), [("report", "html"), ("report", "json"), ("discover", "csv"), ("discover", "json")]
)
def test_every_command_output_replaces_a_committed_link(
    repo: Path, user_cache: Path, victim: Path, command: str, fmt: str
) -> None:
    # `archlint report -o portfolio.html` and `archlint discover -o inventory.csv` are CI
    # artifacts too: a link committed under the name must be replaced, never followed.
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "artifact.out").symlink_to(victim)
    commit_all(repo)

    run = archlint(command, "--format", fmt, "--output", "artifact.out", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode in (0, 1), run.stderr
    assert victim.read_text() == "the runner's own file\n"
    assert not (repo / "artifact.out").is_symlink()
    assert (repo / "artifact.out").stat().st_size > 0


@pytest.mark.parametrize("command", ["report", "discover"])
def test_every_command_refuses_an_output_folder_linked_out_of_the_repository(
    repo: Path, user_cache: Path, tmp_path: Path, command: str
) -> None:
    outside = tmp_path / "runner-home" / "reports"
    outside.mkdir(parents=True)
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "reports").symlink_to(outside, target_is_directory=True)
    commit_all(repo)

    run = archlint(command, "--output", "reports/out.txt", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 2
    assert "leads out of the repository" in run.stderr
    assert list(outside.iterdir()) == []
