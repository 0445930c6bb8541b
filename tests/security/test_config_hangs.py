"""Issue 13, item 4 (the config half): config files that hung archlint or crashed it.

- A valid pyproject.toml of 4,000 blank lines took 28 s on every command: the regex that looked
  for `[tool.archlint]` was cubic on blank lines. Config files are now parsed by tomllib alone
  and lines are located by one linear scan.
- A TOML file nested 5,000 deep ended in "internal error: RecursionError"; it is now a config
  error located at the place the nesting gets deepest.

No timing assertions: each case must simply complete with the right exit code and message
(the old code did not complete in any reasonable time on the larger files).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from archlint.cli import main
from archlint.config import deepest, locate

ROOT = Path(__file__).resolve().parent.parent.parent
CLEAN = ROOT / "tests" / "hostile" / "valid-feature.yaml"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(CLEAN, tmp_path / "ai-feature.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("blank_lines", [4_000, 10_000])
@pytest.mark.parametrize("command", [["check", "--no-cache"], ["config"], ["rules"]])
def test_a_pyproject_of_blank_lines(
    repo: Path, capsys: pytest.CaptureFixture[str], blank_lines: int, command: list[str]
) -> None:
    # The exact file of the report: valid TOML, nothing but newlines.
    (repo / "pyproject.toml").write_text("\n" * blank_lines)
    code, _, err = run(capsys, *command)
    assert (code, err) == (0, "")


def test_blank_lines_before_an_archlint_table_with_a_mistake(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text("\n" * 4_000 + "[tool.archlint]\n" + "\n" * 4_000 + 'selectt = ["FT"]\n')
    code, out, err = run(capsys, "check", "--no-cache")
    assert (code, out) == (2, "")
    assert err == f"archlint: error: {pyproject}:8002: unknown key 'selectt' (did you mean 'select'?)\n"


def test_blank_lines_and_spaces_in_a_table_header(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Whitespace the old pattern backtracked over, inside and around a header.
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(("\n" + " " * 200) * 2_000 + "\n[ tool . archlint ]\nfail-on = 'fatal'\n")
    code, _, err = run(capsys, "check", "--no-cache")
    assert code == 2
    assert err == (
        f"archlint: error: {pyproject}:2003: "
        "'fail-on' must be one of 'error', 'warning', 'info', got 'fatal'\n"
    )


NESTED = {
    # 5,000 levels, as in the report: arrays, inline tables, and both mixed.
    "arrays": "x = " + "[" * 5_000 + "]" * 5_000 + "\n",
    "inline tables": "x = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n",
    "mixed": "x = " + "[{a = " * 2_500 + "1" + "}]" * 2_500 + "\n",
}


@pytest.mark.parametrize("name", ["archlint.toml", "pyproject.toml"])
@pytest.mark.parametrize("kind", list(NESTED))
def test_toml_nested_5000_deep_is_a_located_config_error(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str, kind: str
) -> None:
    header = "[tool.archlint]\n" if name == "pyproject.toml" else ""
    config = repo / name
    config.write_text(header + 'fail-on = "error"\n' + NESTED[kind])
    line = 3 if header else 2
    # The column of the 5,000th opening bracket: where the nesting is deepest.
    openings = [i for i, char in enumerate(NESTED[kind]) if char in "[{"]
    column = openings[4_999] + 1
    for command in (["check", "--no-cache"], ["config"]):
        code, out, err = run(capsys, *command)
        assert (code, out) == (2, "")
        assert err == (
            f"archlint: error: {config}:{line}:{column}: "
            "invalid TOML: arrays or inline tables nested 5000 deep, too deep to read\n"
        ), err


def test_a_deep_organisation_config_is_located_too(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = tmp_path.parent / f"{tmp_path.name}-org.toml"
    org.write_text("lock = true\n" + NESTED["arrays"])
    code, _, err = run(capsys, "check", "--no-cache", "--org-config", str(org))
    assert code == 2
    assert err.startswith(f"archlint: error: {org}:2:5004: invalid TOML: arrays or inline tables nested 5000")
    assert "internal error" not in err


def test_deep_nesting_inside_strings_and_comments_is_not_nesting() -> None:
    text = 'a = "[[[[{{{{"\nb = """\n[[[[\n"""\n# [[[[[[[[\nc = [[1]]\n'
    assert deepest(text) == (2, 6, 6)


def test_locate_reads_each_line_once() -> None:
    # A quadratic or worse scan would not finish on these; a linear one answers at once.
    text = "\n" * 200_000 + "[tool.archlint]\n" + "a." * 50_000 + "b = 1\n" + "select = []\n"
    assert locate(text, True, "select") == 200_003
    assert locate("[" + " " * 100_000 + "\nselect = 1\n", False, "select") == 2
