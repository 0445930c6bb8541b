"""The decision assistant: walk the decision gates for one feature.

The gates are data (`archlint/gates.yaml`, or an organisation's own file in
the same DecisionGates format): ordered gates, each a list of outcomes with a
CEL condition, the fields that decided it, an optional change to the decision
variables and, for the outcomes that end the walk, the recommended approach.
`decide` walks them for one schema-valid document; `check` turns a walk whose
recommendation differs from the declared approach into DEC001.
"""

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from . import cel
from .errors import PolicyError
from .finding import Finding, Severity
from .loader import Document, Path, read_file

APPROACHES = ("prompting", "rag", "fine-tuning", "hybrid")
BUILTIN_GATES = os.path.join(os.path.dirname(os.path.realpath(__file__)), "gates.yaml")
RULE = ("DEC001", "approach-differs-from-recommendation", Severity.INFO)
POLICY_ERROR = ("POL001", "policy-evaluation-error", Severity.ERROR)

# Patterns as text: `re` compiles each on first use (and caches it), not at import.
_PLACEHOLDER = r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}"
_STRING_LITERAL = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_DECISION = r"(?<![\w.])decision\s*\.\s*\??\s*([A-Za-z_]\w*)"

MakeFinding = Callable[[str, str, Severity, str, Path], Finding]


class GateError(PolicyError):
    """A gate that could not be evaluated on a document (the gates file is at fault)."""


class Outcome(NamedTuple):
    """One way out of a gate: taken when `when` holds (or always, when it is None)."""

    when: cel.Program | None
    label: str
    fields: tuple[Path, ...]
    sets: tuple[tuple[str, cel.Program], ...]
    recommend: cel.Program | None
    because: str
    line: int


class Gate(NamedTuple):
    number: int
    id: str
    title: str
    question: str
    why: str
    outcomes: tuple[Outcome, ...]
    line: int
    # All conditions in one program giving the index of the outcome taken: one
    # evaluation per gate instead of one per condition.
    chooser: cel.Program | None = None


class Assumption(NamedTuple):
    """What an absent field is taken to be; `value` None means nothing is filled in."""

    path: Path
    value: Any
    note: str


class Question(NamedTuple):
    """One question of `archlint init`, filling one field of the feature file."""

    id: str
    gate: Gate | None  # None for the metadata questions `init` asks before any gate
    field: Path
    ask: str
    why: str
    default: Any
    ask_if: cel.Program | None
    kind: str  # "choice", "integer", "boolean" or "string"
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    pattern: str | None = None


class Filling(NamedTuple):
    """The assumed values as a tree, so filling a document copies each section once."""

    leaves: tuple[tuple[str, Any], ...]
    children: "tuple[tuple[str, Filling], ...]"

    @classmethod
    def of(cls, pairs: Sequence[tuple[Sequence[str | int], Any]]) -> "Filling":
        leaves = tuple((str(path[0]), value) for path, value in pairs if len(path) == 1)
        groups: dict[str, list[tuple[Sequence[str | int], Any]]] = {}
        for path, value in pairs:
            if len(path) > 1:
                groups.setdefault(str(path[0]), []).append((path[1:], value))
        return cls(leaves, tuple((key, cls.of(group)) for key, group in groups.items()))


class Gates(NamedTuple):
    """A loaded, compiled gates file."""

    name: str
    source: str
    state: Mapping[str, Any]
    assumptions: tuple[Assumption, ...]
    gates: tuple[Gate, ...]
    questions: tuple[Question, ...]
    params: tuple[str, ...]  # the catalog params the gates read
    filling: Filling = Filling((), ())

    @property
    def builtin(self) -> bool:
        return self.source == str(BUILTIN_GATES)

    def gate(self, key: str) -> Gate | None:
        return next((gate for gate in self.gates if gate.id == key), None)


class FieldValue(NamedTuple):
    """A field that decided a step: its value, and whether it was assumed."""

    path: Path
    value: Any  # None when absent with nothing assumed
    present: bool
    assumption: Assumption | None = None

    @property
    def dotted(self) -> str:
        return dotted(self.path)


class Step(NamedTuple):
    """One gate on the path: the outcome taken and why."""

    gate: Gate
    outcome: Outcome
    label: str
    because: str
    fields: tuple[FieldValue, ...]
    recommendation: str | None  # set on the last step only


class Decision(NamedTuple):
    feature: str
    declared: str
    recommendation: str
    steps: tuple[Step, ...]
    params: Mapping[str, Any]

    @property
    def deciding(self) -> Step:
        """The step whose gate ended the walk."""
        return self.steps[-1]

    @property
    def agrees(self) -> bool:
        return self.declared == self.recommendation

    @property
    def assumptions(self) -> tuple[FieldValue, ...]:
        """Absent fields that decided a step, once each, in path order."""
        seen: dict[Path, FieldValue] = {}
        for step in self.steps:
            for value in step.fields:
                if not value.present:
                    seen.setdefault(value.path, value)
        return tuple(seen.values())


def dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


def words(value: Any) -> str:
    """A value as the path and messages show it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, list):
        return ", ".join(words(item) for item in value) or "none"
    return "absent" if value is None else str(value)


# ---------------------------------------------------------------------------- walking


def decide(
    data: Mapping[str, Any], gates: Gates, params: Mapping[str, Any], explain: bool = True
) -> Decision:
    """Walk the gates for one schema-valid feature document.

    With `explain` false the steps carry no labels or field values, and no
    reasons but the deciding step's when the recommendation differs from the
    declared approach: enough for DEC001 at a fraction of the cost.
    Raises GateError when a condition cannot be evaluated or a recommendation
    is not one of the four approaches: the gates file is broken, not the feature.
    """
    spec = _fill(data["spec"], gates.filling)
    state = dict(gates.state)
    used = {name: params[name] for name in gates.params if name in params}
    bindings: dict[str, Any] = {
        "apiVersion": data.get("apiVersion"),
        "kind": data.get("kind"),
        "metadata": data.get("metadata", {}),
        "spec": spec,
        "params": dict(params),
        "variables": {},
        "decision": state,
    }
    activation = cel.activation(bindings)
    steps: list[Step] = []
    for gate in gates.gates:
        outcome = _choose(gate, activation, gates)
        if outcome.sets:
            state = dict(state)
            for name, program in outcome.sets:
                state[name] = _evaluate(program, activation, gate, outcome, gates)
            bindings["decision"] = state
            activation = cel.activation(bindings)
        recommendation = None
        if outcome.recommend is not None:
            recommendation = _evaluate(outcome.recommend, activation, gate, outcome, gates)
            if recommendation not in APPROACHES:
                raise GateError(
                    f"gate {gate.id}: recommend gave {recommendation!r}, not one of {', '.join(APPROACHES)}",
                    gates.source,
                    outcome.line,
                )
        if explain:
            step = Step(
                gate=gate,
                outcome=outcome,
                label=render(outcome.label, spec, params, state),
                because=render(outcome.because, spec, params, state),
                fields=tuple(_field_value(data["spec"], spec, path, gates) for path in outcome.fields),
                recommendation=recommendation,
            )
        elif recommendation is not None and recommendation != data["spec"]["approach"]:
            # The deciding step of a disagreeing walk keeps its reason: DEC001 quotes it.
            step = Step(gate, outcome, "", render(outcome.because, spec, params, state), (), recommendation)
        else:
            step = Step(gate, outcome, "", "", (), recommendation)
        steps.append(step)
        if recommendation is not None:
            metadata = data.get("metadata", {})
            return Decision(
                feature=str(metadata.get("name", "")),
                declared=str(data["spec"]["approach"]),
                recommendation=recommendation,
                steps=tuple(steps),
                params=used,
            )
    # load_gates makes every outcome of the last gate recommend, so this is unreachable.
    raise GateError("the path ran past the last gate without a recommendation", gates.source)


def _choose(gate: Gate, activation: Any, gates: Gates) -> Outcome:
    if gate.chooser is not None:
        try:
            index = gate.chooser.evaluate(activation)
        except cel.CelEvalError:
            index = None  # evaluate condition by condition below, to say which one failed
        if isinstance(index, int) and not isinstance(index, bool):
            outcome: Outcome = gate.outcomes[index]
            return outcome
    for outcome in gate.outcomes:
        if outcome.when is None:
            return outcome
        verdict = _evaluate(outcome.when, activation, gate, outcome, gates)
        if not isinstance(verdict, bool):
            raise GateError(
                f"gate {gate.id}: the condition returned {verdict!r}, not true or false",
                gates.source,
                outcome.line,
            )
        if verdict:
            return outcome
    return gate.outcomes[-1]  # unreachable: the last outcome has no condition


def _evaluate(program: cel.Program, activation: Any, gate: Gate, outcome: Outcome, gates: Gates) -> Any:
    try:
        return program.evaluate(activation)
    except cel.CelEvalError as exc:
        raise GateError(f"gate {gate.id} could not be evaluated: {exc}", gates.source, outcome.line) from None


def _fill(spec: Mapping[str, Any], filling: Filling) -> dict[str, Any]:
    """A copy of `spec` with every absent assumed field filled in; the document is untouched."""
    filled = dict(spec)
    for key, value in filling.leaves:
        filled.setdefault(key, value)
    for key, child in filling.children:
        present = filled.get(key)
        filled[key] = _fill(present if isinstance(present, dict) else {}, child)
    return filled


def _lookup(data: Any, path: Sequence[str | int]) -> tuple[bool, Any]:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return False, None
        data = data[part]
    return True, data


def _field_value(
    original: Mapping[str, Any], filled: Mapping[str, Any], path: Path, gates: Gates
) -> FieldValue:
    present, value = _lookup(original, path[1:])
    if present:
        return FieldValue(path, value, True)
    assumption = next((a for a in gates.assumptions if a.path == path), None)
    _, assumed = _lookup(filled, path[1:])
    return FieldValue(path, assumed, False, assumption)


def render(
    template: str, spec: Mapping[str, Any], params: Mapping[str, Any], state: Mapping[str, Any]
) -> str:
    """Fill {spec.x.y}, {params.NAME} and {decision.NAME} placeholders; collapse whitespace."""

    def replace(match: re.Match[str]) -> str:
        root, *rest = match.group(1).split(".")
        if root == "spec":
            _, value = _lookup(spec, rest)
        elif root == "params":
            value = params.get(rest[0]) if rest else None
        elif root == "decision":
            value = state.get(rest[0]) if rest else None
        else:
            return match.group(0)
        return words(value)

    return " ".join(re.sub(_PLACEHOLDER, replace, template).split())


# ---------------------------------------------------------------------------- DEC001


def check(document: Document, catalog: Any, params: Mapping[str, Any], make: MakeFinding) -> list[Finding]:
    """DEC001 for one schema-valid document, with the built-in gates; POL001 if they fail."""
    gates = builtin_gates(catalog.params)
    try:
        decision = decide(document.data, gates, params, explain=False)
        if decision.agrees:
            return []
    except GateError as exc:
        message = f"the decision gates could not be evaluated on this document: {exc.message}"
        return [make(*POLICY_ERROR, message, ("spec", "approach"))]
    return [make(*RULE, finding_message(decision), ("spec", "approach"))]


def finding_message(decision: Decision) -> str:
    step = decision.deciding
    return (
        f"approach is {decision.declared}, but the decision gates recommend {decision.recommendation}, "
        f"decided at gate {step.gate.number} ({step.gate.title}): {step.because}; "
        "`archlint decide` shows the whole path"
    )


# ---------------------------------------------------------------------------- loading

_CACHE: dict[tuple[str, frozenset[str]], Gates] = {}


def builtin_gates(params: Mapping[str, Any]) -> Gates:
    return load_gates(str(BUILTIN_GATES), params)


def load_gates(source: str, params: Mapping[str, Any]) -> Gates:
    """Load, validate and compile a gates file against the catalog's params (cached)."""
    key = (source, frozenset(params))
    if key not in _CACHE:
        try:
            text = read_file(source)
        except OSError as exc:
            raise PolicyError(f"cannot read gates file: {exc.strerror or exc}", source) from None
        _CACHE[key] = _compiled_gates(text, source, params)
    return _CACHE[key]


def _compiled_gates(text: str, source: str, params: Mapping[str, Any]) -> Gates:
    """The gates of this text: prebuilt or parsed, through the cache of an `archlint check` run."""
    from . import policies, prebuilt

    store = policies.catalog_cache
    ready = prebuilt.gates(source, text, params)
    if ready is not None:
        if store is not None:
            store.attach(ready)  # their compiled CEL from the cache
        return ready
    if store is None:
        return parse_gates(text, source, params)
    gates: Gates = store.compiled(
        "gates", [source, text, *sorted(params)], lambda: parse_gates(text, source, params), Gates
    )
    return gates


def parse_gates(text: str, source: str, params: Mapping[str, Any]) -> Gates:
    """Build Gates from the text of a gates file; any problem is a located PolicyError."""
    from .policies import require_valid, single_document

    document = single_document(text, source, "a gates file")
    require_valid(document, "decision", source, "gates file")
    return _Builder(document, source, params).build()


class _Builder:
    def __init__(self, document: Document, source: str, params: Mapping[str, Any]) -> None:
        self.document = document
        self.data: dict[str, Any] = document.data
        self.source = source
        self.params = params
        self.state_names = set(self.data["state"])
        self.used_params: set[str] = set()

    def fail(self, message: str, where: Path) -> PolicyError:
        _, line, column = self.document.locate(where)
        return PolicyError(message, self.source, line, column)

    def build(self) -> Gates:
        assumptions = tuple(self._assumption(path, raw) for path, raw in self.data["assumptions"].items())
        gates: list[Gate] = []
        for index, raw in enumerate(self.data["gates"]):
            if any(gate.id == raw["id"] for gate in gates):
                raise self.fail(f"gate id '{raw['id']}' is used twice", ("gates", index, "id"))
            gates.append(self._gate(index, raw))
        last = gates[-1]
        for index, outcome in enumerate(last.outcomes):
            if outcome.recommend is None:
                where: Path = ("gates", len(gates) - 1, "outcomes", index)
                raise self.fail(f"gate {last.id}: every outcome of the last gate must recommend", where)
        questions = self._questions(gates)
        return Gates(
            name=self.data["metadata"]["name"],
            source=self.source,
            state=dict(self.data["state"]),
            assumptions=assumptions,
            gates=tuple(gates),
            questions=questions,
            params=tuple(sorted(self.used_params)),
            filling=Filling.of([(a.path[1:], a.value) for a in assumptions if a.value is not None]),
        )

    def _assumption(self, path: str, raw: Mapping[str, Any]) -> Assumption:
        where: Path = ("assumptions", path)
        parsed = _parse_path(path)
        if parsed[0] != "spec":
            raise self.fail(f"assumption '{path}': only fields under spec can be assumed", where)
        leaf = leaf_schema(parsed)
        if leaf is None:
            raise self.fail(f"assumption '{path}' is not a field of ai-feature.yaml", where)
        value = raw.get("value")
        if value is not None and check_value(leaf, value) is not None:
            raise self.fail(f"assumption '{path}': {check_value(leaf, value)}", (*where, "value"))
        return Assumption(parsed, value, raw["note"])

    def _gate(self, index: int, raw: Mapping[str, Any]) -> Gate:
        at: Path = ("gates", index)
        outcomes = []
        count = len(raw["outcomes"])
        for number, item in enumerate(raw["outcomes"]):
            where: Path = (*at, "outcomes", number)
            if "when" not in item and number != count - 1:
                raise self.fail(f"gate {raw['id']}: only the last outcome may leave out 'when'", where)
            if "when" in item and number == count - 1:
                raise self.fail(
                    f"gate {raw['id']}: the last outcome is the otherwise and takes no 'when'",
                    (*where, "when"),
                )
            outcomes.append(self._outcome(where, item))
        _, line, _ = self.document.locate(at)
        chooser = str(count - 1)
        for number in range(count - 2, -1, -1):
            chooser = f"({raw['outcomes'][number]['when']}) ? {number} : ({chooser})"
        try:
            program = cel.compile_expression(chooser) if count > 1 else None
        except cel.CelCompileError:
            program = None  # a condition typed other than bool: reported when it is evaluated
        return Gate(
            index + 1, raw["id"], raw["title"], raw["question"], raw["why"], tuple(outcomes), line, program
        )

    def _outcome(self, where: Path, raw: Mapping[str, Any]) -> Outcome:
        for position, text in enumerate(raw["fields"]):
            if leaf_schema(_parse_path(text)) is None:
                raise self.fail(f"'{text}' is not a field of ai-feature.yaml", (*where, "fields", position))
        sets = []
        for name, expression in (raw.get("set") or {}).items():
            if name not in self.state_names:
                raise self.fail(f"set: '{name}' is not declared in state", (*where, "set", name))
            sets.append((name, self._compile(expression, (*where, "set", name))))
        for key in ("label", "because"):
            self._check_template(raw[key], (*where, key))
        _, line, _ = self.document.locate(where)
        return Outcome(
            when=self._compile(raw["when"], (*where, "when")) if "when" in raw else None,
            label=raw["label"],
            fields=tuple(_parse_path(field) for field in raw["fields"]),
            sets=tuple(sets),
            recommend=self._compile(raw["recommend"], (*where, "recommend")) if "recommend" in raw else None,
            because=raw["because"],
            line=line,
        )

    def _questions(self, gates: Sequence[Gate]) -> tuple[Question, ...]:
        questions: list[Question] = []
        order = {gate.id: gate.number for gate in gates}
        for index, raw in enumerate(self.data.get("questions") or []):
            where: Path = ("questions", index)
            if any(question.id == raw["id"] for question in questions):
                raise self.fail(f"question id '{raw['id']}' is used twice", (*where, "id"))
            if raw["gate"] not in order:
                raise self.fail(f"question {raw['id']}: no gate '{raw['gate']}'", (*where, "gate"))
            previous = questions[-1].gate if questions else None
            if previous is not None and order[raw["gate"]] < previous.number:
                raise self.fail(
                    f"question {raw['id']}: questions must follow the order of their gates", (*where, "gate")
                )
            field = _parse_path(raw["field"])
            leaf = leaf_schema(field)
            if leaf is None or field[0] not in ("spec", "metadata"):
                raise self.fail(f"question {raw['id']}: '{raw['field']}' is not a field", (*where, "field"))
            kind, choices = _kind(leaf)
            if kind is None:
                raise self.fail(
                    f"question {raw['id']}: '{raw['field']}' is not a single value to answer",
                    (*where, "field"),
                )
            default = raw.get("default")
            if default is not None and check_value(leaf, default) is not None:
                raise self.fail(
                    f"question {raw['id']}: default {check_value(leaf, default)}", (*where, "default")
                )
            for key in ("ask", "why"):
                self._check_template(raw[key], (*where, key), allow=("params",))
            questions.append(
                Question(
                    id=raw["id"],
                    gate=gates[order[raw["gate"]] - 1],
                    field=field,
                    ask=raw["ask"],
                    why=raw["why"],
                    default=default,
                    ask_if=self._compile(raw["ask_if"], (*where, "ask_if")) if "ask_if" in raw else None,
                    kind=kind,
                    choices=choices,
                    minimum=leaf.get("minimum"),
                    pattern=leaf.get("pattern"),
                )
            )
        return tuple(questions)

    def _compile(self, expression: str, where: Path) -> cel.Program:
        from .policies import _check_references

        _check_references(expression, self.source, self.document, where, self.params, set())
        code = re.sub(_STRING_LITERAL, "''", expression)
        for name in re.findall(_DECISION, code):
            if name not in self.state_names:
                known = ", ".join(sorted(self.state_names)) or "none declared"
                raise self.fail(
                    f"{dotted(where)}: unknown decision variable '{name}' (state: {known})", where
                )
        self.used_params.update(re.findall(r"(?<![\w.])params\s*\.\s*([A-Za-z_]\w*)", code))
        try:
            return cel.compile_expression(expression)
        except cel.CelCompileError as exc:
            raise self.fail(
                f"CEL error in {dotted(where)} at column {exc.column}: {exc.message}", where
            ) from None

    def _check_template(
        self, template: str, where: Path, allow: Sequence[str] = ("spec", "params", "decision")
    ) -> None:
        for placeholder in re.findall(_PLACEHOLDER, template):
            root, *rest = placeholder.split(".")
            problem = None
            if root not in allow or not rest:
                problem = f"{{{placeholder}}} cannot be filled here (use {', '.join(allow)})"
            elif root == "spec" and leaf_schema(_parse_path(placeholder)) is None:
                problem = f"{{{placeholder}}} is not a field of ai-feature.yaml"
            elif root == "params" and rest[0] not in self.params:
                problem = f"{{{placeholder}}}: unknown param '{rest[0]}'"
            elif root == "decision" and rest[0] not in self.state_names:
                problem = f"{{{placeholder}}}: unknown decision variable '{rest[0]}'"
            if problem:
                raise self.fail(f"{dotted(where)}: {problem}", where)
            if root == "params":
                self.used_params.add(rest[0])


def _parse_path(text: str) -> Path:
    return tuple(int(part) if part.isdigit() else part for part in text.split("."))


# ---------------------------------------------------------------------------- the feature schema


def leaf_schema(path: Path) -> dict[str, Any] | None:
    """The schema of the field at `path` of ai-feature.yaml, or None if there is no such field."""
    from .schema import load_schema

    schema = load_schema("ai-feature")
    definitions = schema.get("$defs", {})
    node: dict[str, Any] = schema
    for part in path:
        if "$ref" in node:
            node = definitions[node["$ref"].rsplit("/", 1)[-1]]
        properties = node.get("properties")
        if not isinstance(properties, dict) or part not in properties:
            return None
        node = properties[part]
    if "$ref" in node:
        node = definitions[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _kind(leaf: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    if "enum" in leaf:
        return "choice", tuple(str(option) for option in leaf["enum"])
    if "const" in leaf:
        return None, ()
    kind = {"integer": "integer", "boolean": "boolean", "string": "string"}.get(leaf.get("type", ""))
    return kind, ()


def check_value(leaf: Mapping[str, Any], value: Any) -> str | None:
    """Why `value` does not fit the field's schema, or None when it does."""
    kind, choices = _kind(leaf)
    if kind == "choice":
        return None if value in choices else f"must be one of: {', '.join(choices)}"
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if "minimum" in leaf and value < leaf["minimum"]:
            return f"must be at least {leaf['minimum']}"
        if "exclusiveMinimum" in leaf and value <= leaf["exclusiveMinimum"]:
            return f"must be more than {leaf['exclusiveMinimum']}"
        return None
    if kind == "string":
        if not isinstance(value, str):
            return "must be text"
        if len(value) < leaf.get("minLength", 0):
            return "must not be empty"
        if "maxLength" in leaf and len(value) > leaf["maxLength"]:
            return f"must be at most {leaf['maxLength']} characters"
        if "pattern" in leaf and re.search(leaf["pattern"], value) is None:
            return f"must match {leaf['pattern']}"
        return None
    return "is not a single value"
