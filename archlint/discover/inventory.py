"""The inventory formats of `archlint discover`: text, json and csv. They read a run's result and
its (already filtered) findings; they never filter or decide the exit code."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import TextIO

from ..finding import Finding
from ..inert import InertLines
from .run import Result
from .usage import UNRESOLVED, printable

FORMATS = ("text", "json", "csv")
COLUMNS = ("file", "line", "column", "kind", "library", "symbol", "entry", "feature", "feature_file")
JSON_VERSION = 1


def rows(result: Result) -> list[dict[str, object]]:
    return [
        {
            **usage.to_json(),
            "file": printable(usage.file),
            "symbol": printable(usage.symbol),
            "feature": printable(feature.name) if feature is not None else None,
            "feature_file": printable(feature.file) if feature is not None else None,
        }
        for usage, feature in result.owned
    ]


def write(fmt: str, result: Result, findings: Sequence[Finding], stream: TextIO) -> None:
    {"text": _text, "json": _json, "csv": _csv}[fmt](result, findings, stream)


def _text(result: Result, findings: Sequence[Finding], stream: TextIO) -> None:
    # File names and symbols are the repository's: every line printed inert.
    with InertLines(stream) as out:
        _text_lines(result, findings, out)


def _text_lines(result: Result, findings: Sequence[Finding], stream: TextIO) -> None:
    listed = rows(result)
    used = [row for row in listed if row["kind"] != UNRESOLVED]
    files = {row["file"] for row in used}
    stream.write(
        f"{len(used)} AI usage{'' if len(used) == 1 else 's'} in {len(files)} of {result.scanned} "
        f"source files; {len(result.features)} feature{'' if len(result.features) == 1 else 's'} declared\n"
    )
    for row in listed:
        feature = row["feature"] or "(no feature)"
        stream.write(
            f"  {row['file']}:{row['line']}:{row['column']}  {row['kind']:<12} {row['library'] or '-':<16} "
            f"{row['symbol']}  -> {feature}\n"
        )
    for finding in findings:
        stream.write(
            f"{printable(finding.file)}:{finding.line}:{finding.column}: {finding.severity.value} "
            f"{finding.rule} {printable(finding.message)}\n"
        )
    counts = {s: sum(1 for f in findings if f.severity.value == s) for s in ("error", "warning", "info")}
    stream.write(
        f"{counts['error']} error{'' if counts['error'] == 1 else 's'}, "
        f"{counts['warning']} warning{'' if counts['warning'] == 1 else 's'}, {counts['info']} info\n"
    )


def _json(result: Result, findings: Sequence[Finding], stream: TextIO) -> None:
    body = {
        "version": JSON_VERSION,
        "scanned_files": result.scanned,
        "features": [
            {
                "name": printable(f.name),
                "file": printable(f.file),
                "approach": printable(f.approach),
                "code_paths": list(f.code_paths or ()),
            }
            for f in result.features
        ],
        "usages": rows(result),
        "findings": [
            {
                "rule": f.rule,
                "name": f.name,
                "severity": f.severity.value,
                "message": printable(f.message),
                "file": printable(f.file),
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "feature": f.feature,
            }
            for f in findings
        ],
    }
    json.dump(body, stream, indent=2)
    stream.write("\n")


def _csv(result: Result, findings: Sequence[Finding], stream: TextIO) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(result):
        writer.writerow({key: "" if row[key] is None else row[key] for key in COLUMNS})
