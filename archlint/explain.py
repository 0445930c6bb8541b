"""Render a rule's explanation, for `archlint explain`, SARIF help and docs/rules.md."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from functools import cache
from typing import Any

from .policies import Catalog, Rule
from .policy_tests import case_document


def example(catalog: Catalog, rule: Rule, kind: str) -> str | None:
    """The rule's first pass or fail case as YAML: the overlay (what differs), or raw text."""
    cases = rule.tests[kind]
    if not cases:
        return None
    case: Mapping[str, Any] = cases[0]
    if "text" in case:
        return str(case["text"]).rstrip("\n")
    policy_set = next(s for s in catalog.sets if rule in s.rules)
    data = case["overlay"] if "overlay" in case else case_document(policy_set, case)
    return _yaml(data) if data else "# the clean base document, unchanged"


@cache
def _dumper() -> Any:
    """One configured dumper for every example: setting one up costs as much as a dump."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    return yaml


def _yaml(data: Any) -> str:
    stream = io.StringIO()
    _dumper().dump(data, stream)
    return stream.getvalue().rstrip("\n")


def _examples(catalog: Catalog, rule: Rule) -> dict[str, str | None]:
    """The rule's fail and pass examples, rendered."""
    return {kind: example(catalog, rule, kind) for kind in ("fail", "pass")}


def text_and_markdown(catalog: Catalog, rule: Rule) -> tuple[str, str]:
    """Both renderings (SARIF's help), each example rendered once for the two."""
    examples = _examples(catalog, rule)
    return text(catalog, rule, examples), markdown(catalog, rule, examples=examples)


def _description(rule: Rule, kind: str) -> str:
    cases = rule.tests[kind]
    return str(cases[0].get("description") or "") if cases else ""


def markdown(
    catalog: Catalog, rule: Rule, heading: str = "##", examples: Mapping[str, str | None] | None = None
) -> str:
    """The explanation as markdown (SARIF help.markdown, docs/rules.md); `examples` by kind,
    when already rendered."""
    samples = examples if examples is not None else _examples(catalog, rule)
    parts = [
        f"{heading} {rule.id} {rule.name}",
        "",
        f"**Severity:** {rule.severity.value} · **Policy set:** {rule.policy_set}"
        + (f" · **Tags:** {', '.join(rule.tags)}" if rule.tags else ""),
        "",
        rule.summary,
        "",
        f"{heading}# What it checks",
        "",
    ]
    if rule.engine:
        parts.append("Computed by archlint itself (not a CEL condition).")
    else:
        parts += [
            f"Fires when this CEL condition is true, pointing at `{'.'.join(map(str, rule.path))}`:",
            "",
            "```cel",
            rule.condition_source.strip(),
            "```",
        ]
    parts += [
        "",
        f"{heading}# Why",
        "",
        rule.rationale.strip(),
        "",
        f"{heading}# What to do instead",
        "",
        rule.remediation.strip(),
    ]
    for kind, title in (("fail", "Fails"), ("pass", "Passes")):
        sample = samples[kind]
        if sample is None:
            continue
        note = _description(rule, kind)
        parts += ["", f"{heading}# {title}" + (f": {note}" if note else ""), "", "```yaml", sample, "```"]
    parts += ["", f"{heading}# References", ""]
    parts += [f"- [{ref.title}]({ref.url})" for ref in rule.references]
    return "\n".join(parts) + "\n"


def text(catalog: Catalog, rule: Rule, examples: Mapping[str, str | None] | None = None) -> str:
    """The explanation for a terminal: the markdown, lightly plainer; `examples` by kind, when
    already rendered."""
    samples = examples if examples is not None else _examples(catalog, rule)
    width = 88
    out = [f"{rule.id} {rule.name} ({rule.severity.value})", "", rule.summary, ""]

    def section(title: str, body: str, code: bool = False) -> None:
        out.append(title)
        out.append("-" * len(title))
        if code:
            out.extend(textwrap.indent(body, "    ").splitlines())
            out.append("")
            return
        for paragraph in body.strip().split("\n\n"):
            lines = paragraph.splitlines()
            if any(line.startswith(("    ", "  ", "- ", "* ", "```", "|")) for line in lines):
                out.extend("  " + line for line in lines)  # code, lists, tables: keep as written
            else:
                out.extend(textwrap.wrap(" ".join(lines), width, initial_indent="  ", subsequent_indent="  "))
            out.append("")

    if rule.engine:
        section("What it checks", "Computed by archlint itself.")
    else:
        section(
            "What it checks", f"Fires when this condition holds, pointing at {'.'.join(map(str, rule.path))}:"
        )
        out[-1:] = [*textwrap.indent(rule.condition_source.strip(), "    ").splitlines(), ""]
    section("Why", rule.rationale)
    section("What to do instead", rule.remediation)
    for kind, title in (("fail", "Fails"), ("pass", "Passes")):
        sample = samples[kind]
        if sample is not None:
            note = _description(rule, kind)
            section(title + (f" ({note})" if note else ""), sample, code=True)
    section("References", "\n".join(f"- {ref.title}: {ref.url}" for ref in rule.references))
    return "\n".join(out).rstrip() + "\n"
