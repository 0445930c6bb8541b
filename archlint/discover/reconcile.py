"""The DSC findings: usages joined with the features that cover them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ..finding import Finding, Severity
from .coverage import Feature, owner
from .usage import UNRESOLVED, Usage

# id -> (name, default severity); policies/discover.yaml documents them (a test keeps the two equal).
RULES = {
    "DSC001": ("undeclared-ai-usage", Severity.ERROR),
    "DSC002": ("code-contradicts-approach", Severity.ERROR),
    "DSC003": ("feature-without-ai-usage", Severity.WARNING),
    "DSC004": ("tools-in-code-not-declared", Severity.WARNING),
}
# approach -> the usage kinds that contradict it, and why.
CONTRADICTIONS = {
    "prompting": {"vector-store": "retrieval", "fine-tuning": "a fine-tuning job"},
    "fine-tuning": {"vector-store": "retrieval"},
    "rag": {"fine-tuning": "a fine-tuning job"},
}
_SHOWN = 3


class Owned(NamedTuple):
    usage: Usage
    feature: Feature | None


def assign(usages: Iterable[Usage], features: Sequence[Feature]) -> list[Owned]:
    return [Owned(usage, owner(usage.file, features)) for usage in usages]


def _finding(
    rule: str, message: str, file: str, path: str, line: int, column: int, **extra: object
) -> Finding:
    name, severity = RULES[rule]
    return Finding(rule, name, severity, message, file, path, line, column, **extra)  # type: ignore[arg-type]


def _where(usages: Sequence[Usage]) -> str:
    shown = ", ".join(f"{u.file}:{u.line} ({u.symbol})" for u in usages[:_SHOWN])
    more = len(usages) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def findings(owned: Sequence[Owned], features: Sequence[Feature], judged: Iterable[Feature]) -> list[Finding]:
    """DSC001 and DSC004 at the first usage of each library (tools) per file; DSC002 and DSC003
    on the features in `judged` (those whose file lies under the scanned paths)."""
    found: list[Finding] = []
    first: dict[tuple[str, str], Usage] = {}
    for usage, feature in owned:
        if usage.kind == UNRESOLVED:
            continue
        if feature is None:
            key = (usage.file, usage.library)
            if key not in first:
                first[key] = usage
                found.append(
                    _finding(
                        "DSC001",
                        f"{usage.library} ({usage.kind}: {usage.symbol}) is used here but no feature file "
                        f"covers {usage.file}; declare the feature in an ai-feature.yaml in this folder or "
                        "above, or name this path in a feature's spec.code_paths",
                        usage.file,
                        "",
                        usage.line,
                        usage.column,
                    )
                )
        elif usage.kind == "tools" and not feature.tools and (usage.file, "tools") not in first:
            first[(usage.file, "tools")] = usage
            found.append(
                _finding(
                    "DSC004",
                    f"tools are passed to a model here ({usage.symbol}) but feature '{feature.name}' "
                    f"({feature.file}) declares no spec.tools; the agent rules (AGT001-AGT004) cannot judge "
                    "tools nobody declared",
                    usage.file,
                    "",
                    usage.line,
                    usage.column,
                    feature=feature.name,
                )
            )
    by_feature: dict[int, list[Usage]] = {}
    for usage, feature in owned:
        if feature is not None and usage.kind != UNRESOLVED:
            by_feature.setdefault(id(feature), []).append(usage)
    for feature in judged:
        mine = by_feature.get(id(feature), [])
        if not mine:
            _, line, column = feature.document.locate(("metadata", "name"))
            found.append(
                _finding(
                    "DSC003",
                    f"feature '{feature.name}' covers "
                    + (
                        f"{', '.join(feature.code_paths)}"
                        if feature.code_paths is not None
                        else f"{feature.folder or 'the repository root'}/"
                    )
                    + " but no AI usage was found there; the declaration is stale or sits in the wrong "
                    "folder (move it next to the code, or set spec.code_paths)",
                    feature.file,
                    "metadata.name",
                    line,
                    column,
                    feature=feature.name,
                    document=feature.number,
                )
            )
            continue
        for kind, what in CONTRADICTIONS.get(feature.approach, {}).items():
            evidence = [u for u in mine if u.kind == kind]
            if evidence:
                _, line, column = feature.document.locate(("spec", "approach"))
                found.append(
                    _finding(
                        "DSC002",
                        f"feature '{feature.name}' declares approach {feature.approach}, but its code runs "
                        f"{what} ({kind}): {_where(evidence)}",
                        feature.file,
                        "spec.approach",
                        line,
                        column,
                        feature=feature.name,
                        document=feature.number,
                    )
                )
    found.sort(key=Finding.sort_key)
    return found
