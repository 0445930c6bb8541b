"""Load policy files into a `Catalog` of compiled rules.

A policy file is data: YAML validated against `schemas/policy.v1.schema.json`,
with CEL conditions compiled once here. Anything wrong with a policy file
(YAML, schema, CEL, references to unknown fields, params or variables,
duplicate or colliding ids) is a `PolicyError` with a file, line and column:
a broken policy stops the run, it is never skipped.
"""

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from . import cel, messages
from .errors import PolicyError
from .finding import Severity
from .loader import Document, Path, YamlError, decode_limited, load_all, read_bytes
from .policy_paths import policy_files

if TYPE_CHECKING:
    from .schema import SchemaName

# Rules archlint computes itself; only built-in policy files may declare them.
ENGINE_RULES = frozenset(
    {"SCH001", "SCH002", "SCH003", "WVR001", "WVR002", "WVR003", "WVR004", "POL001", "DEC001"}
    | {"EVD001", "EVD002", "EVD003", "EVD004", "EVD005", "EVD006"}
    | {"DSC001", "DSC002", "DSC003", "DSC004"}  # archlint discover (archlint/discover/reconcile.py)
)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """String literals, and references; compiled on first use, as a cached catalog needs neither."""
    return re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""), re.compile(
        # A dotted chain, stopping before a method call such as .orValue( or .exists(
        r"(?<![\w.])(spec|metadata|params|variables)((?:\s*\.\s*\??\s*[A-Za-z_]\w*+(?!\s*\())+)"
    )


class Reference(NamedTuple):
    title: str
    url: str
    supports: str = ""  # the claim of the rule it backs
    quote: str = ""  # a short excerpt from it, in quotation marks


class Rule(NamedTuple):
    """One rule: metadata for people, a compiled condition for the engine."""

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    remediation: str
    references: tuple[Reference, ...]
    tags: tuple[str, ...]
    tests: Mapping[str, tuple[Mapping[str, Any], ...]]
    source: str = ""
    line: int = 1
    column: int = 1
    policy_set: str = ""
    builtin: bool = False
    engine: bool = False
    condition: cel.Program | None = None
    path: Path = ()
    message: str = ""
    # The rule says the declared approach is the wrong one; decide never recommends into it.
    argues_against_approach: bool = False
    # When the policy gives a condition instead of true: the findings for which that holds.
    argues_when: cel.Program | None = None
    security_severity: float | None = None  # SARIF security-severity, for security rules
    # Framework -> control ids (informative): (("owasp-llm-2025", ("LLM02",)), ...), policy order.
    mappings: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def condition_source(self) -> str:
        return self.condition.source if self.condition else ""


class Param(NamedTuple):
    name: str
    default: Any
    description: str
    source: str
    rationale: str = ""  # why this default, and what it leans on
    # "higher" or "lower": the way that tightens the rules reading it; None when no way is safe
    # (undeclared, or two policies that read it disagree).
    stricter: str | None = None


class PolicySet(NamedTuple):
    name: str
    source: str
    builtin: bool
    base: Mapping[str, Any] | None
    rules: tuple[Rule, ...]


class Catalog(NamedTuple):
    """Every loaded policy set, and the rules and params they declare."""

    sets: tuple[PolicySet, ...]
    params: Mapping[str, Param]
    # Variables are one namespace across files, like params: evaluated once
    # per document before any rule.
    variables: tuple[tuple[str, cel.Program], ...] = ()
    # The variables a built-in policy defines: the engine evaluates those in this
    # process, any other under a time and memory bound (archlint.sandbox).
    builtin_variables: tuple[str, ...] = ()  # sorted

    @property
    def trusted(self) -> bool:
        """Every rule and variable is built in: nothing needs the sandbox."""
        return len(self.builtin_variables) == len(self.variables) and all(
            policy_set.builtin for policy_set in self.sets
        )

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for policy_set in self.sets for rule in policy_set.rules)

    def rule(self, key: str) -> Rule | None:
        """Find a rule by id (any case) or by name."""
        wanted = key.strip()
        for rule in self.rules:
            if wanted.upper() == rule.id or wanted.lower() == rule.name:
                return rule
        return None

    def close_matches(self, key: str) -> list[str]:
        import difflib

        candidates = [rule.id for rule in self.rules] + [rule.name for rule in self.rules]
        return difflib.get_close_matches(key, candidates, n=3, cutoff=0.5)


# The cache of an `archlint check` run (archlint.cache.Store), set only by
# Store.serving(): catalogs (and the decision gates) then load through it, while
# config.load_for stays the one way catalogs load.
catalog_cache: Any = None


def load_catalog(extra: Sequence[str] = (), builtin: bool = True) -> Catalog:
    """Load the built-in policies (unless `builtin` is false) and `extra` files or folders."""
    return load_files(policy_files(extra, builtin))


def load_files(files: Sequence[tuple[str, bool]]) -> Catalog:
    """The catalog of these (path, built-in) policy files, through the run's cache when it has one."""
    if catalog_cache is not None:
        catalog: Catalog = catalog_cache.catalog(files)
        return catalog
    return catalog_of(files)


def catalog_of(files: Sequence[tuple[str, bool]]) -> Catalog:
    """The catalog of these (path, built-in) files: prebuilt when they are the built-in ones."""
    from . import prebuilt

    ready = prebuilt.catalog(files)
    if ready is not None:
        return ready
    return build_catalog([(*load_policy_document(path), is_builtin) for path, is_builtin in files])


def load_policy_document(path: str, raw: bytes | None = None) -> tuple[str, Document]:
    """Parse one policy file; `raw` is its content when the caller already read it."""
    try:
        text = decode_limited(raw if raw is not None else read_bytes(path))
    except OSError as exc:
        raise PolicyError(f"cannot read policy file: {exc.strerror or exc}", path) from None
    except YamlError as exc:
        raise PolicyError(f"invalid YAML: {exc.message}", path, exc.line, exc.column) from None
    return path, single_document(text, path, "a policy file")


def single_document(text: str, source: str, what: str) -> Document:
    """The one YAML document of a policy or gates file; anything else is a located PolicyError."""
    try:
        documents = load_all(text)
    except YamlError as exc:
        raise PolicyError(f"invalid YAML: {exc.message}", source, exc.line, exc.column) from None
    if len(documents) != 1:
        line = documents[1].start_line if len(documents) > 1 else 1
        raise PolicyError(f"{what} holds exactly one document, found {len(documents)}", source, line, 1)
    return documents[0]


def require_valid(document: Document, schema: "SchemaName", source: str, what: str) -> None:
    """Raise a PolicyError at the first schema problem of `document` (counting the rest)."""
    from .schema import validate

    problems = validate(document.data, schema)
    if problems:
        first = problems[0]
        _, line, column = document.locate(first.path)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PolicyError(f"not a valid {what}: {first.message}{more}", source, line, column)


@cache
def _feature_fields() -> Mapping[str, Any]:
    """The tree of field names a condition may reference, from the feature schema."""
    from .schema import load_schema

    schema = load_schema("ai-feature")
    definitions = schema.get("$defs", {})

    def tree(node: Mapping[str, Any]) -> Any:
        if "$ref" in node:
            node = definitions[node["$ref"].rsplit("/", 1)[-1]]
        if "properties" in node:
            return {name: tree(sub) for name, sub in node["properties"].items()}
        if isinstance(node.get("additionalProperties"), dict):
            return "any"  # a free map (labels): any key
        return None  # a leaf or a list: nothing to dot into

    fields: Mapping[str, Any] = tree(schema)
    return fields


def build_catalog(documents: Sequence[tuple[str, Document, bool]]) -> Catalog:
    """Validate and compile parsed policy documents into a Catalog."""
    params: dict[str, Param] = {}
    variables: dict[str, tuple[str, cel.Program]] = {}
    builtin_variables: set[str] = set()
    for source, document, _ in documents:
        require_valid(document, "policy", source, "policy file")
        for name, declared in (document.data.get("params") or {}).items():
            previous = params.get(name)
            if previous is not None and previous.default != declared["default"]:
                _, line, column = document.locate(("params", name))
                raise PolicyError(
                    f"param '{name}' is declared with default {declared['default']!r} here "
                    f"and {previous.default!r} in {previous.source}",
                    source,
                    line,
                    column,
                )
            stricter = declared.get("stricter")
            if previous is not None and previous.stricter != stricter:
                stricter = None  # tightening one policy's rules would loosen the other's
            rationale = declared.get("rationale") or ""
            params[name] = Param(
                name, declared["default"], declared["description"], source, rationale, stricter
            )
    for source, document, builtin in documents:
        for name, expression in (document.data.get("variables") or {}).items():
            where = ("variables", name)
            previous_variable = variables.get(name)
            if previous_variable is not None and previous_variable[1].source != expression:
                _, line, column = document.locate(where)
                raise PolicyError(
                    f"variable '{name}' is defined differently in {previous_variable[0]}",
                    source,
                    line,
                    column,
                )
            # A variable may not read another: all are evaluated side by side.
            _check_references(expression, source, document, where, params, set())
            variables[name] = (source, _compile(expression, source, document, where))
            if builtin:
                builtin_variables.add(name)

    sets: list[PolicySet] = []
    seen: dict[str, tuple[str, Rule]] = {}
    for source, document, builtin in documents:
        rules = tuple(
            _compile_rule(raw, index, source, document, builtin, params, set(variables))
            for index, raw in enumerate(document.data["rules"])
        )
        for rule in rules:
            for kind, key in (("id", rule.id), ("name", rule.name)):
                if key in seen:
                    other = seen[key][1]
                    origin = "the built-in rule" if other.builtin else f"{other.source}:{other.line}"
                    raise PolicyError(
                        f"rule {kind} '{key}' is already defined by {origin} {other.id}",
                        source,
                        rule.line,
                        rule.column,
                    )
                seen[key] = (kind, rule)
        sets.append(
            PolicySet(
                name=document.data["metadata"]["name"],
                source=source,
                builtin=builtin,
                base=document.data.get("base"),
                rules=rules,
            )
        )
    return Catalog(
        tuple(sets),
        params,
        tuple((name, program) for name, (_, program) in variables.items()),
        tuple(sorted(builtin_variables)),
    )


def _compile_rule(
    raw: Mapping[str, Any],
    index: int,
    source: str,
    document: Document,
    builtin: bool,
    params: Mapping[str, Param],
    variable_names: set[str],
) -> Rule:
    at: Path = ("rules", index)
    _, line, column = document.locate(at)

    def fail(message: str, key: str | None = None) -> PolicyError:
        _, where_line, where_column = document.locate((*at, key) if key else at)
        return PolicyError(f"rule {raw['id']}: {message}", source, where_line, where_column)

    cel_keys = [key for key in ("condition", "path", "message") if key in raw]
    if raw.get("engine"):
        if not builtin:
            raise fail("'engine: true' is reserved for built-in rules; write a condition", "engine")
        if raw["id"] not in ENGINE_RULES:
            raise fail("archlint computes no rule with this id", "engine")
        if cel_keys:
            raise fail(f"an engine rule takes no {cel_keys[0]}", cel_keys[0])
        condition, message = None, ""
        path: Path = ()
    else:
        missing = [key for key in ("condition", "path", "message") if key not in raw]
        if missing:
            raise fail(f"needs {', '.join(missing)} (every rule has a condition, a path and a message)")
        if raw["id"] in ENGINE_RULES:
            raise fail("this id is reserved for a rule archlint computes itself", "id")
        _check_references(raw["condition"], source, document, (*at, "condition"), params, variable_names)
        condition = _compile(raw["condition"], source, document, (*at, "condition"))
        path = _parse_path(raw["path"])
        if not _field_exists(path):
            raise fail(f"path '{raw['path']}' is not a field of ai-feature.yaml", "path")
        message = raw["message"]
        for placeholder in messages.references(message):
            _check_references(placeholder, source, document, (*at, "message"), params, variable_names)
    argues = raw.get("argues_against_approach")
    argues_when = None
    if isinstance(argues, str):
        where = (*at, "argues_against_approach")
        _check_references(argues, source, document, where, params, variable_names)
        argues_when = _compile(argues, source, document, where)
    tests = raw.get("tests") or {}
    return Rule(
        id=raw["id"],
        name=raw["name"],
        severity=Severity(raw["severity"]),
        summary=raw["summary"],
        rationale=raw["rationale"],
        remediation=raw["remediation"],
        references=tuple(
            Reference(r["title"], r["url"], r.get("supports") or "", r.get("quote") or "")
            for r in raw["references"]
        ),
        tags=tuple(raw.get("tags") or ()),
        tests={"pass": tuple(tests.get("pass", ())), "fail": tuple(tests.get("fail", ()))},
        source=source,
        line=line,
        column=column,
        policy_set=document.data["metadata"]["name"],
        builtin=builtin,
        engine=bool(raw.get("engine")),
        condition=condition,
        path=path,
        message=message,
        argues_against_approach=bool(argues),
        argues_when=argues_when,
        security_severity=raw.get("security_severity"),
        mappings=tuple(
            (framework, tuple(dict.fromkeys(controls)))
            for framework, controls in (raw.get("mappings") or {}).items()
        ),
    )


# CEL always terminates, but nested comprehensions multiply: two nested
# macros over a 10,000-item list are 10^8 steps, enough to hang a CI gate. A
# policy from an untrusted pull request may nest at most this deep. (CEL also
# stops any evaluation after 10,000 steps, and a policy that is not built in is
# evaluated under a time and memory bound: see archlint.sandbox.)
MAX_COMPREHENSION_DEPTH = 2
MAX_EXPRESSION_LENGTH = 8192


def comprehension_depth(expression: str) -> int:
    """How deeply comprehension macros nest in `expression`, counted on its compiled syntax
    tree (comments, strings and spacing cannot hide one); CelCompileError if it does not compile."""
    return cel.comprehension_depth(cel.compile_expression(expression))


def _compile(expression: str, source: str, document: Document, where: Path) -> cel.Program:
    def fail(problem: str) -> PolicyError:
        _, line, column = document.locate(where)
        return PolicyError(f"{'.'.join(map(str, where))}: {problem}", source, line, column)

    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise fail(f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        program = cel.compile_expression(expression)
    except cel.CelCompileError as exc:
        _, line, column = document.locate(where)
        raise PolicyError(
            f"CEL error in {'.'.join(map(str, where))} at column {exc.column}: {exc.message}",
            source,
            line,
            column,
        ) from None
    if cel.comprehension_depth(program) > MAX_COMPREHENSION_DEPTH:
        raise fail(
            f"comprehensions (all, exists, map, filter...) nest deeper than {MAX_COMPREHENSION_DEPTH}; "
            "evaluation time would grow with the power of the list sizes"
        )
    return program


def _parse_path(dotted: str) -> Path:
    return tuple(int(part) if part.isdigit() else part for part in dotted.split("."))


def _field_exists(path: Path) -> bool:
    node: Any = {"apiVersion": None, "kind": None, **_feature_fields()}
    for part in path:
        if node == "any":
            return True
        if isinstance(part, int):
            continue  # list index: lists are leaves in the field tree
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _check_references(
    expression: str,
    source: str,
    document: Document,
    where: Path,
    params: Mapping[str, Param],
    variable_names: set[str],
) -> None:
    """Refuse references CEL itself cannot catch: fields, params and variables are maps."""
    string_literal, reference = _patterns()
    code = string_literal.sub("''", expression)
    for root, rest in reference.findall(code):
        parts = [part.strip().lstrip("?").strip() for part in rest.split(".")[1:]]
        problem = None
        if root == "params" and parts[0] not in params:
            known = ", ".join(sorted(params)) or "none is declared"
            problem = f"unknown param '{parts[0]}' (declared params: {known})"
        elif root == "variables" and parts[0] not in variable_names:
            known = ", ".join(sorted(variable_names)) or "none is declared"
            problem = f"unknown variable '{parts[0]}' (declared variables: {known})"
        elif root in ("spec", "metadata") and not _field_exists((root, *parts)):
            problem = f"'{root}.{'.'.join(parts)}' is not a field of ai-feature.yaml"
        if problem:
            _, line, column = document.locate(where)
            raise PolicyError(f"{'.'.join(map(str, where))}: {problem}", source, line, column)


def evidence_gaps(catalog: Catalog, sets: Sequence[PolicySet] | None = None) -> list[tuple[str, str]]:
    """What the built-in sets among `sets` (all of them by default) leave unsourced: each
    reference needs `supports` and `quote`, each param its set declares a `rationale`.

    (where, problem) pairs, `where` being a rule id or `params.NAME`. Custom policies keep
    these fields optional.
    """
    chosen = [s for s in (catalog.sets if sets is None else sets) if s.builtin]
    gaps: list[tuple[str, str]] = []
    for policy_set in chosen:
        for rule in policy_set.rules:
            for number, reference in enumerate(rule.references, 1):
                missing = [field for field in ("supports", "quote") if not getattr(reference, field).strip()]
                if missing:
                    gaps.append(
                        (rule.id, f"reference {number} ({reference.title}) has no {' or '.join(missing)}")
                    )
    sources = {policy_set.source for policy_set in chosen}
    for name, param in sorted(catalog.params.items()):
        if param.source in sources and not param.rationale.strip():
            gaps.append((f"params.{name}", f"declared in {param.source} without a rationale"))
    return gaps
