"""One streaming pass over one evidence file: what EVD002, EVD003, EVD005 and EVD006 need.

A `Summary` holds counts, the first offending line numbers, and (when asked
for) the 64-bit keys of every record's normalised input with its line:
8 + 8 bytes a record, never the records themselves. Keys are kept for at most
TRACK_LIMIT records, so memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterator
from typing import NamedTuple

from . import normalise, reader

FIRST = 3  # offending line numbers a message names
TRACK_LIMIT = 4_000_000  # records whose keys are kept (16 bytes each, plus the duplicate set)
VERSION = 1  # of the analysis: a change here invalidates cached summaries

JSONL, CSV = "jsonl", "csv"
_FORMATS = {".jsonl": JSONL, ".ndjson": JSONL, ".jsonlines": JSONL, ".csv": CSV}

# What a pass computes besides counts: the input keys (EVD003, EVD004) and record duplicates (EVD006).
INPUTS, DUPLICATES = "inputs", "duplicates"


class Summary(NamedTuple):
    """What one pass over a file found. Line numbers are 1-based."""

    digest: str  # SHA-256 of the bytes read (of the whole file unless `stopped`), or "" when not asked for
    format: str
    shaped: bool  # record shapes were checked (fine-tuning files), not only JSON syntax
    wants: frozenset[str]  # which of INPUTS, DUPLICATES were computed
    records: int  # non-blank lines (JSONL) or data rows (CSV) read
    malformed: int
    first_malformed: tuple[tuple[int, str], ...]  # (line, reason) of the first FIRST
    stopped: tuple[int, str] | None  # (line, reason) when reading stopped before the end
    duplicates: int  # records equal (normalised) to an earlier one
    duplicate_lines: tuple[tuple[int, int], ...]  # (line, line of the earlier copy) of the first FIRST
    tracked: int  # records whose keys were kept (TRACK_LIMIT)
    inputs: array[int]  # input keys, in file order
    input_lines: array[int]  # the line of each input key

    @property
    def complete(self) -> bool:
        return self.stopped is None


def file_format(path: str) -> str | None:
    """JSONL or CSV by the file's extension; None for any other."""
    return _FORMATS.get(os.path.splitext(path)[1].lower())


def analyse(path: str, shaped: bool, wants: frozenset[str], digest: bool = True) -> Summary:
    """Read the file once; its SHA-256 is computed on the way unless `digest` is false (then
    the Summary's digest is ""). OSError (including reader.NotAFile) propagates."""
    kind = file_format(path) or JSONL
    descriptor = reader.open_regular(path)
    hasher = reader.Digest() if digest else None
    try:
        stream = reader.lines(descriptor, hasher)
        walk = _csv if kind == CSV else _jsonl
        tally = walk(stream, shaped, wants)
        hexdigest = hasher.hexdigest() if hasher is not None else ""
    finally:
        if hasher is not None:
            hasher.close()
        os.close(descriptor)
    return Summary(
        digest=hexdigest,
        format=kind,
        shaped=shaped,
        wants=wants,
        records=tally.records,
        malformed=tally.malformed,
        first_malformed=tuple(tally.first_malformed),
        stopped=tally.stopped,
        duplicates=tally.duplicates,
        duplicate_lines=tuple(tally.duplicate_lines),
        tracked=tally.tracked,
        inputs=tally.inputs if tally.inputs is not None else array("Q"),
        input_lines=tally.input_lines,
    )


class _Tally:
    """What a pass accumulates, record by record."""

    def __init__(self, wants: frozenset[str]) -> None:
        self.records = 0
        self.malformed = 0
        self.first_malformed: list[tuple[int, str]] = []
        self.stopped: tuple[int, str] | None = None
        self.duplicates = 0
        self.duplicate_lines: list[tuple[int, int]] = []
        self.seen: dict[int, int] | None = {} if DUPLICATES in wants else None
        self.inputs: array[int] | None = array("Q") if INPUTS in wants else None
        self.input_lines = array("Q")
        self.tracked = 0

    def bad(self, line: int, reason: str) -> None:
        self.malformed += 1
        if len(self.first_malformed) < FIRST:
            self.first_malformed.append((line, reason))

    def keep(self, line: int, given: str | None, parts: list[str] | None) -> None:
        if self.tracked >= TRACK_LIMIT:
            return
        self.tracked += 1
        seen = self.seen
        if seen is not None and parts is not None:
            record_key = normalise.record_key(parts)
            earlier = seen.get(record_key)
            if earlier is None:
                seen[record_key] = line
            else:
                self.duplicates += 1
                if len(self.duplicate_lines) < FIRST:
                    self.duplicate_lines.append((line, earlier))
        if self.inputs is not None and given is not None:
            self.inputs.append(normalise.key(normalise.normalise(given)))
            self.input_lines.append(line)


def _too_long(marker: reader.TooLong) -> tuple[int, str]:
    return marker.number, f"longer than {marker.limit // (1 << 20)} MiB; the rest of the file is not read"


def _jsonl(stream: object, shaped: bool, wants: frozenset[str]) -> _Tally:
    from . import records

    tally = _Tally(wants)
    decode = records.decode_record if shaped else records.decode_any
    problem_of = records.problem
    input_of = records.input_of if INPUTS in wants else None
    parts_of = records.parts_of if DUPLICATES in wants else None
    loose = records.loose_input
    error = (records.DecodeError, RecursionError)  # msgspec raises RecursionError past its depth limit
    track = bool(wants)
    number = 0
    for line in stream:  # type: ignore[attr-defined]
        number += 1
        if type(line) is not bytes:
            tally.stopped = _too_long(line)
            break
        if not line or line.isspace():
            continue
        tally.records += 1
        try:
            record = decode(line)
        except error as exc:
            tally.bad(number, _reason(exc))
            continue
        if shaped:
            problem = problem_of(record)
            if problem is not None:
                tally.bad(number, problem)
            elif track:
                tally.keep(
                    number,
                    input_of(record) if input_of is not None else None,
                    parts_of(record) if parts_of is not None else None,
                )
        elif track:
            tally.keep(number, loose(record), None)
    return tally


def _csv(stream: object, shaped: bool, wants: frozenset[str]) -> _Tally:
    import csv

    from . import records

    tally = _Tally(wants)
    state = {"line": 0}

    def text_lines() -> object:
        for line in stream:  # type: ignore[attr-defined]
            state["line"] += 1
            if type(line) is not bytes:
                tally.stopped = _too_long(line)
                return
            try:
                yield line.decode("utf-8") + "\n"
            except UnicodeDecodeError as exc:
                tally.bad(state["line"], f"not UTF-8 (byte {exc.start + 1})")
                yield "\n"

    rows = csv.reader(text_lines())  # type: ignore[arg-type]
    layout: dict[str, int] | None = None
    header_seen = False
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            tally.records += 1
            tally.bad(rows.line_num, f"not CSV: {exc}")
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        if "\0" in "".join(row):
            tally.records += 1
            tally.bad(rows.line_num, "holds a NUL byte")
            continue
        if not header_seen:
            header_seen = True
            layout = records.csv_layout(row)
            if layout is None and shaped:
                wanted = " or ".join("/".join(names) for names in records.COLUMN_SETS)
                tally.stopped = (rows.line_num, f"the header has none of the columns {wanted}")
                break
            continue
        tally.records += 1
        if layout is None:
            continue
        try:
            record = records.csv_record(row, layout)
        except (records.DecodeError, RecursionError) as exc:
            tally.bad(rows.line_num, f"the messages column: {_reason(exc)}")
            continue
        problem = records.problem(record)
        if shaped and problem is not None:
            tally.bad(rows.line_num, problem)
        elif wants and problem is None:
            parts = records.parts_of(record) if DUPLICATES in wants else None
            tally.keep(rows.line_num, records.input_of(record), parts)
    return tally


def _reason(error: Exception) -> str:
    """A decoding error as a short phrase."""
    from . import records

    text = str(error)
    if isinstance(error, RecursionError):
        return "not JSON this parser accepts: nested too deeply"
    if isinstance(error, records.ValidationError):
        return f"not a supported record: {text}"
    if "invalid utf-8" in text.lower() or "utf-8" in text.lower():
        return "not UTF-8 text"
    return f"not JSON: {text}"


def inputs(path: str, shaped: bool) -> Iterator[tuple[int, str]]:
    """(line, input) of every well-formed record, streamed: the texts EVD004 compares."""
    from . import records

    descriptor = reader.open_regular(path)
    try:
        stream = reader.lines(descriptor)
        if file_format(path) == CSV:
            yield from _csv_inputs(stream, shaped)
            return
        decode = records.decode_record if shaped else records.decode_any
        for number, line in enumerate(stream, 1):
            if type(line) is not bytes:
                return
            if not line or line.isspace():
                continue
            try:
                record = decode(line)
            except (records.DecodeError, RecursionError):
                continue
            if shaped:
                given = records.input_of(record) if records.problem(record) is None else None
            else:
                given = records.loose_input(record)
            if given is not None:
                yield number, given
    finally:
        os.close(descriptor)


def _csv_inputs(stream: Iterator[bytes | reader.TooLong], shaped: bool) -> Iterator[tuple[int, str]]:
    import csv

    from . import records

    def text_lines() -> Iterator[str]:
        for line in stream:
            if type(line) is not bytes:
                return
            yield line.decode("utf-8", "replace") + "\n"

    rows = csv.reader(text_lines())
    layout: dict[str, int] | None = None
    header_seen = False
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error:
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        if not header_seen:
            header_seen = True
            layout = records.csv_layout(row)
            if layout is None:
                return
            continue
        assert layout is not None
        try:
            record = records.csv_record(row, layout)
        except (records.DecodeError, RecursionError):
            continue
        if records.problem(record) is None:
            yield rows.line_num, records.input_of(record)
