"""Evaluate policy rules on one schema-valid document."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import cel, messages
from .finding import Finding, Severity
from .loader import Document, Path
from .policies import Catalog, Rule

if TYPE_CHECKING:
    from .sandbox import Sandbox

POLICY_ERROR = ("POL001", "policy-evaluation-error")
MESSAGE_LIST_ITEMS = 10

MakeFinding = Callable[[str, str, Severity, str, Path], Finding]


def document_bindings(document: Document, params: Mapping[str, Any]) -> dict[str, Any]:
    """What a condition sees of a document: its top-level fields, the params, and (filled in
    once they are evaluated) the variables."""
    data = document.data
    return {
        "apiVersion": data.get("apiVersion"),
        "kind": data.get("kind"),
        "metadata": data.get("metadata", {}),
        "spec": data.get("spec", {}),
        "params": dict(params),
        "variables": {},
    }


def evaluate(
    document: Document,
    catalog: Catalog,
    rules: Sequence[Rule],
    params: Mapping[str, Any],
    make: MakeFinding,
    sandbox: Sandbox | None = None,
) -> list[Finding]:
    """Run every CEL rule in `rules` on the document.

    A condition that fails to evaluate (a policy that did not guard an absent
    field, a type mismatch, a division by zero, CEL's iteration budget) becomes
    a POL001 finding at the rule's path: never a crash, never a silent pass.
    Built-in rules and variables are evaluated here; those of any other policy
    in `sandbox`, each under a time and a memory bound (archlint.sandbox), and
    one that exceeds a bound is a POL001 finding too.
    """
    own = catalog.builtin_variables
    variables = catalog.variables
    foreign_variables: tuple[tuple[str, cel.Program], ...] = ()
    if len(own) != len(variables):
        foreign_variables = tuple(item for item in variables if item[0] not in own)
        variables = tuple(item for item in variables if item[0] in own)
    foreign_rules = tuple(rule for rule in rules if not rule.builtin)
    if foreign_rules:
        rules = tuple(rule for rule in rules if rule.builtin)
    bindings = document_bindings(document, params)
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    failed: list[str] = []
    first = cel.activation(bindings)
    together = _together(variables, first)
    if together is not None:
        values.update(zip((name for name, _ in variables), together, strict=True))
    for name, program in variables if together is None else ():
        try:
            values[name] = program.evaluate(first)
        except cel.CelEvalError as exc:
            failed.append(name)
            findings.append(
                make(*POLICY_ERROR, Severity.ERROR, f"variable '{name}' could not be evaluated: {exc}", ())
            )
    bindings["variables"] = values
    if foreign_variables or foreign_rules:
        if sandbox is None:
            raise ValueError("the rules of a policy that is not built in are evaluated in a sandbox")
        foreign = (foreign_variables, foreign_rules)
        findings += _bounded(document, *foreign, bindings, failed, params, make, sandbox)
    activation = cel.activation(bindings)
    if not failed:
        conditioned = tuple((rule.id, rule.condition) for rule in rules if rule.condition is not None)
        fired_all = _together(conditioned, activation, booleans=True)
        if fired_all is not None:
            fired_rules = (rule for rule in rules if rule.condition is not None)
            for rule, fired in zip(fired_rules, fired_all, strict=True):
                if fired:
                    text = render(rule.message, document, params, values)
                    findings.append(make(rule.id, rule.name, rule.severity, text, rule.path))
            return findings
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


def _bounded(
    document: Document,
    variables: Sequence[tuple[str, cel.Program]],
    rules: Sequence[Rule],
    bindings: dict[str, Any],
    failed: list[str],
    params: Mapping[str, Any],
    make: MakeFinding,
    sandbox: Sandbox,
) -> list[Finding]:
    """The findings of rules and variables that are not built in, evaluated in `sandbox`."""
    from .sandbox import Step

    names = [name for name, _ in variables] + list(bindings["variables"]) + failed
    steps = [Step("variable", name, program.source) for name, program in variables]
    conditioned = []
    for rule in rules:
        source = rule.condition_source
        if rule.condition is None or any(f"variables.{name}" in source for name in failed):
            continue
        conditioned.append(rule)
        steps.append(Step("rule", rule.id, source, tuple(n for n in names if f"variables.{n}" in source)))
    results = sandbox.run({**bindings, "variables": dict(bindings["variables"])}, steps)
    findings: list[Finding] = []
    values = dict(bindings["variables"])
    for (name, _), result in zip(variables, results, strict=False):
        if result.ok:
            values[name] = result.value
        else:
            message = f"variable '{name}' could not be evaluated: {result.value}"
            findings.append(make(*POLICY_ERROR, Severity.ERROR, message, ()))
    for rule, result in zip(conditioned, results[len(variables) :], strict=True):
        if result.skipped:
            continue
        if not result.ok:
            message = f"rule {rule.id} could not be evaluated on this document: {result.value}"
            findings.append(make(*POLICY_ERROR, Severity.ERROR, message, rule.path))
        elif not isinstance(result.value, bool):
            message = f"rule {rule.id}: the condition returned {result.value!r}, not true or false"
            findings.append(make(*POLICY_ERROR, Severity.ERROR, message, rule.path))
        elif result.value:
            text = render(rule.message, document, params, values)
            findings.append(make(rule.id, rule.name, rule.severity, text, rule.path))
    return findings


# From this many documents in one process on, the variables and then the rule
# conditions are each evaluated as one CEL list: one call into CEL instead of
# one per expression. A document on which a list fails (an evaluation error,
# a condition that is not a boolean) is evaluated expression by expression,
# so findings and POL001 messages are exactly those of the one-by-one path.
COMBINE_AFTER = 16
_lists: dict[tuple[str, ...], list[Any]] = {}  # sources -> [documents seen, program or None]


def _together(
    programs: Sequence[tuple[str, cel.Program | None]], activation: Any, booleans: bool = False
) -> list[Any] | None:
    """Every program's value from one evaluation, or None (evaluate them one by one)."""
    if not programs:
        return None
    sources = tuple(program.source for _, program in programs if program is not None)
    entry = _lists.get(sources)
    if entry is None:
        if len(_lists) > 64:
            _lists.clear()
        entry = _lists[sources] = [0, None]
    entry[0] += 1
    if entry[0] < COMBINE_AFTER:
        return None
    if entry[1] is None:
        try:
            entry[1] = cel.compile_expression("[" + ",\n".join(f"({source})" for source in sources) + "]")
        except cel.CelCompileError:
            entry[1] = False  # too large for one expression: stay one by one
    if entry[1] is False:
        return None
    try:
        values = entry[1].evaluate(activation)
    except cel.CelEvalError:
        return None
    if not isinstance(values, list) or len(values) != len(sources):
        return None
    if booleans and not all(isinstance(value, bool) for value in values):
        return None
    return values


def render(template: str, document: Document, params: Mapping[str, Any], values: Mapping[str, Any]) -> str:
    """Fill {spec.x.y}, {params.NAME} and {variables.NAME} placeholders ({path|fallback} when absent)."""

    def lookup(parts: tuple[str, ...]) -> Any:
        if parts[0] == "params":
            return _one_line(params[parts[1]])
        if parts[0] == "variables":
            return _one_line(values[parts[1]])
        return _one_line(document.get(tuple(int(p) if p.isdigit() else p for p in parts)))

    return messages.render(template, lookup)


def _one_line(value: Any) -> Any:
    """A document value shown in a message: a finding is one line, so control characters
    (a newline could forge another finding) are escaped and long strings cut."""
    if isinstance(value, str):
        return messages.one_line(value, 200)
    if isinstance(value, list):
        # A list in a message (the tools a rule names) shows its first few items, not thousands.
        shown = [_one_line(item) for item in value[:MESSAGE_LIST_ITEMS]]
        if len(value) > MESSAGE_LIST_ITEMS:
            shown.append(f"and {len(value) - MESSAGE_LIST_ITEMS} more")
        return shown
    if isinstance(value, dict):
        return {_one_line(key): _one_line(item) for key, item in value.items()}
    return value


def arguing_against_approach(
    document: Document, catalog: Catalog, fired: Sequence[str], params: Mapping[str, Any]
) -> set[str]:
    """Of the rule ids in `fired`, those whose finding says the declared approach is the wrong one.

    A rule declares it in its policy: `argues_against_approach: true`, or a CEL condition telling
    when (GEN002 argues for retrieval only when the facts do not arrive with the request).
    `archlint decide` must never recommend an approach that leaves such a finding.
    """
    bindings = document_bindings(document, params)
    first = cel.activation(bindings)
    bindings["variables"] = {name: program.evaluate(first) for name, program in catalog.variables}
    activation = cel.activation(bindings)
    arguing = set()
    for rule in catalog.rules:
        if rule.id not in fired or not rule.argues_against_approach:
            continue
        if rule.argues_when is None or rule.argues_when.evaluate(activation) is True:
            arguing.add(rule.id)
    return arguing
