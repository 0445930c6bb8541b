"""Issue 13, item 5: CEL's iteration budget (10,000 comprehension steps per evaluation) raised
an error archlint did not catch (exit 2, "internal error"); conditions combined across
documents from 16 files on made the same files pass in a run of 15 and crash in a run of 20;
a comment between tokens slipped past the load-time nesting check.

Now an exhausted budget is a POL001 finding on the document, at the rule; the result for a
file does not depend on the size of the run; nesting is counted on the compiled expression.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from archlint import cel, engine
from archlint.check import check_file, plan
from archlint.errors import PolicyError
from archlint.policies import build_catalog, load_catalog, load_policy_document
from archlint.settings import Settings

from .bounded_policies import (
    FEATURE,
    NEAR_BUDGET,
    OVER_BUDGET,
    RULE_AT,
    check,
    findings_by_file,
    policy,
    repository,
)

BUDGET = "it exceeded CEL's iteration budget (10,000 comprehension steps per evaluation)"


def test_a_run_of_15_and_a_run_of_20_give_every_file_the_same_result(tmp_path: Path) -> None:
    # Two rules of 9,000 steps each: one by one they fit the budget, as one list they do not.
    results = {
        files: check(repository(tmp_path / str(files), files, NEAR_BUDGET, NEAR_BUDGET)) for files in (15, 20)
    }

    for files, result in results.items():
        assert result.returncode == 0, (files, result.stdout, result.stderr)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
        assert result.stdout.startswith(f"{files} files checked: 0 errors"), result.stdout


def test_a_rule_past_the_budget_is_a_pol001_at_the_rule_in_any_run(tmp_path: Path) -> None:
    outputs = []
    for files in (1, 15, 20):
        result = check(repository(tmp_path / str(files), files, OVER_BUDGET))
        assert result.returncode == 1, result.stderr
        assert "internal error" not in result.stderr
        found = findings_by_file(result.stdout)
        assert len(found) == files
        outputs.append({lines[0] for lines in found.values()})
    assert (
        outputs[0]
        == outputs[1]
        == outputs[2]
        == {f"{RULE_AT}HOS001 could not be evaluated on this document: {BUDGET}"}
    )


def test_conditions_evaluated_in_this_process_do_not_depend_on_the_run_size(tmp_path: Path) -> None:
    """Built-in rules stay in this process, where conditions are combined into one CEL list from
    COMBINE_AFTER documents on: a list past the budget falls back to one rule at a time."""
    source = tmp_path / "trusted.yaml"
    source.write_text(policy(NEAR_BUDGET, NEAR_BUDGET, OVER_BUDGET), encoding="utf-8")
    # Loaded as if built in: this process evaluates it, as it does the shipped policies.
    catalog = build_catalog([(*load_policy_document(str(source)), True)])
    assert catalog.trusted
    feature = tmp_path / "f.ai-feature.yaml"
    feature.write_text(FEATURE, encoding="utf-8")
    engine._lists.clear()
    the_plan = plan(catalog, Settings(today=datetime.date(2026, 11, 1)))
    runs = [check_file(str(feature), "f.ai-feature.yaml", the_plan) for _ in range(engine.COMBINE_AFTER + 5)]

    assert any(entry[1] for entry in engine._lists.values())  # the conditions were combined
    assert all(run == runs[0] for run in runs)
    (finding,) = runs[0].findings
    assert (finding.rule, finding.line, finding.column) == ("POL001", 5, 3)
    assert finding.message == f"rule HOS003 could not be evaluated on this document: {BUDGET}"


def test_the_budget_is_a_cel_eval_error_not_a_runtime_error() -> None:
    program = cel.compile_expression(OVER_BUDGET)
    with pytest.raises(cel.CelLimitError, match="iteration budget"):
        program.evaluate(cel.activation({}))


_LIST = "[1, 2, 3]"
HIDDEN_NESTING = {
    # The bypass: a comment between the dot and the macro name.
    "comment between tokens": (
        f"{_LIST}.all(a, {_LIST}. // a comment\n all(b, {_LIST}.  // another\n all(c, c > a + b)))"
    ),
    # A quote in a comment opened a "string" that hid the macros up to the next quote.
    "quote in a comment": (
        f"{_LIST}.all(a, {_LIST}.all(b, // it's fine\n {_LIST}.all(c, c > a + b))) || 'x' == 'y'"
    ),
    # A triple-quoted string read as three one-quote strings leaves a quote open.
    "triple-quoted string": (
        f"'''it's''' != '' && {_LIST}.all(a, {_LIST}.all(b, {_LIST}.all(c, c > a + b))) && 'x' != 'y'"
    ),
}


@pytest.mark.parametrize("condition", HIDDEN_NESTING.values(), ids=HIDDEN_NESTING.keys())
def test_nesting_is_counted_on_the_compiled_expression(tmp_path: Path, condition: str) -> None:
    source = tmp_path / "nested.yaml"
    source.write_text(policy(condition), encoding="utf-8")

    with pytest.raises(PolicyError, match="nest deeper than 2") as caught:
        load_catalog([str(source)])
    assert (caught.value.file, caught.value.line) == (str(source), 11)


def test_a_nesting_bypass_is_refused_by_the_command_line(tmp_path: Path) -> None:
    folder = repository(tmp_path, 1, HIDDEN_NESTING["comment between tokens"])

    result = check(folder)

    assert result.returncode == 2
    assert result.stderr.startswith("archlint: error: hostile.yaml:11:5: rules.0.condition: comprehensions")
