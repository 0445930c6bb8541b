from __future__ import annotations

from array import array

from archlint.evidence import analysis, overlap


def summary(keys: list[int], lines: list[int]) -> analysis.Summary:
    return analysis.Summary(
        "d", "jsonl", True, frozenset({analysis.INPUTS}), len(keys), 0, (), None, 0, (), len(keys),
        array("Q", keys), array("Q", lines),
    )  # fmt: skip


def test_exact_overlap_counts_every_leak_and_names_the_first_with_their_train_lines() -> None:
    train = summary([10, 20, 30, 40], [1, 2, 5, 9])
    evaluation = summary([40, 11, 10, 30, 20, 12], [3, 4, 6, 7, 8, 11])
    found = overlap.exact(evaluation, train)
    assert found.total == 4
    assert found.first == ((3, 9), (6, 1), (7, 5))
    assert found.compared == 6


def test_no_overlap() -> None:
    assert overlap.exact(summary([1], [1]), summary([2], [1])).total == 0
    assert overlap.exact(summary([], []), summary([2], [1])) == overlap.Overlap(0, (), 0)
