"""Problem 7 of issue 13: nothing a repository names makes archlint read, walk or echo a file
outside the repository. Paths on the command line may point anywhere, but a report never
shows the content of a file that is not a feature or policy file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import FAILING_FEATURE, archlint, commit_all

SECRET = "ghp_TOPSECRETTOKEN0123456789"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file of the runner's outside the checkout, one line of text like /etc/passwd."""
    path = tmp_path / "runner-home" / "credentials"
    path.parent.mkdir()
    path.write_text(f"{SECRET}:x:0:0:root:/root:/bin/bash\n")
    return path


def targets(secret: Path) -> list[tuple[str, str]]:
    """(path, a piece of its first line) of files the attacks aim at."""
    found = [(str(secret), SECRET)]
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        found.append((str(passwd), passwd.read_text().splitlines()[0][:12]))
    return found


def test_policy_paths_naming_a_file_outside_are_refused_unread(
    repo: Path, user_cache: Path, secret: Path
) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    for path, first_line in targets(secret):
        (repo / "pyproject.toml").write_text(f'[tool.archlint]\npolicy-paths = ["{path}"]\n')
        commit_all(repo)

        run = archlint("check", ".", cwd=repo, user_cache=user_cache)

        assert run.returncode == 2
        assert f"policy-paths: '{path}' leads out of the repository" in run.stderr
        assert first_line not in run.stdout + run.stderr


def test_policy_paths_naming_the_root_folder_are_refused_unwalked(repo: Path, user_cache: Path) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "archlint.toml").write_text('policy-paths = ["/"]\n')
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)  # returns at once: nothing is walked

    assert run.returncode == 2
    assert "archlint.toml:1: policy-paths: '/' leads out of the repository" in run.stderr


def test_a_policy_folder_holding_a_link_out_is_refused(repo: Path, user_cache: Path, secret: Path) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "policies").mkdir()
    (repo / "policies" / "team.yaml").symlink_to(secret)
    (repo / "archlint.toml").write_text('policy-paths = ["policies"]\n')
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 2
    assert "'policies' leads out of the repository (team.yaml is a link out of it)" in run.stderr
    assert SECRET not in run.stdout + run.stderr


def test_a_committed_feature_link_out_of_the_repository_is_not_read(
    repo: Path, user_cache: Path, secret: Path
) -> None:
    for path, first_line in targets(secret):
        link = repo / "ai-feature.yaml"
        link.unlink(missing_ok=True)
        link.symlink_to(path)
        commit_all(repo)
        for fmt in ("text", "sarif", "json"):
            run = archlint("check", "--format", fmt, ".", cwd=repo, user_cache=user_cache)

            assert run.returncode == 2
            assert "ai-feature.yaml: symbolic link leads out of the repository; not read" in run.stderr
            assert first_line not in run.stdout + run.stderr


def test_a_feature_link_named_on_the_command_line_is_read_but_never_echoed(
    repo: Path, user_cache: Path, secret: Path
) -> None:
    for path, first_line in targets(secret):
        link = repo / "ai-feature.yaml"
        link.unlink(missing_ok=True)
        link.symlink_to(path)
        for fmt in ("text", "sarif", "json", "junit", "github", "gitlab"):
            run = archlint("check", "--format", fmt, "ai-feature.yaml", cwd=repo, user_cache=user_cache)

            assert run.returncode == 1, run.stderr
            assert "SCH001" in run.stdout
            assert "not an archlint AIFeature document" in run.stdout
            assert first_line not in run.stdout + run.stderr


def test_a_policy_file_named_on_the_command_line_is_never_echoed(
    repo: Path, user_cache: Path, secret: Path
) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    for path, first_line in targets(secret):
        run = archlint("check", "--policies", path, ".", cwd=repo, user_cache=user_cache)

        assert run.returncode == 2
        assert "not a valid policy file: document: not an archlint PolicySet document" in run.stderr
        assert first_line not in run.stdout + run.stderr


def test_a_config_file_link_out_of_the_repository_is_not_read(
    repo: Path, user_cache: Path, secret: Path
) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / ".archlint.toml").symlink_to(secret)
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 2
    assert ".archlint.toml: config file is a symbolic link to a file outside the repository" in run.stderr
    assert SECRET not in run.stdout + run.stderr


def test_links_that_stay_inside_the_repository_are_followed(repo: Path, user_cache: Path) -> None:
    (repo / "shared").mkdir()
    (repo / "shared" / "assistant.ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "service").mkdir()
    (repo / "service" / "ai-feature.yaml").symlink_to("../shared/assistant.ai-feature.yaml")
    commit_all(repo)

    run = archlint("check", "--format", "json", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1, run.stderr
    assert '"file": "service/ai-feature.yaml"' in run.stdout
