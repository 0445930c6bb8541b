"""The README's first screen: the two commands a newcomer runs, and CI runs the second."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FINDING_LINE = re.compile(r"^examples/\S+\.ya?ml:\d+:\d+: (error|warning|info) [A-Z]+[0-9]{3} ")


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_first_screen_has_install_and_test_commands() -> None:
    run_command, test_command = readme_commands()[:2]
    assert run_command == "python3 -m pip install . && archlint check examples/"
    assert test_command == "python3 -m pip install -e '.[dev]' && pytest"
    head = (ROOT / "README.md").read_text().splitlines()[:25]
    assert run_command in head and test_command in head


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in script


def test_quick_start_prints_located_findings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "archlint", "check", "examples/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert sum(bool(FINDING_LINE.match(line)) for line in lines) >= 30
    assert re.search(r"\d+ files checked: \d+ errors, \d+ warnings, \d+ info", result.stdout)
