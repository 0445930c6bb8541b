"""The command line as a user meets it: entry points, help, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archlint import __version__
from archlint.cli import COMMANDS, main


def test_python_dash_m_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "archlint", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"archlint {__version__}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_on_every_command(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: archlint {command}" in capsys.readouterr().out


def test_no_command_prints_help_and_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: archlint" in capsys.readouterr().out


def test_the_process_exits_with_the_code_and_its_whole_output() -> None:
    """The console script skips interpreter teardown: output must still be flushed in full."""
    result = subprocess.run(
        [sys.executable, "-m", "archlint", "explain", "FT004", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == "FT004"
    broken = subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--no-cache", "--format", "json", "no-such-path"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert broken.returncode == 2 and "no-such-path" in broken.stderr


def test_a_closed_pipe_is_not_a_traceback() -> None:
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads: writing the output fails
    result = subprocess.run(
        [sys.executable, "-m", "archlint", "rules"],
        stdout=writer,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    os.close(writer)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--debug", "--help"])
    assert exited.value.code == 0
    listed = capsys.readouterr().out
    assert all(f"    {command} " in listed for command in COMMANDS)


@pytest.mark.parametrize("argv", [["chek"], ["--debug", "chek", "x"]])
def test_unknown_command_names_the_choices(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'chek'" in error and all(repr(command) in error for command in COMMANDS)


def test_a_path_named_like_a_command_is_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rules").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-cache", "rules"]) == 0  # the folder, not the subcommand


def test_unknown_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--frobnicate"])
    assert exited.value.code == 2


def test_internal_error_has_no_traceback_unless_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import archlint.commands.rules as rules

    def boom(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(rules, "run", boom)
    assert main(["rules"]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err
    assert main(["--debug", "rules"]) == 2
    assert "Traceback" in capsys.readouterr().err
