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
from operator import itemgetter
from typing import Any, NamedTuple

from . import normalise, reader

FIRST = 3  # offending line numbers a message names
# Records whose keys are kept: 32 bytes each, and about 64 more while duplicates are counted.
TRACK_LIMIT = 2_000_000
VERSION = 3  # of the analysis: a change here invalidates cached summaries

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
    if kind == JSONL:
        size = os.fstat(descriptor).st_size
        from . import split

        if split.workers_for(size) > 1:
            os.close(descriptor)
            done = split.run(path, size, shaped, wants, digest)
            if done is not None:
                return _summary(done[1], kind, shaped, wants, done[0])
            descriptor = reader.open_regular(path)
    hasher = reader.Digest() if digest else None
    try:
        if kind == CSV:
            tally = _csv(reader.lines(descriptor, hasher), shaped, wants)
        else:
            tally = _jsonl(reader.blocks(descriptor, hasher), shaped, wants)
        hexdigest = hasher.hexdigest() if hasher is not None else ""
        duplicates(tally)
    finally:
        if hasher is not None:
            hasher.close()
        os.close(descriptor)
    return _summary(hexdigest, kind, shaped, wants, tally)


def _summary(hexdigest: str, kind: str, shaped: bool, wants: frozenset[str], tally: _Tally) -> Summary:
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
        # Record keys and lines, from which `duplicates` finds repeats at the end of the pass
        # (or, for a file read in ranges, of the merge): 16 bytes a record.
        self.record_keys = array("Q")
        self.record_lines = array("Q")
        self.records = 0
        self.malformed = 0
        self.first_malformed: list[tuple[int, str]] = []
        self.stopped: tuple[int, str] | None = None
        self.duplicates = 0
        self.duplicate_lines: list[tuple[int, int]] = []
        self.inputs: array[int] | None = array("Q") if INPUTS in wants else None
        self.input_lines = array("Q")
        self.tracked = 0

    def bad(self, line: int, reason: str) -> None:
        self.malformed += 1
        if len(self.first_malformed) < FIRST:
            self.first_malformed.append((line, reason))

    def keep(self, lines: list[int], inputs: list[str] | None, parts: list[list[str]] | None) -> None:
        """Keys for a block of well-formed records: their lines, inputs and texts (each list
        None when not wanted)."""
        room = TRACK_LIMIT - self.tracked
        if room <= 0 or not lines:
            return
        if len(lines) > room:
            lines = lines[:room]
            inputs = inputs[:room] if inputs is not None else None
            parts = parts[:room] if parts is not None else None
        self.tracked += len(lines)
        if parts is not None:
            self.record_keys.extend(normalise.record_keys(parts))
            self.record_lines.extend(lines)
        if self.inputs is not None and inputs is not None:
            self.inputs.extend(normalise.keys(inputs))
            self.input_lines.extend(lines)


def merge(parts: list[dict[str, Any]], wants: frozenset[str]) -> _Tally:
    """One tally from the tallies of consecutive ranges (split.read_range), lines renumbered."""
    tally = _Tally(wants)
    offset = 0
    for part in parts:
        tally.records += part["records"]
        tally.malformed += part["malformed"]
        for line, reason in part["first_malformed"]:
            if len(tally.first_malformed) < FIRST:
                tally.first_malformed.append((line + offset, reason))
        room = TRACK_LIMIT - tally.tracked
        tally.tracked += min(room, part["tracked"])
        if tally.inputs is not None and room > 0:
            keys, lines = array("Q"), array("Q")
            keys.frombytes(part["inputs"])
            lines.frombytes(part["input_lines"])
            tally.inputs.extend(keys[:room])
            tally.input_lines.extend(map(offset.__add__, lines[:room]))
        if DUPLICATES in wants and room > 0:
            keys, lines = array("Q"), array("Q")
            keys.frombytes(part["record_keys"])
            lines.frombytes(part["record_lines"])
            tally.record_keys.extend(keys[:room])
            tally.record_lines.extend(map(offset.__add__, lines[:room]))
        if part["stopped"] is not None:
            line, reason = part["stopped"]
            tally.stopped = (line + offset, reason)
            break
        offset += part["lines"]
    duplicates(tally)
    return tally


def duplicates(tally: _Tally) -> None:
    """Count the records equal to an earlier one, and name the first FIRST with the line of
    their earlier copy; the record keys are then dropped."""
    keys, lines = tally.record_keys, tally.record_lines
    tally.duplicates = len(keys) - len(set(keys))
    if tally.duplicates:
        seen: set[int] = set()
        for index, key in enumerate(keys):
            if key in seen:
                tally.duplicate_lines.append((lines[index], lines[keys.index(key)]))
                if len(tally.duplicate_lines) == min(FIRST, tally.duplicates):
                    break
            else:
                seen.add(key)
    tally.record_keys = array("Q")
    tally.record_lines = array("Q")


def _too_long(marker: reader.TooLong) -> tuple[int, str]:
    return marker.number, f"longer than {marker.limit // (1 << 20)} MiB; the rest of the file is not read"


_first = itemgetter(0)


def _jsonl(stream: object, shaped: bool, wants: frozenset[str]) -> _Tally:
    from . import records

    tally = _Tally(wants)
    decode = records.decode_record if shaped else records.decode_any
    decode_list = records.decode_record_rows if shaped else records.decode_any_rows
    problem_of = records.problem
    error = (records.DecodeError, RecursionError)  # msgspec raises RecursionError past its depth limit
    for item in stream:  # type: ignore[attr-defined]
        if type(item) is reader.TooLong:
            tally.stopped = _too_long(item)
            break
        first, data, count = item
        values: list[Any] | None
        # The block as one JSON array of one-element arrays, one per line: [[line 1],[line 2]].
        # It decodes (each element a tuple of exactly one value) only when every line holds
        # exactly one value: a blank line, two values on a line, or a value spread over two
        # lines are errors, and then the n-th value is the n-th line. Any error: the block is
        # read line by line, which locates it.
        try:
            wrapped = decode_list(b"[[" + data[:-1].replace(b"\n", b"],[") + b"]]")
        except error:
            wrapped = None
        values = list(map(_first, wrapped)) if wrapped is not None and len(wrapped) == count else None
        numbers: list[int]
        if values is not None:
            tally.records += count
            numbers = range(first, first + count)  # type: ignore[assignment]
        else:
            values, numbers = [], []
            for offset, line in enumerate(data.split(b"\n")[:count]):
                if not line or line.isspace():
                    continue
                tally.records += 1
                try:
                    values.append(decode(line))
                except error as exc:
                    tally.bad(first + offset, _reason(exc))
                    continue
                numbers.append(first + offset)
        if shaped:
            problems = list(map(problem_of, values))
            if any(problems):
                kept = [(n, v) for n, v, p in zip(numbers, values, problems, strict=True) if p is None]
                for number, problem in zip(numbers, problems, strict=True):
                    if problem is not None:
                        tally.bad(number, problem)
                numbers = [n for n, _ in kept]
                values = [v for _, v in kept]
        if wants:
            _track(tally, wants, shaped, numbers, values)
    return tally


def _track(tally: _Tally, wants: frozenset[str], shaped: bool, numbers: list[int], values: list[Any]) -> None:
    """Keys of a block's well-formed records."""
    from . import records

    if not shaped:
        pairs = [
            (n, given) for n, v in zip(numbers, values, strict=True) if (given := records.loose_input(v))
        ]
        tally.keep([n for n, _ in pairs], [g for _, g in pairs] if INPUTS in wants else None, None)
        return
    inputs = list(map(records.input_of, values)) if INPUTS in wants else None
    parts = list(map(records.parts_of, values)) if DUPLICATES in wants else None
    tally.keep(numbers, inputs, parts)


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
            parts = [records.parts_of(record)] if DUPLICATES in wants else None
            tally.keep([rows.line_num], [records.input_of(record)], parts)
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
