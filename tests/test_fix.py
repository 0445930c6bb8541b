"""`archlint check --fix`: round-trip golden files, idempotence on every example and on
generated files, and the file-system rules (nothing without --fix, SCH002 refused, no
symbolic links followed, nothing written outside the repository).

Golden files in tests/data/fix/golden/ hold the repaired text of each input in
tests/data/fix/, compared exactly. After an intended change, regenerate and review the diff:

    pytest tests/test_fix.py --update-golden
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from archlint import fix
from archlint.check import Plan, plan
from archlint.cli import main
from archlint.policies import load_files
from archlint.policy_paths import policy_files
from archlint.settings import Settings

from .conftest import git_init
from .test_fuzz import feature_documents

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "fix"
GOLDEN = DATA / "golden"
INPUTS = sorted(path.name for path in DATA.glob("*.yaml"))
EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))


@pytest.fixture(scope="module")
def the_plan() -> Plan:
    return plan(load_files(policy_files()), Settings())


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # CRLF stays CRLF


@pytest.mark.parametrize("name", INPUTS)
def test_round_trip_golden(name: str, the_plan: Plan, request: pytest.FixtureRequest) -> None:
    fixed = fix.fix_text(read(DATA / name), name, the_plan)
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(fixed.text.encode("utf-8"))
        return
    assert golden.exists(), f"no golden file {golden}; run `pytest tests/test_fix.py --update-golden`"
    assert fixed.text == read(golden), f"{name} differs from its golden file; if intended, --update-golden"


def test_what_is_repaired_and_what_is_left(the_plan: Plan) -> None:
    fixed = fix.fix_text(read(DATA / "typos.ai-feature.yaml"), "typos.ai-feature.yaml", the_plan)
    assert [(c.line, c.description) for c in fixed.changes] == [
        (10, "renamed 'aproach' to 'approach'"),
        (11, "'yes' -> true (a boolean)"),
        (13, "'Yes' -> true (a boolean)"),
        (17, "'on' -> true (a boolean)"),
        (18, "'off' -> false (a boolean)"),
        (19, "renamed 'chunkng' to 'chunking'"),
    ]
    # Comments, quoting, flow mappings and the key left for a person are all still there.
    assert "  approach: rag         # misspelt, renamed in place with its comment\n" in fixed.text
    assert "sensitivity: 'internal'" in fixed.text and 'owner: "platform"' in fixed.text
    assert "    zzz_custom: 1\n" in fixed.text
    waivers = fix.fix_text(read(DATA / "waivers.ai-feature.yaml"), "w.yaml", the_plan)
    assert [c.description for c in waivers.changes] == [
        "removed the unused waiver for RAG006",
        "removed the unused waiver for FT001",
    ]
    assert "# Used: RAG001 fires, so this one stays." in waivers.text
    assert "Unused: RAG006" not in waivers.text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_every_example_is_fixed_idempotently(path: Path, the_plan: Plan) -> None:
    try:
        once = fix.fix_text(read(path), path.name, the_plan)
    except fix.Refused:
        assert "SCH002" in path.name  # the one example that is not YAML archlint reads
        return
    twice = fix.fix_text(once.text, path.name, the_plan)
    assert (twice.text, twice.changes) == (once.text, ())


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(raw=feature_documents())
def test_generated_files_are_fixed_idempotently(raw: bytes, the_plan: Plan) -> None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    try:
        once = fix.fix_text(text, "generated.yaml", the_plan)
    except fix.Refused:
        return
    twice = fix.fix_text(once.text, "generated.yaml", the_plan)
    assert (twice.text, twice.changes) == (once.text, ())


# ---------------------------------------------------------------------------- the command


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    git_init(tmp_path)
    for name in ("typos.ai-feature.yaml", "waivers.ai-feature.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--isolated", "--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(repo: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in repo.iterdir() if p.is_file()}


def test_without_fix_nothing_is_touched(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(repo)
    check(capsys, ".")
    assert snapshot(repo) == before


def test_diff_shows_and_writes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(repo)
    code, out, err = check(capsys, "--fix", "--diff", ".")
    assert code == 1  # there is something to fix
    assert "--- a/typos.ai-feature.yaml\n+++ b/typos.ai-feature.yaml\n" in out
    assert "-  aproach: rag" in out and "+  approach: rag" in out
    assert "would fix 8 problems in 2 files" in err
    assert snapshot(repo) == before
    (repo / "typos.ai-feature.yaml").unlink()
    (repo / "waivers.ai-feature.yaml").unlink()
    shutil.copy(DATA / "clean.ai-feature.yaml", repo / "clean.ai-feature.yaml")
    assert check(capsys, "--fix", "--diff", ".")[0] == 0


def test_fix_writes_reports_and_then_checks(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.chmod(repo / "typos.ai-feature.yaml", 0o640)
    code, out, err = check(capsys, "--fix", ".")
    assert "typos.ai-feature.yaml:10:3: fixed: renamed 'aproach' to 'approach'" in err
    assert "waivers.ai-feature.yaml:20:7: fixed: removed the unused waiver for RAG006" in err
    assert "fixed 8 problems in 2 files" in err
    assert read(repo / "typos.ai-feature.yaml") == read(GOLDEN / "typos.ai-feature.yaml")
    assert (os.stat(repo / "typos.ai-feature.yaml").st_mode & 0o777) == 0o640
    assert not [p for p in repo.iterdir() if p.name.startswith(".archlint-fix-")]
    # The report is of what is left: the unknown key nobody could guess, RAG001 waived.
    assert "SCH001 unknown field 'zzz_custom'" in out and "WVR002" not in out
    assert code == 1
    before = snapshot(repo)
    check(capsys, "--fix", ".")
    assert snapshot(repo) == before  # a second run changes nothing


def test_invalid_yaml_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = repo / "broken.ai-feature.yaml"
    broken.write_text("spec:\n  aproach: rag\n  aproach: rag\n")
    code, out, err = check(capsys, "--fix", "broken.ai-feature.yaml")
    assert "not fixing broken.ai-feature.yaml: invalid YAML (SCH002)" in err
    assert broken.read_text() == "spec:\n  aproach: rag\n  aproach: rag\n"
    assert code == 1 and "SCH002" in out


def test_symbolic_links_are_not_followed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = repo.parent / "outside"
    outside.mkdir()
    target = outside / "typos.ai-feature.yaml"
    shutil.copy(DATA / "typos.ai-feature.yaml", target)
    (repo / "linked.ai-feature.yaml").symlink_to(target)
    (repo / "inner.ai-feature.yaml").symlink_to(repo / "typos.ai-feature.yaml")
    _, _, err = check(capsys, "--fix", "linked.ai-feature.yaml", "inner.ai-feature.yaml")
    assert "not fixing linked.ai-feature.yaml: it is a symbolic link" in err
    assert "not fixing inner.ai-feature.yaml: it is a symbolic link" in err
    assert read(target) == read(DATA / "typos.ai-feature.yaml")
    assert (repo / "inner.ai-feature.yaml").is_symlink()
    assert read(repo / "typos.ai-feature.yaml") == read(DATA / "typos.ai-feature.yaml")


def test_files_outside_the_repository_are_not_written(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "typos.ai-feature.yaml"
    shutil.copy(DATA / "typos.ai-feature.yaml", elsewhere)
    _, _, err = check(capsys, "--fix", str(elsewhere))
    assert "it is outside the repository" in err
    assert read(elsewhere) == read(DATA / "typos.ai-feature.yaml")


def test_init_output_needs_no_fix(tmp_path: Path, the_plan: Plan) -> None:
    git_init(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "archlint", "init", "--defaults", "-o", "ai-feature.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    text = read(tmp_path / "ai-feature.yaml")
    assert fix.fix_text(text, "ai-feature.yaml", the_plan) == (text, ())
