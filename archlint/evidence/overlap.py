"""Exact overlap: eval records whose normalised input also occurs in the training file."""

from __future__ import annotations

from typing import NamedTuple

from .analysis import FIRST, Summary


class Overlap(NamedTuple):
    """How many eval records leak, and the first lines (eval line, train line)."""

    total: int
    first: tuple[tuple[int, int], ...]
    compared: int  # eval records compared


def exact(evaluation: Summary, train: Summary) -> Overlap:
    """Eval records whose input key is one of the train file's input keys."""
    wanted = set(evaluation.inputs)
    if not wanted:
        return Overlap(0, (), 0)
    common = wanted.intersection(train.inputs)  # C speed: the train keys are never made a set
    if not common:
        return Overlap(0, (), len(evaluation.inputs))
    count = 0
    first: list[int] = []
    for key, line in zip(evaluation.inputs, evaluation.input_lines, strict=True):
        if key in common:
            count += 1
            if len(first) < FIRST:
                first.append(line)
    # The train line of each of the first: one more look at the train keys, for those only.
    where: dict[int, int] = {}
    needed = {evaluation.inputs[evaluation.input_lines.index(line)] for line in first}
    for key, line in zip(train.inputs, train.input_lines, strict=True):
        if key in needed and key not in where:
            where[key] = line
            if len(where) == len(needed):
                break
    pairs = tuple(
        (line, where.get(evaluation.inputs[evaluation.input_lines.index(line)], 0)) for line in first
    )
    return Overlap(count, pairs, len(evaluation.inputs))
