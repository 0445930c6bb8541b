"""The README's first screen: the two commands a newcomer runs, and CI runs the second.

CI (.ci/run) runs the second command, verbatim, in a fresh virtualenv on a clean clone: that
is the fresh-machine test of the test command (the Mermaid test installs its Node parser
itself). The first command is run here, in a fresh virtualenv on a copy of the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

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


def test_ci_does_not_prepare_anything_the_readme_command_lacks() -> None:
    # The README command must pass by itself: CI may set up the virtualenv, nothing more.
    script = (ROOT / ".ci" / "run").read_text()
    assert "npm" not in script


def _copy_of_the_checkout(target: Path) -> None:
    """What a fresh clone holds: tracked and untracked files that git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )
    if listed.returncode != 0:  # an unpacked sdist: the tree minus local state
        shutil.copytree(
            ROOT,
            target,
            ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", ".*_cache"),
        )
        return
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.mark.slow
def test_first_command_works_in_a_fresh_venv_on_a_fresh_copy(tmp_path: Path) -> None:
    checkout = tmp_path / "archlint"
    _copy_of_the_checkout(checkout)
    assert not (checkout / ".venv").exists() and not (checkout / "tests/js/node_modules").exists()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    run_command = readme_commands()[0]
    completed = subprocess.run(
        ["bash", "-c", run_command],
        cwd=checkout,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    # The anti-pattern examples fail on purpose: exit 1, with located findings and a summary.
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert shutil.which("archlint", path=str(env_dir / "bin")) is not None
    lines = completed.stdout.splitlines()
    assert sum(bool(FINDING_LINE.match(line)) for line in lines) >= 30
    assert re.search(r"\d+ files checked: \d+ errors, \d+ warnings, \d+ info", completed.stdout)


def test_docs_pin_only_refs_that_exist() -> None:
    """Snippets must work as written: `rev:` and `archlint@REF` name `main` or a tag this
    repository has (none yet), never a release that was not made."""
    tags = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    allowed = {"main", *tags}
    texts = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *sorted((ROOT / "docs").glob("*.md"))]
    for path in texts:
        text = path.read_text()
        for ref in re.findall(r"^\s*#?\s*rev:\s*([^\s#]+)", text, re.M) + re.findall(
            r"archlint@([\w.\-]+)", text
        ):
            assert ref in allowed, f"{path.name} pins {ref!r}, which this repository does not provide"
