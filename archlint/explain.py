"""Render a rule's explanation, for `archlint explain`, SARIF help and docs/rules.md."""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Mapping
from functools import cache
from typing import Any

from .policies import Catalog, Param, Reference, Rule
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


_PARAM = re.compile(r"\bparams\s*\.\s*([A-Za-z_]\w*)")


def rule_params(catalog: Catalog, rule: Rule) -> tuple[Param, ...]:
    """The params the rule reads, in its condition and message (DEC001: the decision gates)."""
    names = dict.fromkeys(_PARAM.findall(f"{rule.condition_source}\n{rule.message}"))
    if rule.engine and rule.id == "DEC001":
        from . import decide

        names.update(dict.fromkeys(decide.builtin_gates(catalog.params).params))
    return tuple(catalog.params[name] for name in names if name in catalog.params)


def how_to_change(param: Param) -> str:
    """The two ways to set a param, in one sentence."""
    return (
        f"`--param {param.name}=VALUE` on the command line, or `{param.name} = VALUE` under "
        "`[params]` in `.archlint.toml` (`[tool.archlint.params]` in `pyproject.toml`)"
    )


def reference_json(reference: Reference) -> dict[str, str | None]:
    return {
        "title": reference.title,
        "url": reference.url,
        "supports": reference.supports or None,
        "quote": reference.quote or None,
    }


def param_json(param: Param) -> dict[str, Any]:
    return {
        "name": param.name,
        "default": param.default,
        "description": param.description,
        "rationale": param.rationale or None,
        "change": {"cli": f"--param {param.name}=VALUE", "config": f"[params] {param.name} = VALUE"},
    }


def _param_markdown(param: Param) -> list[str]:
    lines = [f"- `{param.name}` (default `{param.default}`): {' '.join(param.description.split())}"]
    if param.rationale:
        lines.append(f"  - **Why this default:** {' '.join(param.rationale.split())}")
    lines.append(f"  - **Change it:** {how_to_change(param)}.")
    return lines


def _reference_markdown(reference: Reference) -> list[str]:
    lines = [f"- [{reference.title}]({reference.url})"]
    if reference.supports:
        lines.append(f"  - **Supports:** {' '.join(reference.supports.split())}")
    if reference.quote:
        lines.append(f"  - **Quote:** {' '.join(reference.quote.split())}")
    return lines


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
    params = rule_params(catalog, rule)
    if params:
        parts += ["", f"{heading}# Parameters", ""]
        for param in params:
            parts += _param_markdown(param)
    if rule.mappings:
        parts += ["", f"{heading}# Framework mappings (informative)", ""]
        parts += [f"- {framework}: {', '.join(controls)}" for framework, controls in rule.mappings]
    parts += ["", f"{heading}# References", ""]
    for reference in rule.references:
        parts += _reference_markdown(reference)
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
    params = rule_params(catalog, rule)
    if params:
        out.extend(["Parameters", "-" * len("Parameters")])
        for param in params:
            out.append(f"  {param.name} = {param.default}")
            _wrapped(out, param.description, "    ", width)
            if param.rationale:
                _wrapped(out, "Why this default: " + param.rationale, "    ", width)
            _wrapped(out, "Change it: " + how_to_change(param).replace("`", "") + ".", "    ", width)
        out.append("")
    if rule.mappings:
        title = "Framework mappings (informative, not legal advice)"
        out.extend([title, "-" * len(title)])
        out.extend(f"  {framework}: {', '.join(controls)}" for framework, controls in rule.mappings)
        out.append("")
    out.extend(["References", "-" * len("References")])
    for reference in rule.references:
        out.append(f"  - {reference.title}: {reference.url}")
        if reference.supports:
            _wrapped(out, "Supports: " + reference.supports, "      ", width)
        if reference.quote:
            _wrapped(out, "Quote: " + reference.quote, "      ", width)
    return "\n".join(out).rstrip() + "\n"


def _wrapped(out: list[str], body: str, indent: str, width: int) -> None:
    out.extend(textwrap.wrap(" ".join(body.split()), width, initial_indent=indent, subsequent_indent=indent))
