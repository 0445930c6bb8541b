"""`archlint test`: policy cases run like a test suite; the worked example of docs/policies.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.cli import main

ROOT = Path(__file__).resolve().parents[2]
HEALTH = ROOT / "examples" / "policies" / "health.yaml"

POLICY = """apiVersion: archlint/v1
kind: PolicySet
metadata: {{name: org}}
base:
  apiVersion: archlint/v1
  kind: AIFeature
  metadata: {{name: base, owner: platform}}
  spec: {{problem: knowledge, approach: rag}}
rules:
  - id: {id}
    name: {name}
    severity: warning
    summary: Prompting-only features are not allowed here.
    condition: "spec.approach == 'prompting'"
    path: spec.approach
    message: approach is {{spec.approach}}
    rationale: r
    remediation: r
    references: [{{title: t, url: "https://example.org"}}]
    tests:
{tests}
"""

GOOD_TESTS = """      pass:
        - overlay: {spec: {approach: rag}}
      fail:
        - description: prompting only
          overlay: {spec: {approach: prompting}}"""


def policy(
    tmp_path: Path, tests: str = GOOD_TESTS, rule_id: str = "ORG001", name: str = "no-prompting"
) -> str:
    path = tmp_path / "org.yaml"
    path.write_text(POLICY.format(id=rule_id, name=name, tests=tests))
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([argv[0], "--isolated", *argv[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def test_builtin_cases_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "test")
    assert code == 0
    assert "FAIL" not in out
    summary = out.strip().splitlines()[-1]
    assert summary.endswith(" passed, 0 failed")
    assert int(summary.split()[0]) > 100


def test_named_file_runs_only_its_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "test", "--verbose", policy(tmp_path))
    assert code == 0
    assert out.splitlines() == [
        "PASS ORG001 pass[0]",
        "PASS ORG001 fail[0] prompting only",
        "2 passed, 0 failed",
    ]


def test_a_folder_is_expanded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy(tmp_path)
    code, out, _ = run(capsys, "test", str(tmp_path))
    assert code == 0
    assert out == "2 passed, 0 failed\n"


@pytest.mark.parametrize(
    ("tests", "expected"),
    [
        (
            "      pass:\n        - description: wrongly expected quiet\n"
            "          overlay: {spec: {approach: prompting}}\n"
            "      fail:\n        - overlay: {spec: {approach: prompting}}",
            [
                "FAIL ORG001 pass[0] wrongly expected quiet",
                "     got ORG001 at spec.approach: approach is prompting",
                "1 passed, 1 failed",
            ],
        ),
        (
            "      fail:\n        - description: rag does not fire\n          overlay: {}",
            [
                "FAIL ORG001 fail[0] rag does not fire",
                "     expected ORG001 to fire; it did not",
                "0 passed, 1 failed",
            ],
        ),
    ],
)
def test_a_failing_case_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tests: str, expected: list[str]
) -> None:
    code, out, _ = run(capsys, "test", policy(tmp_path, tests))
    assert code == 1
    lines = out.splitlines()
    # A fail case that did not fire also lists what did fire on the document.
    assert [*lines[:2], lines[-1]] == expected


def test_a_rule_without_a_failing_case_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = policy(tmp_path, "      pass:\n        - overlay: {}")
    code, out, _ = run(capsys, "test", path)
    assert code == 1
    assert out.splitlines() == [
        "FAIL ORG001 has no failing case",
        f"     {path}:10: add a tests.fail case where the rule fires",
        "1 passed, 1 failed",
    ]


@pytest.mark.parametrize(
    ("rule_id", "name", "message"),
    [
        ("RAG001", "no-prompting", ":10:5: rule id 'RAG001' is already defined by the built-in rule RAG001"),
        (
            "ORG001",
            "context-pollution",
            ":10:5: rule name 'context-pollution' is already defined by the built-in",
        ),
        ("SCH001", "no-prompting", "rule SCH001: this id is reserved for a rule archlint computes itself"),
    ],
)
@pytest.mark.parametrize("command", ["test", "check"])
def test_colliding_ids_are_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule_id: str, name: str, message: str, command: str
) -> None:
    path = policy(tmp_path, rule_id=rule_id, name=name)
    argv = [command, path] if command == "test" else [command, "--policies", path, str(tmp_path)]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(f"archlint: error: {path}:")
    assert message in err


def test_the_same_file_named_twice_loads_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = policy(tmp_path)
    code, out, _ = run(capsys, "test", "--policies", path, path)
    assert (code, out) == (0, "2 passed, 0 failed\n")


def test_a_builtin_file_named_explicitly_runs_its_cases(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "test", "--verbose", str(ROOT / "policies" / "waivers.yaml"))
    assert code == 0
    assert {line.split()[1] for line in out.splitlines()[:-1]} == {"WVR001", "WVR002", "WVR003", "WVR004"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("rules: [\n", "invalid YAML"),
        (
            "apiVersion: archlint/v1\nkind: PolicySet\nmetadata: {name: org}\nrules: []\n",
            "not a valid policy file",
        ),
    ],
)
def test_a_broken_policy_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, fragment: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    code, _, err = run(capsys, "test", str(path))
    assert code == 2
    assert err.startswith(f"archlint: error: {path}:")
    assert fragment in err


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "test", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "policy path does not exist" in err


# ---------------------------------------------------------------- the worked example


def test_health_example_cases_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "test", "--verbose", str(HEALTH))
    assert code == 0
    assert out.splitlines()[-1] == "10 passed, 0 failed"
    assert {line.split()[1] for line in out.splitlines()[:-1]} == {"HLT001", "HLT002"}


HEALTH_FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata:
  name: symptom-checker
  owner: care
  labels: {{domain: {domain}}}
spec:
  problem: knowledge
  approach: {approach}
  knowledge: {{change_frequency: static, sensitivity: public}}
  requirements: {{citations: {citations}, hallucination_impact: low}}
  rag:
    retrieval: hybrid
    chunking: {{strategy: section}}
    top_k: 4
    index_refresh: monthly
    retrieval_eval: {{dataset: evals/retrieval.jsonl}}
  evaluation: {{dataset: evals/answers.jsonl}}
"""


@pytest.mark.parametrize(
    ("domain", "approach", "citations", "expected"),
    [
        ("health", "rag", "true", []),
        ("health", "hybrid", "true", []),
        ("billing", "prompting", "false", []),
        ("health", "prompting", "true", ["9:3: error HLT001 symptom-checker is labelled domain=health"]),
        ("health", "rag", "false", ["11:18: error HLT002 symptom-checker is labelled domain=health"]),
    ],
)
def test_health_example_in_check(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    domain: str,
    approach: str,
    citations: str,
    expected: list[str],
) -> None:
    feature = tmp_path / "ai-feature.yaml"
    feature.write_text(HEALTH_FEATURE.format(domain=domain, approach=approach, citations=citations))
    code, out, _ = run(capsys, "check", "--policies", str(HEALTH), "--select", "HLT", str(feature))
    lines = [line.removeprefix(f"{feature}:") for line in out.splitlines() if line.startswith(str(feature))]
    assert code == (1 if expected else 0)
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start)


def test_health_threshold_is_a_param(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feature = tmp_path / "ai-feature.yaml"
    feature.write_text(HEALTH_FEATURE.format(domain="clinical", approach="prompting", citations="false"))
    argv = ["check", "--policies", str(HEALTH), "--select", "HLT", str(feature)]
    assert run(capsys, *argv)[0] == 0
    code, out, _ = run(capsys, *argv, "--param", "health_domain=clinical")
    assert code == 1
    assert "HLT001" in out and "HLT002" in out


KYVERNO = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: require-labels}\nspec: {}\n"


def test_policy_sets_only_skips_yaml_that_is_not_ours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = policy(tmp_path)
    theirs = tmp_path / "require-labels.yaml"
    theirs.write_text(KYVERNO)
    code, out, _ = run(capsys, "test", "--policy-sets-only", ours, str(theirs))
    assert (code, out.splitlines()[-1]) == (0, "2 passed, 0 failed")  # its pass and its fail case
    code, out, _ = run(capsys, "test", "--policy-sets-only", str(theirs))
    assert code == 0 and out.startswith("no archlint policy files among the 1 given")
    # Without the flag a named file must be a policy file: the old, strict behaviour.
    code, _, err = run(capsys, "test", str(theirs))
    assert code == 2 and "require-labels.yaml" in err


def test_policy_sets_only_still_reports_a_broken_policy_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: archlint/v1\nkind: 'PolicySet'  # ours\nmetadata: [unclosed\n")
    code, _, err = run(capsys, "test", "--policy-sets-only", str(broken))
    assert code == 2 and "broken.yaml" in err
