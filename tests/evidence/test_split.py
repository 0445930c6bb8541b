"""A file read by several processes gives exactly what one pass gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint.evidence import analysis, reader, split

from .conftest import chat

ALL = frozenset({analysis.INPUTS, analysis.DUPLICATES})


def write(path: Path, count: int, extra: dict[int, bytes]) -> None:
    with open(path, "wb") as handle:
        for number in range(1, count + 1):
            line = extra.get(number, chat(f"ticket {number % 700}: my order never arrived").encode())
            handle.write(line + b"\n")


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "MIN_BYTES", 64 << 10)
    monkeypatch.setattr(split, "workers_for", lambda size: 3)


@pytest.mark.usefixtures("small_ranges")
def test_parallel_and_single_pass_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "train.jsonl"
    write(path, 3000, {5: b"{broken", 1700: b"", 2999: json.dumps({"prompt": "p"}).encode()})
    parallel = analysis.analyse(str(path), True, ALL)
    assert parallel.records == 2999 and parallel.duplicates > 0
    monkeypatch.setattr(split, "workers_for", lambda size: 1)
    single = analysis.analyse(str(path), True, ALL)
    assert parallel == single
    assert list(parallel.inputs) == list(single.inputs)
    assert list(parallel.input_lines) == list(single.input_lines)


@pytest.mark.usefixtures("small_ranges")
def test_a_long_line_in_a_later_range_stops_the_count_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_LINE", 100_000)
    path = tmp_path / "train.jsonl"
    write(path, 3000, {2500: b"x" * 200_000})
    summary = analysis.analyse(str(path), True, ALL)
    assert summary.stopped == (2500, "longer than 0 MiB; the rest of the file is not read")
    assert summary.records == 2499


def test_ranges_cut_after_newlines(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"a" * 10 + b"\n" + b"b" * 10 + b"\n" + b"c" * 10 + b"\n")
    assert split.ranges(str(path), 33, 3) == [(0, 11), (11, 22), (22, 33)]
    assert split.ranges(str(path), 33, 10)[-1][1] == 33


def test_small_files_are_read_in_this_process() -> None:
    assert split.workers_for(split.MIN_BYTES - 1) == 1
