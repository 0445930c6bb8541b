"""Reporters: functions `(report, stream) -> None`, one per output format.

A reporter reads the Report; it never filters findings and never decides the
exit code. Modules are imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..report import Report

Reporter = Callable[["Report", TextIO], None]

# format name -> module under archlint.reporters defining `report(report, stream)`
REPORTERS: dict[str, str] = {
    "text": "text",
    "json": "json",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "gitlab": "gitlab",
    "cyclonedx": "cyclonedx",
}

# Formats that read the loaded rules (Report.rules, Report.catalog): a run the cache answers
# whole loads the catalog for them; the others get a Report without rules.
NEEDS_RULES = frozenset({"sarif", "junit", "gitlab", "cyclonedx"})


def get(name: str) -> Reporter:
    module = importlib.import_module(f"{__name__}.{REPORTERS[name]}")
    reporter: Reporter = module.report
    return reporter
