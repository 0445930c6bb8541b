"""The acceptance corpus (issue #14): archlint's verdict on realistic features, written down first.

Each case in `cases/` is `<slug>.ai-feature.yaml` plus `<slug>.expected.yaml` (format in
cases/README.md): the exact rule ids expected at error and at warning, and the approach
`archlint decide` should recommend. The expectations were written from the reading before
archlint ran; when a case and a rule disagree, the case's `why` records which one is right.
The checks run on the built-in catalog with default params and no config (what `--isolated`
gives), so a repository's own config cannot move a verdict.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.check import check_file, plan
from archlint.decide import builtin_gates, decide
from archlint.finding import Severity
from archlint.loader import load_all, read_file
from archlint.policies import load_catalog
from archlint.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
SLUGS = sorted(path.name.removesuffix(".ai-feature.yaml") for path in CASES.glob("*.ai-feature.yaml"))
APPROACHES = {"prompting", "rag", "fine-tuning", "hybrid"}

CATALOG = load_catalog()
PLAN = plan(CATALOG, Settings())
PARAMS = {name: param.default for name, param in CATALOG.params.items()}
GATES = builtin_gates(CATALOG.params)


def expected(slug: str) -> dict[str, Any]:
    (document,) = load_all(read_file(str(CASES / f"{slug}.expected.yaml")))
    data: dict[str, Any] = document.data
    return data


def feature(slug: str) -> dict[str, Any]:
    (document,) = load_all(read_file(str(CASES / f"{slug}.ai-feature.yaml")))
    data: dict[str, Any] = document.data
    return data


def verdict(slug: str) -> dict[str, Any]:
    """What archlint says: rule ids at error and warning, and decide's recommendation."""
    path = CASES / f"{slug}.ai-feature.yaml"
    result = check_file(str(path), path.name, PLAN)
    active = [f for f in result.findings if f.suppressed is None]
    return {
        "errors": sorted({f.rule for f in active if f.severity is Severity.ERROR}),
        "warnings": sorted({f.rule for f in active if f.severity is Severity.WARNING}),
        "recommendation": decide(feature(slug), GATES, PARAMS).recommendation,
    }


def wanted(slug: str) -> dict[str, Any]:
    case = expected(slug)
    return {
        "errors": sorted(case.get("errors") or []),
        "warnings": sorted(case.get("warnings") or []),
        "recommendation": case["recommendation"],
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_case_gets_the_expected_verdict(slug: str) -> None:
    got, want = verdict(slug), wanted(slug)
    assert got == want, f"{slug}: archlint says {got}, the case expects {want}; see the case's `why`"


@pytest.mark.parametrize("slug", SLUGS)
def test_case_is_well_formed(slug: str) -> None:
    case = expected(slug)
    assert set(case) >= {"errors", "warnings", "recommendation", "well_designed", "source", "why"}
    assert case["recommendation"] in APPROACHES
    assert case["source"]["url"].startswith("https://")
    assert case["why"].strip()
    ids = {rule.id for rule in CATALOG.rules}
    assert set(case["errors"] or []) | set(case["warnings"] or []) <= ids, "an expected id is not a rule"
    if case["well_designed"]:
        assert not case["errors"], "a well-designed feature may get no error"
    text = (CASES / f"{slug}.ai-feature.yaml").read_text(encoding="utf-8")
    assert text.startswith("#") and "http" in text.split("apiVersion:", 1)[0], "cite the case study first"
    assert feature(slug)["metadata"]["name"] == slug


def test_every_case_has_both_files() -> None:
    expectations = sorted(p.name.removesuffix(".expected.yaml") for p in CASES.glob("*.expected.yaml"))
    assert expectations == SLUGS


def test_the_corpus_is_as_large_and_varied_as_the_issue_asks() -> None:
    features = [feature(slug)["spec"] for slug in SLUGS]
    assert len(SLUGS) >= 24
    assert sum(1 for spec in features if spec.get("tools")) >= 6
    assert sum(1 for spec in features if spec.get("knowledge", {}).get("source") == "request") >= 5
    assert sum(1 for slug in SLUGS if expected(slug)["well_designed"]) >= 6


def test_the_command_line_gives_the_same_verdicts() -> None:
    # One run of the real CLI over the whole corpus, as CI and a reviewer would run it.
    completed = subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--isolated", "--format", "json", str(CASES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    report = json.loads(completed.stdout)
    found: dict[str, dict[str, set[str]]] = {slug: {"error": set(), "warning": set()} for slug in SLUGS}
    for item in report["findings"]:
        slug = Path(item["file"]).name.removesuffix(".ai-feature.yaml")
        if item["severity"] in ("error", "warning") and not item.get("suppressed"):
            found[slug][item["severity"]].add(item["rule"])
    for slug in SLUGS:
        want = wanted(slug)
        assert (sorted(found[slug]["error"]), sorted(found[slug]["warning"])) == (
            want["errors"],
            want["warnings"],
        ), slug
