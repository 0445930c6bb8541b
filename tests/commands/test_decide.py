"""`archlint decide`: formats, exit codes, multi-document files, and Mermaid validity.

Golden files in tests/data/decide/golden/ are compared exactly. After an intended change to
the gates or the output, regenerate them and review the diff:

    pytest tests/commands/test_decide.py --update-golden

The Mermaid output is parsed with the real `mermaid` package under Node (tests/js/, installed
by the test itself with `npm ci --prefix tests/js` when it is missing, so the README's test
command needs nothing else); the test is skipped only when Node itself is missing. A grammar
test of the subset archlint emits runs everywhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from archlint.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "decide"
GOLDEN = DATA / "golden"
JS = ROOT / "tests" / "js"
EXAMPLES = ROOT / "examples"
DIFFERS = DATA / "weekly-facts-fine-tuned.yaml"
MINIMAL = DATA / "minimal.yaml"
TWO = DATA / "two-features.yaml"
INVALID = DATA / "invalid.yaml"
FACTS_IN_REQUEST = DATA / "facts-in-request.yaml"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Display paths are relative to the repository root.
    monkeypatch.chdir(ROOT)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["decide", "--isolated", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no golden file {path}; run `pytest {__file__} --update-golden`"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file; --update-golden"


# ---------------------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", ["text", "json", "mermaid"])
@pytest.mark.parametrize("fixture", [DIFFERS, MINIMAL, FACTS_IN_REQUEST], ids=lambda p: p.stem)
def test_output_matches_golden(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str], fixture: Path, fmt: str
) -> None:
    code, out, err = run(capsys, str(fixture), "--format", fmt)
    assert (code, err) == (0, "")
    golden(f"{fixture.stem}.{fmt}", out, bool(request.config.getoption("--update-golden", default=False)))


def test_text_is_a_tree_with_values_assumptions_and_the_comparison(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, str(DIFFERS))
    assert code == 0  # a differing approach is still exit 0: DEC001 in check is the gate
    lines = out.splitlines()
    assert lines[0] == "macro-writer (tests/data/decide/weekly-facts-fine-tuned.yaml)"
    assert lines[1] == "recommended: hybrid, decided at gate 8 (Both needs present)"
    assert lines[2] == "declared:    fine-tuning, which differs from the recommendation (DEC001)"
    gates = [line for line in lines if re.match(r"^[|`]-- \d\. ", line)]
    assert [line[4] for line in gates] == list("12345678")
    assert gates[-1].startswith("`-- 8. Both needs present: knowledge too => hybrid")
    assert "|       spec.knowledge.change_frequency = weekly" in lines
    assert "assumptions for absent fields: none, every deciding field is present" in lines


def test_text_lists_the_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, str(MINIMAL))
    assert "recommended: rag, decided at gate 3 (Knowledge or behavior)" in out
    tail = out[out.index("assumptions for absent fields:") :]
    assert "- spec.knowledge.corpus_tokens is absent: the size is unknown" in tail
    assert (
        "- spec.knowledge.change_frequency = static (absent, assumed): no claim that the facts change" in tail
    )
    assert "declared:    rag, the same as the recommendation" in out


def test_json_has_a_top_level_recommendation_and_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, str(DIFFERS), "--format", "json")
    payload = json.loads(out)
    assert payload["recommendation"] == "hybrid"
    assert (payload["declared"], payload["agrees"]) == ("fine-tuning", False)
    assert payload["deciding_gate"] == {"number": 8, "id": "both-needs", "title": "Both needs present"}
    assert [step["gate"] for step in payload["path"]] == list(range(1, 9))
    second = payload["path"][1]
    assert second["outcome"] == "changing"
    assert second["fields"] == [
        {"path": "spec.knowledge.change_frequency", "value": "weekly", "present": True, "assumed": False}
    ]
    assert [step["recommendation"] for step in payload["path"]] == [None] * 7 + ["hybrid"]
    assert payload["params"] == {
        "context_window_tokens": 100000,
        "min_daily_requests_for_fine_tuning": 1000,
        "min_training_examples": 50,
    }
    assert payload["gates"] == "builtin"


def test_json_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, str(MINIMAL), "--format", "json")
    assumptions = {item["path"]: item for item in json.loads(out)["assumptions"]}
    assert assumptions["spec.knowledge.change_frequency"]["value"] == "static"
    assert assumptions["spec.knowledge.corpus_tokens"]["value"] is None


def test_param_overrides_reach_the_gates(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys, str(DIFFERS), "--format", "json", "--param", "min_daily_requests_for_fine_tuning=9000"
    )
    payload = json.loads(out)
    assert (payload["recommendation"], payload["deciding_gate"]["number"]) == ("rag", 7)
    assert payload["params"]["min_daily_requests_for_fine_tuning"] == 9000


def test_unknown_param_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(DIFFERS), "--param", "nope=1")
    assert code == 2 and "unknown param 'nope'" in err


# ---------------------------------------------------------------------------- several features


def test_text_decides_every_feature_of_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(TWO))
    assert code == 0
    assert "policy-answers (tests/data/decide/two-features.yaml)" in out
    assert "handbook-answers (tests/data/decide/two-features.yaml)" in out
    assert out.count("recommended: ") == 2
    assert "recommended: prompting, decided at gate 1 (Context first)" in out


@pytest.mark.parametrize("fmt", ["json", "mermaid"])
def test_json_and_mermaid_need_one_feature(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = run(capsys, str(TWO), "--format", fmt)
    assert (code, out) == (2, "")
    assert "holds 2 features (policy-answers, handbook-answers)" in err and "--feature NAME" in err


def test_feature_selects_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(TWO), "--format", "json", "--feature", "handbook-answers")
    assert code == 0
    assert json.loads(out)["feature"] == "handbook-answers"


def test_unknown_feature(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(TWO), "--feature", "nope")
    assert code == 2
    assert "no feature named 'nope' (features in the file: policy-answers, handbook-answers)" in err


# ---------------------------------------------------------------------------- bad input


def test_schema_invalid_file_gives_located_errors_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(INVALID))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert (
        "tests/data/decide/invalid.yaml:6:3: SCH001 unknown field 'aproach' (did you mean 'approach'?)"
        in lines
    )
    assert any(
        line.startswith("tests/data/decide/invalid.yaml:7:")
        and "SCH001 spec.knowledge.change_frequency: 'fortnightly' is not one of" in line
        for line in lines
    )
    assert any(
        line.startswith("tests/data/decide/invalid.yaml:4:1: SCH001 missing required field 'approach'")
        for line in lines
    )
    assert lines[-1].startswith(
        "archlint: error: tests/data/decide/invalid.yaml: not a valid ai-feature file"
    )


def test_invalid_yaml_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("spec:\n  problem: knowledge\n  problem: behavior\n")
    code, _, err = run(capsys, str(path))
    assert code == 2
    assert re.search(r"bad\.yaml:3:3: invalid YAML: duplicate key 'problem'", err), err


@pytest.mark.parametrize("text", ["", "# nothing\n"], ids=["empty", "comment only"])
def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    code, _, err = run(capsys, str(path))
    assert code == 2 and "no YAML document" in err


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "no/such/file.yaml")
    assert code == 2 and "cannot read" in err


# ---------------------------------------------------------------------------- --gates

CUSTOM = """apiVersion: archlint/v1
kind: DecisionGates
metadata: {{name: rag-first}}
state: {{}}
assumptions: {{}}
gates:
  - id: always
    title: Always retrieve
    question: Is there anything to decide?
    why: This organisation retrieves everything.
    outcomes:
      - recommend: "'rag'"
        label: {label}
        fields: [spec.problem]
        because: house rule for {{spec.problem}} problems
"""


def test_custom_gates_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gates = tmp_path / "gates.yaml"
    gates.write_text(CUSTOM.format(label="house rule"))
    code, out, _ = run(capsys, str(DIFFERS), "--gates", str(gates))
    assert code == 0
    assert "recommended: rag, decided at gate 1 (Always retrieve)" in out
    assert "house rule for both problems" in out
    assert "gates:       rag-first" in out


def test_broken_gates_file_is_exit_2_with_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gates = tmp_path / "gates.yaml"
    gates.write_text(CUSTOM.format(label="x").replace("fields: [spec.problem]", "fields: [spec.nope]"))
    code, _, err = run(capsys, str(DIFFERS), "--gates", str(gates))
    assert code == 2
    assert re.search(r"gates\.yaml:14:18: 'spec\.nope' is not a field of ai-feature\.yaml", err), err


# ---------------------------------------------------------------------------- Mermaid validity

NODE = re.compile(r'^  (feature|result)\(\["(?P<label>[^"]*)"\]\)$|^  g[1-9][0-9]*\["(?P<gate>[^"]*)"\]$')
EDGE = re.compile(r'^  (feature|g[1-9][0-9]*) -->(\|"[^"]*"\|)? (g[1-9][0-9]*|result)$')
STYLE = re.compile(
    r"^  classDef [a-z]+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6}$|^  class [a-z0-9]+(,[a-z0-9]+)* [a-z]+$"
)


def assert_emitted_grammar(diagram: str) -> None:
    """The subset of Mermaid flowchart syntax archlint writes, line by line."""
    lines = diagram.rstrip("\n").split("\n")
    assert lines[0] == "flowchart TD"
    for line in lines[1:]:
        assert NODE.match(line) or EDGE.match(line) or STYLE.match(line), line
        for label in re.findall(r'"([^"]*)"', line):
            text = label.replace("<br/>", "")
            assert not re.search(r'[<>"]', text), line  # markup and quotes only as entity codes
            assert not re.search(r"#(?![a-z]+;|[0-9]+;)", text), line


def _diagrams(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[Path]:
    sources = [
        DIFFERS,
        MINIMAL,
        *sorted((EXAMPLES / "clean").glob("*.yaml")),
        *sorted((EXAMPLES / "anti-patterns").glob("*.yaml")),
    ]
    written = []
    for source in sources:
        code, out, _ = run(capsys, str(source), "--format", "mermaid")
        if code != 0:  # invalid examples and multi-feature files have no single diagram
            continue
        path = tmp_path / f"{source.stem}.mmd"
        path.write_text(out, encoding="utf-8")
        written.append(path)
    # Labels from a gates file are free text: quotes, brackets, pipes, markup and entities.
    gates = tmp_path / "gates.yaml"
    gates.write_text(CUSTOM.format(label="'\"b\" <i>c</i> |[d]{ e }#f; &g(h)-->'"))
    code, out, _ = run(capsys, str(DIFFERS), "--gates", str(gates), "--format", "mermaid")
    assert code == 0
    nasty = tmp_path / "nasty-labels.mmd"
    nasty.write_text(out, encoding="utf-8")
    written.append(nasty)
    assert len(written) > 20
    return written


def test_mermaid_uses_only_the_emitted_grammar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in _diagrams(tmp_path, capsys):
        assert_emitted_grammar(path.read_text(encoding="utf-8"))


def test_mermaid_draws_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, str(MINIMAL), "--format", "mermaid")
    assert "  feature --> g1" in out
    assert '  g3 -->|"knowledge"| result' in out
    assert '  result(["recommended: rag<br/>agrees with declared"])' in out
    assert "  class result agrees" in out


def _install_mermaid() -> None:
    """The pinned Mermaid parser (tests/js/package-lock.json), installed on first use."""
    if (JS / "node_modules" / "mermaid").is_dir():
        return
    npm = shutil.which("npm")
    assert npm is not None, "Node.js is installed without npm: install npm to run the Mermaid parser"
    completed = subprocess.run(
        [npm, "ci", "--prefix", str(JS), "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, f"`npm ci --prefix tests/js` failed:\n{completed.stderr}"
    assert (JS / "node_modules" / "mermaid").is_dir()


def test_mermaid_parses_with_the_real_mermaid_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed; the Mermaid grammar test above still ran")
    _install_mermaid()
    diagrams = _diagrams(tmp_path, capsys)
    broken = tmp_path / "broken.mmd"
    broken.write_text('flowchart TD\n  a["x"y"] --> b\n', encoding="utf-8")  # the parser must really parse
    completed = subprocess.run(
        [node, str(JS / "mermaid-parse.mjs"), *map(str, diagrams), str(broken)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    results = {Path(item["file"]).name: item for item in map(json.loads, completed.stdout.splitlines())}
    assert not results["broken.mmd"]["ok"], "the parser accepted a diagram it must reject"
    failures = {
        name: item["error"] for name, item in results.items() if name != "broken.mmd" and not item["ok"]
    }
    assert failures == {}
    assert {item["type"] for name, item in results.items() if name != "broken.mmd"} == {"flowchart-v2"}
    assert len(results) == len(diagrams) + 1, completed.stderr


def test_json_keeps_its_shape_and_gives_the_reasons_of_the_new_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, before, _ = run(capsys, str(MINIMAL), "--format", "json")
    code, out, _ = run(capsys, str(FACTS_IN_REQUEST), "--format", "json")
    assert code == 0
    old, new = json.loads(before), json.loads(out)
    assert set(new) == set(old)
    assert {key for step in new["path"] for key in step} == {key for step in old["path"] for key in step}
    assert new["recommendation"] == "fine-tuning"
    first = new["path"][0]
    assert (first["outcome"], first["fields"][0]["path"]) == ("facts in the request", "spec.knowledge.source")
    assert "arrive with each request" in first["because"]
    assert new["path"][-1]["outcome"] == "facts in the request"
