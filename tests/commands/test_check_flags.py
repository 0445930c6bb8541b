"""The flags linter users reach for first: --quiet, --statistics, --show-source, --exit-zero,
stdin (`-` with --stdin-filename), --color, -o into missing folders, exit codes in --help,
and `archlint completion` (shtab)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archlint.cli import main

from ..conftest import git_init

ROOT = Path(__file__).resolve().parents[2]
ANTI = ROOT / "examples" / "anti-patterns"
RAG001 = "RAG001-rag-without-acl-filtering.ai-feature.yaml"
RAG006 = "RAG006-context-pollution.ai-feature.yaml"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    git_init(tmp_path)
    for name in (RAG001, RAG006):
        shutil.copy(ANTI / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--isolated", "--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_quiet_prints_the_findings_only(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--quiet", ".")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2 and all(": error RAG001 " in x or ": warning RAG006 " in x for x in lines)


def test_statistics_counts_each_rule(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(ANTI / RAG006, repo / f"again.{RAG006.split('-', 1)[1]}")
    code, out, _ = check(capsys, "--statistics", ".")
    assert code == 1
    assert out.splitlines()[:2] == [
        "2  RAG006  warning  context-pollution",
        "1  RAG001  error    rag-without-acl-filtering",
    ]
    assert "3 files checked: 1 error, 2 warnings, 0 info" in out
    assert ":39:5:" not in out  # no finding lines


def test_statistics_and_show_source_are_text_only(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--statistics", "--show-source"):
        code, _, err = check(capsys, flag, "--format", "json", ".")
        assert code == 2 and f"{flag} changes the text output" in err


def test_show_source_puts_a_caret_under_the_key(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = check(capsys, "--show-source", RAG001)
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if " error RAG001 " in line)
    source = (repo / RAG001).read_text().splitlines()[36]
    assert lines[at + 1 : at + 4] == [
        "   |",
        f"37 | {source}",
        "   |     ^^^^^^^^^^^^^",  # under acl_filtering, column 5
    ]


def test_exit_zero_keeps_the_report_and_exits_zero(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--exit-zero", ".")
    assert code == 0 and " error RAG001 " in out
    # A usage error is still one.
    code, _, _ = check(capsys, "--exit-zero", "missing.ai-feature.yaml")
    assert code == 2


def run_cli(*argv: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "archlint", *argv], cwd=cwd, input=stdin, capture_output=True, env=env
    )


def test_stdin_is_checked_under_the_given_name(repo: Path) -> None:
    (repo / "services").mkdir()
    text = (repo / RAG001).read_bytes()
    result = run_cli(
        "check", "--no-cache", "-", "--stdin-filename", "services/ai-feature.yaml", cwd=repo, stdin=text
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.decode().startswith("services/ai-feature.yaml:37:5: error RAG001 ")
    # From a subfolder the name is still relative to the repository root, as for files.
    result = run_cli(
        "check",
        "--no-cache",
        "--show-source",
        "-",
        "--stdin-filename",
        "ai-feature.yaml",
        cwd=repo / "services",
        stdin=text,
    )
    assert "services/ai-feature.yaml:37:5:" in result.stdout.decode()
    assert "37 |     acl_filtering: false" in result.stdout.decode()
    broken = run_cli("check", "--no-cache", "-", cwd=repo, stdin=b"spec: [unclosed\n")
    assert broken.returncode == 1 and b"-:2:1: error SCH002 " in broken.stdout


def test_stdin_takes_the_config_nearest_to_its_name(repo: Path) -> None:
    # An editor pipes services/faq-bot's file in: faq-bot's own config applies, as it does to
    # the file on disk, whether archlint runs from the root or from the service folder.
    service = repo / "services" / "faq-bot"
    service.mkdir(parents=True)
    (service / "archlint.toml").write_text('ignore = ["RAG001"]\n')
    text = (repo / RAG001).read_bytes()
    named = run_cli(
        "check",
        "--no-cache",
        "-",
        "--stdin-filename",
        "services/faq-bot/ai-feature.yaml",
        cwd=repo,
        stdin=text,
    )
    assert named.returncode == 0, named.stdout + named.stderr
    assert b"RAG001" not in named.stdout
    unnamed = run_cli("check", "--no-cache", "-", cwd=repo, stdin=text)
    assert unnamed.returncode == 1 and b"error RAG001" in unnamed.stdout


@pytest.mark.parametrize(
    "argv",
    [["-", "other.yaml"], ["--stdin-filename", "x.yaml", "."], ["--diff", "."], ["--fix", "-"]],
)
def test_meaningless_combinations_are_usage_errors(
    argv: list[str], repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = check(capsys, *argv)
    assert code == 2 and "archlint: error:" in err


def test_color_always_never_and_auto(repo: Path) -> None:
    always = run_cli("check", "--no-cache", "--color", "always", RAG001, cwd=repo)
    assert b"\x1b[31merror\x1b[0m" in always.stdout
    never = run_cli("check", "--no-cache", "--color", "never", RAG001, cwd=repo, stdin=b"")
    assert b"\x1b[" not in never.stdout
    auto = run_cli("check", "--no-cache", RAG001, cwd=repo)  # a pipe is not a terminal
    assert b"\x1b[" not in auto.stdout


def test_output_creates_missing_folders(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = check(capsys, "--format", "sarif", "-o", "reports/ci/archlint.sarif", ".")
    assert code == 1
    assert (repo / "reports" / "ci" / "archlint.sarif").read_text().startswith("{")
    (repo / "blocked").write_text("a file where a folder should be")
    code, _, err = check(capsys, "-o", "blocked/report.txt", ".")
    assert code == 2 and "cannot write the report" in err


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"]])
def test_help_lists_the_exit_codes(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(argv)
    out = capsys.readouterr().out
    assert "exit codes:\n  0  " in out and "\n  1  " in out and "\n  2  usage" in out


def test_bash_completion_completes_commands_and_flags(tmp_path: Path) -> None:
    script = run_cli("completion", "bash", cwd=tmp_path)
    assert script.returncode == 0
    (tmp_path / "archlint.bash").write_bytes(script.stdout)

    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        program = (
            f"source {tmp_path / 'archlint.bash'}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1};"
            f' COMP_LINE="{line}"; COMP_POINT=${{#COMP_LINE}}; _shtab_archlint;'
            ' printf "%s\\n" "${COMPREPLY[@]}"'
        )
        done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
        return done.stdout.split()

    assert "check" in complete("archlint", "ch")
    assert complete("archlint", "check", "--show-s") == ["--show-source"]
    assert set(complete("archlint", "check", "--color", "")) == {"auto", "always", "never"}


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_parse(shell: str, tmp_path: Path) -> None:
    script = run_cli("completion", shell, cwd=tmp_path)
    assert script.returncode == 0 and b"archlint" in script.stdout
    assert b"show-source" in script.stdout and b"completion" in script.stdout
    binary = shutil.which(shell)
    if binary is None:
        pytest.skip(f"{shell} is not installed (.ci/run installs it); the script was generated")
    path = tmp_path / f"archlint.{shell}"
    path.write_bytes(script.stdout)
    assert subprocess.run([binary, "-n", str(path)], capture_output=True).returncode == 0


def test_completion_does_not_slow_down_check() -> None:
    # shtab is imported by `archlint completion` only.
    program = (
        "import sys; from archlint.cli import main; import archlint.commands.check;"
        " print('shtab' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.strip() == "False"


def test_fish_completion_completes_commands_and_flags(tmp_path: Path) -> None:
    fish = shutil.which("fish")
    if fish is None:
        pytest.skip("fish is not installed (.ci/run installs it)")
    script = tmp_path / "archlint.fish"
    script.write_bytes(run_cli("completion", "fish", cwd=tmp_path).stdout)

    def complete(line: str) -> list[str]:
        done = subprocess.run(
            [fish, "--no-config", "-c", f"source {script}; complete -C '{line}'"],
            capture_output=True,
            text=True,
            check=True,
        )
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert complete("archlint check --show-s") == ["--show-source"]
    assert set(complete("archlint check --color ")) == {"auto", "always", "never"}
    assert "completion" in complete("archlint comp")
