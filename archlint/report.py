"""What a run of `archlint check` produced: a result per file, and the report reporters read.

Kept apart from `check` (the pipeline that computes results) so that a run
answered from the cache builds its report without importing the engine.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from .finding import Finding, Severity

if TYPE_CHECKING:
    from .policies import Catalog, Rule
    from .settings import Settings
else:
    # Evaluated annotations, not strings: typing.NamedTuple compiles a string annotation,
    # and the first compile() of a process costs ~0.7 ms. The runtime never reads them.
    Catalog = Rule = object


class FileResult(NamedTuple):
    """What checking one file produced."""

    file: str
    findings: tuple[Finding, ...]
    features: tuple[str, ...] = ()
    evaluated: tuple[str, ...] = ()  # rule ids run on the file, for JUnit


class Unreadable(NamedTuple):
    """A file that could not be read (exit code 2, not a finding)."""

    file: str
    message: str


Outcome = FileResult | Unreadable


def unreadable(display: str, error: OSError) -> Unreadable:
    """The outcome of a file that reading raised `error` for."""
    return Unreadable(display, f"cannot read: {error.strerror or error}")


UNNAMED_FEATURE = ("SCH003", "unnamed-feature-file", Severity.ERROR)


def unnamed_feature(display: str, line: int, column: int, settings: "Settings") -> FileResult:
    """The outcome of a YAML file declaring an AIFeature under a name no folder walk checks:
    one SCH003 finding at its `kind` (unless the settings turn the rule off)."""
    from .settings import enabled, severity_for

    rule, name, default = UNNAMED_FEATURE
    if not enabled(settings, rule, name):
        return FileResult(display, ())
    message = (
        "this file declares an AIFeature but is not named like a feature file, so no folder walk "
        "checks it: rename it ai-feature.yaml or NAME.ai-feature.yaml, or add its name to `include`"
    )
    severity = severity_for(settings, rule, name, default)
    finding = Finding(rule, name, severity, message, display, "kind", line, column)
    return FileResult(display, (finding,), (), (rule,))


_NOTHING: Mapping[str, Any] = MappingProxyType({})


class Report(NamedTuple):
    """Everything a reporter may read. Reporters never filter or decide exit codes."""

    files: tuple[FileResult, ...]
    rules: tuple[Rule, ...]
    fail_on: Severity = Severity.ERROR
    extra: Mapping[str, Any] = _NOTHING
    # The loaded policies, for reporters that render rule help (SARIF help.text/markdown).
    catalog: Catalog | None = None
    # The threshold of each file a nested config sets its own fail-on for (display name -> severity).
    fail_on_by_file: Mapping[str, Severity] = _NOTHING

    def threshold(self, file: str) -> Severity:
        """The fail-on that applies to `file`: its own config's, else the run's."""
        return self.fail_on_by_file.get(file, self.fail_on)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(finding for result in self.files for finding in result.findings)

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings not covered by a waiver."""
        return tuple(finding for finding in self.findings if finding.suppressed is None)

    def counts(self) -> dict[str, int]:
        counts = {severity.value: 0 for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
        for finding in self.active:
            counts[finding.severity.value] += 1
        return counts

    @property
    def failed(self) -> bool:
        """Whether any unwaived finding reaches the fail-on of its file."""
        return any(
            finding.suppressed is None and finding.severity.rank >= self.threshold(result.file).rank
            for result in self.files
            for finding in result.findings
        )
