"""`archlint init`: ask the questions of the decision gates and write a first ai-feature.yaml.

Interactive by default; `--answers FILE`, `--set QUESTION=VALUE` and `--defaults`
answer without asking. The questions come from the gates file (`questions:`), so
they stay in step with the gates; init stops asking once the path through the
gates has ended. The file written is commented, carries the yaml-language-server
modeline, holds the recommended approach and passes `archlint check` with no
error. An existing file is never overwritten.

Exit codes: 0 written; 2 usage error, existing file or input ended (EOF);
130 interrupted (Ctrl-C). Nothing is written unless every question was answered.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..decide import (
    Decision,
    GateError,
    Gates,
    Question,
    builtin_gates,
    check_value,
    decide,
    leaf_schema,
    render,
)
from ..errors import ArchlintError, UsageError
from ..paths import display

SCHEMA_FILE = "ai-feature.v1.schema.json"
INDEX_REFRESH = {
    "realtime": "realtime",
    "daily": "daily",
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "yearly": "yearly",
    "static": "manual",
}
# Errors the answers themselves can describe, whatever approach init recommends.
ANSWERED_RISKS = frozenset({"AGT001", "AGT002", "AGT003", "GEN002"})
TOOL_PROPERTIES = ("effect", "acts_as", "reaches", "approval")
_PLAIN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_RESERVED = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})

Ask = Callable[[Question, int], Any]


def run(args: argparse.Namespace) -> int:
    from ..policies import load_catalog

    output = Path(args.output)
    shown = display(args.output)
    if output.exists() or output.is_symlink():
        raise UsageError(
            f"{shown} already exists and archlint init never overwrites a file; "
            "pass --output PATH to write somewhere else"
        )
    catalog = load_catalog()
    params = {name: param.default for name, param in catalog.params.items()}
    gates = builtin_gates(catalog.params)
    questions = (*metadata_questions(output), *gates.questions, *tool_questions())
    given = given_answers(args, questions)
    interactive = not (args.answers or args.set or args.defaults)
    if interactive and not sys.stdin.isatty():
        raise UsageError(
            "standard input is not a terminal; answer with --answers FILE, --set QUESTION=VALUE or --defaults"
        )
    try:
        answers = questionnaire(
            questions, gates, params, given, prompt(params, len(gates.gates)) if interactive else None
        )
        details = tool_detail_questions(answers.get("tools"))
        _refuse_unknown_tools(given, details)
        answers.update(
            questionnaire(
                details, gates, params, given, prompt(params, len(gates.gates)) if interactive else None
            )
        )
        questions = (*questions, *details)
    except KeyboardInterrupt:
        print("\narchlint: init interrupted; nothing written", file=sys.stderr)
        return 130
    except EOFError:
        print(
            "\narchlint: error: input ended before every question was answered; nothing written "
            "(use --defaults, --set or --answers to run without a terminal)",
            file=sys.stderr,
        )
        return 2
    document = build_document(answers, questions)
    decision = decide(document, gates, params)
    document["spec"]["approach"] = decision.recommendation
    schema, modeline_path = schema_beside_config(output)
    text = render_file(document, answers, questions, decision, params, modeline_path)
    counts = _verify(text, shown, catalog)
    try:
        with open(output, "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError:
        raise UsageError(f"{shown} already exists; pass --output PATH to write somewhere else") from None
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", shown) from None
    from .schema import write_schema

    try:
        if write_schema(schema):  # the modeline's target: editors complete and check from it
            print(
                f"Wrote {display(schema)}, the schema the modeline names (refresh: archlint schema --write)."
            )
    except UsageError as exc:  # the feature file is written; only the editor support is missing
        print(f"archlint: warning: {exc}", file=sys.stderr)
    step = decision.deciding
    print()
    print(f"Recommended approach: {decision.recommendation} (gate {step.gate.number}, {step.gate.title})")
    print(
        textwrap.fill(step.because, 96, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)
    )
    print(f"Wrote {shown}: archlint check finds {counts}.")
    if not counts.startswith("0 errors"):
        print(
            "  The answers describe risks that are errors whatever the approach; "
            f"`archlint check {shown}` explains each."
        )
    print(
        f"Next: `archlint decide {shown}` shows the whole path; `archlint check {shown}` lists what to add."
    )
    return 0


def _verify(text: str, shown: str, catalog: Any) -> str:
    """Check the file before writing it: init must never write a file that fails."""
    from ..check import check_text, plan
    from ..engine import arguing_against_approach
    from ..loader import load_all
    from ..settings import Settings

    result = check_text(text, shown, plan(catalog, Settings()))
    errors = [f for f in result.findings if f.severity.value == "error" and f.suppressed is None]
    (document,) = load_all(text)
    arguing = arguing_against_approach(document, catalog, [f.rule for f in errors], {})
    # What the person said about tools and reviews can be an error under any approach (an
    # irreversible tool with no approval): init writes it down and reports it. An error that
    # argues against the approach init chose, or any other, is init's own mistake.
    errors = [f for f in errors if f.rule in arguing or f.rule not in ANSWERED_RISKS]
    if errors:
        details = "; ".join(f"{f.rule} {f.path}: {f.message}" for f in errors)
        raise ArchlintError(f"internal error: the file init would write fails archlint check ({details})")
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in result.findings:
        counts[finding.severity.value] += 1
    from ..messages import plural

    parts = [plural(counts["error"], "error"), plural(counts["warning"], "warning"), f"{counts['info']} info"]
    return ", ".join(parts)


# ---------------------------------------------------------------------------- questions


def metadata_questions(output: Path) -> tuple[Question, ...]:
    """Name, owner and description: asked before any gate."""
    folder = output.resolve().parent.name
    name = re.sub(r"[^a-z0-9]+", "-", folder.lower()).strip("-")[:63].strip("-") or "my-feature"

    def question(key: str, ask: str, why: str, default: Any) -> Question:
        path = ("metadata", key)
        leaf = leaf_schema(path) or {}
        return Question(
            id=key,
            gate=None,
            field=path,
            ask=ask,
            why=why,
            default=default,
            ask_if=None,
            kind="string",
            pattern=leaf.get("pattern"),
        )

    return (
        question(
            "name",
            "What is the feature called? (a lowercase slug, like support-assistant)",
            "Reports and baselines know the feature by this name.",
            name,
        ),
        question(
            "owner", "Which team owns it?", "Findings and waivers need someone accountable.", "unassigned"
        ),
        question(
            "description",
            "In one sentence, what does it do? (optional)",
            "Reviewers read it first.",
            None,
        ),
    )


def given_answers(args: argparse.Namespace, questions: Sequence[Question]) -> dict[str, Any]:
    """Answers from --answers FILE, then --set (which wins), validated."""
    by_id = {question.id: question for question in questions}
    given: dict[str, Any] = {}
    if args.answers:
        for key, value in _answers_file(args.answers).items():
            question = _find(by_id, str(key), f"{display(args.answers)}: ")
            given[question.id] = _validated(question, value, f"{display(args.answers)}: {key}")
    for item in args.set:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set takes QUESTION=VALUE, got {item!r}")
        question = _find(by_id, key.strip(), "--set: ")
        given[question.id] = _validated(question, raw.strip(), f"--set {key.strip()}")
    return given


def _answers_file(path: str) -> Mapping[str, Any]:
    from ..loader import YamlError, load_all, read_file

    shown = display(path)
    try:
        documents = load_all(read_file(path))
    except OSError as exc:
        raise UsageError(f"cannot read answers file: {exc.strerror or exc}", shown) from None
    except YamlError as exc:
        raise UsageError(f"invalid YAML: {exc.message}", shown, exc.line, exc.column) from None
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise UsageError("an answers file is one YAML mapping of question: answer", shown)
    data: Mapping[str, Any] = documents[0].data
    return data


def _find(by_id: Mapping[str, Question], key: str, where: str) -> Question:
    if key in by_id:
        return by_id[key]
    detail = tool_detail_question(key)
    if detail is not None:
        return detail
    for question in by_id.values():  # a field path works too
        if ".".join(map(str, question.field)) == key:
            return question
    if key in ("approach", "spec.approach"):
        raise UsageError(f"{where}the approach is what init recommends, not a question")
    close = difflib.get_close_matches(key, by_id, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (questions: {', '.join(by_id)})"
    raise UsageError(f"{where}unknown question '{key}'{hint}")


def parse_answer(question: Question, text: str) -> Any:
    """Read a typed answer; raise ValueError with a message for people."""
    text = text.strip()
    if question.kind == "boolean":
        lowered = text.lower()
        if lowered in ("y", "yes", "true"):
            return True
        if lowered in ("n", "no", "false"):
            return False
        raise ValueError("answer yes or no")
    if question.kind == "integer":
        match = re.fullmatch(r"([0-9][0-9_,]*)([kKmM]?)", text)
        if not match:
            raise ValueError("answer with a whole number (40000, 40k and 4M work)")
        number = int(match.group(1).replace("_", "").replace(",", ""))
        return number * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    if question.kind == "choice":
        if text.isdigit() and 1 <= int(text) <= len(question.choices):
            return question.choices[int(text) - 1]
        if text.lower() in question.choices:
            return text.lower()
        raise ValueError(f"answer one of: {', '.join(question.choices)}")
    return text


def _validated(question: Question, value: Any, where: str) -> Any:
    try:
        if isinstance(value, str) and question.kind != "string":
            value = parse_answer(question, value)
        problem = _problem(question, value)
    except ValueError as exc:
        problem = str(exc)
    if problem:
        raise UsageError(f"{where}: {problem}")
    return value


def _problem(question: Question, value: Any) -> str | None:
    if question.field == ("spec", "tools"):
        return _tool_names_problem(value)
    if question.field[:2] == ("spec", "tools"):  # a tool's property: one of its choices
        return None if value in question.choices else f"answer one of: {', '.join(question.choices)}"
    if question.kind == "string" and isinstance(value, str):
        if value == "" and question.default is None:
            return None  # an optional text left blank
        if not value.isprintable():
            return "must be printable text on one line"
    leaf = leaf_schema(question.field)
    return check_value(leaf, value) if leaf is not None else None


# ---------------------------------------------------------------------------- the walk


def questionnaire(
    questions: Sequence[Question],
    gates: Gates,
    params: Mapping[str, Any],
    given: Mapping[str, Any],
    ask: Ask | None,
) -> dict[str, Any]:
    """Answer the questions in order; stop once the gates have decided.

    `given` answers are used as they are; the rest are asked (`ask`) or take
    their defaults (`ask` None). A question whose `ask_if` is false is skipped.
    """
    answers: dict[str, Any] = {}
    number = 0
    for question in questions:
        if question.gate is not None and _decided_before(
            question.gate.number, answers, questions, gates, params
        ):
            continue  # later gate questions are decided too; the tool questions still follow
        if question.ask_if is not None and not _holds(question, answers, questions, params):
            continue
        if question.id in given:
            answers[question.id] = given[question.id]
        elif ask is not None:
            number += 1
            answers[question.id] = ask(question, number)
        else:
            answers[question.id] = question.default
    for key, value in given.items():
        answers.setdefault(key, value)
    return answers


def _decided_before(
    number: int,
    answers: Mapping[str, Any],
    questions: Sequence[Question],
    gates: Gates,
    params: Mapping[str, Any],
) -> bool:
    """True when the gates, on the answers so far, end before gate `number`."""
    if number <= 1:
        return False
    try:
        decision = decide(build_document(answers, questions), gates, params, explain=False)
    except GateError:
        return False  # a field the gates read is not answered yet
    return decision.deciding.gate.number < number


def _holds(
    question: Question, answers: Mapping[str, Any], questions: Sequence[Question], params: Mapping[str, Any]
) -> bool:
    from .. import cel

    document = build_document(answers, questions)
    bindings = {
        "apiVersion": document["apiVersion"],
        "kind": document["kind"],
        "metadata": document["metadata"],
        "spec": document["spec"],
        "params": dict(params),
        "variables": {},
        "decision": {},
    }
    assert question.ask_if is not None
    try:
        return question.ask_if.evaluate(cel.activation(bindings)) is True
    except cel.CelEvalError:
        return True  # cannot tell yet: ask rather than skip


def build_document(answers: Mapping[str, Any], questions: Sequence[Question]) -> dict[str, Any]:
    """The feature document the answers describe (approach: prompting until decided)."""
    document: dict[str, Any] = {
        "apiVersion": "archlint/v1",
        "kind": "AIFeature",
        "metadata": {},
        "spec": {"approach": "prompting"},
    }
    for question in questions:
        value = answers.get(question.id)
        if value is None or value == "" or question.field[:2] == ("spec", "tools"):
            continue
        node = document
        for key in question.field[:-1]:
            node = node.setdefault(str(key), {})
        node[str(question.field[-1])] = value
    tools = [
        {
            "name": name,
            **{
                key: answers[f"tools.{name}.{key}"]
                for key in TOOL_PROPERTIES
                if answers.get(f"tools.{name}.{key}")
            },
        }
        for name in tool_names(answers.get("tools"))
    ]
    if tools:
        document["spec"]["tools"] = tools
    return document


# ---------------------------------------------------------------------------- the terminal


def prompt(params: Mapping[str, Any], total: int) -> Ask:
    """Ask on the terminal: question, why, hint; re-ask until the answer is valid."""

    def ask(question: Question, number: int) -> Any:
        where = (
            f"gate {question.gate.number} of {total}, {question.gate.title}"
            if question.gate
            else "about the feature"
        )
        print()
        print(f"[{number}] {where}")
        print(render(question.ask, {}, params, {}))
        print(f"  why: {render(question.why, {}, params, {})}")
        print(f"  {_hint(question)}")
        while True:
            text = input("> ").strip()
            if not text:
                return question.default
            try:
                value = text if question.kind == "string" else parse_answer(question, text)
                problem = _problem(question, value)
            except ValueError as exc:
                problem = str(exc)
            if problem is None:
                return value
            print(f"  ! {problem}; try again")

    return ask


def _hint(question: Question) -> str:
    default = question.default
    if question.kind == "boolean":
        return "yes or no [" + ("yes" if default else "no") + "]"
    if question.kind == "choice":
        options = ", ".join(f"{index}) {choice}" for index, choice in enumerate(question.choices, 1))
        return f"{options} [{'blank if unknown' if default is None else default}]"
    if question.kind == "integer":
        shown = "blank if unknown" if default is None else f"default {default}"
        return f"a whole number, 40k or 4M work [{shown}]"
    return f"[{default}]" if default is not None else "[blank to leave out]"


# ---------------------------------------------------------------------------- the file


def schema_url() -> str:
    """The published schema address, the `$id` of the schema archlint ships."""
    from ..schema import load_schema

    return str(load_schema("ai-feature")["$id"])


def schema_beside_config(output: Path) -> tuple[str, str]:
    """Where the schema copy for editors goes: the root of the output's repository, beside
    its configuration; and the modeline's path to it, relative to the output file."""
    from ..paths import project_root
    from .schema import FEATURE_SCHEMA

    folder = os.path.dirname(os.path.abspath(output))
    schema = os.path.join(project_root(folder), FEATURE_SCHEMA)
    relative = os.path.relpath(schema, folder).replace(os.sep, "/")
    return schema, relative if relative.startswith("../") else f"./{relative}"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text not in _RESERVED and _reads_back_as(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _reads_back_as(text: str) -> bool:
    """Plain only when the loader reads it back as this very string (not 0e0 -> a float, ~ -> null)."""
    from ..loader import YamlError, load_all

    try:
        documents = load_all(f"k: {text}\n")
    except YamlError:
        return False
    return len(documents) == 1 and documents[0].data == {"k": text}


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        96 - len(indent),
        initial_indent=f"{indent}# ",
        subsequent_indent=f"{indent}# ",
        break_on_hyphens=False,
    )


_SPEC_ORDER = (
    "task",
    "knowledge",
    "inputs",
    "requirements",
    "guardrails",
    "tools",
    "prompting",
    "rag",
    "fine_tuning",
)


def render_file(
    document: Mapping[str, Any],
    answers: Mapping[str, Any],
    questions: Sequence[Question],
    decision: Decision,
    params: Mapping[str, Any],
    schema: str | None = None,
) -> str:
    """The commented YAML text of the feature file; its modeline names `schema` (a path
    relative to the file), or the published address."""
    why = {question.field: render(question.why, {}, params, {}) for question in questions}
    why.update({("spec", "rag", key): text for key, text in _RAG_WHY.items()})
    spec = document["spec"]
    approach = decision.recommendation
    step = decision.deciding
    lines = [
        f"# yaml-language-server: $schema={schema or schema_url()}",
        "#",
        "# Written by `archlint init`. `archlint check` lints this file; `archlint decide` shows the",
        "# reasoning behind the approach. Field reference: `archlint schema`.",
        "apiVersion: archlint/v1",
        "kind: AIFeature",
        "metadata:",
    ]
    for key in ("name", "owner", "description"):
        if key in document["metadata"]:
            lines += _comment(why[("metadata", key)], "  ")
            lines.append(f"  {key}: {_scalar(document['metadata'][key])}")
    lines.append("spec:")
    lines += _comment(why[("spec", "problem")], "  ")
    lines.append(f"  problem: {_scalar(spec['problem'])}")
    lines += _comment(
        f"Recommended by the decision gates at gate {step.gate.number} ({step.gate.title}): {step.because}.",
        "  ",
    )
    lines.append(f"  approach: {approach}")

    def section(name: str, values: Mapping[str, Any], indent: str, path: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for key, value in values.items():
            field = (*path, key)
            if isinstance(value, dict):
                out.append(f"{indent}{key}:")
                out += section(key, value, indent + "  ", field)
                continue
            if field in why:
                out += _comment(why[field], indent)
            out.append(f"{indent}{key}: {_scalar(value)}")
        return out

    rag = _rag_section(spec, approach)
    for name in _SPEC_ORDER:
        values = rag if name == "rag" else spec.get(name)
        if not values:
            continue
        if name == "tools":
            lines += _comment(why[("spec", "tools")], "  ")
            lines.append("  tools:")
            lines += [_tool_line(tool) for tool in spec["tools"]]
            continue
        lines.append(f"  {name}:")
        lines += section(name, values, "    ", ("spec", name))
        if name == "rag":
            lines += _RAG_NEXT
        if name == "fine_tuning" and approach in ("fine-tuning", "hybrid"):
            lines += _FINE_TUNING_NEXT
    if approach in ("fine-tuning", "hybrid") and "fine_tuning" not in spec:
        lines += ["  fine_tuning:", *_FINE_TUNING_NEXT]
    lines += _evaluation_next(str(document["metadata"].get("name", "feature")))
    return "\n".join(lines) + "\n"


def _rag_section(spec: Mapping[str, Any], approach: str) -> dict[str, Any]:
    """The retrieval settings the linter requires from day one (RAG001, RAG004)."""
    if approach not in ("rag", "hybrid"):
        return {}
    knowledge = spec.get("knowledge", {})
    values: dict[str, Any] = {}
    if knowledge.get("per_user_permissions") is not False:
        values["acl_filtering"] = True
    values["index_refresh"] = INDEX_REFRESH[knowledge.get("change_frequency", "static")]
    return values


_RAG_WHY = {
    "acl_filtering": "Retrieval filters chunks by what the asking user may read (RAG001).",
    "index_refresh": "The index is refreshed at least as often as the facts change (RAG004).",
}

_RAG_NEXT = [
    "    # Next, as the design firms up (archlint check asks for these):",
    "    # retrieval: hybrid                  # keyword plus embeddings (RAG003)",
    "    # chunking: {strategy: section, size_tokens: 512, overlap_tokens: 64}   # (RAG005)",
    "    # retrieval_eval: {dataset: evals/retrieval.jsonl, metrics: [recall@4]}   # (RAG002)",
]

_FINE_TUNING_NEXT = [
    "    # Next, before the first training run (archlint check asks for these):",
    "    # retraining: {cadence: quarterly}   # (FT007)",
    "    # rollback: true                     # versioned models, a tested way back (FT008)",
    "    # forgetting_eval: true              # general skills re-checked after training (FT009)",
]


def _evaluation_next(name: str) -> list[str]:
    return [
        "  # Next: the task-level evaluation set that shows the feature meets its bar (GEN001).",
        "  # evaluation:",
        f"  #   dataset: evals/{name}.jsonl",
    ]


# ---------------------------------------------------------------------------- tools


def tool_questions() -> tuple[Question, ...]:
    """Whether outsiders write what the feature reads, and which tools the model can call."""
    untrusted = ("spec", "inputs", "untrusted_content")
    return (
        Question(
            id="untrusted_content",
            gate=None,
            field=untrusted,
            ask="Does the feature read text that outsiders can write "
            "(emails, web pages, tickets, chats, uploads)?",
            why="Such text can carry instructions the model follows (prompt injection), "
            "which matters once it can call tools.",
            default=False,
            ask_if=None,
            kind="boolean",
        ),
        Question(
            id="tools",
            gate=None,
            field=("spec", "tools"),
            ask="Which tools can the model call? Their names, separated by commas "
            "(like lookup-order, issue-refund)",
            why="A model that calls tools acts, not only answers: "
            "each tool's effect, identity and approval is checked.",
            default=None,
            ask_if=None,
            kind="string",
        ),
    )


_TOOL_ASK = {
    "effect": (
        "What can {name} do: only read, write something that can be undone, or something irreversible?",
        "An irreversible call (money moved, a message sent, data deleted) "
        "needs a check outside the model (AGT001).",
    ),
    "acts_as": (
        "Whose permissions does {name} run with: the asking user's, or a service account's?",
        "A service account over per-user data lets anyone ask for anything (AGT002).",
    ),
    "reaches": (
        "Can {name} send data outside the organisation (external), or only to internal systems?",
        "An outward tool next to untrusted text and private data is an exfiltration channel (AGT003).",
    ),
    "approval": (
        "What stops a wrong {name} call: nothing (none), a person approving each call (human), "
        "or a hard limit outside the model (limit)?",
        "Approval outside the model is what makes an injected or hallucinated call harmless "
        "(AGT001, AGT004).",
    ),
}


def tool_names(value: Any) -> list[str]:
    """The tool names of the `tools` answer, in order."""
    if not isinstance(value, str):
        return []
    return [name.strip() for name in value.split(",") if name.strip()]


def _tool_names_problem(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return "must be tool names separated by commas"
    names = tool_names(value)
    bad = [name for name in names if not _PLAIN.match(name) or len(name) > 63]
    if bad:
        return f"tool names are lowercase words joined by hyphens, like issue-refund (not {bad[0]!r})"
    if len(set(names)) != len(names):
        return "a tool is named twice"
    return None


def _tool_schema(key: str) -> Mapping[str, Any]:
    from ..schema import load_schema

    tool: Mapping[str, Any] = load_schema("ai-feature")["$defs"]["Tool"]["properties"][key]
    return tool


def tool_detail_question(key: str) -> Question | None:
    """The question `tools.NAME.PROPERTY` (effect, acts_as, reaches, approval), or None."""
    parts = key.split(".")
    if len(parts) != 3 or parts[0] != "tools" or parts[2] not in TOOL_PROPERTIES:
        return None
    name, prop = parts[1], parts[2]
    if not _PLAIN.match(name):
        return None
    ask, why = _TOOL_ASK[prop]
    return Question(
        id=key,
        gate=None,
        field=("spec", "tools", name, prop),
        ask=ask.format(name=name),
        why=why,
        default=None,  # unanswered stays absent, which the rules read as the risky case
        ask_if=None,
        kind="choice",
        choices=tuple(_tool_schema(prop)["enum"]),
    )


def tool_detail_questions(value: Any) -> tuple[Question, ...]:
    questions = []
    for name in tool_names(value):
        for prop in TOOL_PROPERTIES:
            question = tool_detail_question(f"tools.{name}.{prop}")
            if question is not None:
                questions.append(question)
    return tuple(questions)


def _refuse_unknown_tools(given: Mapping[str, Any], details: Sequence[Question]) -> None:
    known = {question.id for question in details}
    for key in given:
        if key.startswith("tools.") and key not in known:
            raise UsageError(f"{key} answers a question about a tool that is not in the tools answer")


def _tool_line(tool: Mapping[str, Any]) -> str:
    fields = ", ".join(f"{key}: {_scalar(value)}" for key, value in tool.items())
    return f"    - {{{fields}}}"
