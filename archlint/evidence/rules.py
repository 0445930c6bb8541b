"""EVD001-EVD006: the findings of one document's evidence.

Every finding is located at a key of the feature file (the declaring key, or
the declared count for EVD002) and names the data file as the document
declares it, with the first offending line numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

from ..finding import Finding, Severity
from . import analysis, locate
from .locate import DATASET, EVAL, TRAIN, Declared, Resolved

Make = Callable[[str, str, Severity, str, tuple[Any, ...]], Finding]

NAMES = {
    "EVD001": "evidence-file-missing",
    "EVD002": "declared-count-differs",
    "EVD003": "eval-leaks-into-training",
    "EVD004": "eval-near-duplicates-training",
    "EVD005": "malformed-training-data",
    "EVD006": "duplicate-training-records",
}


class Context(NamedTuple):
    """What checking one document's evidence needs from the run."""

    feature: str  # the feature file's path
    root: str  # the repository root evidence must stay inside
    strict: bool
    enabled: Collection[str]  # enabled rule ids
    params: Mapping[str, Any]
    store: Any  # store.EvidenceStore


def check(spec: Mapping[str, Any], context: Context, make: Make) -> list[Finding]:
    """The EVD findings of one schema-valid spec."""
    findings: list[Finding] = []

    def report(rule: str, severity: Severity, message: str, key: tuple[str, ...]) -> None:
        if rule in context.enabled:
            findings.append(make(rule, NAMES[rule], severity, message, key))

    summaries: dict[str, tuple[Declared, str, analysis.Summary]] = {}  # role -> (declared, path, summary)
    wants = _wants(context.enabled)
    for item in locate.declared(spec):
        resolved = locate.resolve(item, context.feature, context.root)
        if resolved.state != "file":
            _unresolved(resolved, context.strict, report)
            continue
        assert resolved.path is not None
        shaped = item.role in (TRAIN, EVAL)
        kind = analysis.file_format(resolved.path)
        if kind is None:
            if shaped:
                ext = os.path.splitext(item.value)[1] or "no extension"
                message = (
                    f"{item.value}: archlint reads JSON Lines (.jsonl) and CSV (.csv) files, not {ext}; "
                    "its records cannot be counted or checked"
                )
                report("EVD005", Severity.ERROR, message, item.key)
            continue
        role_wants = wants if item.role == TRAIN else wants - {analysis.DUPLICATES}
        try:
            summary = context.store.summary(resolved.path, shaped, role_wants, verify=item.sha256 is not None)
        except OSError as exc:
            message = f"{item.value} cannot be read: {exc.strerror or exc}"
            report("EVD001", Severity.ERROR, message, item.key)
            continue
        if item.sha256 is not None and summary.complete and summary.digest and summary.digest != item.sha256:
            message = (
                f"{item.value} is not the file the manifest pins: its SHA-256 is {summary.digest[:12]}..., "
                f"the declared sha256 is {item.sha256[:12]}..."
            )
            report("EVD001", Severity.ERROR, message, item.key)
        _malformed(item, summary, report)
        summaries[item.role] = (item, resolved.path, summary)
    _counts(spec, summaries, report)
    _duplicates(summaries, context.params, report)
    _leaks(spec, summaries, context, report)
    return findings


def _wants(enabled: Collection[str]) -> frozenset[str]:
    wants = set()
    if "EVD003" in enabled:
        wants.add(analysis.INPUTS)
    if "EVD006" in enabled:
        wants.add(analysis.DUPLICATES)
    return frozenset(wants)


def _unresolved(resolved: Resolved, strict: bool, report: Callable[..., None]) -> None:
    item = resolved.declared
    where = f"{item.value} is {resolved.detail}"
    if strict:
        report(
            "EVD001", Severity.ERROR, f"{where}; --evidence strict needs every evidence file here", item.key
        )
    elif item.required and resolved.state == "uri":
        report("EVD001", Severity.INFO, f"{where}: the claims about it are not verifiable here", item.key)
    elif item.required and resolved.state == "missing" and item.sha256 is not None:
        message = f"{where}: the manifest pins its sha256, which is verified when the file is present"
        report("EVD001", Severity.INFO, message, item.key)
    elif item.required:
        report("EVD001", Severity.ERROR, where, item.key)


def _lines(numbers: list[int], total: int) -> str:
    shown = ", ".join(str(number) for number in numbers)
    word = "line" if len(numbers) == 1 and total == 1 else "lines"
    more = f" (and {total - len(numbers):,} more)" if total > len(numbers) else ""
    return f"{word} {shown}{more}"


def _malformed(item: Declared, summary: analysis.Summary, report: Callable[..., None]) -> None:
    parts = []
    if summary.malformed:
        shown = "; ".join(f"line {line}: {reason}" for line, reason in summary.first_malformed)
        more = summary.malformed - len(summary.first_malformed)
        tail = f" (and {more:,} more)" if more else ""
        of = f" of {summary.records:,}" if summary.complete else ""
        parts.append(f"{summary.malformed:,}{of} records malformed: {shown}{tail}")
    if summary.stopped is not None:
        line, reason = summary.stopped
        parts.append(f"line {line} is {reason}" if reason.startswith("longer") else f"line {line}: {reason}")
    if parts:
        report("EVD005", Severity.ERROR, f"{item.value}: " + "; ".join(parts), item.key)


_COUNTS = (
    (TRAIN, ("spec", "fine_tuning", "training_examples"), "training_examples"),
    (EVAL, ("spec", "fine_tuning", "eval_set", "examples"), "eval_set.examples"),
    (DATASET, ("spec", "evaluation", "examples"), "evaluation.examples"),
)


def _counts(
    spec: Mapping[str, Any],
    summaries: Mapping[str, tuple[Declared, str, analysis.Summary]],
    report: Callable[..., None],
) -> None:
    for role, key, name in _COUNTS:
        if role not in summaries:
            continue
        item, _, summary = summaries[role]
        declared = _get(spec, key[1:])
        if not isinstance(declared, int) or isinstance(declared, bool) or not summary.complete:
            continue
        if declared != summary.records:
            unit = "record" if summary.records == 1 else "records"
            message = f"{name} is {declared:,}, but {item.value} holds {summary.records:,} {unit}"
            report("EVD002", Severity.ERROR, message, key)


def _duplicates(
    summaries: Mapping[str, tuple[Declared, str, analysis.Summary]],
    params: Mapping[str, Any],
    report: Callable[..., None],
) -> None:
    if TRAIN not in summaries:
        return
    item, _, summary = summaries[TRAIN]
    if analysis.DUPLICATES not in summary.wants or not summary.records or not summary.duplicates:
        return
    limit = float(params.get("max_duplicate_share", 0.05))
    share = summary.duplicates / summary.records
    if share <= limit:
        return
    shown = ", ".join(f"{line} (repeats line {earlier})" for line, earlier in summary.duplicate_lines)
    more = summary.duplicates - len(summary.duplicate_lines)
    tail = f" (and {more:,} more)" if more else ""
    message = (
        f"{item.value}: {summary.duplicates:,} of {summary.records:,} records ({share:.1%}) repeat an "
        f"earlier record, above max_duplicate_share {limit:.0%}: lines {shown}{tail}"
    )
    report("EVD006", Severity.WARNING, message, item.key)


def _leaks(
    spec: Mapping[str, Any],
    summaries: Mapping[str, tuple[Declared, str, analysis.Summary]],
    context: Context,
    report: Callable[..., None],
) -> None:
    if TRAIN not in summaries:
        return
    held_out = _get(spec, ("fine_tuning", "eval_set", "held_out"))
    if held_out is False:
        return  # the file says the eval set is not held out; FT003 is about that claim
    train_item, train_path, train = summaries[TRAIN]
    for role in (EVAL, DATASET):
        if role not in summaries:
            continue
        item, path, evaluation = summaries[role]
        if "EVD003" in context.enabled and analysis.INPUTS in evaluation.wants:
            from . import overlap

            def exact(evaluation: analysis.Summary = evaluation) -> list[Any]:
                found = overlap.exact(evaluation, train)
                return [found.total, [list(pair) for pair in found.first], found.compared]

            count, first, _ = context.store.pair("exact", [evaluation.digest, train.digest], exact)
            if count:
                lines = _lines([pair[0] for pair in first], count)
                where = ", ".join(str(pair[1]) for pair in first)
                message = (
                    f"{item.value} {lines} also occur in {train_item.value} (its lines {where}), "
                    "though the eval set is declared held out"
                    if held_out is True
                    else f"{item.value} {lines} also occur in {train_item.value} (its lines {where})"
                )
                report("EVD003", Severity.ERROR, message, item.key)
        if "EVD004" in context.enabled and evaluation.records and train.records:
            _near(item, path, evaluation, train_item, train_path, train, context, report)


def _near(
    item: Declared,
    path: str,
    evaluation: analysis.Summary,
    train_item: Declared,
    train_path: str,
    train: analysis.Summary,
    context: Context,
    report: Callable[..., None],
) -> None:
    threshold = float(context.params.get("near_duplicate_jaccard", 0.9))
    cap = int(context.params.get("near_duplicate_max_records", 20_000))

    def compute() -> list[Any]:
        from . import near

        found = near.find(
            analysis.inputs(path, evaluation.shaped), analysis.inputs(train_path, True), threshold, cap
        )
        return [found.total, [list(pair) for pair in found.first], list(found.compared), found.capped]

    parts = [evaluation.digest, train.digest, repr(threshold), str(cap)]
    count, first, _, capped = context.store.pair("near", parts, compute)
    if not count:
        return
    lines = _lines([pair[0] for pair in first], count)
    where = ", ".join(str(pair[1]) for pair in first)
    scope = f"; compared the first {cap:,} records of each" if capped else ""
    message = (
        f"{item.value} {lines} have a near-duplicate in {train_item.value} (its lines {where}) "
        f"at Jaccard similarity {threshold} or more{scope}"
    )
    report("EVD004", Severity.WARNING, message, item.key)


def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
