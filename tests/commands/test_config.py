"""`archlint config`, and `archlint check` obeying (or refusing) a configuration file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint.cli import main

from ..conftest import CLEAN_RAG_FEATURE, git_init

# Clean except for one warning (RAG006: top_k 12 with no reranker).
FEATURE = CLEAN_RAG_FEATURE.replace("    top_k: 4\n", "    top_k: 12\n    reranker: false\n")
FINE_TUNED = FEATURE.replace("approach: rag", "approach: fine-tuning")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    git_init(tmp_path)
    (tmp_path / "ai-feature.yaml").write_text(FEATURE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def config_rows(out: str) -> dict[str, tuple[str, str]]:
    rows = {}
    for line in out.splitlines()[1:]:
        key, rest = line.split(maxsplit=1)
        value, _, origin = rest.rpartition("  (")
        rows[key] = (value.strip(), origin[:-1])
    return rows


def test_config_prints_values_and_origins(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "pyproject.toml"
    config.write_text(
        '[project]\nname = "svc"\n\n[tool.archlint]\nfail-on = "warning"\nignore = ["RAG010"]\n'
        '\n[tool.archlint.params]\nmax_top_k = 16\n\n[tool.archlint.severity]\nRAG006 = "info"\n'
    )
    code, out, _ = run(capsys, "config")
    assert code == 0
    assert out.splitlines()[0] == f"config file: {config}"
    rows = config_rows(out)
    assert rows["fail-on"] == ("warning", f"repo: {config}:5")
    assert rows["ignore"] == ('["RAG010"]', f"repo: {config}:6")
    assert rows["params.max_top_k"] == ("16", f"repo: {config}:9")
    assert rows["severity.RAG006"] == ("info", f"repo: {config}:12")
    assert rows["select"] == ("all rules", "default")
    assert rows["params.min_training_examples"] == ("50", "default (fine-tuning.yaml)")


def test_config_json_and_command_line_origins(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "archlint.toml").write_text('select = ["RAG"]\n')
    code, out, _ = run(capsys, "config", "--format", "json", "--no-builtin-policies", "--policies", "p")
    assert code == 2  # a folder that does not exist
    (project / "p").mkdir()
    (project / "p" / "org.yaml").write_text(
        """apiVersion: archlint/v1
kind: PolicySet
metadata: {name: org}
rules:
  - id: RAG900
    name: org-rule
    severity: info
    summary: s
    condition: "spec.approach == 'rag'"
    path: spec.approach
    message: m
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
"""
    )
    code, out, _ = run(capsys, "config", "--format", "json", "--no-builtin-policies", "--policies", "p")
    assert code == 0
    payload = json.loads(out)
    assert payload["config_file"] == str(project / "archlint.toml")
    values = {row["key"]: (row["value"], row["layer"], row["origin"]) for row in payload["values"]}
    assert values["select"] == ('["RAG"]', "repo", f"{project / 'archlint.toml'}:1")
    assert values["builtin-policies"] == ("false", "flag", "--no-builtin-policies")
    assert values["policy-paths"] == ('["p"]', "flag", "--policies")
    assert values["fail-on"] == ("error", "default", "default")


def test_config_without_any_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "config", "--isolated")
    assert code == 0
    assert out.splitlines()[0] == "config file: none found"
    assert all(origin.startswith("default") for _, origin in config_rows(out).values())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[tool.archlint]\nfail-on = "warning"\nselectt = ["FT"]\n',
            "pyproject.toml:3: unknown key 'selectt'",
        ),
        ('[tool.archlint]\nselect = "RAG"\n', "pyproject.toml:2: 'select' must be a list of strings"),
        ('[tool.archlint]\nignore = [\n  "RAG404",\n]\n', "pyproject.toml:3: ignore: unknown rule 'RAG404'"),
        ("[tool.archlint.severity]\nRAG006 = 'loud'\n", "pyproject.toml:2: severity.RAG006 must be"),
        ("[tool.archlint.params]\nmax_top_k = '8'\n", "pyproject.toml:2: params: max_top_k must be int"),
        ("[tool.archlint\n", "pyproject.toml:1:15: invalid TOML"),
    ],
)
@pytest.mark.parametrize("command", ["check", "config", "rules"])
def test_bad_config_exits_2_with_location(
    project: Path, capsys: pytest.CaptureFixture[str], body: str, expected: str, command: str
) -> None:
    (project / "pyproject.toml").write_text(body)
    code, out, err = run(capsys, command)
    assert code == 2
    assert out == ""
    assert err.startswith(f"archlint: error: {project}/{expected}")
    assert err.count("\n") == 1


def test_config_is_found_from_a_subfolder(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "archlint.toml").write_text('fail-on = "warning"\n')
    sub = project / "services" / "search"
    sub.mkdir(parents=True)
    (sub / "pyproject.toml").write_text('[project]\nname = "search"\n')  # no [tool.archlint]: passed over
    (sub / "ai-feature.yaml").write_text(FEATURE)
    monkeypatch.chdir(sub)
    code, out, _ = run(capsys, "check", "ai-feature.yaml")
    assert code == 1
    assert "warning RAG006" in out


def test_severity_override_changes_the_exit_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check")[0] == 0
    (project / "archlint.toml").write_text('[severity]\ncontext-pollution = "error"\n')
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert "error RAG006" in out
    # ... and the command line still has the last word on the threshold.
    (project / "archlint.toml").write_text('fail-on = "info"\n')
    assert run(capsys, "check")[0] == 1
    assert run(capsys, "check", "--fail-on", "error")[0] == 0


def test_ignore_by_prefix_and_select_by_name(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "ai-feature.yaml").write_text(FINE_TUNED)
    code, out, _ = run(capsys, "check")
    assert code == 1 and " FT0" in out and "RAG006" not in out
    (project / "archlint.toml").write_text('ignore = ["FT"]\n')
    code, out, _ = run(capsys, "check")
    assert " FT0" not in out
    (project / "archlint.toml").write_text('select = ["fine-tuning-without-eval-set"]\n')
    code, out, _ = run(capsys, "check")
    assert code == 1
    reported = {line.split()[2] for line in out.splitlines() if line.startswith("ai-feature.yaml:")}
    assert reported == {"FT003"}


def test_command_line_flags_override_the_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "archlint.toml").write_text('fail-on = "warning"\nselect = ["GEN"]\n[params]\nmax_top_k = 4\n')
    code, out, _ = run(capsys, "check")
    assert code == 0 and "RAG006" not in out  # only GEN rules run
    code, out, _ = run(capsys, "check", "--select", "RAG")
    assert code == 1 and "top_k is 12, above max_top_k 4" in out
    code, out, _ = run(capsys, "check", "--select", "RAG", "--param", "max_top_k=12")
    assert code == 0 and "RAG006" not in out
    code, out, _ = run(capsys, "check", "--select", "RAG", "--ignore", "RAG006")
    assert code == 0


def test_config_flag_names_the_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "archlint.toml").write_text('fail-on = "warning"\n')
    (project / "lenient.toml").write_text('fail-on = "error"\n')
    assert run(capsys, "check")[0] == 1
    assert run(capsys, "check", "--config", "lenient.toml")[0] == 0
    assert run(capsys, "check", "--isolated")[0] == 0
    code, _, err = run(capsys, "check", "--config", "nope.toml")
    assert code == 2 and err == "archlint: error: nope.toml: config file does not exist\n"


def test_config_shows_command_line_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["config", "--isolated", "--select", "FT", "--param", "max_top_k=5", "--fail-on", "info"]) == 0
    )
    out = capsys.readouterr().out
    assert config_rows(out)["select"] == ('["FT"]', "flag: --select")
    assert any(line.startswith("params.max_top_k") and "5" in line for line in out.splitlines())
    assert any(line.startswith("fail-on") and "info" in line for line in out.splitlines())
