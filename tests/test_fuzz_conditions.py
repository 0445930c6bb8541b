"""Fuzzing policy conditions with hypothesis, with the evaluation bounds in place (issue 13).

A custom policy is written by whoever opens the pull request, so its conditions are hostile
input too. The strategies build CEL conditions from the pieces that cost the most: nested
`replace` calls that grow a string, `size()`, string concatenation and comprehensions (`all`,
`exists`, `map`, `filter`) nested up to three deep over lists of up to 120 items. Each becomes
the condition of a rule in a policy file, checked against a valid feature through the whole
command line.

The properties: none crashes (exit 0, 1 or 2; no traceback, no internal error); none hangs
past its bound (each evaluation is stopped after `sandbox.CPU_SECONDS` of CPU time, so the
example returns); a policy refused at load time is a located error in that policy file; an
evaluation that fails or exceeds a bound is POL001 on the document, at the rule's path.

`derandomize=True`: every run tries the same conditions. Scale the budget with
`ARCHLINT_FUZZ_SCALE=20 pytest tests/test_fuzz_conditions.py`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from archlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
FEATURE = (ROOT / "tests" / "hostile" / "valid-feature.yaml").read_text(encoding="utf-8")
SCALE = int(os.environ.get("ARCHLINT_FUZZ_SCALE", "1"))
# The rule's path is metadata.name: line 5, column 3 of the feature.
AT_THE_RULE = re.compile(
    r"^fuzz\.ai-feature\.yaml:5:3: error POL001 rule FUZ001 (could not be evaluated|: the condition)"
)
POLICY_ERROR = re.compile(r"^archlint: error: (?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): \S")

BUDGET = settings(
    max_examples=40 * SCALE,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

# -- strategies ---------------------------------------------------------------------

_STRING_LEAVES = st.sampled_from(
    ["metadata.name", "metadata.owner", "spec.approach", "'e'", "'eeeeeeee'", "''", "'x'", "'\\u00e9'"]
)
_INT_LEAVES = st.sampled_from(["0", "1", "3", "1000", "-1", "9223372036854775807"])


def _list_literal(size: int) -> str:
    return "[" + ", ".join(str(item) for item in range(size)) + "]"


_LISTS = st.sampled_from([0, 1, 3, 10, 50, 100, 100, 120, 120]).map(_list_literal)


@st.composite
def strings(draw: st.DrawFn, depth: int = 0) -> str:
    """A string expression: a leaf, grown by nested replace calls or concatenation."""
    text = draw(_STRING_LEAVES)
    steps = [0, 1, 2, 4, 8, 10, 12] if depth == 0 else [0, 1, 2, 3]
    for _ in range(draw(st.sampled_from(steps))):
        choice = draw(st.sampled_from(["replace", "replace", "replace", "plus", "lower", "upper", "trim"]))
        if choice == "replace":
            old = draw(st.sampled_from(["'e'", "''", "'ee'", "'s'"]))
            new = draw(st.sampled_from(["'ee'", "'eeeeeeee'", "'e' + 'e'", f"'{'e' * 200}'", "''"]))
            text = f"{text}.replace({old}, {new})"
        elif choice == "plus":
            text = f"({text} + {draw(_STRING_LEAVES)})"
        else:
            text = f"{text}.{ {'lower': 'lowerAscii', 'upper': 'upperAscii', 'trim': 'trim'}[choice] }()"
    return text


@st.composite
def integers(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["leaf", "size", "size", "list", "arith"]))
    if kind == "leaf":
        return draw(_INT_LEAVES)
    if kind == "size":
        return f"{draw(strings(depth + 1))}.size()"
    if kind == "list":
        return f"{draw(lists(depth + 1))}.size()"
    return f"({draw(_INT_LEAVES)} {draw(st.sampled_from(['+', '-', '*', '/', '%']))} {draw(_INT_LEAVES)})"


@st.composite
def lists(draw: st.DrawFn, depth: int = 0) -> str:
    """A list: a literal, or a map/filter comprehension over one (nesting allowed)."""
    base = draw(_LISTS)
    if depth >= 3 or draw(st.booleans()):
        return base
    variable = f"v{depth}"
    body = draw(conditions(depth + 1, variable))
    if draw(st.booleans()):
        return f"{base}.filter({variable}, {body})"
    return f"{base}.map({variable}, {draw(integers(depth + 1))} + {variable})"


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0, variable: str | None = None) -> str:
    """A boolean condition (what a rule's `condition:` holds)."""
    kind = draw(st.sampled_from(["compare", "compare", "macro", "macro", "contains", "and", "not", "grow"]))
    if kind == "grow":
        # The attack's shape: a string grown by a chain of replace calls, then measured.
        growth = "".join(
            f".replace('e', {draw(st.sampled_from(['{0}', '{1}', '{0} + {0}']))})"
            for _ in range(draw(st.integers(6, 14)))
        ).format("'eeeeeeee'", "'ee'")
        return f"metadata.name{growth}.size() {draw(st.sampled_from(['>', '==']))} {draw(_INT_LEAVES)}"
    if depth >= 3:
        kind = draw(st.sampled_from(["compare", "contains"]))
    if kind == "compare":
        left = variable if variable and draw(st.booleans()) else draw(integers(depth))
        return f"{left} {draw(st.sampled_from(['==', '!=', '<', '>=']))} {draw(integers(depth))}"
    if kind == "contains":
        method = draw(st.sampled_from(["contains", "startsWith", "endsWith"]))
        return f"{draw(strings(depth))}.{method}({draw(strings(depth + 1))})"
    if kind == "macro":
        inner = f"w{depth}"
        macro = draw(st.sampled_from(["all", "exists", "exists_one"]))
        return f"{draw(lists(depth + 1))}.{macro}({inner}, {draw(conditions(depth + 1, inner))})"
    if kind == "and":
        operator = draw(st.sampled_from(["&&", "||"]))
        return f"({draw(conditions(depth + 1, variable))} {operator} {draw(conditions(depth + 1, variable))})"
    return f"!({draw(conditions(depth + 1, variable))})"


# -- the property -------------------------------------------------------------------


def _policy(condition: str) -> str:
    quoted = json.dumps(condition)  # a JSON string is a YAML double-quoted scalar
    return f"""apiVersion: archlint/v1
kind: PolicySet
metadata: {{name: fuzz, description: Generated conditions.}}
rules:
  - id: FUZ001
    name: fuzzed-condition
    severity: warning
    summary: A generated condition.
    condition: {quoted}
    path: metadata.name
    message: "fired"
    rationale: r
    remediation: r
    references: [{{title: t, url: "https://example.org"}}]
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-conditions")
    (folder / "fuzz.ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    return folder


def _check(workdir: Path, condition: str) -> tuple[int, str, str]:
    (workdir / "fuzz.yaml").write_text(_policy(condition), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(
                ["check", "--isolated", "--no-cache", "--policies", "fuzz.yaml", "fuzz.ai-feature.yaml"]
            )
    finally:
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


@BUDGET
@given(condition=conditions())
def test_a_generated_condition_neither_crashes_nor_hangs(workdir: Path, condition: str) -> None:
    code, out, err = _check(workdir, condition)

    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        # Refused at load (too long, nested too deep, a CEL type error): located in the policy.
        match = POLICY_ERROR.match(err)
        assert match and match.group("file") == "fuzz.yaml", err
        event("refused at load")
        return
    findings = [line for line in out.splitlines() if line.startswith("fuzz.ai-feature.yaml:")]
    for line in findings:
        assert " POL001 " not in line or AT_THE_RULE.match(line), line
        assert " POL001 " in line or line.startswith("fuzz.ai-feature.yaml:5:3: warning FUZ001 fired"), line
    bounded = [line for line in findings if "bound" in line or "budget" in line]
    event("stopped by a bound" if bounded else "evaluated")


# Conditions that must each be stopped by a bound, whatever the machine.
HOSTILE: list[Any] = [
    "metadata.name" + ".replace('e', 'eeeeeeee')" * 12 + ".size() > 0",
    f"{_list_literal(120)}.all(a, {_list_literal(120)}.all(b, a + b >= 0))",
    # 99 x 99 searches of a constant 2 MB string: minutes in one process.
    f"{_list_literal(99)}.all(a, {_list_literal(99)}.all(b, !('x'"
    + ".replace('x', 'xxxxxxxx')" * 7
    + ").contains('y')))",
]


@pytest.mark.parametrize("condition", HOSTILE)
def test_hostile_conditions_are_a_pol001_at_the_rule(workdir: Path, condition: str) -> None:
    code, out, err = _check(workdir, condition)

    assert code == 1, (out, err)
    (line,) = [line for line in out.splitlines() if line.startswith("fuzz.ai-feature.yaml:")]
    assert AT_THE_RULE.match(line), line
    assert re.search(r"exceeded (the time bound|the memory bound|CEL's iteration budget)", line), line
