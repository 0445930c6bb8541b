"""The one record every check produces and every reporter reads."""

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Finding(NamedTuple):
    """A located problem in one feature file.

    `path` is the document path the rule named (dotted, e.g. spec.rag.top_k);
    `line`/`column` are 1-based and point at that field, or at its nearest
    present parent when it is absent. `suppressed` carries the waiver's
    justification when a waiver covers the finding.
    """

    rule: str
    name: str
    severity: Severity
    message: str
    file: str
    path: str
    line: int
    column: int
    feature: str | None = None
    document: int = 0
    suppressed: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across moved lines: feature + rule + document path."""
        feature = self.feature if self.feature is not None else f"{self.file}#{self.document}"
        return f"{feature}:{self.rule}:{self.path}"

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (self.file, self.document, self.line, self.column, self.rule, self.message)
