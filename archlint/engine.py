"""Evaluate policy rules on one schema-valid document."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import cel
from .finding import Finding, Severity
from .loader import Document, Path
from .policies import Catalog, Rule

POLICY_ERROR = ("POL001", "policy-evaluation-error")

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")

MakeFinding = Callable[[str, str, Severity, str, Path], Finding]


def evaluate(
    document: Document,
    catalog: Catalog,
    rules: Sequence[Rule],
    params: Mapping[str, Any],
    make: MakeFinding,
) -> list[Finding]:
    """Run every CEL rule in `rules` on the document.

    A condition that fails to evaluate (a policy that did not guard an absent
    field, a type mismatch, a division by zero) becomes a POL001 finding at
    the rule's path: never a crash, never a silent pass.
    """
    data = document.data
    bindings: dict[str, Any] = {
        "apiVersion": data.get("apiVersion"),
        "kind": data.get("kind"),
        "metadata": data.get("metadata", {}),
        "spec": data.get("spec", {}),
        "params": dict(params),
        "variables": {},
    }
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    failed: list[str] = []
    first = cel.activation(bindings)
    for name, program in catalog.variables:
        try:
            values[name] = program.evaluate(first)
        except cel.CelEvalError as exc:
            failed.append(name)
            findings.append(
                make(*POLICY_ERROR, Severity.ERROR, f"variable '{name}' could not be evaluated: {exc}", ())
            )
    bindings["variables"] = values
    activation = cel.activation(bindings)
    for rule in rules:
        if rule.condition is None or any(f"variables.{name}" in rule.condition_source for name in failed):
            continue
        try:
            fired = rule.condition.evaluate(activation)
        except cel.CelEvalError as exc:
            message = f"rule {rule.id} could not be evaluated on this document: {exc}"
            findings.append(make(*POLICY_ERROR, Severity.ERROR, message, rule.path))
            continue
        if not isinstance(fired, bool):
            message = f"rule {rule.id}: the condition returned {fired!r}, not true or false"
            findings.append(make(*POLICY_ERROR, Severity.ERROR, message, rule.path))
        elif fired:
            text = render(rule.message, document, params, values)
            findings.append(make(rule.id, rule.name, rule.severity, text, rule.path))
    return findings


def render(template: str, document: Document, params: Mapping[str, Any], values: Mapping[str, Any]) -> str:
    """Fill {spec.x.y}, {params.NAME} and {variables.NAME} placeholders."""

    def replace(match: re.Match[str]) -> str:
        parts = match.group(1).split(".")
        try:
            if parts[0] == "params":
                value = params[parts[1]]
            elif parts[0] == "variables":
                value = values[parts[1]]
            else:
                value = document.get(tuple(int(p) if p.isdigit() else p for p in parts))
        except (KeyError, IndexError):
            return "absent"
        return _words(value)

    return _PLACEHOLDER.sub(replace, template)


def _words(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, list):
        return ", ".join(_words(item) for item in value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_words(v)}" for k, v in value.items()) + "}"
    return "null" if value is None else str(value)
