"""Check feature files: the pipeline from a path to its findings.

path -> Document(s) -> schema problems | policy findings -> waivers -> FileResult
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from . import engine, waivers
from .finding import Finding, Severity
from .loader import Document, Path, YamlError, decode_limited, load_all, read_bytes
from .policies import Catalog, Rule
from .report import FileResult, Report
from .settings import Settings, enabled, run_day, severity_for

if TYPE_CHECKING:
    from .cache import Store
    from .sandbox import Sandbox
else:
    Store = object

EVIDENCE_RULES = frozenset({"EVD001", "EVD002", "EVD003", "EVD004", "EVD005", "EVD006"})

SCHEMA = ("SCH001", "schema-violation", Severity.ERROR)
YAML = ("SCH002", "invalid-yaml", Severity.ERROR)


class Plan(NamedTuple):
    """What every file is checked with, prepared once per run."""

    catalog: Catalog
    settings: Settings
    rules: tuple[Rule, ...]  # enabled CEL rules
    engine_rules: frozenset[str]  # enabled engine rule ids
    params: Mapping[str, Any]
    known_rules: frozenset[str]
    evaluated: tuple[str, ...]  # every enabled rule id: each FileResult carries this one tuple
    today: str  # the day waivers are judged on, ISO (YYYY-MM-DD)
    # An archlint.sandbox.Sandbox when a policy is not built in (not imported on the built-in path).
    sandbox: Any = None


def plan(catalog: Catalog, settings: Settings) -> Plan:
    params = {name: param.default for name, param in catalog.params.items()}
    params.update(settings.params)
    active = [rule for rule in catalog.rules if enabled(settings, rule.id, rule.name)]
    return Plan(
        catalog=catalog,
        settings=settings,
        rules=tuple(rule for rule in active if not rule.engine),
        engine_rules=frozenset(rule.id for rule in active if rule.engine),
        params=params,
        known_rules=frozenset(rule.id for rule in catalog.rules),
        evaluated=tuple(sorted(rule.id for rule in active)),
        today=run_day(settings),
        sandbox=None if catalog.trusted else _sandbox(),
    )


def _sandbox() -> "Sandbox":
    from .sandbox import Sandbox

    return Sandbox()


def check_paths(paths: Iterable[tuple[str, str]], the_plan: Plan) -> Report:
    """Check (filesystem path, display path) pairs into a Report."""
    results = tuple(check_file(path, display, the_plan) for path, display in paths)
    return Report(results, the_plan.catalog.rules, the_plan.settings.fail_on, catalog=the_plan.catalog)


def check_file(path: str, display: str, the_plan: Plan) -> FileResult:
    """Read, parse and check one file; an unreadable file raises OSError."""
    return check_bytes(read_bytes(path), display, the_plan, path=path)


def check_bytes(raw: bytes, display: str, the_plan: Plan, path: str | None = None) -> FileResult:
    """Check a file's bytes (as `read_bytes` returns them); `path` is where the file is, for
    the evidence it declares (without it, evidence is not checked)."""
    try:
        text = decode_limited(raw)
    except YamlError as exc:
        return invalid_yaml(exc, display, the_plan)
    return check_text(text, display, the_plan, path=path)


def check_text(text: str, display: str, the_plan: Plan, path: str | None = None) -> FileResult:
    """Check YAML text as if it were a file (used by policy tests)."""
    try:
        documents = load_all(text)
    except YamlError as exc:
        return invalid_yaml(exc, display, the_plan)
    return check_documents(documents, display, the_plan, path=path)


def check_unnamed(text: str, display: str, the_plan: Plan) -> FileResult:
    """Check YAML text found under a name that is not a feature file's (a policy case with a
    `file`): SCH003 when its first document declares an AIFeature, else nothing to check."""
    from .loader import declaration
    from .report import unnamed_feature

    said = declaration(text)
    if said is not None and said.feature:
        return unnamed_feature(display, said.line, said.column, the_plan.settings)
    return FileResult(display, (), (), the_plan.evaluated)


def invalid_yaml(exc: YamlError, display: str, the_plan: Plan) -> FileResult:
    """The result of a file that is not YAML archlint accepts: one SCH002 finding."""
    finding = Finding(*YAML, f"invalid YAML: {exc.message}", display, "", exc.line, exc.column)
    return _finish(display, [finding], (), the_plan)


def check_documents(
    documents: Sequence[Document],
    display: str,
    the_plan: Plan,
    path: str | None = None,
    cache: Store | None = None,
) -> FileResult:
    """Check parsed documents; `path` (the file's location) and `cache` serve the evidence checks."""
    findings: list[Finding] = []
    features: list[str] = []
    if not documents:
        findings.append(
            Finding(*SCHEMA, "the file holds no YAML document; expected an AIFeature", display, "", 1, 1)
        )
    for document in documents:
        feature = _feature_name(document)
        if feature:
            features.append(feature)
        findings.extend(_check_document(document, display, feature, the_plan, path, cache))
    return _finish(display, findings, tuple(features), the_plan)


def _feature_name(document: Document) -> str | None:
    data = document.data
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
        name = data["metadata"].get("name")
        return name if isinstance(name, str) else None
    return None


def _locate(document: Document, display: str, feature: str | None) -> engine.MakeFinding:
    def make(rule: str, name: str, severity: Severity, message: str, path: Path) -> Finding:
        _, line, column = document.locate(path)
        dotted = ".".join(str(part) for part in path)
        return Finding(rule, name, severity, message, display, dotted, line, column, feature, document.number)

    return make


def _check_document(
    document: Document,
    display: str,
    feature: str | None,
    the_plan: Plan,
    path: str | None = None,
    cache: Store | None = None,
) -> list[Finding]:
    from .schema import validate

    make = _locate(document, display, feature)
    problems = validate(document.data)
    schema_findings = [make(*SCHEMA, problem.message, problem.path) for problem in problems]
    invalid: frozenset[int] = frozenset()
    if problems:
        # Errors confined to the waivers do not stop the rules: they run on the document
        # without the broken waivers, which waive nothing (a waiver missing approved_by
        # must not hide the findings it was meant to cover, nor every other one).
        cleaned = _without_broken_waivers(document.data, [problem.path for problem in problems])
        if cleaned is None or validate(cleaned[0]):
            return schema_findings
        listed = document.data["spec"]["waivers"]
        document = document._replace(data=cleaned[0])
        invalid = cleaned[1]
    else:
        listed = document.data["spec"].get("waivers", [])
    findings = engine.evaluate(
        document, the_plan.catalog, the_plan.rules, the_plan.params, make, the_plan.sandbox
    )
    if "DEC001" in the_plan.engine_rules:
        from . import decide

        findings.extend(decide.check(document, the_plan.catalog, the_plan.params, make))
    spec = document.data["spec"]
    if path is not None and the_plan.engine_rules & EVIDENCE_RULES and declares_evidence(spec):
        from . import evidence

        findings.extend(evidence.check(spec, path, the_plan, make, cache))
    return schema_findings + waivers.apply(
        findings,
        listed if isinstance(listed, list) else [],
        the_plan.known_rules,
        the_plan.today,
        make,
        honour=the_plan.settings.waivers,
        skip=invalid,
        approvers=the_plan.settings.waiver_approvers,
        max_days=the_plan.settings.waiver_max_days,
    )


_WAIVERS = ("spec", "waivers")


def _without_broken_waivers(data: Any, paths: Sequence[Path]) -> tuple[Any, frozenset[int]] | None:
    """(the document without the waivers that break the schema, their indices), or None
    when a problem lies outside `spec.waivers`."""
    if not all(path[:2] == _WAIVERS for path in paths):
        return None
    spec = dict(data["spec"])
    listed = spec.get("waivers")
    if not isinstance(listed, list) or any(len(path) < 3 or not isinstance(path[2], int) for path in paths):
        spec.pop("waivers", None)  # the list itself is wrong: no waiver applies
        return {**data, "spec": spec}, frozenset(range(len(listed) if isinstance(listed, list) else 0))
    broken = frozenset(int(path[2]) for path in paths)
    spec["waivers"] = [waiver for index, waiver in enumerate(listed) if index not in broken]
    return {**data, "spec": spec}, broken


def declares_evidence(spec: Any) -> bool:
    """Does a spec name any evidence file (fine_tuning.data, evaluation.dataset,
    rag.retrieval_eval.dataset)? Answered here so a feature without evidence never loads
    `archlint.evidence`."""
    if not isinstance(spec, dict):
        return False
    fine_tuning = spec.get("fine_tuning")
    if isinstance(fine_tuning, dict) and isinstance(fine_tuning.get("data"), dict):
        return True
    evaluation = spec.get("evaluation")
    if isinstance(evaluation, dict) and "dataset" in evaluation:
        return True
    rag = spec.get("rag")
    retrieval = rag.get("retrieval_eval") if isinstance(rag, dict) else None
    return isinstance(retrieval, dict) and "dataset" in retrieval


def _finish(display: str, findings: list[Finding], features: tuple[str, ...], the_plan: Plan) -> FileResult:
    settings = the_plan.settings
    kept = []
    for finding in findings:
        if not enabled(settings, finding.rule, finding.name):
            continue
        severity = severity_for(settings, finding.rule, finding.name, finding.severity)
        kept.append(finding._replace(severity=severity) if severity != finding.severity else finding)
    kept.sort(key=Finding.sort_key)
    return FileResult(display, tuple(kept), features, the_plan.evaluated)
