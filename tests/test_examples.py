"""The bundled examples: clean files have no findings, each anti-pattern file fires its rule.

Anti-pattern files are named `<RULE ID>-<rule name>.ai-feature.yaml`; the id in the name is
the rule the file must fire, and (with the exceptions in ALSO_FIRES) the only one.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from archlint.check import FileResult, Plan, check_file, plan
from archlint.finding import Severity
from archlint.loader import load_all, read_file
from archlint.policies import Catalog, load_catalog
from archlint.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CLEAN = sorted((EXAMPLES / "clean").glob("*.ai-feature.yaml"))
ANTI_PATTERNS = sorted((EXAMPLES / "anti-patterns").glob("*.ai-feature.yaml"))
MODELINE = "# yaml-language-server: $schema=../../schemas/ai-feature.v1.schema.json"

# Waivers expire: checking on a fixed day keeps these tests independent of the calendar.
TODAY = datetime.date(2026, 11, 1)

# Rules with no example file, and why.
NO_EXAMPLE = {
    "POL001": "fires only when a policy condition cannot be evaluated: it needs a broken policy, "
    "not a broken feature file (tests/test_engine.py covers it)",
    "WVR004": "fires only under a waiver policy in the configuration (waivers.approvers, "
    "waivers.max-days), which a feature file cannot carry (tests/security/test_config_lock.py covers it)",
    "SCH003": "fires on a file named unlike a feature file, which an anti-pattern file named "
    "RULE-name.ai-feature.yaml cannot be (its own cases in policies/schema.yaml and "
    "tests/security/test_discovery_bypass.py cover it)",
    **dict.fromkeys(
        ("DSC001", "DSC002", "DSC003", "DSC004"),
        "judges code, not a feature file alone: examples/discover-monorepo shows it "
        "(tests/discover/test_example.py)",
    ),
}

# Findings an anti-pattern file shows besides its own rule, and why.
ALSO_FIRES = {
    # The expired waiver was written for RAG009; once expired it suppresses nothing.
    "WVR001": {"RAG009"},
}

# Rules that may accompany any anti-pattern, and why. DEC001 (info) compares the declared
# approach with the decision gates' recommendation, so it comes with most examples whose
# mistake is the approach itself (fine-tuning for facts, hybrid for one gap, ...).
COMPANIONS = {"DEC001"}

# Findings a clean file reports as waived (suppressed by a valid waiver in the file).
WAIVED = {"employee-handbook-assistant.ai-feature.yaml": {"RAG006"}}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def the_plan(catalog: Catalog) -> Plan:
    return plan(catalog, Settings(today=TODAY))


def check(path: Path, the_plan: Plan) -> FileResult:
    return check_file(str(path), path.relative_to(ROOT).as_posix(), the_plan)


def rule_id(path: Path) -> str:
    return path.name.split("-", 1)[0]


def where(path: Path, key: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the `occurrence`-th `key:` in the file (not in a comment)."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#", 1)[0]
        column = code.find(f"{key}:")
        if column >= 0 and (column == 0 or not (code[column - 1].isalnum() or code[column - 1] == "_")):
            seen += 1
            if seen == occurrence:
                return number, column + 1
    raise AssertionError(f"{key}: not found {occurrence} time(s) in {path.name}")


def test_there_are_examples() -> None:
    assert len(CLEAN) >= 4
    assert len(ANTI_PATTERNS) >= 30


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_example_has_no_findings(path: Path, the_plan: Plan) -> None:
    result = check(path, the_plan)
    active = [f"{f.line}:{f.column} {f.rule} {f.message}" for f in result.findings if f.suppressed is None]
    assert active == []
    waived = {finding.rule for finding in result.findings if finding.suppressed is not None}
    assert waived == WAIVED.get(path.name, set())


def test_clean_examples_cover_every_approach() -> None:
    approaches = set()
    documents_per_file = []
    for path in CLEAN:
        documents = load_all(read_file(str(path)))
        documents_per_file.append(len(documents))
        approaches |= {document.data["spec"]["approach"] for document in documents}
    assert approaches >= {"prompting", "rag", "fine-tuning", "hybrid"}
    assert max(documents_per_file) >= 2, "one clean example should hold several features"


def test_multi_document_example_checks_each_feature(the_plan: Plan) -> None:
    result = check(EXAMPLES / "clean" / "release-communications.ai-feature.yaml", the_plan)
    assert result.features == ("incident-status-writer", "cancellation-reason-tagger")
    assert result.findings == ()


def test_valid_waiver_suppresses_its_finding(catalog: Catalog) -> None:
    path = EXAMPLES / "clean" / "employee-handbook-assistant.ai-feature.yaml"
    waived = check(path, plan(catalog, Settings(today=TODAY)))
    unwaived = check(path, plan(catalog, Settings(today=TODAY, waivers=False)))
    assert [(f.rule, f.suppressed is not None) for f in waived.findings] == [("RAG006", True)]
    assert [(f.rule, f.suppressed) for f in unwaived.findings] == [("RAG006", None)]
    finding = waived.findings[0]
    assert (finding.line, finding.column) == where(path, "top_k")
    assert "architecture-review-board" in (finding.suppressed or "")


def test_the_waiver_expires_and_then_fails_the_check(catalog: Catalog) -> None:
    path = EXAMPLES / "clean" / "employee-handbook-assistant.ai-feature.yaml"
    later = check(path, plan(catalog, Settings(today=datetime.date(2028, 1, 1))))
    assert sorted(f.rule for f in later.findings) == ["RAG006", "WVR001"]
    assert all(f.suppressed is None for f in later.findings)


@pytest.mark.parametrize("path", ANTI_PATTERNS, ids=lambda p: p.name)
def test_anti_pattern_fires_its_rule(path: Path, the_plan: Plan, catalog: Catalog) -> None:
    wanted = rule_id(path)
    rule = catalog.rule(wanted)
    assert rule is not None, f"{path.name} names {wanted}, which no built-in policy defines"
    assert path.name == f"{rule.id}-{rule.name}.ai-feature.yaml"
    result = check(path, the_plan)
    fired = {finding.rule for finding in result.findings}
    assert wanted in fired
    # Focused: nothing else fires, apart from the documented exceptions and info companions.
    assert fired - {wanted} - ALSO_FIRES.get(wanted, set()) <= COMPANIONS
    companions = [f for f in result.findings if f.rule in COMPANIONS - {wanted}]
    assert all(finding.severity is Severity.INFO for finding in companions)
    assert all(finding.suppressed is None for finding in result.findings)


@pytest.mark.parametrize("path", CLEAN + ANTI_PATTERNS, ids=lambda p: p.name)
def test_example_starts_with_the_schema_modeline(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE


@pytest.mark.parametrize("path", ANTI_PATTERNS, ids=lambda p: p.name)
def test_anti_pattern_header_points_at_explain(path: Path) -> None:
    header = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert f"`archlint explain {rule_id(path)}`" in "\n".join(header)


def test_every_rule_has_an_example(catalog: Catalog) -> None:
    with_example = {rule_id(path) for path in ANTI_PATTERNS}
    missing = {rule.id for rule in catalog.rules} - with_example - set(NO_EXAMPLE)
    assert missing == set()
    # The allow-list stays honest: a rule that gets an example leaves it.
    assert with_example & set(NO_EXAMPLE) == set()


@pytest.mark.parametrize(
    ("name", "key", "occurrence"),
    [
        ("FT001-fine-tuning-for-dynamic-knowledge", "change_frequency", 1),
        ("RAG008-third-party-store-not-allowed", "hosting", 1),  # inside a flow mapping
        ("WVR001-expired-waiver", "expires", 1),
        ("SCH001-schema-violation", "acl_filter", 1),
        ("SCH002-invalid-yaml", "top_k", 2),  # the duplicate, not the first
        # Absent fields point at their nearest present parent.
        ("FT003-fine-tuning-without-eval-set", "fine_tuning", 1),
        ("GEN001-no-task-evaluation", "spec", 1),
    ],
)
def test_finding_points_at_the_right_place(name: str, key: str, occurrence: int, the_plan: Plan) -> None:
    path = EXAMPLES / "anti-patterns" / f"{name}.ai-feature.yaml"
    result = check(path, the_plan)
    finding = next(f for f in result.findings if f.rule == rule_id(path))
    assert (finding.file, finding.line, finding.column) == (
        f"examples/anti-patterns/{path.name}",
        *where(path, key, occurrence),
    )


def test_exact_locations_of_two_findings(the_plan: Plan) -> None:
    # Spelled out, so a change in how positions are counted cannot hide behind `where`.
    ft001 = check(
        EXAMPLES / "anti-patterns" / "FT001-fine-tuning-for-dynamic-knowledge.ai-feature.yaml", the_plan
    )
    rag008 = check(
        EXAMPLES / "anti-patterns" / "RAG008-third-party-store-not-allowed.ai-feature.yaml", the_plan
    )
    assert [(f.rule, f.path, f.line, f.column) for f in ft001.findings if f.rule == "FT001"] == [
        ("FT001", "spec.knowledge.change_frequency", 22, 5)
    ]
    assert [(f.rule, f.path, f.line, f.column) for f in rag008.findings if f.rule == "RAG008"] == [
        ("RAG008", "spec.rag.vector_store.hosting", 37, 36)
    ]


def test_info_examples_are_info(the_plan: Plan) -> None:
    # RAG009 and RAG010 are hints: their examples must not fail a default run on their own.
    for name in ("RAG009-low-latency-without-cache", "RAG010-corpus-fits-in-context"):
        result = check(EXAMPLES / "anti-patterns" / f"{name}.ai-feature.yaml", the_plan)
        assert {f.severity for f in result.findings} == {Severity.INFO}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--isolated", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_clean_examples_exit_zero() -> None:
    # This runs on the real date: when the example waiver expires, renew it in
    # examples/clean/employee-handbook-assistant.ai-feature.yaml (that is what the expiry is for).
    completed = run_cli("examples/clean")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"{len(CLEAN)} files checked: 0 errors, 0 warnings, 0 info, 1 waived" in completed.stdout


def test_cli_anti_patterns_exit_one_with_located_findings() -> None:
    completed = run_cli("examples/anti-patterns")
    assert completed.returncode == 1, completed.stderr
    for path in ANTI_PATTERNS:
        prefix = f"examples/anti-patterns/{path.name}:"
        lines = [line for line in completed.stdout.splitlines() if line.startswith(prefix)]
        assert any(f" {rule_id(path)} " in line for line in lines), path.name
