"""Hostile data files: each ends in a located finding, in bounded time and memory, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archlint.evidence import reader

from .conftest import Check, Write, chat, lines

DATA = "data: {train: data/train.jsonl}"


def evd(findings: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(finding["rule"], finding["path"]) for finding in findings]


def message(findings: list[dict[str, object]]) -> str:
    assert len(findings) == 1, findings
    return str(findings[0]["message"])


def test_a_10_gb_line_without_newline_is_read_only_to_the_limit(
    repo: Path, write: Write, check: Check
) -> None:
    target = repo / "data" / "train.jsonl"
    target.parent.mkdir()
    with open(target, "wb") as handle:  # sparse: no disk is used for the 10 GB of zeros
        handle.write(chat("first").encode() + b"\n{")
        handle.truncate(10 * 1024**3)
    write(DATA)
    code, findings = check()
    assert code == 1
    assert evd(findings) == [("EVD005", "spec.fine_tuning.data.train")]
    assert message(findings) == (
        f"data/train.jsonl: line 2 is longer than {reader.MAX_LINE >> 20} MiB; "
        "the rest of the file is not read"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"prompt": "caf\xe9", "completion": "x"}\n', "not UTF-8 text"),
        (b'{"prompt": "a\x00b", "completion": "x"}\n', "not JSON"),
        (b"\x00" * 64 + b"\n", "not JSON"),
        (
            b'{"meta": ' + b"[" * 100_000 + b"]" * 100_000 + b', "prompt": "p", "completion": "x"}\n',
            "too deeply",
        ),
        (b'{"meta": ' + b"[" * 100_000 + b"\n", "nested too deeply"),
        (b'{"prompt": ' + b"[" * 100_000 + b"\n", "not a supported record"),
        (b'{"prompt": "\\ud800 lone surrogate", "completion": "x"}\n', "not JSON"),
        (b"\xef\xbb\xbf" + chat("a byte order mark").encode() + b"\n", "not JSON"),
    ],
    ids=[
        "invalid-utf8",
        "nul-in-string",
        "nul-bytes",
        "deep",
        "deep-unclosed",
        "deep-typed",
        "surrogate",
        "bom",
    ],
)
def test_unreadable_lines_are_located(write: Write, check: Check, content: bytes, reason: str) -> None:
    write(DATA, files={"data/train.jsonl": lines(chat("fine")).encode() + content})
    code, findings = check()
    assert code == 1
    assert evd(findings) == [("EVD005", "spec.fine_tuning.data.train")]
    assert message(findings).startswith("data/train.jsonl: 1 of 2 records malformed: line 2: ")
    assert reason in message(findings)


def test_a_symlink_to_dev_zero_is_outside_the_repository(repo: Path, write: Write, check: Check) -> None:
    os.symlink("/dev/zero", repo / "zero.jsonl")
    write("data: {train: zero.jsonl}")
    code, findings = check()
    assert (code, evd(findings)) == (1, [("EVD001", "spec.fine_tuning.data.train")])
    assert "outside the repository" in message(findings)


def test_a_fifo_inside_the_repository_is_not_opened(repo: Path, write: Write, check: Check) -> None:
    os.mkfifo(repo / "pipe.jsonl")  # opening it for reading would block forever without a writer
    write("data: {train: pipe.jsonl}")
    code, findings = check()
    assert (code, evd(findings)) == (1, [("EVD001", "spec.fine_tuning.data.train")])
    assert "not a regular file" in message(findings)


def test_a_device_inside_the_repository_is_refused_when_opened(tmp_path: Path) -> None:
    with pytest.raises(reader.NotAFile):
        reader.open_regular("/dev/null")


def test_a_folder_is_not_a_file(repo: Path, write: Write, check: Check) -> None:
    (repo / "data" / "train.jsonl").mkdir(parents=True)
    write(DATA)
    assert evd(check()[1]) == [("EVD001", "spec.fine_tuning.data.train")]


def test_a_csv_field_larger_than_the_csv_limit_is_located(write: Write, check: Check) -> None:
    text = "prompt,completion\nshort,fine\n" + '"' + "x" * 200_000 + '",answer\nlast,fine\n'
    write("data: {train: data/train.csv}", files={"data/train.csv": text})
    _, findings = check()
    assert evd(findings) == [("EVD005", "spec.fine_tuning.data.train")]
    assert "line 3: not CSV: field larger than field limit" in message(findings)


def test_a_csv_without_the_columns_is_one_finding(write: Write, check: Check) -> None:
    write("data: {train: data/train.csv}", files={"data/train.csv": "question,answer\na,b\n"})
    _, findings = check()
    assert "line 1: the header has none of the columns" in message(findings)


def test_a_path_with_a_nul_character_is_no_file(write: Write, check: Check) -> None:
    write('data: {train: "data/train\\0.jsonl"}')
    assert evd(check()[1]) == [("EVD001", "spec.fine_tuning.data.train")]


def test_an_unsupported_format_of_training_data_is_reported(write: Write, check: Check) -> None:
    write("data: {train: data/train.parquet}", files={"data/train.parquet": b"PAR1\x00\x00"})
    assert "not .parquet" in message(check()[1])
