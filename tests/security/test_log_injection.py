"""Problem 8 of issue 13: nothing a pull request writes can forge a line of archlint's output.

A CI runner reads its job's output for commands (GitHub Actions: a line starting with `::`),
and a terminal obeys ANSI escapes. File and folder names, policy messages, document values
and waiver reasons are the pull request's; in text output they are printed inert.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from archlint.inert import InertLines, inert, inert_line

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


# ---------------------------------------------------------------------------- other commands
# decide, explain, rules, test, config and discover print the pull request's text too: feature
# names and paths, a custom policy's summary and rationale, config values, source file names.

FORGED_LINE = f"\n{FORGED_ERROR}\x1b[2K"
ADD_MASK = "\n::add-mask::x\x1b[31m"


def printed_inert(run: subprocess.CompletedProcess[str]) -> None:
    """Neither stream of a finished run has a command line or an escape character."""
    for output in (run.stdout, run.stderr):
        assert command_lines(output) == [], output
        assert "\x1b" not in output and "\r" not in output, output


def quoted(text: str) -> str:
    """A YAML double-quoted scalar holding `text` (newlines and escapes as YAML escapes)."""
    return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\x1b", "\\e") + '"'


# A custom policy whose summary, rationale (a list: kept line by line) and failing case's
# message hold a command on a line of its own.
CUSTOM_POLICY = f"""\
apiVersion: archlint/v1
kind: PolicySet
metadata: {{name: team}}
rules:
  - id: TEAM001
    name: described
    severity: error
    summary: {quoted("Every feature is described." + ADD_MASK)}
    rationale: {quoted("- a reviewer reads it first" + ADD_MASK)}
    remediation: {quoted("Describe it." + ADD_MASK)}
    references: [{{title: Notes, url: "https://example.org/notes"}}]
    condition: "true"
    path: metadata.name
    message: {quoted("named {metadata.name}" + ADD_MASK)}
    tests:
      pass:
        - description: {quoted("never passes" + ADD_MASK)}
          document: {{apiVersion: archlint/v1, kind: AIFeature, metadata: {{name: a, owner: b}},
                     spec: {{problem: knowledge, approach: rag}}}}
      fail:
        - document: {{apiVersion: archlint/v1, kind: AIFeature, metadata: {{name: a, owner: b}},
                     spec: {{problem: knowledge, approach: rag}}}}
"""


# A gates file (`decide --gates`) whose gate title holds a command on a line of its own.
GATES = f"""\
apiVersion: archlint/v1
kind: DecisionGates
metadata: {{name: rag-first}}
state: {{}}
assumptions: {{}}
gates:
  - id: always
    title: {quoted("Always retrieve" + ADD_MASK)}
    question: Is there anything to decide?
    why: This organisation retrieves everything.
    outcomes:
      - recommend: "'rag'"
        label: house
        fields: [spec.problem]
        because: house rule for {{spec.problem}} problems
"""


@pytest.fixture
def custom_policy(repo: Path) -> Path:
    (repo / "policies").mkdir()
    (repo / "policies" / "team.yaml").write_text(CUSTOM_POLICY)
    (repo / "archlint.toml").write_text('policy-paths = ["policies"]\n')
    commit_all(repo)
    return repo


def test_decide_prints_a_forged_feature_name_and_value_inert(repo: Path, user_cache: Path) -> None:
    named = FAILING_FEATURE.replace("name: stock-checker", f"name: {quoted('stock' + FORGED_LINE)}")
    (repo / "ai-feature.yaml").write_text(named.replace("daily", quoted("daily" + FORGED_LINE)))
    commit_all(repo)

    run = archlint("decide", "ai-feature.yaml", cwd=repo, user_cache=user_cache)

    assert run.returncode == 2  # the schema refuses both, quoting them
    printed_inert(run)
    assert "SCH001 metadata.name: 'stock\\n::error file=README.md" in run.stderr


def test_decide_prints_a_forged_path_and_gate_inert(repo: Path, user_cache: Path) -> None:
    folder = repo / f"x{FORGED_LINE}"
    folder.mkdir()
    (folder / "ai-feature.yaml").write_text(FAILING_FEATURE)
    (repo / "gates.yaml").write_text(GATES)
    commit_all(repo)

    runs = [
        archlint("decide", str(folder / "ai-feature.yaml"), *extra, cwd=repo, user_cache=user_cache)
        for extra in ([], ["--gates", "gates.yaml"])
    ]
    broken = FAILING_FEATURE.replace("top_k: 4", "top_k: many")
    (folder / "ai-feature.yaml").write_text(broken)
    runs.append(archlint("decide", str(folder / "ai-feature.yaml"), cwd=repo, user_cache=user_cache))

    assert [run.returncode for run in runs] == [0, 0, 2], runs[-1].stderr
    for run in runs:
        printed_inert(run)
    # A newline in a name still ends the line it is printed on; the line it starts is inert.
    assert "\n\\x3a:error file=README.md,line=1::All checks passed\\x1b[2K/ai-feature.yaml)" in runs[0].stdout
    assert "\n\\x3a:add-mask::x\\x1b[31m)" in runs[1].stdout


@pytest.mark.parametrize(
    "command",
    [["explain", "TEAM001"], ["rules"], ["test", "policies/team.yaml"], ["test", "--verbose"]],
    ids=["explain", "rules", "test", "test-verbose"],
)
def test_a_custom_policy_text_is_printed_inert(
    custom_policy: Path, user_cache: Path, command: list[str]
) -> None:
    run = archlint(*command, cwd=custom_policy, user_cache=user_cache)

    assert run.returncode == (1 if command[0] == "test" else 0), run.stderr
    printed_inert(run)
    assert "\n\\x3a:add-mask::x\\x1b[31m" in run.stdout  # shown, as text


def test_rules_by_framework_is_printed_inert(custom_policy: Path, user_cache: Path) -> None:
    policy = custom_policy / "policies" / "team.yaml"
    mapped = policy.read_text().replace(
        "    condition:", '    mappings: {"nist-ai-rmf": ["GOVERN 1.1"]}\n    condition:'
    )
    policy.write_text(mapped)
    commit_all(custom_policy)

    run = archlint("rules", "--framework", "nist-ai-rmf", cwd=custom_policy, user_cache=user_cache)

    assert run.returncode == 0, run.stderr
    printed_inert(run)


def test_config_prints_a_forged_value_and_path_inert(repo: Path, user_cache: Path) -> None:
    folder = repo / f"x\n{STOP_COMMANDS}"
    folder.mkdir()
    (folder / "archlint.toml").write_text(f"exclude = [{json.dumps(STOP_COMMANDS + FORGED_LINE)}]\n")
    (folder / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)

    run = archlint("config", f"x\n{STOP_COMMANDS}", cwd=repo, user_cache=user_cache)

    assert run.returncode == 0, run.stderr
    printed_inert(run)
    assert "for: x\n\\x3a:stop-commands::tok\n" in run.stdout
    assert "exclude" in run.stdout and "stop-commands::tok" in run.stdout.split("exclude")[1]


def test_discover_prints_a_forged_source_file_name_inert(repo: Path, user_cache: Path) -> None:
    for name in (f"{STOP_COMMANDS}.py", f"x{FORGED_LINE}.py"):
        (repo / name).write_text("import openai\nclient = openai.OpenAI()\n")
    commit_all(repo)

    runs = [
        archlint("discover", "--no-cache", *fmt, cwd=repo, user_cache=user_cache)
        for fmt in ([], ["--format", "text", "--output", "inventory.txt"])
    ]

    assert [run.returncode for run in runs] == [1, 1], runs[0].stderr  # DSC001: no feature declares them
    printed_inert(runs[0])
    inventory = (repo / "inventory.txt").read_text()
    assert command_lines(inventory) == [] and "\x1b" not in inventory
    assert "\\x3a:stop-commands::tok.py:1:1: error DSC001" in runs[0].stdout


def test_inert_lines_writes_each_line_inert() -> None:
    stream = io.StringIO()
    with InertLines(stream) as out:
        print(f"a{FORGED_LINE}", file=out)
        out.write("  ##[error]x")
        out.write("y\rz")

    assert stream.getvalue() == (
        "a\n\\x3a:error file=README.md,line=1::All checks passed\\x1b[2K\n  \\x23#[error]xy\\rz"
    )
    assert not stream.closed
