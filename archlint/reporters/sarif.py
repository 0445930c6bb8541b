"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One run; `tool.driver.rules` lists every loaded rule with its `archlint explain`
text as help; each finding is a result located by a repo-relative URI under
%SRCROOT%, fingerprinted so an alert survives lines moving, and waived
findings carry an external suppression with the waiver's justification.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

from .. import __version__

if TYPE_CHECKING:
    from ..finding import Finding
    from ..policies import Catalog, Rule
    from ..report import Report

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/archlint/archlint"
# Where each built-in rule is explained: its section of docs/rules.md, `#` + the heading's anchor.
RULES_DOC_URI = f"{INFORMATION_URI}/blob/main/docs/rules.md"
# Named "<name>/v<N>" as SARIF §3.27.17 suggests; never GitHub's reserved primaryLocationLineHash,
# which upload-sarif recomputes from line content and would warn about.
FINGERPRINT_KEY = "archlintFingerprint/v1"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# CodeQL's problem.severity vocabulary, which GitHub shows for non-security alerts.
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """A stable hash per finding: feature + rule + document path, so moving lines keeps it.

    Findings sharing that identity (two schema errors at one path, or two files
    declaring the same feature name) get an occurrence suffix in report order,
    so every hash in one report is unique.
    """
    seen: dict[str, int] = {}
    hashes = []
    for finding in findings:
        identity = finding.fingerprint
        count = seen.get(identity, 0)
        seen[identity] = count + 1
        key = identity if count == 0 else f"{identity}#{count}"
        hashes.append(hashlib.sha256(key.encode("utf-8")).hexdigest()[:32])
    return hashes


def report(report: Report, stream: TextIO) -> None:
    json.dump(build(report), stream, indent=2)
    stream.write("\n")


def build(report: Report) -> dict[str, Any]:
    """The SARIF log as plain data."""
    descriptors = [_descriptor(report.catalog, rule) for rule in report.rules]
    index = {rule.id: i for i, rule in enumerate(report.rules)}
    # A finding of a rule no loaded policy declares (SCH001 under --no-builtin-policies)
    # still gets a descriptor, so every result can name its rule by index.
    for finding in sorted(report.findings, key=lambda f: f.rule):
        if finding.rule not in index:
            index[finding.rule] = len(descriptors)
            descriptors.append(_bare_descriptor(finding))
    findings = report.findings
    results = [
        _result(finding, index[finding.rule], digest)
        for finding, digest in zip(findings, fingerprints(findings), strict=True)
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "archlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The repository root (or the folder checked)."}}
                },
                # libyaml counts columns in characters, not UTF-16 code units (SARIF's default).
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _help(catalog: Catalog | None, rule: Rule) -> tuple[str, str]:
    if catalog is not None:
        from .. import explain

        return explain.text_and_markdown(catalog, rule)
    # Without the catalog there are no examples to render: the rule's own prose.
    body = f"{rule.summary}\n\n{rule.rationale.strip()}\n\n{rule.remediation.strip()}\n"
    return body, f"## {rule.id} {rule.name}\n\n{body}"


def _descriptor(catalog: Catalog | None, rule: Rule) -> dict[str, Any]:
    text, markdown = _help(catalog, rule)
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale.strip() or rule.summary},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "properties": _properties(
            (*rule.tags, *mapping_tags(rule)), rule.severity.value, rule.security_severity
        ),
    }
    if rule.builtin:
        # Custom rules have no section in docs/rules.md; their help is the text above.
        descriptor["helpUri"] = help_uri(rule.id, rule.name)
    return descriptor


def help_uri(rule_id: str, name: str) -> str:
    """The rule's section of docs/rules.md (GitHub's anchor for `## RULE name`)."""
    return f"{RULES_DOC_URI}#{rule_id.lower()}-{name}"


def mapping_tags(rule: Rule) -> list[str]:
    """The framework controls a rule maps to, as tags: `owasp-llm-2025:LLM02`."""
    return [f"{framework}:{control}" for framework, controls in rule.mappings for control in controls]


def _bare_descriptor(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.rule,
        "name": finding.name,
        "shortDescription": {"text": finding.name.replace("-", " ")},
        "defaultConfiguration": {"level": LEVELS[finding.severity.value]},
        "properties": _properties((), finding.severity.value),
    }


def _properties(tags: Iterable[str], severity: str, security: float | None = None) -> Mapping[str, Any]:
    properties: dict[str, Any] = {"tags": list(tags), "problem.severity": PROBLEM_SEVERITY[severity]}
    if security is not None:
        # GitHub code scanning reads a number in a string, and ranks the alert by it.
        properties["security-severity"] = f"{security:.1f}"
    return properties


def _result(finding: Finding, rule_index: int, digest: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity.value],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line, "startColumn": finding.column},
                },
                **_logical(finding),
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: digest},
    }
    if finding.suppressed is not None:
        result["suppressions"] = [{"kind": "external", "justification": finding.suppressed}]
    return result


def _logical(finding: Finding) -> dict[str, Any]:
    # The document path the rule names (spec.rag.top_k), for readers that want more than a line.
    if not finding.path:
        return {}
    return {"logicalLocations": [{"fullyQualifiedName": finding.path}]}
