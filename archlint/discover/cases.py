"""A policy case of a DSC rule: a feature document at the repository root plus source files,
reconciled in memory (no files are written)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..loader import Document
from ..report import FileResult
from ..settings import enabled, severity_for
from . import catalogue as catalogues
from .coverage import _feature
from .reconcile import assign, findings
from .scan import usages_in

if TYPE_CHECKING:
    from ..check import Plan


def run_case(document: Mapping[str, Any], code: Mapping[str, str], display: str, plan: Plan) -> FileResult:
    catalogue = catalogues.load()
    feature = _feature(Document(dict(document), {}), "ai-feature.yaml", 0)
    features = [feature] if feature is not None else []
    usages = [u for file, text in sorted(code.items()) for u in usages_in(text.encode(), file, catalogue)]
    found = findings(assign(usages, features), features, features)
    kept = tuple(
        f._replace(severity=severity_for(plan.settings, f.rule, f.name, f.severity))
        for f in found
        if enabled(plan.settings, f.rule, f.name)
    )
    return FileResult(display, kept, tuple(f.name for f in features))
