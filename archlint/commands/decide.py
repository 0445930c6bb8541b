"""`archlint decide FILE`: walk the decision gates and recommend an approach.

Exit codes: 0 whenever a recommendation is printed, whether or not it matches the
declared approach (DEC001 in `archlint check` is the gate for that); 2 for a file
that cannot be read, is not YAML, or breaks the schema, and for a broken gates file.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ..check import plan
from ..config import load_for
from ..decide import Decision, FieldValue, Gates, builtin_gates, decide, load_gates, words
from ..errors import ArchlintError, UsageError
from ..inert import InertLines, inert, inert_line
from ..loader import Document, YamlError, load_all, read_file
from ..paths import display

WIDTH = 100


def run(args: argparse.Namespace) -> int:
    resolved, catalog = load_for(args)
    params = plan(catalog, resolved.settings).params
    gates = load_gates(args.gates, catalog.params) if args.gates else builtin_gates(catalog.params)
    shown = display(args.file)
    documents = _read(args.file, shown)
    documents = _select(documents, args.feature, shown)
    if _report_schema_problems(documents, shown):
        return 2
    decisions = [decide(document.data, gates, params) for document in documents]
    if len(decisions) > 1 and args.format != "text":
        names = ", ".join(decision.feature for decision in decisions)
        raise UsageError(
            f"{shown} holds {len(decisions)} features ({names}); --format {args.format} describes one, "
            "so pass --feature NAME"
        )
    FORMATS[args.format](decisions, shown, gates, sys.stdout)
    return 0


def _read(path: str, shown: str) -> list[Document]:
    try:
        text = read_file(path)
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror or exc}", shown) from None
    try:
        documents = load_all(text)
    except YamlError as exc:
        raise ArchlintError(f"invalid YAML: {exc.message}", shown, exc.line, exc.column) from None
    if not documents:
        raise ArchlintError("the file holds no YAML document; expected an AIFeature", shown)
    return documents


def _name(document: Document) -> str | None:
    data = document.data
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
        name = data["metadata"].get("name")
        return name if isinstance(name, str) else None
    return None


def _select(documents: list[Document], feature: str | None, shown: str) -> list[Document]:
    if feature is None:
        return documents
    chosen = [document for document in documents if _name(document) == feature]
    if not chosen:
        names = ", ".join(name for name in map(_name, documents) if name) or "none named"
        raise UsageError(f"no feature named '{feature}' (features in the file: {names})", shown)
    return chosen


def _report_schema_problems(documents: Sequence[Document], shown: str) -> bool:
    """Print every schema problem, located; True when there was any."""
    from ..schema import validate

    count = 0
    for document in documents:
        for problem in validate(document.data):
            _, line, column = document.locate(problem.path)
            print(inert_line(f"{shown}:{line}:{column}: SCH001 {problem.message}"), file=sys.stderr)
            count += 1
    if count:
        noun = "problem" if count == 1 else "problems"
        print(
            f"archlint: error: {inert(shown)}: not a valid ai-feature file ({count} schema {noun} above); "
            "fix them before asking for a recommendation",
            file=sys.stderr,
        )
    return count > 0


# ---------------------------------------------------------------------------- text


def _field_line(value: FieldValue) -> str:
    if value.present:
        return f"{value.dotted} = {words(value.value)}"
    if value.assumption is not None and value.assumption.value is not None:
        return f"{value.dotted} = {words(value.value)} (absent, assumed)"
    return f"{value.dotted} is absent"


def _wrap(text: str, indent: str) -> list[str]:
    lines = textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )
    return lines or [indent]


def write_text(decisions: Sequence[Decision], shown: str, gates: Gates, stream: TextIO) -> None:
    """A readable tree: the path through the gates, the assumptions, and the comparison. Its
    lines are inert: feature names and values are the pull request's."""
    with InertLines(stream) as out:
        _write_text(decisions, shown, gates, out)


def _write_text(decisions: Sequence[Decision], shown: str, gates: Gates, stream: TextIO) -> None:
    for index, decision in enumerate(decisions):
        if index:
            stream.write("\n")
        deciding = decision.deciding.gate
        lines = [
            f"{decision.feature} ({shown})",
            f"recommended: {decision.recommendation}, decided at gate {deciding.number} ({deciding.title})",
        ]
        if decision.agrees:
            lines.append(f"declared:    {decision.declared}, the same as the recommendation")
        else:
            lines.append(f"declared:    {decision.declared}, which differs from the recommendation (DEC001)")
        if not gates.builtin:
            lines.append(f"gates:       {gates.name} ({display(gates.source)})")
        lines.append("")
        lines.append("path through the gates:")
        for number, step in enumerate(decision.steps):
            last = number == len(decision.steps) - 1
            branch, rail = ("`-- ", "    ") if last else ("|-- ", "|   ")
            arrow = f" => {step.recommendation}" if step.recommendation else ""
            lines.append(f"{branch}{step.gate.number}. {step.gate.title}: {step.label}{arrow}")
            for value in step.fields:
                lines.append(f"{rail}    {_field_line(value)}")
            lines.extend(_wrap(step.because, f"{rail}    "))
        lines.append("")
        assumed = decision.assumptions
        if assumed:
            lines.append("assumptions for absent fields:")
            for value in assumed:
                note = value.assumption.note if value.assumption else "no value is assumed"
                lines.extend(_wrap(f"- {_field_line(value)}: {note}", "  ")[:1])
                lines.extend(_wrap(f"{_field_line(value)}: {note}", "    ")[1:])
        else:
            lines.append("assumptions for absent fields: none, every deciding field is present")
        stream.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------- json


def as_json(decision: Decision, shown: str, gates: Gates) -> dict[str, Any]:
    """The JSON object for one feature; `recommendation` is top-level."""
    deciding = decision.deciding.gate
    return {
        "file": shown,
        "feature": decision.feature,
        "recommendation": decision.recommendation,
        "declared": decision.declared,
        "agrees": decision.agrees,
        "deciding_gate": {"number": deciding.number, "id": deciding.id, "title": deciding.title},
        "path": [
            {
                "gate": step.gate.number,
                "id": step.gate.id,
                "title": step.gate.title,
                "question": step.gate.question,
                "outcome": step.label,
                "because": step.because,
                "fields": [
                    {
                        "path": value.dotted,
                        "value": value.value,
                        "present": value.present,
                        "assumed": not value.present and value.value is not None,
                    }
                    for value in step.fields
                ],
                "recommendation": step.recommendation,
            }
            for step in decision.steps
        ],
        "assumptions": [
            {
                "path": value.dotted,
                "value": value.value,
                "note": value.assumption.note if value.assumption else "no value is assumed",
            }
            for value in decision.assumptions
        ],
        "params": dict(decision.params),
        "gates": "builtin" if gates.builtin else display(gates.source),
    }


def write_json(decisions: Sequence[Decision], shown: str, gates: Gates, stream: TextIO) -> None:
    json.dump(as_json(decisions[0], shown, gates), stream, indent=2)
    stream.write("\n")


# ---------------------------------------------------------------------------- mermaid

# Characters that would end a quoted label or be read as markup, as Mermaid entity codes.
_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}


def mermaid_text(text: str) -> str:
    """Text safe inside a double-quoted Mermaid label."""
    return "".join(_MERMAID_ESCAPES.get(char, char) for char in " ".join(text.split()))


def write_mermaid(decisions: Sequence[Decision], shown: str, gates: Gates, stream: TextIO) -> None:
    """A flowchart of the path: feature, each gate with its deciding values, the recommendation."""
    decision = decisions[0]
    verdict = "agrees with declared" if decision.agrees else f"declared {decision.declared} differs"
    lines = [
        "flowchart TD",
        f'  feature(["{mermaid_text(decision.feature)}<br/>declared: {mermaid_text(decision.declared)}"])',
    ]
    for step in decision.steps:
        parts = [f"{step.gate.number}. {step.gate.title}"]
        parts += [_field_line(value).removeprefix("spec.") for value in step.fields]
        label = "<br/>".join(mermaid_text(part) for part in parts)
        lines.append(f'  g{step.gate.number}["{label}"]')
    lines.append(
        f'  result(["recommended: {mermaid_text(decision.recommendation)}<br/>{mermaid_text(verdict)}"])'
    )
    previous = "feature"
    lines.append(f"  feature --> g{decision.steps[0].gate.number}")
    for index, step in enumerate(decision.steps):
        previous = f"g{step.gate.number}"
        following = (
            f"g{decision.steps[index + 1].gate.number}" if index + 1 < len(decision.steps) else "result"
        )
        lines.append(f'  {previous} -->|"{mermaid_text(step.label)}"| {following}')
    lines += [
        "  classDef gate fill:#f5f5f5,stroke:#616161",
        "  classDef agrees fill:#e8f5e9,stroke:#2e7d32",
        "  classDef differs fill:#fff3e0,stroke:#ef6c00",
        "  class " + ",".join(f"g{step.gate.number}" for step in decision.steps) + " gate",
        f"  class result {'agrees' if decision.agrees else 'differs'}",
    ]
    stream.write("\n".join(lines) + "\n")


FORMATS: dict[str, Callable[[Sequence[Decision], str, Gates, TextIO], None]] = {
    "text": write_text,
    "json": write_json,
    "mermaid": write_mermaid,
}
