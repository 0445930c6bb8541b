"""Run the pass/fail cases that every policy carries.

A case is a feature document (an overlay on the set's base, a whole document,
or raw YAML text) checked through the full pipeline with every loaded rule;
the case passes when its rule fires (fail cases) or stays quiet (pass cases).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from .check import Plan, check_documents, check_text
from .finding import Finding
from .loader import Document
from .policies import Catalog, PolicySet, Rule
from .settings import Settings


class CaseResult(NamedTuple):
    rule: Rule
    kind: str  # "pass" or "fail", or "missing" for a rule with no fail case
    case: int  # the case's place among its rule's pass or fail cases
    description: str
    ok: bool
    findings: tuple[Finding, ...] = ()

    @property
    def label(self) -> str:
        if self.kind == "missing":
            return f"{self.rule.id} has no failing case"
        return f"{self.rule.id} {self.kind}[{self.case}] {self.description}".rstrip()


def merge(base: Any, overlay: Any) -> Any:
    """Deep-merge `overlay` onto `base`: mappings merge, null deletes, anything else replaces."""
    if not isinstance(base, dict) or not isinstance(overlay, dict):
        return copy.deepcopy(overlay)
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge(merged.get(key), value)
    return merged


def case_document(policy_set: PolicySet, case: Mapping[str, Any]) -> Any:
    """The document a data case stands for."""
    if "document" in case:
        return case["document"]
    return merge(policy_set.base or {}, case["overlay"])


def run_cases(catalog: Catalog, sets: list[PolicySet], plan: Plan) -> Iterator[CaseResult]:
    for policy_set in sets:
        for rule in policy_set.rules:
            # Engine rules are covered by archlint's own unit tests.
            if not rule.tests["fail"] and not rule.engine:
                yield CaseResult(rule, "missing", 0, "", False)
            for kind in ("pass", "fail"):
                for index, case in enumerate(rule.tests[kind]):
                    display = f"{rule.source}#{rule.id}.{kind}[{index}]"
                    if "code" in case:  # archlint discover's rules judge code with the document
                        from .discover.cases import run_case

                        result = run_case(case["document"], case["code"], display, plan)
                    elif "text" in case:
                        result = check_text(case["text"], display, plan)
                    else:
                        document = Document(case_document(policy_set, case), {})
                        result = check_documents([document], display, plan)
                    fired = [f for f in result.findings if f.rule == rule.id]
                    ok = bool(fired) if kind == "fail" else not fired
                    yield CaseResult(rule, kind, index, case.get("description") or "", ok, result.findings)


def default_plan(catalog: Catalog) -> Plan:
    """Every rule at its default severity and params: what a case is judged by."""
    from .check import plan

    return plan(catalog, Settings())
