"""Run the pass/fail cases that every policy carries.

A case is a feature document (an overlay on the set's base, a whole document,
or raw YAML text) checked through the full pipeline with every loaded rule;
the case passes when its rule fires (fail cases) or stays quiet (pass cases).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from .check import Plan, check_documents, check_text, check_unnamed
from .discovery import is_feature_file
from .errors import PolicyError
from .finding import Finding
from .loader import Document
from .policies import Catalog, PolicySet, Rule
from .report import FileResult
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
                    case_plan = _configured(plan, case.get("config"), rule.source)
                    named = is_feature_file(os.path.basename(case.get("file") or "ai-feature.yaml"))
                    if "code" in case:  # archlint discover's rules judge code with the document
                        from .discover.cases import run_case

                        result = run_case(case["document"], case["code"], display, case_plan)
                    elif "text" in case and not named:
                        result = check_unnamed(case["text"], display, case_plan)  # found by its content alone
                    elif "text" in case:
                        result = check_text(case["text"], display, case_plan)
                    elif "files" in case:
                        result = _check_with_files(policy_set, rule, case, display, case_plan)
                    else:
                        document = Document(case_document(policy_set, case), {})
                        result = check_documents([document], display, case_plan)
                    fired = [f for f in result.findings if f.rule == rule.id]
                    ok = bool(fired) if kind == "fail" else not fired
                    yield CaseResult(rule, kind, index, case.get("description") or "", ok, result.findings)


def _check_with_files(
    policy_set: PolicySet, rule: Rule, case: Mapping[str, Any], display: str, plan: Plan
) -> FileResult:
    """Check a case whose document declares data files: the files are written into a fresh
    temporary folder (the repository root of the case) beside the feature file's place."""
    import os
    import tempfile

    document = Document(case_document(policy_set, case), {})
    with tempfile.TemporaryDirectory(prefix="archlint-case-") as folder:
        root = os.path.realpath(folder)
        for name, text in case["files"].items():
            target = os.path.realpath(os.path.join(root, name))
            if os.path.isabs(name) or not target.startswith(root + os.sep):
                message = f"rule {rule.id}: files: '{name}' must be a path inside the case's folder"
                raise PolicyError(message, rule.source, rule.line, rule.column)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        return check_documents([document], display, plan, path=os.path.join(root, "ai-feature.yaml"))


def default_plan(catalog: Catalog) -> Plan:
    """Every rule at its default severity and params: what a case is judged by."""
    from .check import plan

    return plan(catalog, Settings())


def _configured(plan: Plan, config: Mapping[str, Any] | None, source: str) -> Plan:
    """The plan of a case that runs under its own configuration (`config:`)."""
    if not config:
        return plan
    from .check import plan as make_plan
    from .config import case_settings

    return make_plan(plan.catalog, case_settings(config, source)._replace(today=plan.settings.today))
