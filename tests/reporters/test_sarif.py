"""SARIF 2.1.0: the official schema, rule metadata, locations, fingerprints and suppressions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from archlint import explain
from archlint.check import FileResult, Report, check_text, plan
from archlint.finding import Finding, Severity
from archlint.policies import Catalog
from archlint.reporters.sarif import FINGERPRINT_KEY, build, fingerprints
from archlint.settings import Settings

from ..conftest import git_init

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
Render = Callable[[str, Report], str]


@cache
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def assert_valid(log: Any) -> None:
    errors = sorted(validator().iter_errors(log), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def run_of(text: str) -> dict[str, Any]:
    log = json.loads(text)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def test_sarif_golden(report: Report, render: Render, golden: Callable[[str, str], None]) -> None:
    golden("report.sarif", render("sarif", report))


def test_the_schema_copy_is_the_one_its_readme_names() -> None:
    import hashlib

    noted = re.search(r"SHA-256: `([0-9a-f]{64})`", (SCHEMA.parent / "README.md").read_text(encoding="utf-8"))
    assert noted is not None
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == noted.group(1)


def test_validates_against_the_official_schema(report: Report, render: Render) -> None:
    assert_valid(json.loads(render("sarif", report)))


def test_the_validator_rejects_a_broken_log(report: Report) -> None:
    # Guards the test above: a result without a message is invalid SARIF.
    log = build(report)
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(AssertionError):
        assert_valid(log)


def test_driver_lists_every_loaded_rule_with_its_explanation(report: Report, catalog: Catalog) -> None:
    driver = build(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "archlint"
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in catalog.rules]
    for descriptor, rule in zip(driver["rules"], catalog.rules, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.rationale.strip()
        assert descriptor["help"] == {
            "text": explain.text(catalog, rule),
            "markdown": explain.markdown(catalog, rule),
        }
        assert descriptor["properties"]["tags"] == list(rule.tags)
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in driver["rules"]}
    assert (levels["TST001"], levels["TST002"], levels["TST003"]) == ("error", "warning", "note")


def test_results_point_at_their_rule_and_location(report: Report) -> None:
    run = build(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.findings)
    for result, finding in zip(run["results"], report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding.severity]
        assert result["message"]["text"] == finding.message
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": finding.file, "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": finding.line, "startColumn": finding.column}
        assert physical["artifactLocation"]["uri"].startswith("tests/reporters/data/")


def test_waived_findings_carry_an_external_suppression(report: Report) -> None:
    results = build(report)["runs"][0]["results"]
    suppressed = [result for result in results if "suppressions" in result]
    assert [result["ruleId"] for result in suppressed] == ["TST004"]
    (suppression,) = suppressed[0]["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["justification"].startswith("Labelling starts next sprint")
    assert "support-lead" in suppression["justification"]


FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata:
  name: support-assistant
  owner: support-platform
spec:
  problem: knowledge
  approach: rag
  rag:
    acl_filtering: false
    top_k: 20
"""

MOVED = """# A comment block added above,
# and the rag keys reordered: every line moves.
apiVersion: archlint/v1
kind: AIFeature
metadata:
  owner: support-platform
  name: support-assistant
spec:
  rag:
    top_k: 20

    acl_filtering: false
  approach: rag
  problem: knowledge
"""


def test_fingerprints_survive_moved_lines(catalog: Catalog) -> None:
    the_plan = plan(catalog, Settings())

    def fingerprinted(text: str) -> dict[str, tuple[str, int]]:
        result = check_text(text, "features/support.ai-feature.yaml", the_plan)
        run = build(Report((result,), catalog.rules, catalog=catalog))["runs"][0]
        return {
            r["ruleId"]: (
                r["partialFingerprints"][FINGERPRINT_KEY],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in run["results"]
        }

    before, after = fingerprinted(FEATURE), fingerprinted(MOVED)
    assert set(before) == set(after) == {"TST001", "TST002", "TST004"}
    for rule in before:
        assert before[rule][0] == after[rule][0]
        assert before[rule][1] != after[rule][1]


def test_fingerprints_differ_by_feature_rule_and_path() -> None:
    base = Finding("TST001", "n", Severity.ERROR, "m", "a.yaml", "spec.rag", 1, 1, "alpha")
    variants = [
        base,
        base._replace(feature="beta"),
        base._replace(rule="TST002"),
        base._replace(path="spec.rag.top_k"),
    ]
    assert len(set(fingerprints(variants))) == len(variants)
    # The message and position are not part of the identity.
    moved = base._replace(line=40, column=9, message="changed wording")
    assert fingerprints([moved]) == fingerprints([base])


def test_fingerprints_are_unique_when_identities_collide() -> None:
    first = Finding("SCH001", "schema-violation", Severity.ERROR, "a", "x.yaml", "spec", 3, 1, "f")
    second = first._replace(message="b", line=4)
    hashes = fingerprints([first, second])
    assert len(set(hashes)) == 2
    assert hashes[0] == fingerprints([first])[0]


def test_a_finding_of_an_unloaded_rule_gets_a_descriptor() -> None:
    # SCH002 still fires under --no-builtin-policies, when no loaded policy declares it.
    finding = Finding("SCH002", "invalid-yaml", Severity.ERROR, "invalid YAML: x", "a.yaml", "", 2, 3)
    log = build(Report((FileResult("a.yaml", (finding,)),), ()))
    assert_valid(log)
    run = log["runs"][0]
    (descriptor,) = run["tool"]["driver"]["rules"]
    assert descriptor["id"] == "SCH002"
    assert run["results"][0]["ruleIndex"] == 0
    assert "logicalLocations" not in run["results"][0]["locations"][0]


def test_without_a_catalog_help_falls_back_to_the_rule_text(report: Report, catalog: Catalog) -> None:
    bare = Report(report.files, report.rules)
    log = build(bare)
    assert_valid(log)
    descriptor = log["runs"][0]["tool"]["driver"]["rules"][0]
    rule = catalog.rules[0]
    assert rule.rationale.strip() in descriptor["help"]["text"]
    assert descriptor["help"]["markdown"].startswith(f"## {rule.id} {rule.name}")


def test_empty_report_is_valid_sarif() -> None:
    log = build(Report((), ()))
    assert_valid(log)
    assert log["runs"][0]["results"] == []


def archlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--isolated", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_sarif_validates_with_the_builtin_policies() -> None:
    feature = "tests/reporters/data/support-assistant.ai-feature.yaml"
    result = archlint("--format", "sarif", feature, cwd=ROOT)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    assert_valid(log)
    run = log["runs"][0]
    assert len(run["tool"]["driver"]["rules"]) >= 30  # every built-in rule, not only those that fired
    assert {"RAG001", "WVR003"} <= {r["ruleId"] for r in run["results"]}
    for descriptor in run["tool"]["driver"]["rules"]:
        assert descriptor["help"]["markdown"].startswith(f"## {descriptor['id']} ")


def test_security_rules_carry_security_severity_from_the_policy_data() -> None:
    result = archlint("--format", "sarif", "tests/reporters/data/support-assistant.ai-feature.yaml", cwd=ROOT)
    descriptors = {d["id"]: d for d in json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    scored = {
        rule: d["properties"]["security-severity"]
        for rule, d in descriptors.items()
        if "security-severity" in d["properties"]
    }
    assert {"RAG001", "RAG007"} <= set(scored)
    for rule, score in scored.items():
        assert 0.0 <= float(score) <= 10.0 and re.fullmatch(r"\d+\.\d", score)
        # GitHub treats an alert as a security alert only with the `security` tag beside the score.
        assert "security" in descriptors[rule]["properties"]["tags"], rule
    assert "security-severity" not in descriptors["RAG004"]["properties"]


def test_built_in_rules_link_to_their_section_of_the_rules_page() -> None:
    result = archlint("--format", "sarif", "tests/reporters/data/support-assistant.ai-feature.yaml", cwd=ROOT)
    descriptors = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    headings = re.findall(r"^## ([A-Z]+[0-9]{3}) (\S+)$", (ROOT / "docs/rules.md").read_text(), re.M)
    # GitHub's anchor of a heading: lower case, spaces as hyphens.
    anchors = {f"{rule.lower()}-{name}" for rule, name in headings}
    for descriptor in descriptors:
        uri = descriptor["helpUri"]
        base, anchor = uri.split("#")
        assert base.endswith("/blob/main/docs/rules.md")
        assert anchor in anchors, descriptor["id"]


def test_cli_sarif_uris_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    git_init(tmp_path)
    folder = tmp_path / "services" / "support"
    folder.mkdir(parents=True)
    (folder / "ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    result = archlint("--format", "sarif", "ai-feature.yaml", cwd=folder)
    log = json.loads(result.stdout)
    assert_valid(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    }
    assert uris == {"services/support/ai-feature.yaml"}


def test_builtin_rule_help_carries_each_references_evidence_and_its_params() -> None:
    # issue 16: SARIF help is `archlint explain`, so a reviewer in the code-scanning UI sees the
    # claim each source backs, its words, and the thresholds with how to change them
    example = (
        Path(__file__).resolve().parents[2]
        / "examples/anti-patterns/FT004-too-few-training-examples.ai-feature.yaml"
    )
    done = subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--isolated", "--format", "sarif", str(example)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    rules = {rule["id"]: rule for rule in run_of(done.stdout)["tool"]["driver"]["rules"]}
    markdown = rules["FT004"]["help"]["markdown"]
    assert "**Supports:**" in markdown and '**Quote:** "The minimum number of examples' in markdown
    assert (
        "- `min_training_examples` (default `50`)" in markdown
        and "--param min_training_examples=VALUE" in markdown
    )
    assert "Why this default: archlint's default" in " ".join(rules["FT004"]["help"]["text"].split())


def test_builtin_rules_tag_their_framework_controls() -> None:
    from archlint.policies import load_catalog
    from archlint.report import Report

    catalog = load_catalog()
    driver = build(Report((), catalog.rules, catalog=catalog))["runs"][0]["tool"]["driver"]
    tags = {descriptor["id"]: descriptor["properties"]["tags"] for descriptor in driver["rules"]}
    assert {"owasp-llm-2025:LLM08", "owasp-llm-2025:LLM02", "rag", "security"} <= set(tags["RAG001"])
    assert "nist-ai-rmf-1.0:MEASURE 2.5" in tags["FT003"]
    assert not [tag for tag in tags["RAG003"] if ":" in tag]
