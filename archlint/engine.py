"""Evaluate policy rules on one schema-valid document."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import cel, messages
from .finding import Finding, Severity
from .loader import Document, Path
from .policies import Catalog, Rule

POLICY_ERROR = ("POL001", "policy-evaluation-error")

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
    """Fill {spec.x.y}, {params.NAME} and {variables.NAME} placeholders ({path|fallback} when absent)."""

    def lookup(parts: tuple[str, ...]) -> Any:
        if parts[0] == "params":
            return params[parts[1]]
        if parts[0] == "variables":
            return values[parts[1]]
        return document.get(tuple(int(p) if p.isdigit() else p for p in parts))

    return messages.render(template, lookup)
