"""Feature records for the portfolio: from checked feature files, or from earlier JSON reports.

A record is plain JSON-ready data (the `features` items of `archlint report --format json`),
so a report of one repository can be merged into the report of another with `--from-json`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import UsageError

if TYPE_CHECKING:
    from ..finding import Finding
    from ..policies import Catalog, Rule
    from ..report import FileResult

FORMAT = 1  # the version of the portfolio JSON; bump when a field changes meaning
MAX_JSON_BYTES = 64 * 1024 * 1024


def rule_record(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "severity": rule.severity.value,
        "summary": rule.summary,
        "rationale": rule.rationale.strip(),
        "remediation": rule.remediation.strip(),
        "mappings": {framework: list(controls) for framework, controls in rule.mappings},
    }


def rule_records(catalog: Catalog | None) -> dict[str, dict[str, Any]]:
    return {rule.id: rule_record(rule) for rule in catalog.rules} if catalog is not None else {}


def finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "waived": finding.suppressed is not None,
        "justification": finding.suppressed,
    }


def features_of(
    results: Iterable[FileResult],
    catalog: Catalog | None,
    params: Mapping[str, Any],
    root: str,
    source: str = "",
) -> list[dict[str, Any]]:
    """One record per feature document of the checked files (re-read from `root`/file), with
    the findings of its document and its decision path; a file no document of which could be
    read as a feature (invalid YAML) gets one record named after the file."""
    from ..loader import YamlError, decode_limited, load_all, read_bytes

    records: list[dict[str, Any]] = []
    for result in results:
        try:
            documents = load_all(decode_limited(read_bytes(os.path.join(root, result.file))))
        except (OSError, YamlError):
            documents = []
        by_document: dict[int, list[Finding]] = {}
        for finding in result.findings:
            by_document.setdefault(finding.document, []).append(finding)
        if not documents:
            documents_data: list[tuple[int, Any]] = [(0, None)]
        else:
            documents_data = [(document.number, document.data) for document in documents]
        for number, data in documents_data:
            findings = by_document.get(number, [])
            records.append(_record(result.file, number, data, findings, catalog, params, source))
    return records


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _record(
    file: str,
    number: int,
    data: Any,
    findings: Sequence[Finding],
    catalog: Catalog | None,
    params: Mapping[str, Any],
    source: str,
) -> dict[str, Any]:
    data = _map(data)
    metadata = _map(data.get("metadata"))
    spec = _map(data.get("spec"))
    labels = _map(metadata.get("labels"))
    valid = bool(data) and not any(f.rule in ("SCH001", "SCH002") for f in findings)
    name = _text(metadata.get("name")) or (f"{file}#{number}" if number else file)
    fine_tuning = _map(spec.get("fine_tuning"))
    knowledge = _map(spec.get("knowledge"))
    rag = _map(spec.get("rag"))
    store = _map(rag.get("vector_store"))
    waivers = _list(spec.get("waivers"))
    decision = _decision(data, catalog, params) if valid and catalog is not None else None
    return {
        "name": name,
        "owner": _text(metadata.get("owner")),
        "description": " ".join(_text(metadata.get("description")).split()),
        "labels": {str(k): str(v) for k, v in labels.items()},
        "approach": _text(spec.get("approach")),
        "problem": _text(spec.get("problem")),
        "recommended": decision["recommended"] if decision else None,
        "decision": decision,
        "file": file,
        "document": number,
        "source": source,
        "valid": valid,
        "base_model": _text(fine_tuning.get("base_model")),
        "corpus": {
            key: value
            for key, value in (
                ("source", knowledge.get("source")),
                ("change_frequency", knowledge.get("change_frequency")),
                ("corpus_tokens", knowledge.get("corpus_tokens")),
                ("sensitivity", knowledge.get("sensitivity")),
                ("vector_store", store.get("name")),
                ("hosting", store.get("hosting")),
                ("index_refresh", rag.get("index_refresh")),
            )
            if isinstance(value, (str, int)) and not isinstance(value, bool)
        }
        if spec.get("approach") in ("rag", "hybrid")
        else None,
        "evaluation": _evaluation(spec),
        "findings": [finding_record(finding) for finding in findings],
        "waivers": [
            {
                "rule": _text(w.get("rule")),
                "reason": " ".join(_text(w.get("reason")).split()),
                "approved_by": _text(w.get("approved_by")),
                "expires": _text(w.get("expires")),
            }
            for w in waivers
            if isinstance(w, dict)
        ],
    }


def _evaluation(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    evaluation = spec.get("evaluation")
    if not isinstance(evaluation, dict):
        return None
    metrics = evaluation.get("metrics")
    return {
        "dataset": _text(evaluation.get("dataset")),
        "metrics": [str(m) for m in metrics] if isinstance(metrics, list) else [],
        "examples": evaluation.get("examples") if isinstance(evaluation.get("examples"), int) else None,
    }


def _decision(data: Mapping[str, Any], catalog: Catalog, params: Mapping[str, Any]) -> dict[str, Any] | None:
    from ..decide import builtin_gates, decide
    from ..errors import PolicyError

    try:
        decision = decide(data, builtin_gates(catalog.params), params)
    except PolicyError:  # the gates do not load with these policies (no built-in params), or fail
        return None
    return {
        "recommended": decision.recommendation,
        "steps": [
            {
                "gate": step.gate.number,
                "title": step.gate.title,
                "label": step.label,
                "because": step.because,
                "recommendation": step.recommendation,
            }
            for step in decision.steps
        ],
    }


# ---------------------------------------------------------------------------- JSON in and out


def portfolio(
    features: list[dict[str, Any]], rules: Mapping[str, Mapping[str, Any]], today: str, sources: Sequence[str]
) -> dict[str, Any]:
    """The whole portfolio as JSON-ready data."""
    return {
        "archlint_portfolio": FORMAT,
        "version": __version__,
        "today": today,
        "sources": list(sources),
        "rules": dict(rules),
        "features": features,
    }


def load_json(path: str) -> dict[str, Any]:
    """A portfolio JSON written by `archlint report --format json`; anything else is a UsageError."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read --from-json file: {exc.strerror or exc}", path) from None
    if len(raw) > MAX_JSON_BYTES:
        raise UsageError(f"--from-json file is larger than {MAX_JSON_BYTES // (1024 * 1024)} MB", path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UsageError(f"--from-json file is not JSON: {exc}", path) from None
    if not isinstance(data, dict) or data.get("archlint_portfolio") != FORMAT:
        raise UsageError(
            f"--from-json takes the output of `archlint report --format json` (archlint_portfolio: {FORMAT})",
            path,
        )
    features = data.get("features")
    rules = data.get("rules")
    if not isinstance(features, list) or not isinstance(rules, dict):
        raise UsageError("--from-json file has no features list or rules object", path)
    return {
        "features": [_clean_feature(f, path) for f in features],
        "rules": {str(k): _clean_rule(v) for k, v in rules.items() if isinstance(v, dict)},
        "sources": [str(s) for s in data.get("sources", []) if isinstance(s, str)],
    }


def _clean_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    mappings = _map(rule.get("mappings"))
    return {
        **{key: _text(rule.get(key)) for key in ("name", "severity", "summary", "rationale", "remediation")},
        "mappings": {
            str(framework): [str(c) for c in controls]
            for framework, controls in mappings.items()
            if isinstance(controls, list)
        },
    }


_SEVERITIES = ("error", "warning", "info")


def _clean_feature(feature: Any, path: str) -> dict[str, Any]:
    """A feature record from an untrusted file, with every field of the expected type."""
    if not isinstance(feature, dict):
        raise UsageError("--from-json file holds a feature that is not an object", path)
    clean: dict[str, Any] = {
        key: _text(feature.get(key))
        for key in ("name", "owner", "description", "approach", "problem", "file", "source", "base_model")
    }
    clean["name"] = clean["name"] or "(unnamed)"
    clean["source"] = clean["source"] or os.path.basename(path)
    recommended = feature.get("recommended")
    clean["recommended"] = recommended if isinstance(recommended, str) else None
    labels = feature.get("labels")
    clean["labels"] = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
    clean["document"] = feature.get("document") if isinstance(feature.get("document"), int) else 0
    clean["valid"] = feature.get("valid") is True
    corpus = feature.get("corpus")
    clean["corpus"] = (
        {str(k): v for k, v in corpus.items() if isinstance(v, (str, int)) and not isinstance(v, bool)}
        if isinstance(corpus, dict)
        else None
    )
    evaluation = feature.get("evaluation")
    clean["evaluation"] = (
        {
            "dataset": _text(evaluation.get("dataset")),
            "metrics": [str(m) for m in evaluation.get("metrics") or [] if isinstance(m, (str, int))],
            "examples": evaluation.get("examples") if isinstance(evaluation.get("examples"), int) else None,
        }
        if isinstance(evaluation, dict)
        else None
    )
    decision = feature.get("decision")
    clean["decision"] = None
    if isinstance(decision, dict) and isinstance(decision.get("steps"), list):
        clean["decision"] = {
            "recommended": _text(decision.get("recommended")),
            "steps": [
                {
                    "gate": step.get("gate") if isinstance(step.get("gate"), int) else 0,
                    "title": _text(step.get("title")),
                    "label": _text(step.get("label")),
                    "because": _text(step.get("because")),
                    "recommendation": step.get("recommendation")
                    if isinstance(step.get("recommendation"), str)
                    else None,
                }
                for step in decision["steps"]
                if isinstance(step, dict)
            ],
        }
    clean["findings"] = [
        {
            "rule": _text(f.get("rule")),
            "name": _text(f.get("name")),
            "severity": f.get("severity") if f.get("severity") in _SEVERITIES else "error",
            "message": _text(f.get("message")),
            "path": _text(f.get("path")),
            "line": f.get("line") if isinstance(f.get("line"), int) else 1,
            "waived": f.get("waived") is True,
            "justification": f.get("justification") if isinstance(f.get("justification"), str) else None,
        }
        for f in feature.get("findings") or []
        if isinstance(f, dict)
    ]
    clean["waivers"] = [
        {key: _text(w.get(key)) for key in ("rule", "reason", "approved_by", "expires")}
        for w in feature.get("waivers") or []
        if isinstance(w, dict)
    ]
    return clean
