"""`archlint check`: output, exit codes, flags."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archlint.cli import main
from archlint.reporters import REPORTERS

from ..conftest import CLEAN_RAG_FEATURE, EXAMPLES

CLEAN = CLEAN_RAG_FEATURE

WARNING_ONLY = CLEAN.replace("  evaluation: {dataset: evals/answers.jsonl}\n", "")
ERROR = CLEAN.replace("index_refresh: daily", "index_refresh: quarterly")


def write(tmp_path: Path, text: str, name: str = "ai-feature.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--isolated", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_file_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, write(tmp_path, CLEAN))
    assert code == 0
    assert out.strip() == "1 file checked: 0 errors, 0 warnings, 0 info"


def test_error_exits_one_with_located_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, ERROR)
    code, out, _ = run(capsys, path)
    assert code == 1
    assert f"{path}:13:5: error RAG004 " in out
    assert "Run `archlint explain RAG004`" in out
    assert out.count("archlint explain") == 1


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str, expected: int
) -> None:
    code, out, _ = run(capsys, "--fail-on", fail_on, write(tmp_path, WARNING_ONLY))
    assert code == expected
    assert "warning GEN001" in out


def test_ignore_and_select(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, ERROR)
    assert run(capsys, "--ignore", "RAG004", path)[0] == 0
    assert run(capsys, "--ignore", "index-staler-than-knowledge", path)[0] == 0
    assert run(capsys, "--ignore", "RAG", path)[0] == 0
    code, out, _ = run(capsys, "--select", "GEN", path)
    assert code == 0 and "RAG004" not in out


def test_param_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, CLEAN.replace("top_k: 4", "top_k: 6"))
    assert run(capsys, "--fail-on", "warning", path)[0] == 0
    code, out, _ = run(capsys, "--fail-on", "warning", "--param", "max_top_k=5", path)
    assert code == 1 and "RAG006" in out


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json", write(tmp_path, ERROR))
    payload = json.loads(out)
    assert code == 1
    assert payload["summary"]["error"] == 1
    (finding,) = [f for f in payload["findings"] if f["rule"] == "RAG004"]
    assert (finding["line"], finding["column"], finding["path"]) == (13, 5, "spec.rag.index_refresh")
    assert finding["fingerprint"] == "docs-search:RAG004:spec.rag.index_refresh"


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "--format", "json", "--output", str(target), write(tmp_path, ERROR))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["summary"]["error"] == 1


def test_directory_discovery_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    write(tmp_path / "a", ERROR, "billing.ai-feature.yml")
    write(tmp_path, CLEAN, "notes.yaml")  # not a feature file name
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("")
    write(tmp_path / ".venv", ERROR)
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 1
    assert "billing.ai-feature.yml" in out and ".venv" not in out
    assert "1 file checked" in out


def test_git_ignored_files_are_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    write(tmp_path / "generated", ERROR)
    write(tmp_path, CLEAN)
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0 and "1 file checked" in out


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "no such file or directory" in err and "Traceback" not in err


def test_schema_and_yaml_errors_are_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "a: [1,\n", "x.ai-feature.yaml")
    code, out, _ = run(capsys, bad)
    assert code == 1 and ":2:1: error SCH002 invalid YAML:" in out
    typo = write(tmp_path, CLEAN.replace("approach: rag", "aproach: rag"), "y.ai-feature.yaml")
    code, out, _ = run(capsys, typo)
    assert code == 1
    assert ":6:3: error SCH001 unknown field 'aproach' (did you mean 'approach'?)" in out


def test_no_colour_unless_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, write(tmp_path, ERROR))
    assert "\033[" not in out


def test_force_colour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = run(capsys, write(tmp_path, ERROR))
    assert "\033[31merror\033[0m" in out


def test_schema_and_yaml_errors_cannot_be_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "a: [1,\n", "x.ai-feature.yaml")
    code, out, _ = run(capsys, "--ignore", "SCH002", "--select", "FT", bad)
    assert code == 1 and "SCH002" in out


def test_explain_hint_names_the_most_severe_finding(capsys: pytest.CaptureFixture[str]) -> None:
    example = (
        Path(__file__).resolve().parents[2]
        / "examples/anti-patterns/FT004-too-few-training-examples.ai-feature.yaml"
    )
    code, out, _ = run(capsys, "--no-cache", str(example))
    assert code == 1
    assert out.index("info DEC001") < out.index("error FT004")  # sorted by line
    assert out.rstrip().endswith(
        "Run `archlint explain FT004` (or any rule id) to see why and what to do instead."
    )


# -- a run the cache answers whole ----------------------------------------------------


@pytest.fixture
def features(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the examples (clean files and every anti-pattern), with a private cache key."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    folder = tmp_path / "features"
    shutil.copytree(EXAMPLES, folder)
    return folder


def cached(capsys: pytest.CaptureFixture[str], folder: Path, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "--cache-dir", str(folder.parent / "cache"), *argv, str(folder))


def run_records(folder: Path) -> list[Path]:
    return sorted((folder.parent / "cache").rglob("run.json"))


@pytest.mark.parametrize("fmt", tuple(REPORTERS))
def test_a_run_the_cache_answers_reports_what_a_run_without_cache_does(
    features: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    uncached = run(capsys, "--no-cache", "--format", fmt, str(features))
    first = cached(capsys, features, "--format", fmt)
    assert len(run_records(features)) == 1
    second = cached(capsys, features, "--format", fmt)
    assert uncached[0] == 1
    assert first == second == uncached


def test_a_miss_among_hits_checks_the_rest(features: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cached(capsys, features, "--format", "json")
    edited = features / "anti-patterns" / "FT004-too-few-training-examples.ai-feature.yaml"
    edited.write_text(edited.read_text().replace("training_examples: 30", "training_examples: 3"))
    expected = run(capsys, "--no-cache", "--format", "json", str(features))
    assert "training_examples is 3," in expected[1]
    assert cached(capsys, features, "--format", "json") == expected


def test_settings_the_catalog_refuses_are_refused_with_a_warm_cache(
    features: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cached(capsys, features, "--ignore", "RAG001")[0] == 1
    code, _, err = cached(capsys, features, "--ignore", "RAG999")
    assert code == 2
    assert "--ignore: unknown rule 'RAG999'" in err
    # A run that was refused records nothing a later run could answer from.
    assert len(run_records(features)) == 1


def test_a_damaged_run_record_is_ignored(features: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = cached(capsys, features, "--format", "json")
    (record,) = run_records(features)
    for damage in ("{not json", '{"evaluated": [1, 2]}', "[]"):
        record.write_text(damage)
        assert cached(capsys, features, "--format", "json") == expected
        assert json.loads(record.read_text())["evaluated"][:2] == ["DEC001", "EVD001"]


def test_a_baseline_applies_to_a_run_the_cache_answers(
    features: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = str(features.parent / "baseline.json")
    assert cached(capsys, features, "--write-baseline", baseline)[0] == 0
    edited = features / "anti-patterns" / "RAG001-rag-without-acl-filtering.ai-feature.yaml"
    edited.write_text(edited.read_text().replace("top_k: ", "top_k: 1"))
    expected = run(capsys, "--no-cache", "--baseline", baseline, str(features))
    assert cached(capsys, features, "--baseline", baseline) == expected
    assert cached(capsys, features, "--baseline", baseline) == expected
    assert expected[0] == 0 and "recorded in" in expected[2]
