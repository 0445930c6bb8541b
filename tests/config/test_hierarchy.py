"""Hierarchical configuration (issue 15, item 2): the nearest config above each feature file
applies, `extend` inherits, and `archlint config PATH` shows what applies to one file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from archlint.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
# RAG006 (warning): top_k 20 without a reranker.
RAG006 = ROOT / "examples" / "anti-patterns" / "RAG006-context-pollution.ai-feature.yaml"


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two services with the same warning; faq-bot's own config ignores it."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "pyproject.toml").write_text('[tool.archlint]\nfail-on = "warning"\n')
    for service in ("faq-bot", "search"):
        folder = tmp_path / "services" / service
        folder.mkdir(parents=True)
        shutil.copy(RAG006, folder / "ai-feature.yaml")
    (tmp_path / "services" / "faq-bot" / "archlint.toml").write_text(
        'extend = "../../pyproject.toml"\nignore = ["RAG006"]\n'
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def reported(out: str) -> list[str]:
    return sorted(f"{finding['file']} {finding['rule']}" for finding in json.loads(out)["findings"])


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--no-cache"],  # CI from the root
        [
            "check",
            "--no-cache",
            "services/faq-bot/ai-feature.yaml",
            "services/search/ai-feature.yaml",
        ],  # the hook
        ["check", "--no-cache", "services"],
    ],
)
def test_a_service_config_applies_from_the_root(
    monorepo: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert (code, err) == (1, "")
    assert reported(out) == ["services/search/ai-feature.yaml RAG006"]


def test_from_inside_the_service_too(
    monorepo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(monorepo / "services" / "faq-bot")
    assert run(capsys, "check", "--no-cache", ".")[0] == 0
    # ... and a sibling named from there gets its own (the root's) settings.
    code, out, _ = run(capsys, "check", "--no-cache", "../search/ai-feature.yaml", "--format", "json")
    assert code == 1 and reported(out) == ["services/search/ai-feature.yaml RAG006"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_many_files_in_workers_and_through_the_cache(
    monorepo: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    # Enough files in each folder for worker processes to start (parallel.MIN_FILES).
    for service in ("faq-bot", "search"):
        for index in range(60):
            shutil.copy(RAG006, monorepo / "services" / service / f"f{index}.ai-feature.yaml")
    expected = sorted(
        f"services/search/{name} RAG006"
        for name in ["ai-feature.yaml", *(f"f{index}.ai-feature.yaml" for index in range(60))]
    )
    cache = str(monorepo.parent / f"{monorepo.name}-cache")
    for _ in range(2):  # the second run is answered from the cache
        code, out, err = run(capsys, "check", "-j", jobs, "--cache-dir", cache, "--format", "json")
        assert (code, err) == (1, "")
        assert reported(out) == expected
    # A changed service config is a new run key: the cache does not answer with stale results.
    (monorepo / "services" / "faq-bot" / "archlint.toml").write_text('extend = "../../pyproject.toml"\n')
    code, out, _ = run(capsys, "check", "-j", jobs, "--cache-dir", cache, "--format", "json")
    assert len(reported(out)) == 122


def test_the_report_keeps_the_order_of_discovery(monorepo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (monorepo / "services" / "faq-bot" / "archlint.toml").write_text('[severity]\nRAG006 = "error"\n')
    shutil.copy(RAG006, monorepo / "services" / "zeta.ai-feature.yaml")
    code, out, _ = run(capsys, "check", "--no-cache")
    files = [line.split(":")[0] for line in out.splitlines() if ": " in line and " RAG006 " in line]
    assert files == [
        "services/faq-bot/ai-feature.yaml",
        "services/search/ai-feature.yaml",
        "services/zeta.ai-feature.yaml",
    ]
    assert " error RAG006" in out.splitlines()[0]
    assert code == 1


def test_a_nested_fail_on_decides_for_its_own_files(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (monorepo / "pyproject.toml").write_text("[tool.archlint]\n")  # the root fails on errors only
    (monorepo / "services" / "faq-bot" / "archlint.toml").write_text('fail-on = "warning"\n')
    assert run(capsys, "check", "--no-cache", "services/search")[0] == 0
    assert run(capsys, "check", "--no-cache")[0] == 1  # faq-bot's warning fails it
    assert run(capsys, "check", "--no-cache", "--fail-on", "error")[0] == 0  # the flag has the last word


def test_junit_fails_a_file_by_its_own_fail_on(monorepo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The exit code and the JUnit report agree: faq-bot's warning fails under faq-bot's
    # fail-on = "warning", search's identical warning passes under the root's default.
    import xml.etree.ElementTree as ET

    (monorepo / "pyproject.toml").write_text("[tool.archlint]\n")
    (monorepo / "services" / "faq-bot" / "archlint.toml").write_text('fail-on = "warning"\n')
    code, out, _ = run(capsys, "check", "--no-cache", "--format", "junit")
    assert code == 1
    failing = {
        suite.get("name")
        for suite in ET.fromstring(out).iter("testsuite")
        if any(case.find("failure") is not None for case in suite.iter("testcase"))
    }
    assert failing == {"services/faq-bot/ai-feature.yaml"}


def test_a_nested_exclude_is_relative_to_its_folder(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (monorepo / "services" / "search" / "archlint.toml").write_text('exclude = ["drafts/"]\n')
    drafts = monorepo / "services" / "search" / "drafts"
    drafts.mkdir()
    shutil.copy(RAG006, drafts / "ai-feature.yaml")
    code, out, _ = run(capsys, "check", "--no-cache", "--format", "json")
    assert reported(out) == ["services/search/ai-feature.yaml RAG006"]
    assert code == 0  # search's own file does not extend the root's fail-on = "warning"


def test_config_and_isolated_switch_the_hierarchy_off(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = ["services/faq-bot/ai-feature.yaml RAG006", "services/search/ai-feature.yaml RAG006"]
    code, out, _ = run(capsys, "check", "--no-cache", "--config", "pyproject.toml", "--format", "json")
    assert reported(out) == both
    code, out, _ = run(capsys, "check", "--no-cache", "--isolated", "--format", "json")
    assert reported(out) == both and code == 0  # isolated: fail-on error, RAG006 is a warning


def test_extend_inherits_and_lists_add_up(monorepo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (monorepo / "pyproject.toml").write_text(
        '[tool.archlint]\nfail-on = "warning"\nignore = ["DEC001"]\n[tool.archlint.params]\nmax_top_k = 30\n'
    )
    (monorepo / "services" / "faq-bot" / "archlint.toml").write_text(
        'extend = "../../pyproject.toml"\nignore = ["RAG009"]\n[params]\nlow_latency_ms = 100\n'
    )
    code, out, _ = run(capsys, "config", "services/faq-bot/ai-feature.yaml", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    rows = {row["key"]: (row["value"], row["layer"], row["origin"]) for row in payload["values"]}
    base, child = monorepo / "pyproject.toml", monorepo / "services" / "faq-bot" / "archlint.toml"
    assert payload["config_file"] == str(child)
    assert rows["fail-on"] == ("warning", "repo", f"{base}:2")
    assert rows["params.max_top_k"] == ("30", "repo", f"{base}:5")
    assert rows["params.low_latency_ms"] == ("100", "repo", f"{child}:4")
    assert rows["ignore"] == ('["DEC001", "RAG009"]', "repo", f"{base}:3 + {child}:2")


def test_config_path_text_names_the_file(monorepo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "config", "services/faq-bot")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "for: services/faq-bot"
    assert lines[1] == f"config file: {monorepo / 'services' / 'faq-bot' / 'archlint.toml'}"
    assert any(line.startswith("ignore ") and '["RAG006"]' in line for line in lines)


@pytest.mark.parametrize(
    ("files", "culprit", "line", "message"),
    [
        (
            {"a.toml": 'extend = "b.toml"\n', "b.toml": '\nextend = "a.toml"\n'},
            "b.toml",
            2,
            "extend: cycle (archlint.toml -> a.toml -> b.toml -> a.toml)",
        ),
        ({"a.toml": 'extend = "a.toml"\n'}, "a.toml", 1, "extend: cycle (archlint.toml -> a.toml -> a.toml)"),
        (
            {"a.toml": 'fail-on = "info"\nextend = "missing.toml"\n'},
            "a.toml",
            2,
            "extend: 'missing.toml' does not",
        ),
        (
            {"a.toml": 'extend = "../../../../outside.toml"\n'},
            "a.toml",
            1,
            "extend: '../../../../outside.toml' is",
        ),
        ({"a.toml": "extend = 3\n"}, "a.toml", 1, "'extend' must be a path to another config file"),
    ],
)
def test_bad_extends_are_located_errors(
    monorepo: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    culprit: str,
    line: int,
    message: str,
) -> None:
    folder = monorepo / "services" / "search"
    (monorepo.parent / "outside.toml").write_text("")
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "archlint.toml").write_text('extend = "a.toml"\n')
    code, out, err = run(capsys, "check", "--no-cache")
    assert (code, out) == (2, "")
    assert err.startswith(f"archlint: error: {folder / culprit}:{line}: {message}"), err


def test_a_symlink_cannot_carry_extend_outside(monorepo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = monorepo.parent / "planted.toml"
    outside.write_text('ignore = ["ALL"]\n')
    (monorepo / "services" / "search" / "base.toml").symlink_to(outside)
    (monorepo / "services" / "search" / "archlint.toml").write_text('extend = "base.toml"\n')
    code, _, err = run(capsys, "check", "--no-cache")
    assert code == 2 and "extend: 'base.toml' is outside the repository" in err


def test_a_long_extend_chain_is_refused(monorepo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = monorepo / "services" / "search"
    for index in range(40):
        (folder / f"c{index}.toml").write_text(f'extend = "c{index + 1}.toml"\n')
    (folder / "c40.toml").write_text("")
    (folder / "archlint.toml").write_text('extend = "c0.toml"\n')
    code, _, err = run(capsys, "check", "--no-cache")
    assert code == 2 and "extend: more than 32 files in one chain" in err


def test_a_config_linked_to_a_file_outside_is_refused(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = monorepo.parent / "elsewhere.toml"
    outside.write_text('ignore = ["ALL"]\n')
    (monorepo / "services" / "search" / "archlint.toml").symlink_to(outside)
    code, out, err = run(capsys, "check", "--no-cache")
    assert (code, out) == (2, "")
    assert err == (
        f"archlint: error: {monorepo / 'services' / 'search' / 'archlint.toml'}: config file is a symbolic "
        f"link to a file outside the repository ({monorepo})\n"
    )
