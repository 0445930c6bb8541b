"""The frameworks rules map to, and their controls' titles (informative, never legal advice).

A rule names controls in its policy (`mappings: {owasp-llm-2025: [LLM02]}`); this module only
knows how to title them. A framework or control a policy names that is not listed here is
still shown, under its bare id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple


class Framework(NamedTuple):
    id: str
    title: str
    url: str
    controls: Mapping[str, str]  # control id -> title, in the framework's order


OWASP_LLM_2025 = Framework(
    "owasp-llm-2025",
    "OWASP Top 10 for LLM Applications 2025",
    "https://genai.owasp.org/llm-top-10/",
    {
        "LLM01": "Prompt Injection",
        "LLM02": "Sensitive Information Disclosure",
        "LLM03": "Supply Chain",
        "LLM04": "Data and Model Poisoning",
        "LLM05": "Improper Output Handling",
        "LLM06": "Excessive Agency",
        "LLM07": "System Prompt Leakage",
        "LLM08": "Vector and Embedding Weaknesses",
        "LLM09": "Misinformation",
        "LLM10": "Unbounded Consumption",
    },
)

# Only the subcategories built-in rules map to; the titles are short paraphrases (the rule's
# references quote NIST AI 100-1 itself).
NIST_AI_RMF_1_0 = Framework(
    "nist-ai-rmf-1.0",
    "NIST AI Risk Management Framework 1.0 (NIST AI 100-1)",
    "https://nvlpubs.nist.gov/nistpubs/ai/NIST.AI.100-1.pdf",
    {
        "GOVERN 1.6": "AI systems are inventoried",
        "GOVERN 6.1": "Third-party AI risks are covered by policy",
        "MAP 3.5": "Human oversight processes are defined",
        "MEASURE 2.3": "Performance is measured for deployment-like conditions",
        "MEASURE 2.4": "Behaviour is monitored in production",
        "MEASURE 2.5": "The deployed system is shown valid and reliable",
        "MANAGE 2.4": "Systems can be superseded, disengaged or deactivated",
    },
)

FRAMEWORKS: dict[str, Framework] = {f.id: f for f in (OWASP_LLM_2025, NIST_AI_RMF_1_0)}

DISCLAIMER = (
    "Framework mappings are informative: they say which controls a rule helps with, "
    "not that passing it meets the control. They are not legal or compliance advice."
)


class Control(NamedTuple):
    framework: str
    id: str
    title: str
    rules: tuple[str, ...]  # ids of the rules mapped to it, in catalog order


def _order(framework: str, control: str) -> tuple[int, str]:
    known = FRAMEWORKS.get(framework)
    ids = list(known.controls) if known else []
    return (ids.index(control) if control in ids else len(ids), control)


def framework_ids(mappings: Iterable[Mapping[str, Iterable[str]]]) -> list[str]:
    """Known frameworks first (in FRAMEWORKS order), then any others a policy names, sorted."""
    named = {framework for mapping in mappings for framework in mapping}
    return [f for f in FRAMEWORKS if f in named] + sorted(named - set(FRAMEWORKS))


def controls(framework: str, rule_mappings: Mapping[str, Mapping[str, Iterable[str]]]) -> list[Control]:
    """The controls of `framework` that some rule maps to, in the framework's order.

    `rule_mappings` is rule id -> its mappings (framework -> control ids).
    """
    covering: dict[str, list[str]] = {}
    for rule, mapping in rule_mappings.items():
        for control in mapping.get(framework, ()):
            covering.setdefault(control, []).append(rule)
    known = FRAMEWORKS.get(framework)
    titles = known.controls if known else {}
    return [
        Control(framework, control, titles.get(control, ""), tuple(covering[control]))
        for control in sorted(covering, key=lambda c: _order(framework, c))
    ]


def title(framework: str) -> str:
    known = FRAMEWORKS.get(framework)
    return known.title if known else framework
