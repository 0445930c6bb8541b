"""Problem 8 of issue 13: nothing a pull request writes can forge a line of archlint's output.

A CI runner reads its job's output for commands (GitHub Actions: a line starting with `::`),
and a terminal obeys ANSI escapes. File and folder names, policy messages, document values
and waiver reasons are the pull request's; in text output they are printed inert.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archlint.inert import inert, inert_line

from .conftest import FAILING_FEATURE, archlint, commit_all

FORGED_ERROR = "::error file=README.md,line=1::All checks passed"
STOP_COMMANDS = "::stop-commands::tok"

POLICY = """\
apiVersion: archlint/v1
kind: PolicySet
metadata: {name: team}
rules:
  - id: TEAM001
    name: described
    severity: error
    summary: Every feature is described.
    rationale: A reviewer reads the description first.
    remediation: Describe it.
    references: [{title: Notes, url: "https://example.org/notes"}]
    condition: "true"
    path: metadata.description
    message: "described as {metadata.description|nothing}\\n::add-mask::hunter2"
"""

DESCRIBED = FAILING_FEATURE.replace(
    "metadata: {name: stock-checker, owner: retail}",
    "metadata: {name: stock-checker, owner: retail, "
    'description: "ok\\r::error::forged\\e[2K\\u2028::notice::x"}',
)

WAIVED = (
    FAILING_FEATURE
    + """\
  waivers:
    - rule: RAG001
      reason: "accepted\\e[2K\\e[1A\\r::warning::cleared\\nall good"
      approved_by: security
      expires: 2999-01-01
"""
)


def command_lines(output: str) -> list[str]:
    """Lines a CI runner would read as a command."""
    return [line for line in output.splitlines() if line.lstrip().startswith(("::", "##["))]


def annotations(repo: Path, user_cache: Path, *paths: str) -> list[str]:
    """The lines archlint itself writes as annotations (the github format) for this run."""
    run = archlint("check", "--format", "github", *paths, cwd=repo, user_cache=user_cache)
    return run.stdout.splitlines()


@pytest.mark.parametrize("folder", [FORGED_ERROR, STOP_COMMANDS, "##[error]forged"])
def test_a_folder_name_cannot_start_a_command(repo: Path, user_cache: Path, folder: str) -> None:
    (repo / folder).mkdir()
    (repo / folder / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1, run.stderr
    assert command_lines(run.stdout + run.stderr) == []
    assert f"\\x{ord(folder[0]):02x}{folder[1:]}/ai-feature.yaml:" in run.stdout


def test_a_file_name_cannot_start_a_command(repo: Path, user_cache: Path) -> None:
    name = f"{STOP_COMMANDS}.ai-feature.yaml"
    (repo / name).write_text(FAILING_FEATURE)
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)
    github_job = {"GITHUB_ACTIONS": "true"}
    under_actions = archlint("check", ".", cwd=repo, user_cache=user_cache, env=github_job)

    assert command_lines(run.stdout + run.stderr) == []
    # In a GitHub job the only command lines are archlint's own annotations, file name escaped.
    own = annotations(repo, user_cache, ".")
    assert own and command_lines(under_actions.stdout) == own
    assert all(re.match(r"::(error|warning|notice) file=%3A%3Astop-commands%3A%3Atok", line) for line in own)


def test_a_file_name_with_control_characters_is_escaped(repo: Path, user_cache: Path) -> None:
    name = "x\r::error::forged\x1b[2K.ai-feature.yaml"
    (repo / name).write_text(FAILING_FEATURE)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert "\r" not in run.stdout and "\x1b" not in run.stdout
    assert command_lines(run.stdout) == []


def test_a_policy_message_and_document_values_cannot_add_lines(repo: Path, user_cache: Path) -> None:
    (repo / "policies").mkdir()
    (repo / "policies" / "team.yaml").write_text(POLICY)
    (repo / "archlint.toml").write_text('policy-paths = ["policies"]\n')
    (repo / "ai-feature.yaml").write_text(DESCRIBED)
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 1, run.stderr
    assert command_lines(run.stdout) == []
    assert "\r" not in run.stdout and "\x1b" not in run.stdout and "\u2028" not in run.stdout
    (line,) = [line for line in run.stdout.splitlines() if " TEAM001 " in line]
    assert line.endswith("described as ok\\r::error::forged\\x1b[2K\\u2028::notice::x\\n::add-mask::hunter2")


def test_a_waiver_reason_cannot_send_escapes(repo: Path, user_cache: Path) -> None:
    (repo / "ai-feature.yaml").write_text(WAIVED)
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache, env={"FORCE_COLOR": "1", "NO_COLOR": ""})

    assert run.returncode == 1, run.stderr  # RAG004 still fails it; RAG001 is waived
    assert "[waiver: accepted\\x1b[2K\\x1b[1A ::warning::cleared all good (approved by security" in run.stdout
    # The only escapes left are archlint's own colours.
    assert "\x1b[2K" not in run.stdout and "\x1b[1A" not in run.stdout and "\r" not in run.stdout
    assert command_lines(run.stdout) == []


def test_an_error_quoting_a_config_key_stays_one_inert_line(repo: Path, user_cache: Path) -> None:
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "archlint.toml").write_text('"x\\n::error::forged" = 1\n')
    commit_all(repo)

    run = archlint("check", ".", cwd=repo, user_cache=user_cache)

    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and command_lines(run.stderr) == []
    assert "unknown key 'x\\n::error::forged'" in run.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("a\nb\rc\x1b[31m\x00\u2028\x85", "a\\nb\\rc\\x1b[31m\\x00\\u2028\\x85"),
        ("\udcff", "\\udcff"),  # a byte that is not UTF-8, kept as a surrogate
    ],
)
def test_inert_escapes_every_character_that_is_not_printable(text: str, expected: str) -> None:
    assert inert(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("::error::x", "\\x3a:error::x"),
        ("  ::error::x", "  \\x3a:error::x"),
        ("\u3000::error::x", "\\u3000::error::x"),
        ("##[error]x", "\\x23#[error]x"),
        ("a ::error::x", "a ::error::x"),
    ],
)
def test_inert_line_never_starts_a_command(text: str, expected: str) -> None:
    assert inert_line(text) == expected
    assert not inert_line(text).lstrip().startswith(("::", "##["))
