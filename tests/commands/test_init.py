"""`archlint init`: non-interactive answers, the file it writes, and a real terminal session."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archlint.check import check_file, check_text, plan
from archlint.cli import main
from archlint.commands import init
from archlint.decide import builtin_gates, decide
from archlint.finding import Severity
from archlint.loader import load_all, read_file
from archlint.policies import load_catalog
from archlint.settings import Settings

CATALOG = load_catalog()
PARAMS = {name: param.default for name, param in CATALOG.params.items()}
GATES = builtin_gates(CATALOG.params)
MODELINE = "# yaml-language-server: $schema=./ai-feature.v1.schema.json"  # beside the config


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Claims Assistant"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["init", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def findings(path: Path) -> list[Any]:
    the_plan = plan(CATALOG, Settings())
    return list(check_file(str(path), path.name, the_plan).findings)


def data(path: Path) -> dict[str, Any]:
    (document,) = load_all(read_file(str(path)))
    result: dict[str, Any] = document.data
    return result


# ---------------------------------------------------------------------------- non-interactive


def test_defaults_write_a_valid_commented_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--defaults")
    assert (code, err) == (0, "")
    path = workdir / "ai-feature.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == MODELINE
    assert "\n  # " in text  # commented
    written = data(path)
    assert written["metadata"] == {"name": "claims-assistant", "owner": "unassigned"}
    assert written["spec"]["problem"] == "knowledge"
    assert written["spec"]["approach"] == "rag"
    assert not [f for f in findings(path) if f.severity is Severity.ERROR]
    assert "Recommended approach: rag (gate 3, Knowledge or behavior)" in out
    assert "Wrote ai-feature.yaml: archlint check finds 0 errors" in out


def test_the_written_file_passes_archlint_check(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--defaults")
    assert main(["check", "--isolated", "ai-feature.yaml"]) == 0
    capsys.readouterr()
    assert main(["decide", "--isolated", "ai-feature.yaml"]) == 0
    assert "the same as the recommendation" in capsys.readouterr().out


def test_never_overwrites(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workdir / "ai-feature.yaml"
    path.write_text("keep me\n")
    code, out, err = run(capsys, "--defaults")
    assert code == 2 and out == ""
    assert "ai-feature.yaml already exists and archlint init never overwrites a file" in err
    assert "--output" in err
    assert path.read_text() == "keep me\n"


def test_output_names_another_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "ai-feature.yaml").write_text("keep me\n")
    code, _, _ = run(capsys, "--defaults", "--output", "features/search.ai-feature.yaml")
    assert code == 2  # the folder does not exist: nothing is created behind the user's back
    (workdir / "features").mkdir()
    code, _, err = run(capsys, "--defaults", "--output", "features/search.ai-feature.yaml")
    assert (code, err) == (0, "")
    assert data(workdir / "features" / "search.ai-feature.yaml")["metadata"]["name"] == "features"


def test_set_answers_questions(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--set",
        "name=ticket-triage",
        "--set",
        "problem=behavior",
        "--set",
        "baseline_evaluated=yes",
        "--set",
        "meets_quality_bar=no",
        "--set",
        "training_examples=1,200",
        "--set",
        "eval_examples=150",
        "--set",
        "scope=narrow",
        "--set",
        "requests_per_day=40k",
    )
    assert code == 0, out
    spec = data(workdir / "ai-feature.yaml")["spec"]
    assert spec["approach"] == "fine-tuning"
    assert spec["requirements"]["requests_per_day"] == 40_000
    assert spec["fine_tuning"] == {
        "training_examples: 1200"[:0] or "training_examples": 1200,
        "eval_set": {"examples": 150, "held_out": True},
    }
    assert "Recommended approach: fine-tuning (gate 8, Both needs present)" in out


def test_set_takes_field_paths_too(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys,
        "--set",
        "spec.problem=knowledge",
        "--set",
        "spec.knowledge.corpus_tokens=20000",
        "--set",
        "per_user_permissions=no",
    )
    assert code == 0
    spec = data(workdir / "ai-feature.yaml")["spec"]
    assert (spec["approach"], spec["knowledge"]["corpus_tokens"]) == ("prompting", 20_000)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "problme=knowledge"], "unknown question 'problme' (did you mean 'problem'?)"),
        (["--set", "problem=facts"], "--set problem: answer one of: knowledge, behavior, both"),
        (["--set", "corpus_tokens=lots"], "--set corpus_tokens: answer with a whole number"),
        (["--set", "citations=maybe"], "--set citations: answer yes or no"),
        (["--set", "name=Not A Slug"], "--set name: must match"),
        (["--set", "approach=rag"], "the approach is what init recommends, not a question"),
        (["--set", "problem"], "--set takes QUESTION=VALUE"),
    ],
)
def test_bad_answers_are_usage_errors(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert not (workdir / "ai-feature.yaml").exists()


ANSWERS = """# answers for a claims assistant
name: claims-assistant
owner: claims-platform
description: "Answers adjusters' questions: policy wording, limits and exclusions."
problem: both
corpus_tokens: 3000000
per_user_permissions: true
hallucination_impact: high
change_frequency: monthly
citations: true
baseline_evaluated: true
meets_quality_bar: false
training_examples: 2400
eval_examples: 300
eval_held_out: true
scope: narrow
output: styled-text
requests_per_day: 6000
"""


def test_answers_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "answers.yaml").write_text(ANSWERS)
    code, out, _ = run(capsys, "--answers", "answers.yaml")
    assert code == 0, out
    path = workdir / "ai-feature.yaml"
    written = data(path)
    assert (
        written["metadata"]["description"]
        == "Answers adjusters' questions: policy wording, limits and exclusions."
    )
    spec = written["spec"]
    assert spec["approach"] == "hybrid"
    assert spec["rag"] == {"acl_filtering": True, "index_refresh": "monthly"}
    assert spec["fine_tuning"]["eval_set"] == {"examples": 300, "held_out": True}
    text = path.read_text()
    assert "# Recommended by the decision gates at gate 8 (Both needs present)" in text
    assert "# retraining: {cadence: quarterly}" in text
    assert not [f for f in findings(path) if f.severity is Severity.ERROR]


def test_set_wins_over_the_answers_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "answers.yaml").write_text(ANSWERS)
    code, _, _ = run(capsys, "--answers", "answers.yaml", "--set", "requests_per_day=10")
    assert code == 0
    assert data(workdir / "ai-feature.yaml")["spec"]["approach"] == "rag"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("problem: [knowledge]\n", "answers.yaml: problem: must be one of"),
        ("problm: knowledge\n", "unknown question 'problm'"),
        ("- problem\n", "one YAML mapping"),
        ("problem: knowledge\nproblem: both\n", "duplicate key"),
    ],
)
def test_bad_answers_file(workdir: Path, capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    (workdir / "answers.yaml").write_text(text)
    code, _, err = run(capsys, "--answers", "answers.yaml")
    assert code == 2 and message in err


def test_no_terminal_and_no_answers_is_a_usage_error(workdir: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "archlint", "init"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        cwd=workdir,
    )
    assert completed.returncode == 2
    assert "standard input is not a terminal" in completed.stderr
    assert "--defaults" in completed.stderr
    assert not (workdir / "ai-feature.yaml").exists()


# ---------------------------------------------------------------------------- the questionnaire


def asked(given: dict[str, Any]) -> list[str]:
    questions = (
        *init.metadata_questions(Path("x/ai-feature.yaml")),
        *GATES.questions,
        *init.tool_questions(),
    )
    order: list[str] = []

    def ask(question: Any, number: int) -> Any:
        order.append(question.id)
        return question.default

    init.questionnaire(questions, GATES, PARAMS, given, ask)
    return order


def test_stops_asking_once_the_gates_have_decided() -> None:
    # A knowledge problem exits at gate 3: nothing about training data or volume is asked.
    assert asked({}) == [
        "name",
        "owner",
        "description",
        "problem",
        "knowledge_source",
        "corpus_tokens",
        "per_user_permissions",
        "hallucination_impact",
        "change_frequency",
        "citations",
        # Tools are asked whatever the gates decided: they change the checks, not the approach.
        "untrusted_content",
        "tools",
    ]
    # Weekly facts for a knowledge problem exit at gate 2, before the gate 3 question.
    assert asked({"change_frequency": "weekly"})[-3] == "hallucination_impact"


def test_questions_that_do_not_apply_are_skipped() -> None:
    order = asked({"problem": "behavior", "baseline_evaluated": False})
    assert "corpus_tokens" not in order and "per_user_permissions" not in order
    assert "meets_quality_bar" not in order and order[-3] == "citations"
    assert "meets_quality_bar" in asked({"problem": "behavior", "baseline_evaluated": True})


# Every answer the questionnaire accepts, or none at all.
ANSWER_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "problem": st.sampled_from(["knowledge", "behavior", "both"]),
    "corpus_tokens": st.sampled_from([0, 40_000, 100_000, 100_001, 3_000_000]),
    "per_user_permissions": st.booleans(),
    "hallucination_impact": st.sampled_from(["low", "medium", "high"]),
    "change_frequency": st.sampled_from(
        ["realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "static"]
    ),
    "citations": st.booleans(),
    "baseline_evaluated": st.booleans(),
    "meets_quality_bar": st.booleans(),
    "training_examples": st.sampled_from([0, 49, 50, 3000]),
    "eval_examples": st.sampled_from([0, 1, 200]),
    "eval_held_out": st.booleans(),
    "scope": st.sampled_from(["narrow", "open-ended"]),
    "output": st.sampled_from(["free-text", "styled-text", "structured"]),
    "requests_per_day": st.sampled_from([0, 999, 1000, 250_000]),
    "description": st.text(min_size=1, max_size=60).filter(lambda t: t.strip() != "" and t.isprintable()),
    "knowledge_source": st.sampled_from(["corpus", "request", "mixed"]),
    "human_review": st.sampled_from(["none", "sampled", "all"]),
    "untrusted_content": st.booleans(),
    "tools": st.sampled_from(["", "lookup-order", "lookup-order, issue-refund"]),
    "tools.issue-refund.effect": st.sampled_from(["read", "write", "irreversible"]),
    "tools.issue-refund.approval": st.sampled_from(["none", "human", "limit"]),
    "tools.lookup-order.acts_as": st.sampled_from(["user", "service"]),
}


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(given_answers=st.fixed_dictionaries({}, optional=ANSWER_VALUES))
def test_every_set_of_answers_writes_a_file_with_no_error(given_answers: dict[str, Any]) -> None:
    from archlint.engine import arguing_against_approach
    from archlint.loader import Document

    questions = (*init.metadata_questions(Path("features/ai-feature.yaml")), *GATES.questions)
    questions = (*questions, *init.tool_questions())
    answers = init.questionnaire(questions, GATES, PARAMS, given_answers, None)
    details = init.tool_detail_questions(answers.get("tools"))
    answers.update(init.questionnaire(details, GATES, PARAMS, given_answers, None))
    questions = (*questions, *details)
    document = init.build_document(answers, questions)
    decision = decide(document, GATES, PARAMS)
    document["spec"]["approach"] = decision.recommendation
    text = init.render_file(document, answers, questions, decision, PARAMS)
    result = check_text(text, "ai-feature.yaml", plan(CATALOG, Settings()))
    errors = [f.rule for f in result.findings if f.severity is Severity.ERROR]
    (written,) = load_all(text)
    # No error argues against the approach init chose; the only errors are risks the answers
    # themselves describe (a tool without approval, unreviewed high stakes with facts in the request).
    assert arguing_against_approach(written, CATALOG, errors, PARAMS) == set(), text
    assert set(errors) <= init.ANSWERED_RISKS, text
    if not (answers.get("tools") or (answers.get("knowledge_source") == "request")):
        assert errors == [], text
    assert not [f for f in result.findings if f.rule == "DEC001"], text
    assert isinstance(written, Document)
    assert written.data["spec"]["approach"] == decision.recommendation
    if "description" in given_answers:
        assert written.data["metadata"]["description"] == given_answers["description"]


def test_parse_answer() -> None:
    by_id = {question.id: question for question in GATES.questions}
    assert init.parse_answer(by_id["corpus_tokens"], "4M") == 4_000_000
    assert init.parse_answer(by_id["corpus_tokens"], "40,000") == 40_000
    assert init.parse_answer(by_id["problem"], "3") == "both"
    assert init.parse_answer(by_id["problem"], "Behavior") == "behavior"
    assert init.parse_answer(by_id["citations"], "Y") is True
    with pytest.raises(ValueError, match="answer one of"):
        init.parse_answer(by_id["problem"], "4")


def test_given_answers_validates_without_a_terminal() -> None:
    questions = (*init.metadata_questions(Path("ai-feature.yaml")), *GATES.questions)
    args = argparse.Namespace(answers=None, set=["corpus_tokens=12k", "problem=both"], defaults=False)
    assert init.given_answers(args, questions) == {"corpus_tokens": 12_000, "problem": "both"}


# ---------------------------------------------------------------------------- a real terminal


def spawn(cwd: Path) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "PYTHONIOENCODING": "utf-8"}
    return pexpect.spawn(
        sys.executable, ["-m", "archlint", "init"], cwd=str(cwd), env=env, encoding="utf-8", timeout=60
    )


def answer(child: pexpect.spawn, question: str, reply: str) -> None:
    child.expect_exact(question)
    child.expect_exact("> ")
    child.sendline(reply)


def test_interactive_session(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    answer(child, "What is the feature called?", "")  # the default: the folder name
    answer(child, "Which team owns it?", "support-platform")
    answer(child, "In one sentence, what does it do?", "Answers customers from the help centre.")
    child.expect_exact("What is actually broken")
    child.expect_exact("why: Missing facts call for retrieval")
    answer(child, "1) knowledge, 2) behavior, 3) both [knowledge]", "facts")  # not a choice: asked again
    child.expect_exact("! answer one of: knowledge, behavior, both; try again")
    child.expect_exact("> ")
    child.sendline("1")
    answer(child, "Where do the facts an answer needs come from", "")  # the default: corpus
    answer(child, "Roughly how many tokens", "4M")
    answer(child, "Do the source systems restrict who may read which document?", "yes")
    answer(child, "How costly is a confident wrong answer?", "medium")
    answer(child, "How often do the facts the feature relies on change?", "weekly")
    answer(child, "Does the feature read text that outsiders can write", "no")
    answer(child, "Which tools can the model call?", "search-tickets")
    answer(child, "What can search-tickets do", "read")
    answer(child, "Whose permissions does search-tickets run with", "1")
    answer(child, "Can search-tickets send data outside the organisation", "internal")
    answer(child, "What stops a wrong search-tickets call", "")  # blank: left out
    child.expect_exact("Recommended approach: rag (gate 2, Knowledge dynamics)")
    child.expect_exact("Wrote ai-feature.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    path = tmp_path / "ai-feature.yaml"
    written = data(path)
    assert written["metadata"]["name"] == tmp_path.name.lower().replace("_", "-")
    assert written["metadata"]["owner"] == "support-platform"
    spec = written["spec"]
    assert (spec["problem"], spec["approach"]) == ("knowledge", "rag")
    assert spec["tools"] == [
        {"name": "search-tickets", "effect": "read", "acts_as": "user", "reaches": "internal"}
    ]
    assert spec["inputs"] == {"untrusted_content": False}
    assert spec["knowledge"] == {
        "source": "corpus",
        "corpus_tokens": 4_000_000,
        "per_user_permissions": True,
        "change_frequency": "weekly",
    }
    assert spec["rag"] == {"acl_filtering": True, "index_refresh": "weekly"}
    assert path.read_text().splitlines()[0] == MODELINE
    assert not [f for f in findings(path) if f.severity is Severity.ERROR]


def test_ctrl_c_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    answer(child, "What is the feature called?", "my-feature")
    child.expect_exact("Which team owns it?")
    child.expect_exact("> ")
    child.sendintr()
    child.expect_exact("archlint: init interrupted; nothing written")
    child.expect(pexpect.EOF)
    transcript = child.before or ""
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in transcript
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect_exact("What is the feature called?")
    child.expect_exact("> ")
    child.sendeof()
    child.expect_exact("input ended before every question was answered; nothing written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert list(tmp_path.iterdir()) == []


def test_the_documented_answers_file_works(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "decide.md").read_text(encoding="utf-8")
    (example,) = [
        block.split("```", 1)[0] for block in text.split("```yaml\n")[1:] if "# answers.yaml" in block
    ]
    (workdir / "answers.yaml").write_text(example)
    code, _, _ = run(capsys, "--answers", "answers.yaml")
    assert code == 0
    assert data(workdir / "ai-feature.yaml")["spec"]["approach"] == "hybrid"


@pytest.mark.parametrize(
    "text", ["0e0", "1e3", "0x1f", "0o17", ".inf", "~", "null", "yes", "2027-03-31", "12"]
)
def test_strings_that_look_like_other_scalars_read_back_as_strings(text: str) -> None:
    from archlint.commands.init import _scalar
    from archlint.loader import load_all

    (document,) = load_all(f"description: {_scalar(text)}\n")
    assert document.data == {"description": text}


def test_tools_and_facts_in_the_request_are_asked_and_written(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "--defaults",
        "--set",
        "problem=behavior",
        "--set",
        "knowledge_source=request",
        "--set",
        "hallucination_impact=high",
        "--set",
        "human_review=all",
        "--set",
        "untrusted_content=yes",
        "--set",
        "tools=lookup-order,issue-refund",
        "--set",
        "tools.issue-refund.effect=irreversible",
        "--set",
        "tools.issue-refund.approval=limit",
        "--set",
        "tools.lookup-order.acts_as=user",
    )
    assert code == 0, out
    spec = data(workdir / "ai-feature.yaml")["spec"]
    assert spec["knowledge"] == {"source": "request"}  # no corpus size or freshness asked
    assert spec["guardrails"] == {"human_review": "all"}
    assert spec["inputs"] == {"untrusted_content": True}
    assert spec["tools"] == [
        {"name": "lookup-order", "acts_as": "user"},
        {"name": "issue-refund", "effect": "irreversible", "approval": "limit"},
    ]
    assert spec["approach"] == "prompting"
    assert "archlint check finds 0 errors" in out


def test_a_risky_tool_is_written_down_and_reported(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--defaults",
        "--set",
        "problem=behavior",
        "--set",
        "tools=delete-resource",
        "--set",
        "tools.delete-resource.effect=irreversible",
    )
    assert code == 0, out
    assert "archlint check finds 1 error," in out and "risks that are errors whatever the approach" in out
    assert [f.rule for f in findings(workdir / "ai-feature.yaml") if f.severity is Severity.ERROR] == [
        "AGT001"
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "tools=Issue Refund"], "tool names are lowercase words joined by hyphens"),
        (["--set", "tools=a,a"], "a tool is named twice"),
        (["--set", "tools=a", "--set", "tools.a.effect=delete"], "answer one of: read, write, irreversible"),
        (
            ["--set", "tools=a", "--set", "tools.b.effect=read"],
            "tools.b.effect answers a question about a tool",
        ),
        (["--set", "tools=a,b", "--set", "tools.a.b.effect=read"], "unknown question 'tools.a.b.effect'"),
    ],
)
def test_bad_tool_answers_are_usage_errors(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "--defaults", *argv)
    assert code == 2
    assert message in err
    assert not (workdir / "ai-feature.yaml").exists()


def test_a_tool_answer_of_the_wrong_kind_in_an_answers_file(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "answers.yaml").write_text("tools: refund\ntools.refund.effect: 3\n")
    code, _, err = run(capsys, "--answers", "answers.yaml")
    assert code == 2
    assert "tools.refund.effect: answer one of: read, write, irreversible" in err
    assert not (workdir / "ai-feature.yaml").exists()
