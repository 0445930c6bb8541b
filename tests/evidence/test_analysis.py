from __future__ import annotations

from pathlib import Path

import pytest

from archlint.evidence import analysis, normalise

from .conftest import chat, lines

ALL = frozenset({analysis.INPUTS, analysis.DUPLICATES})


def analyse(path: Path, text: str, shaped: bool = True, wants: frozenset[str] = ALL) -> analysis.Summary:
    path.write_text(text, encoding="utf-8")
    return analysis.analyse(str(path), shaped, wants)


def test_counts_skip_blank_lines_and_keep_line_numbers(tmp_path: Path) -> None:
    summary = analyse(tmp_path / "t.jsonl", lines(chat("a"), "", "   ", chat("b")) + chat("c"))
    assert (summary.records, summary.malformed, summary.complete) == (3, 0, True)
    assert list(summary.input_lines) == [1, 4, 5]
    assert list(summary.inputs) == [normalise.key(text) for text in ("a", "b", "c")]


def test_only_the_first_malformed_lines_are_kept(tmp_path: Path) -> None:
    summary = analyse(tmp_path / "t.jsonl", lines(*["nope"] * 10, chat("fine")))
    assert summary.malformed == 10
    assert [line for line, _ in summary.first_malformed] == [1, 2, 3]
    assert summary.records == 11


def test_duplicates_point_at_the_earlier_copy(tmp_path: Path) -> None:
    summary = analyse(
        tmp_path / "t.jsonl", lines(chat("a"), chat("b"), chat(" A "), chat("a", "other answer"))
    )
    assert summary.duplicates == 1
    assert summary.duplicate_lines == ((3, 1),)


def test_nothing_is_tracked_unless_asked(tmp_path: Path) -> None:
    summary = analyse(tmp_path / "t.jsonl", lines(chat("a"), chat("a")), wants=frozenset())
    assert (summary.duplicates, len(summary.inputs), summary.tracked) == (0, 0, 0)


def test_tracking_stops_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "TRACK_LIMIT", 2)
    summary = analyse(tmp_path / "t.jsonl", lines(chat("a"), chat("b"), chat("a")))
    assert (summary.records, summary.tracked, summary.duplicates, len(summary.inputs)) == (3, 2, 0, 2)


def test_loose_files_are_held_to_json_syntax_only(tmp_path: Path) -> None:
    summary = analyse(tmp_path / "g.jsonl", lines('{"question": "q"}', "[1]", "{bad"), shaped=False)
    assert (summary.records, summary.malformed) == (3, 1)
    assert list(summary.inputs) == [normalise.key("q")]


def test_csv_rows_are_counted_after_the_header(tmp_path: Path) -> None:
    text = 'input,output\n"multi\nline",a\n\nq2,a2\n'
    summary = analyse(tmp_path / "t.csv", text)
    assert (summary.format, summary.records, summary.malformed) == ("csv", 2, 0)
    assert list(summary.input_lines) == [3, 5]  # a row is located at its last physical line


def test_csv_with_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"input,output\nq,\xff\nq2,a2\n")
    summary = analysis.analyse(str(path), True, ALL)
    assert summary.first_malformed == ((2, "not UTF-8 (byte 3)"),)


def test_inputs_streams_what_near_duplicates_compare(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(lines(chat("a"), "{bad", chat("b", " ")), encoding="utf-8")
    assert list(analysis.inputs(str(path), True)) == [(1, "a")]
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("user,assistant\nq,a\nq2,\n", encoding="utf-8")
    assert list(analysis.inputs(str(csv_path), True)) == [(2, "q")]


@pytest.mark.parametrize(
    ("name", "kind"), [("a.jsonl", "jsonl"), ("a.NDJSON", "jsonl"), ("a.csv", "csv"), ("a.json", None)]
)
def test_file_format(name: str, kind: str | None) -> None:
    assert analysis.file_format(name) == kind
