"""Issue 13, item 4: a custom policy that grows a string with nested `replace` calls ran for
minutes and took 1.5 GB per document. Every evaluation of a policy that is not built in is now
bounded in time and memory, and exceeding a bound is a POL001 finding on that document, at
the rule, whatever the number of files in the run.

No test measures time: each is bounded by the guarantee (the command returns, with POL001);
the subprocess timeout is only a safety net.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archlint import sandbox

from .bounded_policies import (
    NESTED_REPLACE,
    ONE_BIG_ALLOCATION,
    RULE_AT,
    SLOW,
    check,
    findings_by_file,
    repository,
)

BOUND = re.compile(r"it exceeded the (memory|time) bound|the process evaluating it was killed")


def test_the_issues_nested_replace_policy_is_a_pol001_at_the_rule(tmp_path: Path) -> None:
    folder = repository(tmp_path, 1, NESTED_REPLACE)
    assert 4_500 < len((folder / "hostile.yaml").read_bytes()) < 6_000  # the attack's size

    result = check(folder)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("f000")]
    assert line.startswith("f000.ai-feature.yaml" + RULE_AT + "HOS001 could not be evaluated"), line
    assert BOUND.search(line), line


def test_memory_past_the_bound_is_a_pol001_naming_the_memory_bound(tmp_path: Path) -> None:
    result = check(repository(tmp_path, 1, ONE_BIG_ALLOCATION))

    assert result.returncode == 1, result.stderr
    expected = f"it exceeded the memory bound ({sandbox.MEMORY_BYTES // 2**20} MiB per evaluation)"
    assert f"f000.ai-feature.yaml{RULE_AT}HOS001 could not be evaluated on this document: {expected}" in (
        result.stdout
    )


def test_time_past_the_bound_is_a_pol001_naming_the_time_bound(tmp_path: Path) -> None:
    result = check(repository(tmp_path, 1, SLOW))

    assert result.returncode == 1, result.stderr
    expected = f"it exceeded the time bound ({sandbox.CPU_SECONDS:g} s of CPU time per evaluation)"
    assert f"f000.ai-feature.yaml{RULE_AT}HOS001 could not be evaluated on this document: {expected}" in (
        result.stdout
    )


def test_a_rule_after_the_one_that_was_stopped_is_still_evaluated(tmp_path: Path) -> None:
    # The child that ran out of time is killed; the next rule runs in a new one.
    result = check(repository(tmp_path, 1, SLOW, "metadata.name.startsWith('release')"))

    lines = result.stdout.splitlines()
    assert any("HOS001 could not be evaluated" in line and "time bound" in line for line in lines)
    assert any(RULE_AT.replace("POL001 rule ", "HOS002 ") in line for line in lines), result.stdout


@pytest.mark.parametrize("files", [1, 20, 60])  # one process; combined conditions; worker processes
def test_every_document_gets_the_finding_whatever_the_number_of_files(tmp_path: Path, files: int) -> None:
    result = check(repository(tmp_path, files, ONE_BIG_ALLOCATION))

    assert result.returncode == 1, result.stderr
    found = findings_by_file(result.stdout)
    assert len(found) == files
    assert all(lines == [found["f000"][0]] for lines in found.values()), found
    assert "memory bound" in found["f000"][0]
    assert f"{files} file{'s' if files > 1 else ''} checked: {files} error" in result.stdout
